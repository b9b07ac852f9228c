//! `/journeys`: blueprints edited as a draft and published as immutable versions. Thin handlers: read,
//! hand over to `crate::journeys`, answer.

use super::Api;
use crate::input;
use crate::journeys::Journeys;
use crate::keys;
use crate::model::{Journey, JourneyVersion};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::store::Query;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) const READ: &str = "journeys:read";
pub(super) const WRITE: &str = "journeys:write";

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, replace))
        .routes(routes!(publish))
        .routes(routes!(versions))
        .routes(routes!(version))
}

fn service<'a>(ctx: &'a Ctx, deps: &'a super::Deps) -> Journeys<'a> {
    Journeys { store: &ctx.store, snapshots: &deps.snapshots }
}

/// The versions of a journey, newest first.
#[derive(Serialize, ToSchema)]
pub(super) struct VersionList {
    pub items: Vec<JourneyVersion>,
}

#[utoipa::path(post, path = "/journeys", tag = "journeys",
    request_body(content = input::JourneyWrite, description = crate::rules::RULE_LOGIC_DOC),
    responses(
        (status = 201, description = "The draft, with ids given to its phases and touchpoints", body = Journey, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let design = input::read_design(body)?;
    let now = ctx.clock.now();
    let journey = service(&ctx, &deps).create(&tenant, design, Some(principal.user_id), now).await?;
    tracing::info!(journey_id = %journey.id, "journey created");
    Ok(created(&journey, journey.version, &format!("/journeys/{}", journey.id)))
}

#[utoipa::path(get, path = "/journeys", tag = "journeys",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "Oldest first", body = nudge_core::http::Page<Journey>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Page<Journey>>> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let q = Query::partition(keys::journeys_partition(&tenant));
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

#[utoipa::path(get, path = "/journeys/{id}", tag = "journeys",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The draft and where its published versions stand", body = Journey, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let journey = service(&ctx, &deps).get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &journey, journey.version))
}

#[utoipa::path(put, path = "/journeys/{id}", tag = "journeys",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the draft being replaced")),
    request_body(content = input::JourneyWrite, description = "The whole draft. Name a phase's or touchpoint's `id` to keep it (and its figures); running enrolments stay on their published version."),
    responses((status = 200, description = "The new draft", body = Journey, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn replace(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let design = input::read_design(body)?;
    let now = ctx.clock.now();
    let journey = service(&ctx, &deps).replace(&tenant, id, design, if_match.0, Some(principal.user_id), now).await?;
    Ok(tagged(StatusCode::OK, &journey, journey.version))
}

#[utoipa::path(post, path = "/journeys/{id}/publish", tag = "journeys",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the draft being published")),
    responses(
        (status = 201, description = "The new version. 422 names each touchpoint whose content is missing, unpublished or unfit for its channel, or whose template cannot go out on it", body = JourneyVersion, headers(("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn publish(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let now = ctx.clock.now();
    let (journey, version) =
        service(&ctx, &deps).publish(&tenant, id, if_match.0, Some(principal.user_id), now).await?;
    tracing::info!(journey_id = %id, version = version.version_number, "journey published");
    let location = format!("/journeys/{id}/versions/{}", version.version_number);
    Ok(created(&version, journey.version, &location))
}

#[utoipa::path(get, path = "/journeys/{id}/versions", tag = "journeys",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Every published version, newest first", body = VersionList)),
    security(("bearer" = [])))]
async fn versions(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<VersionList>> {
    let tenant = principal.require(READ)?;
    let items = service(&ctx, &deps).versions(&tenant, path_id(&id)?).await?;
    Ok(Json(VersionList { items }))
}

#[utoipa::path(get, path = "/journeys/{id}/versions/{n}", tag = "journeys",
    params(("id" = Uuid, Path), ("n" = u32, Path, description = "The version number")),
    responses((status = 200, description = "The version as published", body = JourneyVersion)),
    security(("bearer" = [])))]
async fn version(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<Json<JourneyVersion>> {
    let tenant = principal.require(READ)?;
    let id = path_id(&id)?;
    let n: u32 = n.parse().map_err(|_| ApiError::NotFound)?;
    Ok(Json(service(&ctx, &deps).version(&tenant, id, n).await?))
}
