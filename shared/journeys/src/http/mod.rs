//! The journeys function's HTTP edge: journeys and their versions, programs, enrolments and progress
//! (behind a bearer token), and the workers' touchpoint page (public: its signed link is the proof).

mod error;
mod journeys;
mod page;
mod programs;

use axum::Router;
use axum::extract::FromRef;
use nudge_content::snapshots::Snapshots;
use nudge_core::Ctx;
use nudge_core::crypto::DataKey;
use nudge_core::objects::Objects;
use nudge_core::queue::Queue;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       crate::model::Journey, crate::model::JourneyVersion, crate::model::Phase, crate::model::Touchpoint,
                       crate::model::TouchpointChannel, crate::model::Program, crate::model::ProgramJourney,
                       crate::model::ProgramStatus, crate::model::Reentry, crate::model::Enrolment,
                       crate::model::EnrolmentStatus, crate::model::EnrolmentSource, crate::model::StepState,
                       crate::model::Progress, crate::model::ProgressState,
                       crate::input::JourneyWrite, crate::input::PhaseWrite, crate::input::TouchpointWrite,
                       crate::input::ProgramWrite, crate::input::EnrolWrite, crate::input::EnrolMode, crate::input::Audience,
                       crate::engine::enrol::EnrolJob,
                       crate::insight::ProgramProgress, crate::insight::JourneyProgress, crate::insight::PhaseProgress,
                       crate::insight::TouchpointProgress, crate::insight::DropOff, crate::insight::Figures,
                       programs::WorkerPrograms, programs::WorkerProgram, programs::TouchpointState)),
    tags((name = "journeys", description = "Journey blueprints: phases of touchpoints with their rule logic, drafts and published versions"),
         (name = "programs", description = "Programs: journeys in order, enrolments, and their progress"),
         (name = "touchpoints", description = "The worker's page a touchpoint's message links to (public, signed link)"))
)]
struct ApiDoc;

/// What the handlers need beyond the context.
pub struct Deps {
    /// The journeys queue (enrolment jobs, resumes and withdrawals go through its outbox).
    pub queue: Queue,
    /// Where published content versions larger than an item are kept.
    pub snapshots: Snapshots,
    /// Verifies the workers' links.
    pub key: DataKey,
    /// The media bucket: the page's presigned media.
    pub objects: Objects,
    /// Told when a completion earns a worker XP (its pointsBalance, which segment rules read).
    pub workers: nudge_workers::WorkerEvents,
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) deps: Arc<Deps>,
}

fn parts() -> ((axum::Router<Api>, axum::Router<Api>), utoipa::openapi::OpenApi) {
    let (protected, mut doc) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(journeys::routes())
        .merge(programs::routes())
        .split_for_parts();
    let (public, pages) = page::routes().split_for_parts();
    doc.merge(pages);
    ((protected, public), doc)
}

pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let ((protected, public), doc) = parts();
    let state = Api { ctx, deps: Arc::new(deps) };
    nudge_core::app::protected(protected, state.clone(), &doc).merge(nudge_core::app::public(public, state, &doc))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
