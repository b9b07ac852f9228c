//! `/live-events` and the learner's `/me/live-events`: thin handlers over [`crate::live::LiveEvents`].

use crate::input;
use crate::live::{LiveEvent, LiveEventError, LiveEvents, calendar};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, created, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const READ: &str = "groups:read";
const WRITE: &str = "groups:write";
const LEARN: &str = "modules:learn";

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, patch_one))
        .routes(routes!(cancel))
        .routes(routes!(mine))
        .routes(routes!(my_calendar))
}

impl From<LiveEventError> for ApiError {
    fn from(e: LiveEventError) -> Self {
        match e {
            LiveEventError::NotFound => ApiError::NotFound,
            LiveEventError::VersionMoved => ApiError::PreconditionFailed,
            LiveEventError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            LiveEventError::Rejected(errors) => ApiError::Rejected(errors),
            LiveEventError::Store(e) => e.into(),
        }
    }
}

#[utoipa::path(get, path = "/live-events", tag = "groups",
    responses((status = 200, description = "Every live event of the organization, soonest first", body = Vec<LiveEvent>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<LiveEvent>>> {
    let tenant = principal.require(READ)?;
    Ok(Json(LiveEvents { store: &ctx.store }.list(&tenant).await?))
}

#[utoipa::path(post, path = "/live-events", tag = "groups",
    request_body = input::LiveEventWrite,
    description = "Schedules a live event for its groups: their members are told now and a day before it starts (LIVE_EVENT).",
    responses((status = 201, description = "Created", body = LiveEvent, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let now = ctx.clock.now();
    let draft = input::read_live_event(body, true, now)?;
    let e = LiveEvents { store: &ctx.store }.create(&tenant, draft, principal.user_id, now).await?;
    Ok(created(&e, e.version, &format!("/live-events/{}", e.id)))
}

#[utoipa::path(get, path = "/live-events/{id}", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The live event", body = LiveEvent, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_one(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let e = LiveEvents { store: &ctx.store }.get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &e, e.version))
}

#[utoipa::path(patch, path = "/live-events/{id}", tag = "groups",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::LiveEventWrite, content_type = "application/merge-patch+json"),
    description = "Changes it before it starts; moved, or given new groups, it is announced again to whoever has not heard of it at that time. 409 once cancelled or started.",
    responses((status = 200, description = "Updated", body = LiveEvent, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let now = ctx.clock.now();
    let draft = input::read_live_event(body, false, now)?;
    let e = LiveEvents { store: &ctx.store }.update(&tenant, id, draft, if_match.0, now).await?;
    Ok(tagged(StatusCode::OK, &e, e.version))
}

#[utoipa::path(post, path = "/live-events/{id}/cancel", tag = "groups",
    params(("id" = Uuid, Path)),
    description = "Cancels it before it starts; its members are told, and calendars mark it cancelled. Again: the same answer.",
    responses((status = 200, description = "Cancelled", body = LiveEvent, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn cancel(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let e = LiveEvents { store: &ctx.store }.cancel(&tenant, path_id(&id)?, ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &e, e.version))
}

#[utoipa::path(get, path = "/me/live-events", tag = "learning",
    responses((status = 200, description = "The live events of the caller's groups not yet over (cancelled ones marked), soonest first", body = Vec<LiveEvent>)),
    security(("bearer" = [])))]
async fn mine(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<LiveEvent>>> {
    let tenant = principal.require(LEARN)?;
    Ok(Json(LiveEvents { store: &ctx.store }.of_learner(&tenant, principal.user_id, ctx.clock.now()).await?))
}

#[utoipa::path(get, path = "/me/live-events/calendar", tag = "learning",
    description = "The same events as an iCalendar document (RFC 5545), to import into a calendar; each event keeps its UID and carries its version as SEQUENCE.",
    responses((status = 200, description = "text/calendar", content_type = "text/calendar", body = String)),
    security(("bearer" = [])))]
async fn my_calendar(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(LEARN)?;
    let events = LiveEvents { store: &ctx.store }.of_learner(&tenant, principal.user_id, ctx.clock.now()).await?;
    let body = calendar::ics("Live events", &events);
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response())
}
