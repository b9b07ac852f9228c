//! The organizations function: platform admins manage organizations (tenants); tenant admins read and edit
//! their own.

pub mod input;
pub mod model;
pub mod repo;
pub mod routes;

use axum::Router;
use nudge_core::Ctx;
use utoipa::OpenApi;

/// What the routes' own paths do not bring: the tag, and the problem schema every 4XX row refers to.
#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "organizations", description = "Organizations (tenants)"))
)]
pub struct ApiDoc;

fn parts() -> (Router<Ctx>, utoipa::openapi::OpenApi) {
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
