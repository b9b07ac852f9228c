//! The segments function: segments and their rules, members by hand and by rule, syncs on demand. The
//! rules and the sync live in `nudge::segments`, shared with the segment-sync consumer.

pub mod members;
pub mod routes;
pub mod syncs;

use axum::{Extension, Router};
use nudge::Ctx;
use nudge::segments::SegmentQueue;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::fields, routes::preview_rule, routes::create, routes::list, routes::get_by_id,
          routes::patch_by_id, routes::delete_by_id, members::add, members::remove, members::list,
          members::of_worker, syncs::start, syncs::list, syncs::get_by_id),
    components(schemas(nudge::segments::SegmentView, nudge::segments::SegmentType, nudge::segments::Membership,
                       nudge::segments::rules::Rule, nudge::segments::rules::FieldInfo,
                       nudge::segments::preview::Preview, nudge::segments::preview::Sampled,
                       nudge::segments::jobs::SyncJobView, nudge::segments::jobs::SyncStatus,
                       nudge::segments::jobs::SyncTrigger, routes::FieldCatalogue, routes::SegmentPage,
                       routes::SegmentWrite, routes::PreviewRequest, members::MemberIds, members::MembersChanged,
                       members::MemberPage, members::WorkerSegment, members::WorkerSegmentPage, syncs::SyncJobPage,
                       nudge::http::problem::Problem, nudge::http::problem::FieldError)),
    tags((name = "segments", description = "Segments: rules, members, background sync"))
)]
pub struct ApiDoc;

/// The function's routes behind the shared layers; `queue` carries syncs and purges to segment-sync.
pub fn router(ctx: Ctx, queue: SegmentQueue) -> Router {
    let routes = routes::routes().merge(members::routes()).merge(syncs::routes()).layer(Extension(queue));
    nudge::app::protected(routes, ctx)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
