//! The audit function: `GET /audit-log`. Tenant admins (`audit:read`) read their tenant's log, platform
//! admins the platform's. The entries themselves are written by the core crate's audit layer around every
//! function's mutations (`nudge_core::audit`).
//!
//! Where things live: `params` reads the query string into a log filter (edge: every bad parameter named in
//! one problem), `routes` is the handler and its OpenAPI. The log's model, keys and reads are the core's
//! (`nudge_core::audit::{Entry, Log, page}`), so this crate has no service, repository or error type of its
//! own: the handler is http → core.

mod params;
mod routes;

use axum::Router;
use nudge_core::Ctx;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::audit::Entry,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "audit", description = "The audit log of every mutation"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Ctx>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// The function's routes behind the shared layers.
pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, ctx, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
