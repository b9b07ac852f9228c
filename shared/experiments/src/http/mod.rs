//! The experiments function's HTTP edge: experiments, their assignments and their results. Errors become
//! problems only here.

mod routes;

use crate::manage::{Catalogue, ManageError};
use axum::Router;
use axum::extract::FromRef;
use nudge_content::snapshots::Snapshots;
use nudge_core::http::ApiError;
use nudge_core::store::Store;
use nudge_core::{Ctx, TenantId};
use std::sync::Arc;
use utoipa::OpenApi;
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    components(schemas(nudge_core::http::problem::Problem, nudge_core::http::problem::FieldError,
                       crate::model::Experiment, crate::model::Variant, crate::model::Assignment,
                       crate::model::ExperimentType, crate::model::ExperimentStatus, crate::model::PrimaryMetric,
                       crate::input::ExperimentWrite, crate::input::ExperimentPatch, crate::input::VariantWrite, crate::assign::Decision,
                       crate::results::Results, crate::results::VariantResult, crate::results::Comparison,
                       crate::input::AssignWrite, crate::input::OutcomesWrite, crate::input::OutcomeWrite,
                       crate::input::SettingsWrite, crate::settings::Settings, crate::tracking::Placed,
                       crate::tracking::Recorded, routes::Placements, routes::OutcomeResults, routes::OutcomeResult)),
    tags((name = "experiments", description = "A/B and multivariate tests: variants, sticky assignment, results"))
)]
struct ApiDoc;

/// What the start's checks read: segments and published content of the tenant.
#[derive(Clone)]
pub struct TableCatalogue {
    pub store: Store,
    pub snapshots: Snapshots,
}

impl Catalogue for TableCatalogue {
    async fn segment_exists(&self, tenant: &TenantId, id: Uuid) -> Result<bool, String> {
        nudge_segments::repo::exists(&self.store, tenant, id).await.map_err(|e| e.to_string())
    }

    async fn content_published(&self, tenant: &TenantId, id: Uuid) -> Result<bool, String> {
        let found = nudge_content::published::load(&self.store, &self.snapshots, tenant, id)
            .await
            .map_err(|e| e.to_string())?;
        Ok(found.is_some())
    }
}

#[derive(Clone, FromRef)]
pub(crate) struct Api {
    pub(crate) ctx: Ctx,
    pub(crate) catalogue: Arc<TableCatalogue>,
}

impl From<ManageError> for ApiError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::NotFound => ApiError::NotFound,
            ManageError::VersionMoved => ApiError::PreconditionFailed,
            ManageError::Rejected(errors) => ApiError::Rejected(errors),
            ManageError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            ManageError::Store(e) => e.into(),
        }
    }
}

fn parts() -> (axum::Router<Api>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::routes()).split_for_parts()
}

pub fn router(ctx: Ctx, catalogue: TableCatalogue) -> Router {
    let (routes, doc) = parts();
    nudge_core::app::protected(routes, Api { ctx, catalogue: Arc::new(catalogue) }, &doc)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}
