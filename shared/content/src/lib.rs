//! The content function: the content library. Typed content (text, image, video, audio, document, quiz,
//! reflection, message template) with a publishing workflow and a version per change, tags, and ordered
//! collections. Media bodies reference media assets of the same tenant (see `nudge_media`).

pub mod body;
pub mod input;
pub mod model;
pub mod order;
pub mod removal;
pub mod repo;
pub mod routes;
pub mod sms;
pub mod snapshots;
pub mod template;
pub mod workflow;

use axum::{Extension, Router};
use nudge_core::Ctx;
use snapshots::Snapshots;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(
        routes::contents::create, routes::contents::list, routes::contents::get_by_id, routes::contents::patch_by_id,
        routes::contents::delete_by_id,
        routes::contents::transition, routes::contents::render,
        routes::versions::list, routes::versions::get_one, routes::versions::restore,
        routes::tags::create, routes::tags::list, routes::tags::get_by_id, routes::tags::patch_by_id, routes::tags::delete_by_id,
        routes::collections::create, routes::collections::list, routes::collections::get_by_id,
        routes::collections::patch_by_id, routes::collections::delete_by_id, routes::collections::items,
        routes::collections::add_item, routes::collections::move_item, routes::collections::remove_item,
    ),
    components(schemas(
        model::Content, model::ContentSummary, model::ContentType, model::Body, model::ContentVersion,
        model::Tag, model::TagFields, model::CollectionView, model::CollectionFields, model::CollectionItem,
        workflow::ContentStatus, routes::contents::ContentPage, routes::contents::Rendered,
        routes::versions::VersionPage, routes::tags::TagPage, routes::collections::CollectionPage,
        routes::collections::ItemList, nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError
    )),
    tags((name = "content", description = "The content library: typed content, workflow, versions, tags and collections"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers; `snapshots` keeps large version snapshots.
pub fn router(ctx: Ctx, snapshots: Snapshots) -> Router {
    nudge_core::app::protected(routes::routes().layer(Extension(Arc::new(snapshots))), ctx, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        for p in [workflow::CONTENT_READ, workflow::CONTENT_WRITE, workflow::CONTENT_APPROVE, workflow::CONTENT_PUBLISH]
        {
            assert!(catalogue.contains(&p), "{p}");
        }
    }

    #[test]
    fn the_document_names_every_route() {
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        for path in [
            "/contents",
            "/contents/{id}/versions/{number}/restore",
            "/tags/{id}",
            "/collections/{id}/items/{contentId}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        for method in ["get", "patch", "delete"] {
            assert!(doc["paths"]["/contents/{id}"][method].is_object(), "{method} /contents/{{id}}");
        }
    }
}
