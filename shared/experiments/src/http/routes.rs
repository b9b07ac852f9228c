//! `/experiments`: thin handlers over `crate::manage`, `crate::service` and `crate::results`.

use super::{Api, TableCatalogue};
use crate::input;
use crate::manage::Manage;
use crate::model::{Assignment, Experiment};
use crate::{keys, repo, results};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::store::Query;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const READ: &str = "experiments:read";
const WRITE: &str = "experiments:write";

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id))
        .routes(routes!(rerandomise))
        .routes(routes!(assign))
        .routes(routes!(experiment_results))
}

fn manage<'a>(ctx: &'a Ctx, catalogue: &'a TableCatalogue) -> Manage<'a, TableCatalogue> {
    Manage { store: &ctx.store, catalogue }
}

#[utoipa::path(post, path = "/experiments", tag = "experiments",
    request_body = input::ExperimentWrite,
    responses((status = 201, description = "A draft (or running, when `status` says so and it may start)", body = Experiment, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let input = input::read(body, true)?;
    let e = manage(&ctx, &catalogue).create(&tenant, input, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(created(&e, e.version, &format!("/experiments/{}", e.id)))
}

#[utoipa::path(get, path = "/experiments", tag = "experiments",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "Oldest first", body = nudge_core::http::Page<Experiment>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Page<Experiment>>> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let q = Query::partition(keys::experiments_partition(&tenant));
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

#[utoipa::path(get, path = "/experiments/{id}", tag = "experiments",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The experiment with its variants", body = Experiment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let e = manage(&ctx, &catalogue).get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &e, e.version))
}

#[utoipa::path(patch, path = "/experiments/{id}", tag = "experiments",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::ExperimentPatch, content_type = "application/merge-patch+json",
        description = "Each field given replaces the stored one (`variants` whole). Once it ran, no variant may be added, removed or reordered (weights may change: assignments stay). Starting (`status: running`) needs two variants of positive weight, each with a published `contentId` (422 names each)."),
    responses((status = 200, description = "Updated", body = Experiment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let input = input::read(body, false)?;
    let e = manage(&ctx, &catalogue)
        .update(&tenant, id, input, if_match.0, Some(principal.user_id), ctx.clock.now())
        .await?;
    Ok(tagged(StatusCode::OK, &e, e.version))
}

#[utoipa::path(post, path = "/experiments/{id}/rerandomise", tag = "experiments",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "A new bucket version: every worker is assigned afresh and the results start over", body = Experiment)),
    security(("bearer" = [])))]
async fn rerandomise(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Experiment>> {
    let tenant = principal.require(WRITE)?;
    let e =
        manage(&ctx, &catalogue).rerandomise(&tenant, path_id(&id)?, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(Json(e))
}

/// `POST /experiments/{id}/assignments` (its schema; the handler reads it field by field).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(super) struct AssignRequest {
    worker_id: Uuid,
}

/// A worker's place in an experiment.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssignmentView {
    /// Present when the worker takes part.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignment: Option<Assignment>,
}

#[utoipa::path(post, path = "/experiments/{id}/assignments", tag = "experiments",
    params(("id" = Uuid, Path)),
    request_body = AssignRequest,
    responses((status = 200, description = "The worker's variant: the stored one, or decided now and stored (never changed by later weights or coverage); none when the worker takes no part", body = AssignmentView)),
    security(("bearer" = [])))]
async fn assign(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<AssignmentView>> {
    let tenant = principal.require(WRITE)?;
    let e = manage(&ctx, &catalogue).get(&tenant, path_id(&id)?).await?;
    let mut f = nudge_core::http::Fields::new(body)?;
    let worker: Option<Uuid> = f.required("workerId");
    f.finish()?;
    let worker = worker.ok_or_else(|| ApiError::internal("read without a worker"))?;
    if nudge_workers::repo::get(&ctx.store, &tenant, worker).await?.is_none() {
        return Err(ApiError::rule("/workerId", "names no worker of this organization"));
    }
    let targeted = match e.segment_id {
        None => true,
        Some(segment) => {
            nudge_segments::repo::members_among(&ctx.store, &tenant, segment, &[worker]).await?.contains(&worker)
        }
    };
    let assignment =
        crate::service::assignment(&ctx.store, &tenant, &e, worker, targeted, 0.0, ctx.clock.now()).await?;
    Ok(Json(AssignmentView { assignment }))
}

#[utoipa::path(get, path = "/experiments/{id}/results", tag = "experiments",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Per variant its exposed workers, completions and scores, and against the control the sample-ratio check, the z-test, Welch's t, the chance to beat control and an always-valid p-value", body = results::Results)),
    security(("bearer" = [])))]
async fn experiment_results(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
) -> ApiResult<Json<results::Results>> {
    let tenant = principal.require(READ)?;
    let e = manage(&ctx, &catalogue).get(&tenant, path_id(&id)?).await?;
    let counts = repo::counts(&ctx.store, &tenant, e.id, e.bucket_version, e.variants.len()).await?;
    let variants: Vec<(Uuid, String, f64)> =
        e.variants.iter().map(|v| (v.id, v.variant_name.clone(), v.weight)).collect();
    Ok(Json(results::results(e.id, e.bucket_version, &variants, &counts)))
}
