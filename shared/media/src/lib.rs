//! Media, the domain: assets in the media bucket, and what other domains see of them ([`asset`]: types,
//! statuses, keys, the usage items content pins an asset with). `POST /media-assets` declares an upload
//! and answers a presigned PUT limited to its type and size; the ingest consumer ([`ingest`], binary `media-ingest`)
//! verifies what arrived; reads answer short-lived presigned downloads; a delete waits until no content
//! uses the asset.

pub mod asset;
pub mod ingest;
pub mod input;
pub mod inspect;
pub mod model;
pub mod probe;
pub mod removal;
pub mod repo;
pub mod routes;
pub mod sniff;

use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::objects::Objects;
use std::sync::Arc;
use utoipa::OpenApi;

pub use asset::*;

#[derive(OpenApi)]
#[openapi(
    components(schemas(model::MediaAsset, model::MediaView, model::Created, model::Metadata, model::Provider,
                       crate::MediaType, crate::MediaStatus, nudge_core::objects::Presigned, input::MediaAssetRequest, input::MediaAssetPatch,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "media", description = "Media assets: direct uploads verified by content, presigned downloads"))
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
