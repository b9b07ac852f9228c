//! The workers function: the worker directory (seed 000 Worker and its records, seed 003 WORKER), the
//! supervisor hierarchy, and bulk imports through S3. The rules live in `nudge::workers`, shared with the
//! import consumer; this crate is the HTTP surface.

pub mod exports;
pub mod imports;
pub mod params;
pub mod routes;

use axum::{Extension, Router};
use nudge::Ctx;
use nudge::objects::Objects;
use nudge::segments::SegmentQueue;
use nudge::workers::export::ExportQueue;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::create, routes::list, routes::get_by_id, routes::patch_by_id, routes::delete_by_id,
          routes::deactivate, routes::reactivate, routes::supervisees, routes::supervisors,
          imports::create, imports::list, imports::get_by_id,
          exports::create, exports::list, exports::get_by_id),
    components(schemas(nudge::workers::WorkerView, nudge::workers::WorkerFields, routes::WorkerPage,
                       routes::Deactivation, routes::SupervisorChain, routes::SupervisorLink, imports::ImportRequest, imports::ImportCreated, imports::ImportPage,
                       nudge::workers::import::ImportView, nudge::objects::Presigned,
                       exports::ExportRequest, exports::ExportPage, nudge::workers::export::ExportView,
                       nudge::workers::export::ExportStatus, nudge::workers::index::Filter,
                       nudge::http::problem::Problem, nudge::http::problem::FieldError)),
    tags((name = "workers", description = "The worker directory, its hierarchy, bulk imports and exports"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers; `objects` presigns import uploads and export downloads,
/// `segments` carries each worker change to the segment sync function for re-evaluation, `exports` queues
/// export jobs for the export consumer.
pub fn router(ctx: Ctx, objects: Objects, segments: SegmentQueue, exports: ExportQueue) -> Router {
    let routes = routes::routes()
        .merge(imports::routes())
        .merge(exports::routes())
        .layer(Extension(objects))
        .layer(Extension(segments))
        .layer(Extension(exports));
    nudge::app::protected(routes, ctx)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
