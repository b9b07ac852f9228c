//! `GET` and `PUT /notifications/settings`: the tenant's sending policy.

use super::settings::{self, NotificationSettings, SettingsRequest};
use crate::http::Api;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, tagged};
use nudge_core::store::StoreError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const READ: &str = "notifications:read";
const SEND: &str = "notifications:send";

pub(crate) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

#[utoipa::path(get, path = "/notifications/settings", tag = "notifications",
    responses((status = 200, description = "The organization's sending policy (the defaults until it saves one)", body = NotificationSettings, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_settings(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let current = settings::load(&ctx.store, &tenant).await.map_err(ApiError::internal)?;
    Ok(tagged(StatusCode::OK, &current, current.version))
}

#[utoipa::path(put, path = "/notifications/settings", tag = "notifications",
    request_body(content = SettingsRequest, description = "The whole document: what is left out (or null) takes its default"),
    params(("If-Match" = Option<String>, Header, description = "ETag of the version being replaced")),
    responses((status = 200, description = "Saved; it applies to every send from now on, those waiting included", body = NotificationSettings, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn put_settings(
    principal: Principal,
    State(ctx): State<Ctx>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(SEND)?;
    let wanted = settings::read(body)?;
    loop {
        let current = settings::load(&ctx.store, &tenant).await.map_err(ApiError::internal)?;
        if_match.check(current.version)?;
        let next =
            NotificationSettings { updated_at: Some(ctx.clock.now()), version: current.version + 1, ..wanted.clone() };
        match settings::save(&ctx.store, &tenant, &next, current.version).await {
            Ok(()) => return Ok(tagged(StatusCode::OK, &next, next.version)),
            // Without If-Match the last write wins: read the new version and write over it.
            // A version moved, or a first save raced another.
            Err(StoreError::Condition(_)) if if_match.0.is_none() => {}
            Err(StoreError::Condition(_)) => return Err(ApiError::PreconditionFailed),
            Err(e) => return Err(e.into()),
        }
    }
}
