//! The segments' HTTP surface (the `segments` function): segments and their rules, members by hand and by
//! rule, syncs on demand.

pub mod members;
pub mod routes;
pub mod syncs;

use crate::SegmentQueue;
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(routes::fields, routes::preview_rule, routes::create, routes::list, routes::get_by_id,
          routes::patch_by_id, routes::delete_by_id, members::add, members::remove, members::list,
          members::of_worker, syncs::start, syncs::list, syncs::get_by_id),
    components(schemas(crate::SegmentView, crate::SegmentType, crate::Membership,
                       crate::rules::Rule, crate::rules::FieldInfo,
                       crate::preview::Preview, crate::preview::Sampled,
                       crate::jobs::SyncJobView, crate::jobs::SyncStatus,
                       crate::jobs::SyncTrigger, routes::FieldCatalogue, routes::SegmentPage,
                       routes::SegmentWrite, routes::SegmentPatch, routes::PreviewRequest, members::MemberIds, members::MembersChanged,
                       members::SegmentMemberPage, members::WorkerSegment, members::WorkerSegmentPage, syncs::SyncJobPage,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "segments", description = "Segments: rules, members, background sync"))
)]
pub struct ApiDoc;

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    queue: SegmentQueue,
}

/// The function's routes behind the shared layers; `queue` carries syncs and purges to segment-sync.
pub fn router(ctx: Ctx, queue: SegmentQueue) -> Router {
    let routes = routes::routes().merge(members::routes()).merge(syncs::routes());
    nudge_core::app::protected(routes, Api { ctx, queue }, ApiDoc::openapi)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
