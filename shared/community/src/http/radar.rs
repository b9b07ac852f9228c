//! The mentor radar: posts moderated (`community:moderate`) into the members' feed, seen marks and saves.

use super::{Api, MEMBER, MODERATE, param};
use crate::input;
use crate::model::{RadarPost, RadarPostStatus};
use crate::radar::{RadarFeed, RadarFeedItem, RadarSeenState};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiResult, JsonBody, ListQuery, Page, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list_posts, create_post))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(pin))
        .routes(routes!(unpin))
        .routes(routes!(archive))
        .routes(routes!(feed))
        .routes(routes!(seen))
        .routes(routes!(save, unsave))
        .routes(routes!(my_saved))
}

#[utoipa::path(get, path = "/radar/posts", tag = "community",
    params(("status" = Option<RadarPostStatus>, Query, description = "Only posts of this status, newest in it first"),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    description = "Every radar post, for moderation. Needs `community:moderate`.",
    responses((status = 200, description = "Newest first", body = Page<RadarPost>)),
    security(("bearer" = [])))]
async fn list_posts(principal: Principal, State(api): State<Api>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let query = ListQuery::parse(uri.query(), &["status"])?;
    let status: Option<RadarPostStatus> =
        param("status", query.filter("status"), "PENDING, APPROVED, REJECTED, ARCHIVED")?;
    let page = api.radar().list(&principal.scope(), &tenant, status, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/radar/posts", tag = "community",
    request_body = input::RadarPostWrite,
    description = "Posts a link to the radar; it waits (PENDING) for a moderator.",
    responses((status = 201, description = "Created", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn create_post(principal: Principal, State(api): State<Api>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let (url, description) = input::read_radar_post(body)?;
    let p = api.radar().create(&tenant, principal.user_id, url, description, api.ctx.clock.now()).await?;
    Ok(tagged(StatusCode::CREATED, &p, p.version))
}

fn moderated(p: RadarPost, action: &str) -> Response {
    let note = AuditNote::new(action, "radar_post", Some(p.id.to_string()));
    (note, tagged(StatusCode::OK, &p, p.version)).into_response()
}

#[utoipa::path(post, path = "/radar/posts/{id}/approve", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Approves a pending post (409 otherwise) into the feed; its author is told once (RADAR_APPROVED). Needs `community:moderate`.",
    responses((status = 200, description = "Approved", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn approve(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let id = path_id(&id)?;
    let p = api.radar().review(&tenant, id, principal.user_id, true, None, api.ctx.clock.now()).await?;
    Ok(moderated(p, "radar.approved"))
}

#[utoipa::path(post, path = "/radar/posts/{id}/reject", tag = "community",
    params(("id" = Uuid, Path)),
    request_body = input::RadarReviewWrite,
    description = "Rejects a pending post (409 otherwise); its author is told once, with the reason (RADAR_REJECTED). Needs `community:moderate`.",
    responses((status = 200, description = "Rejected", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn reject(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let id = path_id(&id)?;
    let reason = input::read_reason(body)?;
    let p = api.radar().review(&tenant, id, principal.user_id, false, reason, api.ctx.clock.now()).await?;
    Ok(moderated(p, "radar.rejected"))
}

#[utoipa::path(post, path = "/radar/posts/{id}/pin", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Pins an approved post (409 otherwise) to the top of the feed; again: as it is. Needs `community:moderate`.",
    responses((status = 200, description = "Pinned", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn pin(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let p = api.radar().pin(&tenant, path_id(&id)?, true, api.ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &p, p.version))
}

#[utoipa::path(post, path = "/radar/posts/{id}/unpin", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Unpins an approved post (409 otherwise); again: as it is. Needs `community:moderate`.",
    responses((status = 200, description = "Unpinned", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn unpin(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let p = api.radar().pin(&tenant, path_id(&id)?, false, api.ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &p, p.version))
}

#[utoipa::path(post, path = "/radar/posts/{id}/archive", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Archives a post (out of the feed, unpinned; 409 when archived already). Needs `community:moderate`.",
    responses((status = 200, description = "Archived", body = RadarPost, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn archive(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(MODERATE)?;
    let p = api.radar().archive(&tenant, path_id(&id)?, api.ctx.clock.now()).await?;
    Ok(moderated(p, "radar.archived"))
}

#[utoipa::path(get, path = "/radar/feed", tag = "community",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    description = "The approved posts, pinned first, then newest approved first; each with the caller's `saved` and `seen`, and how many were approved after the caller's seen mark.",
    responses((status = 200, description = "A page of the feed", body = RadarFeed)),
    security(("bearer" = [])))]
async fn feed(principal: Principal, State(api): State<Api>, uri: http::Uri) -> ApiResult<Json<RadarFeed>> {
    let tenant = principal.require(MEMBER)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let scope = principal.scope();
    Ok(Json(api.radar().feed(&scope, &tenant, principal.user_id, query.limit, query.cursor.as_deref()).await?))
}

#[utoipa::path(post, path = "/radar/seen", tag = "community",
    request_body = input::RadarSeenWrite,
    description = "Marks the feed seen up to a time (now when absent); the mark never moves back.",
    responses((status = 200, description = "The caller's mark and what is still unseen", body = RadarSeenState)),
    security(("bearer" = [])))]
async fn seen(
    principal: Principal,
    State(api): State<Api>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<RadarSeenState>> {
    let tenant = principal.require(MEMBER)?;
    let up_to = input::read_seen(body)?;
    Ok(Json(api.radar().seen(&tenant, principal.user_id, up_to, api.ctx.clock.now()).await?))
}

#[utoipa::path(put, path = "/radar/posts/{id}/save", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Saves an approved post for the caller; again: as it is.",
    responses((status = 200, description = "Saved", body = RadarFeedItem)),
    security(("bearer" = [])))]
async fn save(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Json<RadarFeedItem>> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    Ok(Json(api.radar().save(&tenant, principal.user_id, id, api.ctx.clock.now()).await?))
}

#[utoipa::path(delete, path = "/radar/posts/{id}/save", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Forgets the caller's save of a post (none: nothing changes).",
    responses((status = 204, description = "Not saved")),
    security(("bearer" = [])))]
async fn unsave(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let tenant = principal.require(MEMBER)?;
    api.radar().unsave(&tenant, principal.user_id, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/me/radar/saved", tag = "community",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "The caller's saved posts, newest post first, as they are now", body = Page<RadarFeedItem>)),
    security(("bearer" = [])))]
async fn my_saved(principal: Principal, State(api): State<Api>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page =
        api.radar().saved(&principal.scope(), &tenant, principal.user_id, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}
