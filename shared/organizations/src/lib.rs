//! The organizations function: platform admins manage organizations (tenants); tenant admins read and edit
//! their own.

pub mod input;
pub mod model;
pub mod repo;
pub mod routes;

use axum::Router;
use nudge_core::Ctx;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::create, routes::list, routes::get_by_id, routes::patch_by_id, routes::delete_by_id,
          routes::get_own, routes::patch_own),
    components(schemas(model::Organization, model::OrganizationFields, routes::OrganizationPage,
                       input::OrganizationRequest, input::OrganizationPatch,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "organizations", description = "Organizations (tenants)"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers.
pub fn router(ctx: Ctx) -> Router {
    nudge_core::app::protected(routes::routes(), ctx, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
