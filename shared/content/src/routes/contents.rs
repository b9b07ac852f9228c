//! `/contents`: create, read, list, edit (a new version each time), move through the workflow, render
//! templates.

use crate::input::{self, ContentPatch, ContentRequest, Filter, RenderRequest, StatusChangeRequest};
use crate::model::{Body, Content, ContentSummary, ContentType};
use crate::removal;
use crate::repo;
use crate::sms::{self, Segments};
use crate::snapshots::Snapshots;
use crate::template::{self, RenderError};
use crate::workflow::{self, CONTENT_READ, CONTENT_WRITE, ContentStatus, WorkflowError};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::store::{Attempt, StoreError, optimistic};
use nudge_core::{Ctx, TenantId};
use nudge_media::ASSET_READY;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

/// A rendered template.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rendered {
    pub text: String,
    /// SMS templates: how the rendered text goes out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_segments: Option<Segments>,
}

pub(crate) fn workflow_error(err: WorkflowError) -> ApiError {
    match err {
        WorkflowError::Forbidden(_) => ApiError::Forbidden(err.to_string()),
        WorkflowError::NotAllowed(..) | WorkflowError::Archived | WorkflowError::Live => {
            ApiError::Conflict(err.to_string(), vec![])
        }
    }
}

fn asset_pointer(kind: ContentType) -> String {
    format!("/{}/mediaAssetId", kind.as_str())
}

/// Checks that the media asset a body references (if it changed) is this tenant's, of the right type and
/// ready: another tenant's asset reads as missing. A newly referenced video or audio asset lends the body
/// its duration when the body gives none.
async fn check_asset(
    ctx: &Ctx,
    tenant: &TenantId,
    kind: ContentType,
    body: &mut Body,
    before: Option<Uuid>,
) -> ApiResult<()> {
    let (Some(asset), Some(wanted)) = (body.media_asset(), kind.media()) else { return Ok(()) };
    if before == Some(asset) {
        return Ok(());
    }
    let found = repo::asset(&ctx.store, tenant, asset).await?;
    let problem = match &found {
        None => Some("is not a media asset of this organization".to_owned()),
        Some(found) => found.unusable_for(wanted),
    };
    if let Some(message) = problem {
        return Err(ApiError::rule(asset_pointer(kind), message));
    }
    body.default_duration(found.and_then(|a| a.duration()));
    Ok(())
}

/// One content change: the item read (none for a new one), what it becomes, and the version's note.
pub(crate) struct Change<'a> {
    pub current: Option<&'a Content>,
    pub next: Content,
    pub note: Option<String>,
    pub actor: Uuid,
}

/// Stores a change with its version. A tag that names none of the tenant's, or an asset that went away since
/// it was checked, names its field (422); a moved version is another attempt when `retry`.
pub(crate) async fn commit(
    ctx: &Ctx,
    snapshots: &Snapshots,
    tenant: &TenantId,
    change: Change<'_>,
    retry: bool,
) -> ApiResult<Attempt<Content>> {
    let Change { current, next, note, actor } = change;
    let version = snapshots.version(tenant, &next, note, actor).await?;
    let written = repo::save(&ctx.store, tenant, current, &next, &version).await;
    // Refused, so nothing points at the snapshot object (if one was written). Only then: after an
    // ambiguous failure (a timeout) the version may have been stored.
    if let Err(StoreError::Condition(_) | StoreError::TransactionConflict) = &written
        && let Err(err) = snapshots.discard(tenant, std::slice::from_ref(&version)).await
    {
        tracing::warn!(error = %err, content_id = %next.id, "a refused change's snapshot object was not deleted");
    }
    match written {
        Err(StoreError::Condition(repo::TAG_USABLE)) => {
            let unusable = repo::unusable_tags(&ctx.store, tenant, &next.fields.tag_ids).await?;
            let errors = next
                .fields
                .tag_ids
                .iter()
                .enumerate()
                .filter(|(_, t)| unusable.contains(t))
                .map(|(i, _)| FieldError::body(format!("/tagIds/{i}"), "is not a tag of this organization"))
                .collect();
            Err(ApiError::Rejected(errors))
        }
        Err(StoreError::Condition(ASSET_READY)) => {
            Err(ApiError::rule(asset_pointer(next.kind), "is no longer a ready media asset of this organization"))
        }
        other => Ok(optimistic::settle(other, next, retry)?),
    }
}

#[utoipa::path(post, path = "/contents", tag = "content",
    request_body(content = ContentRequest, description = "The common fields and the body under the key the type names, e.g. `\"quiz\": {…}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created as a draft, version 1", body = Content, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let mut new = input::create(body)?;
    check_asset(&ctx, &tenant, new.kind, &mut new.fields.body, None).await?;
    let now = Utc::now();
    let item = Content {
        id: Uuid::now_v7(),
        kind: new.kind,
        fields: new.fields,
        status: ContentStatus::Draft,
        version: 1,
        published_version: None,
        published_at: None,
        last_published_at: None,
        created_by_id: Some(principal.user_id),
        updated_by_id: Some(principal.user_id),
        created_at: now,
        updated_at: now,
    };
    let note = new.change_note.or_else(|| Some("Created".into()));
    let Attempt::Done(item) =
        commit(&ctx, &snapshots, &tenant, Change { current: None, next: item, note, actor: principal.user_id }, false)
            .await?
    else {
        return Err(ApiError::internal("a new content item conflicted with itself"));
    };
    tracing::info!(content_id = %item.id, content_type = item.kind.as_str(), "content created");
    Ok(created(&item, item.version, &format!("/contents/{}", item.id)))
}

#[utoipa::path(get, path = "/contents", tag = "content",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("type" = Option<ContentType>, Query, description = "Only content of this type"),
        ("status" = Option<ContentStatus>, Query, description = "Only content in this state"),
        ("tag" = Option<Uuid>, Query, description = "Only content with this tag"),
    ),
    responses(
        (status = 200, description = "Summaries (no bodies), oldest first; by status: by type, then oldest first", body = nudge_core::http::Page<ContentSummary>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let query = ListQuery::parse(uri.query(), &["type", "status", "tag"])?;
    let filter: Filter = input::filter(query.filter("type"), query.filter("status"), query.filter("tag"))?;
    let page =
        repo::list(&ctx.store, &principal.scope(), &tenant, &filter, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/contents/{id}", tag = "content",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The content item with its body", body = Content, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let item = repo::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    Ok(tagged(StatusCode::OK, &item, item.version))
}

#[utoipa::path(patch, path = "/contents/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = ContentPatch, content_type = "application/merge-patch+json",
        description = "JSON Merge Patch (RFC 7396) over the writable fields as read (the type cannot change), plus an optional `changeNote` for the version it makes"),
    responses(
        (status = 200, description = "Updated: a new version, and a draft again (a published version stays live until the new draft is published)", body = Content, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(mut patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let id = path_id(&id)?;
    if !patch.is_object() {
        return Err(ApiError::field("", "a merge patch must be a JSON object"));
    }
    let note = input::take_note(&mut patch)?;
    let load = || async { repo::get(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound) };
    let item = update::patch(if_match, &patch, load, |current: Content, doc| async {
        input::known_content_fields(&patch, current.kind)?;
        let mut fields = input::fields(doc, current.kind)?;
        if fields == current.fields {
            return Ok(Step::Done(current));
        }
        let status = workflow::after_edit(current.status).map_err(workflow_error)?;
        let before = current.fields.body.media_asset();
        check_asset(&ctx, &tenant, current.kind, &mut fields.body, before).await?;
        let next = current.revised(fields, status, principal.user_id, Utc::now());
        let change = Change { current: Some(&current), next, note: note.clone(), actor: principal.user_id };
        Ok(match commit(&ctx, &snapshots, &tenant, change, true).await? {
            Attempt::Done(saved) => Step::Done(saved),
            Attempt::Retry => Step::Moved,
        })
    })
    .await?;
    Ok(tagged(StatusCode::OK, &item, item.version))
}

#[utoipa::path(delete, path = "/contents/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted with its versions (and their snapshots), tag links, collection entries (the others move up) and media usage; a DELETE that finds a deletion interrupted midway finishes it"),
    ),
    security(("bearer" = [])))]
pub async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_READ)?;
    let id = path_id(&id)?;
    removal::delete(&ctx, &snapshots, &tenant, id, if_match, &principal).await?;
    tracing::info!(content_id = %id, "content deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/contents/{id}/status", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being moved")),
    request_body(content = StatusChangeRequest, description = "The status to move to, and a note for the version this makes"),
    responses(
        (status = 200, description = "Moved: a new version", body = Content, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn transition(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let id = path_id(&id)?;
    let (to, note) = input::transition(body)?;
    let item = optimistic::retry(|| async {
        let current = repo::get(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound)?;
        if_match.check(current.version)?;
        let live = current.published_version.is_some();
        workflow::transition(current.status, to, live, |p| principal.has(p)).map_err(workflow_error)?;
        let now = Utc::now();
        let mut next = current.revised(current.fields.clone(), to, principal.user_id, now);
        match to {
            ContentStatus::Published => {
                next.published_version = Some(next.version);
                next.published_at = Some(now);
                next.last_published_at = Some(now);
            }
            ContentStatus::Archived => {
                next.published_version = None;
                next.published_at = None;
            }
            _ => {}
        }
        let note = note.clone().or_else(|| Some(format!("{} → {}", current.status.as_str(), to.as_str())));
        let change = Change { current: Some(&current), next, note, actor: principal.user_id };
        commit(&ctx, &snapshots, &tenant, change, if_match.0.is_none()).await
    })
    .await?;
    tracing::info!(content_id = %id, status = to.as_str(), "content moved");
    Ok(tagged(StatusCode::OK, &item, item.version))
}

#[utoipa::path(post, path = "/contents/{id}/render", tag = "content",
    params(("id" = Uuid, Path)),
    request_body(content = RenderRequest, description = "A value for every variable the template uses"),
    responses(
        (status = 200, description = "The template filled in", body = Rendered),
    ),
    security(("bearer" = [])))]
pub async fn render(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let item = repo::get(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    let values = input::render(body)?;
    let crate::model::Body::Template(t) = &item.fields.body else {
        return Err(ApiError::rule("", "only template content renders"));
    };
    let text = template::render(&t.template_text, &values).map_err(|e| match e {
        RenderError::Missing(names) => ApiError::Rejected(
            names
                .into_iter()
                .map(|n| FieldError::body(format!("/variables/{n}"), "is used by the template and must not be blank"))
                .collect(),
        ),
        RenderError::Template(e) => ApiError::internal(format!("a stored template does not parse: {e}")),
    })?;
    let sms_segments = (t.channel == crate::model::Channel::Sms).then(|| sms::count(&text));
    Ok(Json(Rendered { text, sms_segments }).into_response())
}
