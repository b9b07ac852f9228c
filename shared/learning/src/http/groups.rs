//! `/groups`: thin handlers over [`crate::groups::Groups`].

use crate::groups::{Group, GroupError, GroupMember, Groups, ModuleAssignment};
use crate::input;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, created, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const READ: &str = "groups:read";
const WRITE: &str = "groups:write";

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, patch_one, delete_one))
        .routes(routes!(members, add_members))
        .routes(routes!(remove_member))
        .routes(routes!(modules))
        .routes(routes!(assign, unassign))
}

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::NotFound => ApiError::NotFound,
            GroupError::VersionMoved => ApiError::PreconditionFailed,
            GroupError::Rejected(errors) => ApiError::Rejected(errors),
            GroupError::Store(e) => e.into(),
        }
    }
}

#[utoipa::path(get, path = "/groups", tag = "groups",
    responses((status = 200, description = "By name", body = Vec<Group>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<Group>>> {
    let tenant = principal.require(READ)?;
    Ok(Json(Groups { store: &ctx.store }.list(&tenant).await?))
}

#[utoipa::path(post, path = "/groups", tag = "groups",
    request_body = input::GroupWrite,
    responses((status = 201, description = "Created", body = Group, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (name, color) = input::read_group(body, true)?;
    let g = Groups { store: &ctx.store }
        .create(&tenant, name.unwrap_or_default(), color.flatten(), ctx.clock.now())
        .await?;
    Ok(created(&g, g.version, &format!("/groups/{}", g.id)))
}

#[utoipa::path(get, path = "/groups/{id}", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The group", body = Group, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_one(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let g = Groups { store: &ctx.store }.get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &g, g.version))
}

#[utoipa::path(patch, path = "/groups/{id}", tag = "groups",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::GroupWrite, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Group, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let (name, color) = input::read_group(body, false)?;
    let g = Groups { store: &ctx.store }.update(&tenant, id, name, color, if_match.0, ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &g, g.version))
}

#[utoipa::path(delete, path = "/groups/{id}", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted with its memberships and module assignments")),
    security(("bearer" = [])))]
async fn delete_one(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    Groups { store: &ctx.store }.delete(&tenant, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/groups/{id}/members", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Its members with when they joined", body = Vec<GroupMember>)),
    security(("bearer" = [])))]
async fn members(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<GroupMember>>> {
    let tenant = principal.require(READ)?;
    let groups = Groups { store: &ctx.store };
    let g = groups.get(&tenant, path_id(&id)?).await?;
    Ok(Json(groups.members(&tenant, g.id).await?))
}

#[utoipa::path(post, path = "/groups/{id}/members", tag = "groups",
    params(("id" = Uuid, Path)),
    request_body = input::MembersWrite,
    description = "Adds users of the organization (422 names the others); one already a member keeps the day they joined, from which their deadlines count.",
    responses((status = 200, description = "Its members", body = Vec<GroupMember>)),
    security(("bearer" = [])))]
async fn add_members(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<GroupMember>>> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let users = input::read_members(body)?;
    Ok(Json(Groups { store: &ctx.store }.add_members(&tenant, id, &users, ctx.clock.now()).await?))
}

#[utoipa::path(delete, path = "/groups/{id}/members/{userId}", tag = "groups",
    params(("id" = Uuid, Path), ("userId" = Uuid, Path)),
    responses((status = 204, description = "No longer a member")),
    security(("bearer" = [])))]
async fn remove_member(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    Groups { store: &ctx.store }.remove_member(&tenant, path_id(&id)?, path_id(&user)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/groups/{id}/modules", tag = "groups",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The modules assigned to it", body = Vec<ModuleAssignment>)),
    security(("bearer" = [])))]
async fn modules(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ModuleAssignment>>> {
    let tenant = principal.require(READ)?;
    let groups = Groups { store: &ctx.store };
    let g = groups.get(&tenant, path_id(&id)?).await?;
    Ok(Json(groups.assignments(&tenant, g.id).await?))
}

#[utoipa::path(put, path = "/groups/{id}/modules/{moduleId}", tag = "groups",
    params(("id" = Uuid, Path), ("moduleId" = Uuid, Path)),
    request_body = input::AssignmentWrite,
    description = "Assigns a module of the organization to the group: each member's due date is `deadlineDays` after the later of joining and this assignment. Again: changes the deadline and `isMandatory`, keeping when it was first assigned.",
    responses((status = 200, description = "The assignment", body = ModuleAssignment)),
    security(("bearer" = [])))]
async fn assign(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, module)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<ModuleAssignment>> {
    let tenant = principal.require(WRITE)?;
    let (id, module) = (path_id(&id)?, path_id(&module)?);
    let (days, mandatory) = input::read_assignment(body)?;
    Ok(Json(Groups { store: &ctx.store }.assign(&tenant, id, module, days, mandatory, ctx.clock.now()).await?))
}

#[utoipa::path(delete, path = "/groups/{id}/modules/{moduleId}", tag = "groups",
    params(("id" = Uuid, Path), ("moduleId" = Uuid, Path)),
    responses((status = 204, description = "No longer assigned")),
    security(("bearer" = [])))]
async fn unassign(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, module)): Path<(String, String)>,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    Groups { store: &ctx.store }.unassign(&tenant, path_id(&id)?, path_id(&module)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
