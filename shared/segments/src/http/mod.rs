//! The segments' HTTP surface (the `segments` function): segments and their rules, members by hand and by
//! rule, syncs on demand. The edge: requests are read here, and errors become problems only here (`error`).

mod error;
mod members;
mod routes;
mod syncs;

use crate::SegmentQueue;
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(crate::model::SegmentView, crate::SegmentType, crate::model::Membership,
                       crate::rules::Rule, crate::rules::FieldInfo,
                       crate::preview::Preview, crate::preview::Sampled,
                       crate::jobs::SyncJobView, crate::jobs::SyncStatus,
                       crate::jobs::SyncTrigger, routes::FieldCatalogue,
                       routes::SegmentWrite, routes::SegmentPatch, routes::PreviewRequest, members::MemberIds, members::MembersChanged,
                       members::WorkerSegment,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "segments", description = "Segments: rules, members, background sync"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::routes().merge(members::routes()).merge(syncs::routes()))
        .split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    queue: SegmentQueue,
}

/// The function's routes behind the shared layers; `queue` carries syncs and purges to segment-sync.
pub fn router(ctx: Ctx, queue: SegmentQueue) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, queue }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
