//! The HTTP handlers: thin, they check who may act, then call the pure input and workflow rules and the
//! repository.

pub mod collections;
pub mod contents;
pub mod tags;
pub mod versions;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<crate::Api> {
    OpenApiRouter::new()
        .routes(routes!(contents::list, contents::create))
        .routes(routes!(contents::get_by_id, contents::patch_by_id, contents::delete_by_id))
        .routes(routes!(contents::transition))
        .routes(routes!(contents::render))
        .routes(routes!(versions::list))
        .routes(routes!(versions::get_one))
        .routes(routes!(versions::restore))
        .routes(routes!(tags::list, tags::create))
        .routes(routes!(tags::get_by_id, tags::patch_by_id, tags::delete_by_id))
        .routes(routes!(collections::list, collections::create))
        .routes(routes!(collections::get_by_id, collections::patch_by_id, collections::delete_by_id))
        .routes(routes!(collections::items, collections::add_item))
        .routes(routes!(collections::move_item, collections::remove_item))
}
