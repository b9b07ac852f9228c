//! The HTTP handler: thin, it checks who may read which log, then reads the page the parameters name.

use crate::params;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use nudge_core::Ctx;
use nudge_core::audit::{self, Entry, Log};
use nudge_core::auth::Principal;
use nudge_core::http::ApiResult;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The permission that reads a tenant's log.
const AUDIT_READ: &str = "audit:read";

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<Ctx> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/audit-log", tag = "audit",
    params(
        ("from" = Option<String>, Query, format = DateTime, description = "RFC 3339, inclusive; default 30 days ago"),
        ("to" = Option<String>, Query, format = DateTime, description = "RFC 3339, inclusive; default now"),
        ("actorId" = Option<uuid::Uuid>, Query, description = "Only what this user did"),
        ("entityType" = Option<String>, Query, min_length = 1, max_length = 256, description = "Only entries about this type of entity (`organization`, `user`, …)"),
        ("entityId" = Option<String>, Query, min_length = 1, max_length = 256, description = "Only entries about this entity; needs entityType"),
        ("limit" = Option<u32>, Query, description = "1–100, default 25. With entityType alone, or with actorId and an entity, a page may hold fewer: follow nextCursor"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page, with the same filters"),
    ),
    responses(
        (status = 200, description = "Newest first: the caller's tenant's log, or the platform's for a platform admin", body = nudge_core::http::Page<Entry>),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let log = match principal.platform_admin() {
        Some(admin) => Log::platform(&admin),
        None => Log::tenant(principal.require(AUDIT_READ)?),
    };
    let request = params::parse(uri.query(), Utc::now())?;
    let page =
        audit::page(&ctx.store, &principal.scope(), &log, &request.filter, request.limit, request.cursor.as_deref())
            .await?;
    let next_cursor = page.next_cursor.map(|c| params::wrap_cursor(request.filter.from, &c));
    Ok(axum::Json(nudge_core::http::Page { items: page.items, next_cursor }).into_response())
}
