//! The HTTP edge: thin handlers check who may act, read the input (which seals secrets, see input) and call
//! the service; this module alone decides status codes and problem wording, in
//! `impl From<IntegrationError> for ApiError`. Every body it answers with is an [`IntegrationView`]: secrets
//! redacted, never opened.

use crate::error::IntegrationError;
use crate::input::{self, Sealing};
use crate::model::{Integration, IntegrationView};
use crate::secrets::Scope;
use crate::{repo, service};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::crypto::DataKey;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Patchable, Step, document_of};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::{Ctx, TenantId};
use serde_json::Value;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const INTEGRATIONS_READ: &str = "integrations:read";
const INTEGRATIONS_WRITE: &str = "integrations:write";

/// The one place an integration error becomes a problem.
impl From<IntegrationError> for ApiError {
    fn from(err: IntegrationError) -> Self {
        match err {
            IntegrationError::NotFound => ApiError::NotFound,
            IntegrationError::IdTaken => ApiError::Conflict("integration already exists".into(), vec![]),
            IntegrationError::Changed => ApiError::PreconditionFailed,
            IntegrationError::Store(e) => e.into(),
        }
    }
}

/// A PATCH applies to the document as read: secrets redacted, so a secret left out is kept.
impl Patchable for Integration {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        document_of(&self.fields.redacted())
    }
}

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub(crate) fn routes() -> OpenApiRouter<crate::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_by_id, patch_by_id, delete_by_id))
}

fn respond(status: StatusCode, item: &Integration) -> Response {
    let view = item.view();
    tagged(status, &view, view.version())
}

#[utoipa::path(post, path = "/integrations", tag = "integrations",
    request_body = input::IntegrationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created; secrets read as \"********\"", body = IntegrationView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(key): State<Arc<DataKey>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(INTEGRATIONS_WRITE)?;
    let id = Uuid::now_v7();
    let scope = Scope::new(&tenant, id);
    let fields = input::read(body, true, &Sealing { key: &key, scope: &scope, stored: None })?;
    let item = service::create(&ctx.store, &tenant, id, fields).await?;
    let view = item.view();
    Ok(created(&view, view.version(), &format!("/integrations/{id}")))
}

#[utoipa::path(get, path = "/integrations", tag = "integrations",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("status" = Option<crate::model::IntegrationStatus>, Query, description = "Only integrations in this state"),
        ("type" = Option<String>, Query, pattern = r"^[a-z0-9_-]{1,64}$", description = "Only this type, e.g. `whatsapp`"),
    ),
    responses(
        (status = 200, description = "Oldest first (filtered by status alone: by type, then oldest first); secrets read as \"********\"", body = nudge_core::http::Page<IntegrationView>),
    ),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(INTEGRATIONS_READ)?;
    let query = ListQuery::parse(uri.query(), &["status", "type"])?;
    let filter = input::filter(query.filter("status"), query.filter("type"))?;
    let page =
        repo::list(&ctx.store, &principal.scope(), &tenant, &filter, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.iter().map(Integration::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/integrations/{id}", tag = "integrations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The integration; secrets read as \"********\"", body = IntegrationView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(INTEGRATIONS_READ)?;
    let item = service::get(&ctx.store, &tenant, path_id(&id)?).await?;
    Ok(respond(StatusCode::OK, &item))
}

/// Read, merge into the redacted document, validate and seal, write with the version read: retried on a
/// concurrent write unless the client pinned a version with If-Match, which then answers 412.
async fn update(
    ctx: &Ctx,
    key: &DataKey,
    tenant: &TenantId,
    id: Uuid,
    if_match: IfMatch,
    patch: &Value,
) -> ApiResult<Integration> {
    let scope = Scope::new(tenant, id);
    let load = || async { Ok(service::get(&ctx.store, tenant, id).await?) };
    update::patch(if_match, patch, load, |current: Integration, doc| {
        let scope = &scope;
        async move {
            let sealing = Sealing { key, scope, stored: Some(&current.fields.config) };
            let fields = input::read(doc, false, &sealing)?;
            match service::revise(&ctx.store, tenant, current, fields).await {
                Ok(item) => Ok(Step::Done(item)),
                // The frame reads again, or answers 412 when the client pinned the version.
                Err(IntegrationError::Changed) => Ok(Step::Moved),
                Err(e) => Err(e.into()),
            }
        }
    })
    .await
}

#[utoipa::path(patch, path = "/integrations/{id}", tag = "integrations",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::IntegrationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated; secrets read as \"********\"", body = IntegrationView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(key): State<Arc<DataKey>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(INTEGRATIONS_WRITE)?;
    let item = update(&ctx, &key, &tenant, path_id(&id)?, if_match, &patch).await?;
    Ok(respond(StatusCode::OK, &item))
}

#[utoipa::path(delete, path = "/integrations/{id}", tag = "integrations",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
    ),
    security(("bearer" = [])))]
async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(INTEGRATIONS_WRITE)?;
    service::delete(&ctx.store, &tenant, path_id(&id)?, if_match.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::store::StoreError;

    #[test]
    fn permissions_are_in_the_catalogue() {
        let catalogue = nudge_core::auth::permissions::CATALOGUE;
        assert!(catalogue.contains(&INTEGRATIONS_READ) && catalogue.contains(&INTEGRATIONS_WRITE));
    }

    #[test]
    fn each_error_becomes_its_problem() {
        let problem = |err: IntegrationError| ApiError::from(err).problem();
        let not_found = problem(IntegrationError::NotFound);
        assert_eq!((not_found.status, not_found.detail.as_str()), (404, "No such resource."));
        let taken = problem(IntegrationError::IdTaken);
        assert_eq!((taken.status, taken.detail.as_str()), (409, "integration already exists"));
        assert_eq!(problem(IntegrationError::Changed).status, 412);
        // Store errors the repository did not type keep the core's mapping.
        assert_eq!(problem(StoreError::Cursor.into()).status, 400);
        assert_eq!(problem(StoreError::Contended.into()).status, 409);
        assert_eq!(problem(StoreError::Decode("bad item".into()).into()).status, 500);
    }
}
