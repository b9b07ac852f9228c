//! `/contents`: create, read, list, edit (a new version each time), move through the workflow, render
//! templates.

use super::step;
use crate::input::{self, ContentPatch, ContentRequest, Filter, RenderRequest, StatusChangeRequest};
use crate::model::{Content, ContentSummary, ContentType, Rendered};
use crate::removal;
use crate::repo;
use crate::service::{Library, contents};
use crate::snapshots::Snapshots;
use crate::workflow::{CONTENT_READ, CONTENT_WRITE, ContentStatus};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use std::sync::Arc;

#[utoipa::path(post, path = "/contents", tag = "content",
    request_body(content = ContentRequest, description = "The common fields and the body under the key the type names, e.g. `\"quiz\": {…}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created as a draft, version 1", body = Content, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let new = input::create(body)?;
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    let item = contents::create(lib, principal.user_id, new).await?;
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
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
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
pub(crate) async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let item = contents::find(&ctx.store, &tenant, path_id(&id)?).await?;
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
pub(crate) async fn patch_by_id(
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
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    let load = || async { Ok(contents::find(&ctx.store, &tenant, id).await?) };
    let item = update::patch(if_match, &patch, load, |current: Content, doc| async {
        input::known_content_fields(&patch, current.kind)?;
        let fields = input::fields(doc, current.kind)?;
        Ok(step(contents::edit(lib, current, fields, note.clone(), principal.user_id).await?))
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
pub(crate) async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_READ)?;
    let id = path_id(&id)?;
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    removal::delete(lib, id, if_match.0, &principal).await?;
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
pub(crate) async fn transition(
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
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    let item = contents::transition(lib, id, if_match.0, to, note, &principal).await?;
    Ok(tagged(StatusCode::OK, &item, item.version))
}

#[utoipa::path(post, path = "/contents/{id}/render", tag = "content",
    params(("id" = Uuid, Path)),
    request_body(content = RenderRequest, description = "A value for every variable the template uses"),
    responses(
        (status = 200, description = "The template filled in", body = Rendered),
    ),
    security(("bearer" = [])))]
pub(crate) async fn render(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let item = contents::find(&ctx.store, &tenant, path_id(&id)?).await?;
    let values = input::render(body)?;
    Ok(Json(contents::render(&item, &values)?).into_response())
}
