//! `/learning-reports` (`reports:export`): a report asked for, made on the learning queue, downloaded
//! through a presigned URL once completed. The work is [`crate::insight::report`].

use super::Deps;
use crate::insight::report::{self, LearningReport};
use crate::schedule::Message;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, path_id, tagged};
use nudge_core::jobs::JobStatus;
use nudge_core::store::{Query, Tx, Write};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const EXPORT: &str = "reports:export";
/// How long a download link works.
const LINK_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one))
}

#[utoipa::path(post, path = "/learning-reports", tag = "groups",
    description = "Asks for the organization's learning report: one CSV line per learner and module (assigned or started), with due date, state, best score and whether overdue. Made in the background; poll Location.",
    responses((status = 202, description = "The report (pending), queued", body = LearningReport, headers(("Location" = String)))),
    security(("bearer" = [])))]
async fn create(principal: Principal, State(ctx): State<Ctx>, State(deps): State<Arc<Deps>>) -> ApiResult<Response> {
    let tenant = principal.require(EXPORT)?;
    let now = ctx.clock.now();
    let r = LearningReport::new(principal.user_id, now);
    let (entry, posted) =
        deps.queue.post_for(&tenant, &Message::Report { report_id: r.id }, now).map_err(ApiError::internal)?;
    let tx = Tx::new().with(Write::create(report::put(&tenant, &r)?, "report exists")).with(entry);
    ctx.store.transact(tx).await?;
    posted.deliver(&ctx.store).await;
    let mut response = tagged(StatusCode::ACCEPTED, &r, r.version);
    if let Ok(location) = HeaderValue::from_str(&format!("/learning-reports/{}", r.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/learning-reports", tag = "groups",
    responses((status = 200, description = "The reports of the last days, newest first", body = Vec<LearningReport>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<LearningReport>>> {
    let tenant = principal.require(EXPORT)?;
    let now = ctx.clock.now();
    let mut all: Vec<LearningReport> = ctx.store.all(&Query::partition(report::partition(&tenant))).await?;
    // The table's TTL removes expired ones in its own time.
    all.retain(|r| r.expires_at > now);
    all.reverse();
    Ok(Json(all))
}

#[utoipa::path(get, path = "/learning-reports/{id}", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The report; a completed one carries `downloadUrl`, valid 15 minutes", body = LearningReport)),
    security(("bearer" = [])))]
async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(EXPORT)?;
    let id = path_id(&id)?;
    let mut r: LearningReport = ctx.store.get(&report::key(&tenant, id)).await?.ok_or(ApiError::NotFound)?;
    if r.expires_at <= ctx.clock.now() {
        return Err(ApiError::NotFound);
    }
    if r.status == JobStatus::Completed {
        let link = deps
            .objects
            .presign_get(&report::object(&tenant, id), LINK_TTL, Some(&r.file_name()))
            .await
            .map_err(ApiError::internal)?;
        r.download_url = Some(link.url);
    }
    Ok(tagged(StatusCode::OK, &r, r.version))
}
