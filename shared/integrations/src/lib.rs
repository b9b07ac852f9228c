//! The integrations function: tenant admins connect external systems (seed 000's Integration). Secrets in
//! an integration's config are sealed at rest and never served; see [`secrets`].
//!
//! Where things live, outermost first; each layer calls only the next, and errors become problems only in
//! `routes`:
//!
//! - `routes`: the HTTP edge (handlers and their OpenAPI, the PATCH frame's step) and
//!   `impl From<IntegrationError> for ApiError`, the one place that picks status codes and wording.
//! - `input`: edge readers of bodies and list filters, collecting every bad field into one problem; they
//!   seal config secrets in memory so a secret-rule violation joins the other field errors.
//! - `service`: what a route asks of the domain (create, get, list, revise, delete) → `repo`.
//! - `repo`: keys and store access (the layout table at its top); turns the store's condition labels into
//!   typed `IntegrationError` variants → `nudge_core::store`.
//! - `model`: the stored `Integration`, its served view, status and the `IntegrationType` value.
//! - `secrets`: sealing, redaction and opening of config secrets; pure.
//! - `error`: `IntegrationError`, what every layer below the routes returns.
//!
//! Only [`router`] and [`openapi`] are public: the functions and the dev server need nothing else.

pub mod connect;
mod error;
mod input;
mod model;
mod repo;
mod routes;
mod secrets;
mod service;

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
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
struct Api {
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
