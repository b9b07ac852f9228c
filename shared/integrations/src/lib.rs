//! The integrations function: tenant admins connect external systems (seed 000's Integration). Secrets in
//! an integration's config are sealed at rest and never served; see [`secrets`].

pub mod input;
pub mod model;
pub mod repo;
pub mod routes;
mod secrets;

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::crypto::DataKey;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::create, routes::list, routes::get_by_id, routes::patch_by_id, routes::delete_by_id),
    components(schemas(model::IntegrationView, model::IntegrationFields, model::IntegrationStatus,
                       input::IntegrationRequest, input::IntegrationPatch,
                       routes::IntegrationPage, nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "integrations", description = "Connections to external systems; secrets in config are write-only"))
)]
pub struct ApiDoc;

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    key: Arc<DataKey>,
}

/// The function's routes behind the shared layers; `key` seals config secrets.
pub fn router(ctx: Ctx, key: DataKey) -> Router {
    nudge_core::app::protected(routes::routes(), Api { ctx, key: Arc::new(key) }, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
