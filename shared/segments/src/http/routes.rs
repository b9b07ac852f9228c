//! Segment HTTP handlers: thin, they check who may act, read the request and hand over to `crate::service`;
//! its errors become problems through `super::error`.

use crate::input;
use crate::model::{Segment, SegmentState, SegmentType, SegmentView};
use crate::preview::{self, Preview};
use crate::rules::{self, FieldInfo, Rule};
use crate::service::Services;
use crate::{SegmentQueue, repo};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::store::Query;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) const SEGMENTS_READ: &str = "segments:read";
pub(super) const SEGMENTS_WRITE: &str = "segments:write";
pub(super) const SEGMENTS_SYNC: &str = "segments:sync";
const WORKERS_READ: &str = "workers:read";
/// Matching workers a preview shows by default, and at most.
const SAMPLE_DEFAULT: usize = 10;
const SAMPLE_MAX: usize = 50;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(fields))
        .routes(routes!(preview_rule))
        .routes(routes!(get_by_id, patch_by_id, delete_by_id))
}

/// The fields a rule may test, with their types and operators.
#[derive(Serialize, ToSchema)]
pub(super) struct FieldCatalogue {
    pub items: Vec<FieldInfo>,
}

/// `POST /segments`. A rule_based segment needs `ruleDefinition` and a static one has none, and a rule
/// must name known fields with the operators and operands their types take: breaking those rules is a 422.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SegmentWrite {
    #[schema(max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Fixed at creation.
    #[serde(rename = "type")]
    pub kind: SegmentType,
    /// See `GET /segments/fields` for fields and operators.
    pub rule_definition: Option<Rule>,
}

/// `PATCH /segments/{id}`: each field given replaces the stored one (`ruleDefinition` whole), `null`
/// removes it. A changed rule queues a sync; `type` cannot change (naming another is a 422).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SegmentPatch {
    #[schema(required = false, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    #[schema(required = false)]
    pub kind: SegmentType,
    pub rule_definition: Option<Rule>,
}

/// `POST /segments/preview`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct PreviewRequest {
    pub rule_definition: Rule,
    /// Matching workers to show, default 10.
    #[schema(minimum = 0, maximum = 50)]
    pub sample_size: Option<usize>,
}

fn view(principal: &Principal, segment: &Segment, state: &SegmentState) -> SegmentView {
    segment.view(principal.tenant_opt().map(|t| t.as_uuid()).unwrap_or_default(), state)
}

#[utoipa::path(get, path = "/segments/fields", tag = "segments",
    responses(
        (status = 200, description = "Every field a rule may test: type, operators, enum values", body = FieldCatalogue),
    ),
    security(("bearer" = [])))]
async fn fields(principal: Principal) -> ApiResult<Json<FieldCatalogue>> {
    principal.require(SEGMENTS_READ)?;
    Ok(Json(FieldCatalogue { items: rules::catalogue() }))
}

#[utoipa::path(post, path = "/segments/preview", tag = "segments",
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "How many workers the rule matches now, and a sample with the reasons (for callers with `workers:read`); nothing is saved. Reads at most 48,000 workers (`complete` says whether that was all)", body = Preview),
    ),
    security(("bearer" = [])))]
async fn preview_rule(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Preview>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let mut f = Fields::new(body)?;
    let raw: Option<serde_json::Value> = f.required("ruleDefinition");
    let sample: Option<usize> = f.optional("sampleSize");
    f.check(
        "sampleSize",
        &sample,
        |n| {
            if *n > SAMPLE_MAX { Err(format!("must be at most {SAMPLE_MAX}")) } else { Ok(()) }
        },
    );
    let pointer = f.pointer("ruleDefinition");
    let rule = match raw.map(|raw| Rule::parse(&raw, &pointer)) {
        Some(Ok(rule)) => Some(rule),
        Some(Err(errors)) => {
            f.extend_rules(errors);
            None
        }
        None => None,
    };
    f.finish()?;
    let rule = rule.ok_or_else(|| ApiError::internal("preview passed without a rule"))?;
    let compiled = rule.compile(chrono::Utc::now());
    // Naming workers (and, through the rule, searching their fields) is reading them.
    let sample = if principal.has(WORKERS_READ) { sample.unwrap_or(SAMPLE_DEFAULT) } else { 0 };
    let out = preview::preview(&ctx.store, &tenant, &compiled, sample).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/segments", tag = "segments",
    request_body = SegmentWrite,
    responses(
        (status = 201, description = "Created; a rule_based segment's first sync is queued (activeSyncJobId)", body = SegmentView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(SEGMENTS_WRITE)?;
    let input = input::read(body)?;
    let services = Services { store: &ctx.store, queue: &queue };
    let (segment, state) = services.create(&tenant, input, Some(principal.user_id)).await?;
    tracing::info!(segment_id = %segment.id, kind = ?segment.kind, "segment created");
    Ok(created(&view(&principal, &segment, &state), segment.version, &format!("/segments/{}", segment.id)))
}

#[utoipa::path(get, path = "/segments", tag = "segments",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("type" = Option<SegmentType>, Query, description = "static or rule_based"),
    ),
    responses(
        (status = 200, description = "Oldest first; with `type`, pages may hold fewer than `limit` items while nextCursor says more follow", body = nudge_core::http::Page<SegmentView>),
    ),
    security(("bearer" = [])))]
async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    uri: http::Uri,
) -> ApiResult<Json<nudge_core::http::Page<SegmentView>>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let query = ListQuery::parse(uri.query(), &["type"])?;
    let mut q = Query::partition(repo::segments_partition(&tenant));
    if let Some(kind) = query.filter("type") {
        let known = serde_json::from_value::<SegmentType>(serde_json::Value::String(kind.to_owned())).is_ok();
        if !known {
            return Err(ApiError::param("type", "must be static or rule_based"));
        }
        q = q.filter_eq("type", kind);
    }
    let page: Page<Segment> = ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?;
    let ids: Vec<_> = page.items.iter().map(|s| s.id).collect();
    let states = repo::states(&ctx.store, &tenant, &ids).await?;
    let items =
        page.items.iter().map(|s| view(&principal, s, &states.get(&s.id).cloned().unwrap_or_default())).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }))
}

/// The segment and its state, or 404.
pub(super) async fn load(ctx: &Ctx, tenant: &nudge_core::TenantId, id: &str) -> ApiResult<(Segment, SegmentState)> {
    let id = path_id(id)?;
    let segment = repo::get(&ctx.store, tenant, id).await?.ok_or(ApiError::NotFound)?;
    let state = repo::state(&ctx.store, tenant, id).await?;
    Ok((segment, state))
}

#[utoipa::path(get, path = "/segments/{id}", tag = "segments",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The segment with its exact workerCount", body = SegmentView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let (segment, state) = load(&ctx, &tenant, &id).await?;
    Ok(tagged(StatusCode::OK, &view(&principal, &segment, &state), segment.version))
}

#[utoipa::path(patch, path = "/segments/{id}", tag = "segments",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = SegmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = SegmentView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(SEGMENTS_WRITE)?;
    let id = path_id(&id)?;
    let services = Services { store: &ctx.store, queue: &queue };
    let segment = services.update(&tenant, id, patch, if_match.0, Some(principal.user_id)).await?;
    let state = repo::state(&ctx.store, &tenant, id).await?;
    Ok(tagged(StatusCode::OK, &view(&principal, &segment, &state), segment.version))
}

#[utoipa::path(delete, path = "/segments/{id}", tag = "segments",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "Deleted; its memberships and sync jobs are cleared in the background (they are unreachable at once)"),
    ),
    security(("bearer" = [])))]
async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(SEGMENTS_WRITE)?;
    let id = path_id(&id)?;
    Services { store: &ctx.store, queue: &queue }.delete(&tenant, id, if_match.0).await?;
    tracing::info!(segment_id = %id, "segment deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        for p in [SEGMENTS_READ, SEGMENTS_WRITE, SEGMENTS_SYNC] {
            assert!(catalogue.contains(&p), "{p}");
        }
    }
}
