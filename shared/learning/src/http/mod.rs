//! The learning function's HTTP edge. Errors become problems only here.

mod catalogue;
mod modules;
mod sections;

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
                       crate::input::ModuleWrite, crate::input::PublishWrite, crate::input::SectionWrite,
                       crate::input::AttachmentWrite, crate::input::OrderWrite, crate::input::CategoryWrite,
                       modules::Published, modules::ModuleBody)),
    tags((name = "modules", description = "Learning modules: sections, attachments, categories, prerequisites, publication and changelog (tags are the organization's `/tags`)"))
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

fn parts() -> (axum::Router<Ctx>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(modules::routes())
        .merge(sections::routes())
        .merge(catalogue::routes())
        .split_for_parts()
}

pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, ctx, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
