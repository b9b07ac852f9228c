//! The workers' HTTP surface (the `workers` function): the worker directory, the supervisor hierarchy, and
//! bulk imports and exports through S3. The edge: requests are read here, and errors become problems only
//! here (`error`).

mod bodies;
mod error;
mod exports;
mod imports;
mod params;
mod routes;

use crate::accounts::Users;
use crate::events::WorkerEvents;
use crate::export::ExportQueue;
use crate::orphans::WorkerJobs;
use axum::Router;
use axum::extract::FromRef;
use nudge_core::Ctx;
use nudge_core::objects::Objects;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(crate::model::WorkerView, crate::model::WorkerFields,
                       routes::SupervisorChain, routes::SupervisorLink, imports::ImportCreated,
                       bodies::WorkerRequest, bodies::WorkerPatch, bodies::Deactivation, bodies::ImportRequest,
                       bodies::ExportRequest,
                       crate::import::ImportView, nudge_core::objects::Presigned, crate::export::ExportView,
                       crate::export::ExportStatus, crate::index::Filter,
                       nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError)),
    tags((name = "workers", description = "The worker directory, its hierarchy, bulk imports and exports"))
)]
struct ApiDoc;

/// The routes and their document, from one declaration of each route.
fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::routes().merge(imports::routes()).merge(exports::routes()))
        .split_for_parts()
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub struct Api {
    ctx: Ctx,
    objects: Objects,
    events: WorkerEvents,
    exports: ExportQueue,
    jobs: WorkerJobs,
    users: Users,
}

/// The function's routes behind the shared layers; `objects` presigns import uploads and export downloads,
/// `events` tells the listeners (segments) of each worker change, `exports` queues
/// export jobs for the export consumer, `jobs` the workers' other background work (a deleted supervisor's
/// supervisees), `users` the user accounts a worker may be linked to.
pub fn router(
    ctx: Ctx,
    objects: Objects,
    events: WorkerEvents,
    exports: ExportQueue,
    jobs: WorkerJobs,
    users: Users,
) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, objects, events, exports, jobs, users }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
