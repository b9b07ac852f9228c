//! The organizations function: platform admins manage organizations (tenants); tenant admins read and edit
//! their own.
//!
//! Where things live, layered http → service → repo → store:
//! - [`model`]: the organization as stored and served (seed fields, [`Slug`](nudge_core::values::Slug) and
//!   [`Locale`](nudge_core::values::Locale) as types).
//! - `input`: the request schemas and the reader that names every bad field (edge: its refusals are problems).
//! - [`service`]: create, read (a deleted organization is gone for its tenant), revise (the fields only a
//!   platform admin may change), soft-delete; [`service::find`] is what identity reads.
//! - `repo`: keys and table access, the slug guard; its condition label becomes a typed error there.
//! - [`error`]: [`OrganizationError`](error::OrganizationError), what everything below the handlers returns.
//! - `routes`: the handlers and their OpenAPI, and the only place an error becomes a problem
//!   (`impl From<OrganizationError> for ApiError`).

pub mod error;
mod input;
pub mod model;
mod repo;
mod routes;
pub mod service;

use axum::Router;
use nudge_core::Ctx;
use utoipa::OpenApi;

/// What the routes' own paths do not bring: the tag, and the problem schema every 4XX row refers to.
#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "organizations", description = "Organizations (tenants)"))
)]
struct ApiDoc;

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
