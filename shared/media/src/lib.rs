//! Media, the domain: assets in the media bucket, and what other domains see of them ([`asset`]: types,
//! statuses, keys, the usage items content pins an asset with). `POST /media-assets` declares an upload
//! and answers a presigned PUT limited to its type and size; the ingest consumer ([`ingest`], binary
//! `media-ingest`) verifies what arrived; reads answer short-lived presigned downloads; a delete waits until
//! no content uses the asset.
//!
//! Where things live, and the layering (`routes` → `service` → `repo` → the store; the consumer → `repo`):
//! - `model`: the asset as stored and served; [`asset`]: what content shares (types, statuses, keys,
//!   usage items, the reference rule).
//! - `repo`: the asset's keys and access patterns (the table at its top). The one store condition label
//!   anything outside `repo` reads is the ready check [`asset::repoint`] writes, through
//!   [`asset::no_longer_ready`].
//! - `input`: the body and filter readers and their OpenAPI schemas (edge code: they answer problems).
//! - `service`: declaring, viewing, editing and deleting an asset.
//! - `routes`: the handlers and their OpenAPI, and `impl From<MediaError> for ApiError`, the only place a
//!   status or a problem's wording is decided.
//! - [`ingest`]: the upload consumer, with `sniff`, `inspect` and `probe` (one bounded parser per format).
//! - `error`: `MediaError`, what everything below `routes` answers.

pub mod asset;
mod error;
pub mod ingest;
mod input;
mod inspect;
mod model;
mod probe;
mod repo;
mod routes;
mod service;
mod sniff;

pub use service::{Unreadable, inline_url};

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::objects::Objects;
use std::sync::Arc;
use utoipa::OpenApi;

pub(crate) use asset::{MediaStatus, MediaType};

#[derive(OpenApi)]
#[openapi(
    components(schemas(model::MediaAsset, model::MediaView, model::Created, model::Metadata, model::Provider,
                       crate::MediaType, crate::MediaStatus, nudge_core::objects::Presigned, input::MediaAssetRequest, input::MediaAssetPatch,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "media", description = "Media assets: direct uploads verified by content, presigned downloads"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub(crate) struct Api {
    ctx: Ctx,
    objects: Arc<Objects>,
}

/// The function's routes behind the shared layers; `objects` is the media bucket.
pub fn router(ctx: Ctx, objects: Objects) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, objects: Arc::new(objects) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

#[cfg(test)]
mod tests {
    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        assert!(catalogue.contains(&super::routes::MEDIA_READ) && catalogue.contains(&super::routes::MEDIA_WRITE));
    }
}
