//! The workers function: the worker directory (seed 000 Worker and its records, seed 003 WORKER), the
//! supervisor hierarchy, and bulk imports through S3. The rules live in `nudge::workers`, shared with the
//! import consumer; this crate is the HTTP surface.

pub mod imports;
pub mod params;
pub mod routes;

use axum::{Extension, Router};
use nudge::Ctx;
use nudge::objects::Objects;
use nudge::segments::SegmentQueue;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::create, routes::list, routes::get_by_id, routes::patch_by_id, routes::delete_by_id,
          routes::deactivate, routes::reactivate, routes::supervisees, routes::supervisors,
          imports::create, imports::list, imports::get_by_id),
    components(schemas(nudge::workers::WorkerView, nudge::workers::WorkerFields, routes::WorkerPage,
                       routes::Deactivation, routes::SupervisorChain, routes::SupervisorLink, imports::ImportRequest, imports::ImportCreated, imports::ImportPage,
                       nudge::workers::import::ImportView, nudge::objects::Presigned,
                       nudge::http::problem::Problem, nudge::http::problem::FieldError)),
    tags((name = "workers", description = "The worker directory, its hierarchy and bulk imports"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers; `objects` presigns import uploads, `segments` carries
/// each worker change to the segment sync function for re-evaluation.
pub fn router(ctx: Ctx, objects: Objects, segments: SegmentQueue) -> Router {
    let routes = routes::routes().merge(imports::routes()).layer(Extension(objects)).layer(Extension(segments));
    nudge::app::protected(routes, ctx)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
