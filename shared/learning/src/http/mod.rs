//! The learning function's HTTP edge. Errors become problems only here.

mod builds;
mod catalogue;
mod groups;
mod insight;
mod learner;
mod live;
mod modules;
mod quizzes;
mod reports;
mod sections;
mod verify;

use crate::authoring::AuthoringError;
use axum::Router;
use nudge_core::Ctx;
use nudge_core::http::ApiError;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       crate::model::Module, crate::model::ModuleStatus, crate::model::Difficulty,
                       crate::model::Section, crate::model::SectionType, crate::model::Attachment,
                       crate::model::FileType, crate::model::VideoSource, crate::model::Category,
                       crate::model::ChangeLogEntry,
                       crate::quiz::Quiz, crate::quiz::Question, crate::quiz::QuizOption, crate::quiz::QuestionType,
                       crate::quiz::OverdueHandling, crate::quiz::AttemptState, crate::quiz::AttemptView,
                       crate::quiz::QuestionView, crate::quiz::OptionView, crate::quiz::ReviewView, crate::quiz::ReviewQuestion,
                       crate::learner::model::ModuleProgress, crate::learner::model::Certificate,
                       crate::learner::model::SelfAssessment, crate::learner::model::ProgressOverride,
                       crate::input::AssessmentWrite, crate::input::OverrideWrite, crate::pins::Pin,
                       crate::certificate::Verification, crate::certificate::CertificateStatus,
                       crate::input::QuizWrite, crate::input::QuestionWrite, crate::input::OptionWrite, crate::input::AnswersWrite,
                       learner::MyLearning, learner::LearningItem, learner::ModuleState, learner::MyModule,
                       learner::QuizSummary, learner::AttemptAnswer,
                       crate::groups::Group, crate::groups::GroupMember, crate::groups::ModuleAssignment,
                       crate::insight::ModuleInsight, crate::insight::GroupInsight, crate::insight::GroupModule,
                       crate::insight::LearnerInsight, crate::insight::LearnerModule, crate::insight::ProgressFigures,
                       crate::insight::QuizFigures, crate::insight::LearnerStanding, crate::quiz::QuestionStat,
                       crate::insight::report::LearningReport,
                       crate::live::LiveEvent, crate::live::LiveEventStatus, crate::input::LiveEventWrite,
                       crate::input::GroupWrite, crate::input::MembersWrite, crate::input::AssignmentWrite,
                       crate::input::ModuleWrite, crate::input::PublishWrite, crate::input::SectionWrite,
                       crate::input::AttachmentWrite, crate::input::OrderWrite, crate::input::CategoryWrite,
                       modules::Published, modules::ModuleBody,
                       crate::builder::ModuleBuild, crate::builder::ModuleBuildSource, crate::builder::ModuleBuildStatus,
                       crate::input::ModuleBuildWrite)),
    tags((name = "learning", description = "The caller as a learner: modules, sections completed, quiz attempts the server holds, certificates; and the public verification of a certificate"),
         (name = "groups", description = "Groups of learners, the modules assigned to them with deadlines, and their live events"),
         (name = "modules", description = "Learning modules: sections, attachments, categories, prerequisites, publication and changelog (tags are the organization's `/tags`)"))
)]
struct ApiDoc;

impl From<AuthoringError> for ApiError {
    fn from(e: AuthoringError) -> Self {
        match e {
            AuthoringError::NotFound => ApiError::NotFound,
            AuthoringError::VersionMoved => ApiError::PreconditionFailed,
            AuthoringError::Rejected(errors) => ApiError::Rejected(errors),
            AuthoringError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            AuthoringError::Store(e) => e.into(),
        }
    }
}

/// What the learning API needs beyond the context: its queue (reports go through its outbox) and the
/// bucket (the reports' downloads).
pub struct Deps {
    pub queue: nudge_core::queue::Queue,
    pub objects: nudge_core::objects::Objects,
    /// The notifications queue: the XP notices of completions.
    pub notifications: nudge_core::queue::Queue,
}

/// What the handlers take with `State`: each field by its type.
#[derive(Clone, axum::extract::FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) deps: std::sync::Arc<Deps>,
}

fn parts() -> ((axum::Router<Api>, axum::Router<Api>), utoipa::openapi::OpenApi) {
    let (protected, mut doc) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(modules::routes())
        .merge(sections::routes())
        .merge(quizzes::routes())
        .merge(catalogue::routes())
        .merge(learner::routes())
        .merge(groups::routes())
        .merge(live::routes())
        .merge(insight::routes())
        .merge(reports::routes())
        .merge(builds::routes())
        .split_for_parts();
    let (public, verification) = verify::routes().split_for_parts();
    doc.merge(verification);
    ((protected, public), doc)
}

pub fn router(ctx: Ctx, deps: Deps) -> Router {
    let ((protected, public), doc) = parts();
    let state = Api { ctx, deps: std::sync::Arc::new(deps) };
    nudge_core::app::protected(protected, state.clone(), &doc).merge(nudge_core::app::public(public, state, &doc))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
