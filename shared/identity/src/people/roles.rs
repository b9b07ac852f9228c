//! `/roles`: the tenant's roles. System roles are listed with their fixed permissions (only which role is
//! the default can change); custom roles are created, edited and deleted here.

use crate::people::rules::{self, RolePatch, RoleRequest};
use crate::people::service;
use crate::role::Role;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, created, tagged};
use nudge_core::store::Attempt;
use serde::Serialize;
use utoipa::ToSchema;

const READ: &str = "roles:read";
const WRITE: &str = "roles:write";

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleList {
    pub items: Vec<Role>,
}

fn respond(status: StatusCode, role: &Role) -> Response {
    tagged(status, role, role.version)
}

#[utoipa::path(get, path = "/roles", tag = "roles",
    responses(
        (status = 200, description = "System roles, then custom roles", body = RoleList),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let items = service::roles(&ctx.store, &tenant).await?;
    Ok(axum::Json(RoleList { items }).into_response())
}

#[utoipa::path(get, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "The role", body = Role, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let role = service::role(&ctx.store, &tenant, &name).await?;
    Ok(respond(StatusCode::OK, &role))
}

#[utoipa::path(post, path = "/roles", tag = "roles",
    request_body(content = RoleRequest, description = "The custom role"),
    responses(
        (status = 201, description = "Created", body = Role, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (name, fields) = rules::read_role(body, true)?;
    let name = name.ok_or_else(|| ApiError::internal("role name missing after validation"))?;
    let role = service::create_role(&ctx.store, &tenant, &principal, name, fields).await?;
    Ok(created(&role, role.version, &format!("/roles/{}", role.name)))
}

#[utoipa::path(patch, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body(content = RolePatch, content_type = "application/merge-patch+json", description = "The fields to change; system roles take only isDefault"),
    responses(
        (status = 200, description = "Updated; members' tokens carry the new permissions from their next refresh", body = Role, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn patch(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (ctx, tenant, body, principal) = (&ctx, &tenant, &patch, &principal);
    let load = || async { Ok(service::role(&ctx.store, tenant, &name).await?) };
    let updated = update::patch(if_match, body, load, |current: Role, doc| async move {
        if current.is_system {
            // A system role takes only `isDefault`: read from the patch as sent, not the merged document.
            let is_default = rules::read_system_patch(body, current.is_default)?;
            return Ok(Step::Done(service::set_system_default(&ctx.store, tenant, &current, is_default).await?));
        }
        let (_, fields) = rules::read_role(doc, false)?;
        Ok(match service::revise_role(&ctx.store, tenant, principal, current, fields).await? {
            Attempt::Done(role) => Step::Done(role),
            Attempt::Retry => Step::Moved,
        })
    })
    .await?;
    service::role_revised(&ctx.store, tenant, &updated).await?;
    Ok(respond(StatusCode::OK, &updated))
}

#[utoipa::path(delete, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Deleted (the default role falls back to employee)"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn remove(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(WRITE)?;
    service::remove_role(&ctx.store, &tenant, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
