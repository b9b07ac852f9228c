//! `/me/notifications`: the caller's own inbox in the token's tenant. Every route keys on the token's tenant
//! and user, so another user's or another tenant's notification is simply not there: 404.

use crate::http::Api;
use crate::inbox::model::{InAppNotification, Mark};
use crate::inbox::{input, repo};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::http::{ApiError, ApiResult, path_id, tagged};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Notifications one read-all call reads at most, so a call's work is bounded whatever the inbox holds.
pub(crate) const READ_ALL_MAX: u32 = 500;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(crate) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(read_all))
        .routes(routes!(read))
        .routes(routes!(unread))
        .routes(routes!(seen))
        .routes(routes!(archive))
}

/// `GET /me/notifications/unread-count`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UnreadCount {
    /// Unread notifications, exactly.
    unread: u64,
}

/// `POST /me/notifications/read-all`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReadAllOutcome {
    /// Notifications this call read (at most 500).
    updated: u64,
    /// Unread notifications are left: call again.
    remaining: bool,
}

#[utoipa::path(get, path = "/me/notifications", tag = "inbox",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("status" = Option<crate::inbox::repo::InboxStatus>, Query,
            description = "Only `unread`, `read` (not archived), `archived`, or `all` (unread, then read, then archived); by default unread then read, no archived"),
        ("type" = Option<crate::inbox::model::NotificationType>, Query, description = "Only this type"),
    ),
    responses(
        (status = 200, description = "Your notifications here: unread ones first, each group newest first", body = nudge_core::http::Page<InAppNotification>),
    ),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_READ)?;
    let (query, filter) = input::list(&uri)?;
    let user = principal.user_id;
    let page = repo::list(&ctx.store, &principal.scope(), &tenant, user, &filter, query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/me/notifications/unread-count", tag = "inbox",
    responses(
        (status = 200, description = "How many of your notifications here are unread", body = UnreadCount),
    ),
    security(("bearer" = [])))]
async fn unread_count(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<UnreadCount>> {
    let tenant = principal.require(PROFILE_READ)?;
    let unread = repo::unread(&ctx.store, &tenant, principal.user_id).await?;
    Ok(Json(UnreadCount { unread }))
}

#[utoipa::path(post, path = "/me/notifications/read-all", tag = "inbox",
    description = "Reads your unread notifications here, newest first, at most 500 a call: while `remaining` is \
        true, call again.",
    responses(
        (status = 200, description = "How many this call read, and whether unread ones remain", body = ReadAllOutcome),
    ),
    security(("bearer" = [])))]
async fn read_all(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_WRITE)?;
    let (updated, remaining) = repo::read_all(&ctx.store, &tenant, principal.user_id, READ_ALL_MAX, Utc::now()).await?;
    let note = AuditNote::new("notification.read_all", "notification", None).metadata(json!({"updated": updated}));
    Ok((note, Json(ReadAllOutcome { updated, remaining })).into_response())
}

/// Applies `mark` to the caller's notification `id` and answers it.
async fn apply(principal: &Principal, ctx: &Ctx, id: &str, mark: Mark) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_WRITE)?;
    let id = path_id(id)?;
    let item = repo::mark(&ctx.store, &tenant, principal.user_id, id, mark, Utc::now()).await?;
    let item = item.ok_or(ApiError::NotFound)?;
    let note = AuditNote::new(format!("notification.{}", mark.verb()), "notification", Some(id.to_string()));
    Ok((note, tagged(StatusCode::OK, &item, item.version)).into_response())
}

#[utoipa::path(post, path = "/me/notifications/{id}/read", tag = "inbox",
    description = "Marks it read; reading a read one changes nothing.",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notification", body = InAppNotification, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn read(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    apply(&principal, &ctx, &id, Mark::Read).await
}

#[utoipa::path(post, path = "/me/notifications/{id}/unread", tag = "inbox",
    description = "Marks it unread, back in the inbox if it was archived; an unread one changes nothing.",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notification", body = InAppNotification, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn unread(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    apply(&principal, &ctx, &id, Mark::Unread).await
}

#[utoipa::path(post, path = "/me/notifications/{id}/seen", tag = "inbox",
    description = "Records when it was first shown (`seenAt`), leaving it unread; later calls change nothing.",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notification", body = InAppNotification, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn seen(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    apply(&principal, &ctx, &id, Mark::Seen).await
}

#[utoipa::path(post, path = "/me/notifications/{id}/archive", tag = "inbox",
    description = "Archives it (and reads it): it leaves the default list. Archiving an archived one changes \
        nothing; marking it unread brings it back.",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notification", body = InAppNotification, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn archive(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    apply(&principal, &ctx, &id, Mark::Archive).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_the_profile_ones_every_member_holds() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        assert!(catalogue.contains(&PROFILE_READ) && catalogue.contains(&PROFILE_WRITE));
    }

    #[test]
    fn the_routes_are_documented() {
        let (_, doc) = OpenApiRouter::<Api>::new().merge(routes()).split_for_parts();
        let mut paths: Vec<&String> = doc.paths.paths.keys().collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "/me/notifications",
                "/me/notifications/read-all",
                "/me/notifications/unread-count",
                "/me/notifications/{id}/archive",
                "/me/notifications/{id}/read",
                "/me/notifications/{id}/seen",
                "/me/notifications/{id}/unread",
            ]
        );
    }
}
