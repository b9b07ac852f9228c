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
    components(schemas(model::IntegrationView, model::IntegrationFields, model::IntegrationStatus,
                       input::IntegrationRequest, input::IntegrationPatch, nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "integrations", description = "Connections to external systems; secrets in config are write-only"))
)]
pub struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    key: Arc<DataKey>,
}

/// The function's routes behind the shared layers; `key` seals config secrets.
pub fn router(ctx: Ctx, key: DataKey) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, key: Arc::new(key) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
