//! The audit function: `GET /audit-log`. Tenant admins (`audit:read`) read their tenant's log, platform
//! admins the platform's. The entries themselves are written by the core crate's audit layer around every
//! function's mutations (`nudge_core::audit`).

pub mod params;
pub mod routes;

use axum::Router;
use nudge_core::Ctx;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::list),
    components(schemas(nudge_core::audit::Entry, routes::AuditPage,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "audit", description = "The audit log of every mutation"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers.
pub fn router(ctx: Ctx) -> Router {
    nudge_core::app::protected(routes::routes(), ctx, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
