//! `/experiments`: thin handlers over `crate::manage`, `crate::service` and `crate::results`.

use super::{Api, TableCatalogue};
use crate::input;
use crate::manage::Manage;
use crate::model::Experiment;
use crate::settings::{self, Settings, SettingsError};
use crate::tracking::{self, Placed, Recorded};
use crate::{keys, repo, results};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::store::Query;
use serde::Serialize;
use serde_json::json;
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
        .routes(routes!(outcomes))
        .routes(routes!(experiment_results))
        .routes(routes!(get_settings, put_settings))
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
    let (e, before) = manage(&ctx, &catalogue)
        .update(&tenant, id, input, if_match.0, Some(principal.user_id), ctx.clock.now())
        .await?;
    let mut response = tagged(StatusCode::OK, &e, e.version);
    if before != e.status {
        // A status move is what a reviewer of the experiment looks for: on record by name.
        AuditNote::new("experiment.status_changed", "experiment", Some(e.id.to_string()))
            .metadata(json!({"from": before, "to": e.status, "bucketVersion": e.bucket_version}))
            .attach(&mut response);
    }
    Ok(response)
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
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let e =
        manage(&ctx, &catalogue).rerandomise(&tenant, path_id(&id)?, Some(principal.user_id), ctx.clock.now()).await?;
    let note = AuditNote::new("experiment.rerandomised", "experiment", Some(e.id.to_string()))
        .metadata(json!({"bucketVersion": e.bucket_version}));
    Ok((note, Json(e)).into_response())
}

/// A batch's placements, in the order asked.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Placements {
    placements: Vec<Placed>,
}

#[utoipa::path(post, path = "/experiments/{id}/assignments", tag = "experiments",
    params(("id" = Uuid, Path)),
    request_body = input::AssignWrite,
    description = "Each worker's variant: the stored one, or decided now and stored (never changed by later weights or coverage), or the reason they take no part. With `expose`, each is recorded as shown their variant now (only exposed workers count in the results; an exposure counts once). A worker the organization does not have is named (422).",
    responses((status = 200, description = "In the order asked", body = Placements)),
    security(("bearer" = [])))]
async fn assign(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Placements>> {
    let tenant = principal.require(WRITE)?;
    let e = manage(&ctx, &catalogue).get(&tenant, path_id(&id)?).await?;
    let (workers, expose) = input::read_assign(body)?;
    let known = nudge_workers::repo::existing(&ctx.store, &tenant, &workers).await?;
    let unknown: Vec<FieldError> = workers
        .iter()
        .enumerate()
        .filter(|(_, w)| !known.contains(w))
        .map(|(i, _)| FieldError::body(format!("/workerIds/{i}"), "names no worker of this organization"))
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Rejected(unknown));
    }
    let members = match e.segment_id {
        None => None,
        Some(segment) => Some(nudge_segments::repo::members_among(&ctx.store, &tenant, segment, &workers).await?),
    };
    let now = ctx.clock.now();
    let placements = tracking::assign(&ctx.store, &tenant, &e, &workers, members.as_ref(), expose, now).await?;
    Ok(Json(Placements { placements }))
}

/// One outcome's fate.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutcomeResult {
    worker_id: Uuid,
    outcome: Recorded,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct OutcomeResults {
    results: Vec<OutcomeResult>,
}

#[utoipa::path(post, path = "/experiments/{id}/outcomes", tag = "experiments",
    params(("id" = Uuid, Path)),
    request_body = input::OutcomesWrite,
    description = "Records what exposed workers did: a completion and a score each count once per worker (a repeated call changes nothing). A worker never exposed under the current bucket version is not counted (`not_exposed`).",
    responses((status = 200, description = "Each outcome's fate, in the order given", body = OutcomeResults)),
    security(("bearer" = [])))]
async fn outcomes(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(catalogue): State<Arc<TableCatalogue>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<OutcomeResults>> {
    let tenant = principal.require(WRITE)?;
    let e = manage(&ctx, &catalogue).get(&tenant, path_id(&id)?).await?;
    let outcomes = input::read_outcomes(body)?;
    let recorded = tracking::record(&ctx.store, &tenant, &e, &outcomes, ctx.clock.now()).await?;
    let results =
        outcomes.iter().zip(recorded).map(|(o, outcome)| OutcomeResult { worker_id: o.worker, outcome }).collect();
    Ok(Json(OutcomeResults { results }))
}

#[utoipa::path(get, path = "/experiment-settings", tag = "experiments",
    responses((status = 200, description = "The organization's holdout (a fraction of 0 until set)", body = Settings, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_settings(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let s = settings::get(&ctx.store, &tenant).await?;
    Ok(tagged(StatusCode::OK, &s, s.version))
}

#[utoipa::path(put, path = "/experiment-settings", tag = "experiments",
    params(("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = input::SettingsWrite,
    description = "Sets the holdout: the same workers (by a hash of each) are kept out of every experiment with `useHoldout`. Fixed once one of them started (409).",
    responses((status = 200, description = "Updated", body = Settings, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn put_settings(
    principal: Principal,
    State(ctx): State<Ctx>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let fraction = input::read_settings(body)?;
    let by = Some(principal.user_id);
    let s = settings::set_holdout(&ctx.store, &tenant, fraction, if_match.0, by, ctx.clock.now()).await.map_err(
        |e| match e {
            SettingsError::Locked(_) => ApiError::Conflict(e.to_string(), Vec::new()),
            SettingsError::VersionMoved => ApiError::PreconditionFailed,
            SettingsError::Store(e) => e.into(),
        },
    )?;
    Ok(tagged(StatusCode::OK, &s, s.version))
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
