//! Segment syncs: started on demand, listed newest first.

use super::routes::{SEGMENTS_READ, SEGMENTS_SYNC, load};
use crate::SegmentQueue;
use crate::jobs::{self, SyncJob, SyncJobView, SyncTrigger};
use crate::service::Services;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, ListQuery, Page, path_id};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(start)).routes(routes!(list)).routes(routes!(get_by_id))
}

#[utoipa::path(post, path = "/segments/{id}/sync", tag = "segments",
    params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "A sync job was queued", body = SyncJobView, headers(("Location" = String))),
        (status = 200, description = "A sync of this segment is already pending or running: that job", body = SyncJobView),
    ),
    security(("bearer" = [])))]
async fn start(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(queue): State<SegmentQueue>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(SEGMENTS_SYNC)?;
    let (segment, _) = load(&ctx, &tenant, &id).await?;
    let services = Services { store: &ctx.store, queue: &queue };
    let (job, started) = services.start_sync(&tenant, &segment, SyncTrigger::Manual).await?;
    let location = format!("/segments/{}/sync-jobs/{}", segment.id, job.id);
    let status = if started { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, [(http::header::LOCATION, location)], Json(job.view())).into_response())
}

#[utoipa::path(get, path = "/segments/{id}/sync-jobs", tag = "segments",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, description = "Newest first", body = nudge_core::http::Page<SyncJobView>),
    ),
    security(("bearer" = [])))]
async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Json<nudge_core::http::Page<SyncJobView>>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let (segment, _) = load(&ctx, &tenant, &id).await?;
    let q = jobs::list_query(&tenant, segment.id);
    let page: Page<SyncJob> = ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page {
        items: page.items.iter().map(SyncJob::view).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/segments/{id}/sync-jobs/{job}", tag = "segments",
    params(("id" = Uuid, Path), ("job" = Uuid, Path)),
    responses(
        (status = 200, description = "The job", body = SyncJobView),
    ),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, job)): Path<(String, String)>,
) -> ApiResult<Json<SyncJobView>> {
    let tenant = principal.require(SEGMENTS_READ)?;
    let segment = path_id(&id)?;
    let job = path_id(&job)?;
    let found = jobs::get(&ctx.store, &tenant, segment, job).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(found.view()))
}
