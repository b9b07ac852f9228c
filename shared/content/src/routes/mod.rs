//! The HTTP handlers: thin, they check who may act, then call the pure input and workflow rules and the
//! repository.

pub mod collections;
pub mod contents;
pub mod tags;
pub mod versions;

use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<crate::Api> {
    Router::new()
        .route("/contents", get(contents::list).post(contents::create))
        .route("/contents/{id}", get(contents::get_by_id).patch(contents::patch_by_id).delete(contents::delete_by_id))
        .route("/contents/{id}/status", post(contents::transition))
        .route("/contents/{id}/render", post(contents::render))
        .route("/contents/{id}/versions", get(versions::list))
        .route("/contents/{id}/versions/{number}", get(versions::get_one))
        .route("/contents/{id}/versions/{number}/restore", post(versions::restore))
        .route("/tags", get(tags::list).post(tags::create))
        .route("/tags/{id}", get(tags::get_by_id).patch(tags::patch_by_id).delete(tags::delete_by_id))
        .route("/collections", get(collections::list).post(collections::create))
        .route(
            "/collections/{id}",
            get(collections::get_by_id).patch(collections::patch_by_id).delete(collections::delete_by_id),
        )
        .route("/collections/{id}/items", get(collections::items).post(collections::add_item))
        .route(
            "/collections/{id}/items/{contentId}",
            axum::routing::patch(collections::move_item).delete(collections::remove_item),
        )
}
