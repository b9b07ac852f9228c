//! Segment members: added and removed by hand, listed per segment and per worker.

use super::routes::{SEGMENTS_READ, SEGMENTS_WRITE, load};
use crate::model::{Membership, Segment, SegmentType};
use crate::service::{MAX_WORKER_IDS, Services};
use crate::{SegmentQueue, repo};
use axum::Json;
use axum::extract::{Path, State};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, Fields, JsonBody, ListQuery, Page, path_id};
use nudge_core::store::Query;
use nudge_workers::repo as workers;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, add, remove)).routes(routes!(of_worker))
}

/// `POST` and `DELETE /segments/{id}/members`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct MemberIds {
    /// 1–100 workers of the organization.
    #[schema(min_items = 1, max_items = 100)]
    pub worker_ids: Vec<Uuid>,
}

/// What a manual edit did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct MembersChanged {
    /// Workers that joined (POST) or left (DELETE) the segment; the rest were members already, were not
    /// members, or stay because the rule matches them.
    pub changed: u64,
    pub worker_count: i64,
}

/// A segment a worker belongs to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct WorkerSegment {
    pub segment_id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SegmentType,
    pub rule_match: bool,
    pub manual: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_match_reason: Option<String>,
    pub added_at: chrono::DateTime<chrono::Utc>,
}

/// The ids of the body: 1–100 UUIDs, duplicates dropped.
fn worker_ids(body: serde_json::Value) -> ApiResult<Vec<Uuid>> {
    let mut f = Fields::new(body)?;
    let ids: Option<Vec<Uuid>> = f.required("workerIds");
    f.check("workerIds", &ids, |ids| match ids.len() {
        0 => Err("must name at least one worker".into()),
        n if n > MAX_WORKER_IDS => Err(format!("must name at most {MAX_WORKER_IDS} workers")),
        _ => Ok(()),
    });
    f.finish()?;
    let mut out: Vec<Uuid> = Vec::new();
    for id in ids.unwrap_or_default() {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

#[utoipa::path(post, path = "/segments/{id}/members", tag = "segments",
    params(("id" = Uuid, Path)), request_body = MemberIds,
    responses(
        (status = 200, description = "Added by hand (ruleMatch false unless the rule also matches); a sync keeps them", body = MembersChanged),
    ),
    security(("bearer" = [])))]
async fn add(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<MembersChanged>> {
    let tenant = principal.require(SEGMENTS_WRITE)?;
    let id = path_id(&id)?;
    let ids = worker_ids(body)?;
    let changed = Services { store: &ctx.store, queue: &queue }.add_members(&tenant, id, &ids).await?;
    let worker_count = repo::state(&ctx.store, &tenant, id).await?.worker_count;
    Ok(Json(MembersChanged { changed, worker_count }))
}

#[utoipa::path(delete, path = "/segments/{id}/members", tag = "segments",
    params(("id" = Uuid, Path)), request_body = MemberIds,
    responses(
        (status = 200, description = "Removed what was added by hand; members the rule matches stay", body = MembersChanged),
    ),
    security(("bearer" = [])))]
async fn remove(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<MembersChanged>> {
    let tenant = principal.require(SEGMENTS_WRITE)?;
    let id = path_id(&id)?;
    let ids = worker_ids(body)?;
    let changed = Services { store: &ctx.store, queue: &queue }.remove_members(&tenant, id, &ids).await?;
    let worker_count = repo::state(&ctx.store, &tenant, id).await?.worker_count;
    Ok(Json(MembersChanged { changed, worker_count }))
}

#[utoipa::path(get, path = "/segments/{id}/members", tag = "segments",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "Members with why they are members", body = nudge_core::http::Page<Membership>),
    ),
    security(("bearer" = [])))]
async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Json<nudge_core::http::Page<Membership>>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let (segment, _) = load(&ctx, &tenant, &id).await?;
    let q = Query::partition(repo::members_partition(&tenant, segment.id));
    let page: Page<Membership> = ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }))
}

#[utoipa::path(get, path = "/workers/{id}/segments", tag = "segments",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query, description = "Segments looked at per page"), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "The segments this worker is in; a page may hold fewer than `limit` while nextCursor says more follow", body = nudge_core::http::Page<WorkerSegment>),
    ),
    security(("bearer" = [])))]
async fn of_worker(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Json<nudge_core::http::Page<WorkerSegment>>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let worker = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    if workers::get(&ctx.store, &tenant, worker).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let q = Query::partition(repo::segments_partition(&tenant));
    let page: Page<Segment> = ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|s| s.id).collect();
    let mut found = repo::memberships_of(&ctx.store, &tenant, worker, &ids).await?;
    let items = page
        .items
        .into_iter()
        .filter_map(|s| {
            let m = found.remove(&s.id)?;
            Some(WorkerSegment {
                segment_id: s.id,
                name: s.name,
                kind: s.kind,
                rule_match: m.rule_match,
                manual: m.manual,
                rule_match_reason: m.rule_match_reason,
                added_at: m.added_at,
            })
        })
        .collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }))
}
