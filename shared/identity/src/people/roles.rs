//! `/roles`: the tenant's roles. System roles are listed with their fixed permissions (only which role is
//! the default can change); custom roles are created, edited and deleted here.

use crate::membership;
use crate::people::rules::{self, RoleFields, RolePatch, RoleRequest};
use crate::role::{self, FALLBACK_DEFAULT, Role};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, created, tagged};
use nudge_core::store::{StoreError, Tx};
use nudge_core::{Ctx, TenantId};
use serde::Serialize;
use utoipa::ToSchema;

pub const READ: &str = "roles:read";
pub const WRITE: &str = "roles:write";

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleList {
    pub items: Vec<Role>,
}

fn respond(status: StatusCode, role: &Role) -> Response {
    tagged(status, role, role.version)
}

fn name_taken() -> ApiError {
    ApiError::Conflict("a role with this name exists".into(), vec![FieldError::body("/name", "is taken")])
}

#[utoipa::path(get, path = "/roles", tag = "roles",
    responses(
        (status = 200, description = "System roles, then custom roles", body = RoleList),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let default = role::default_name(&ctx.store, &tenant).await?;
    let mut items: Vec<Role> = role::system_roles().map(|r| Role::system(r, r.name() == default)).collect();
    items.extend(role::custom(&ctx.store, &tenant).await?.into_iter().map(|mut r| {
        r.is_default = r.name == default;
        r
    }));
    Ok(axum::Json(RoleList { items }).into_response())
}

#[utoipa::path(get, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "The role", body = Role, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_one(principal: Principal, State(ctx): State<Ctx>, Path(name): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let role = role::resolve(&ctx.store, &tenant, &name).await?.ok_or(ApiError::NotFound)?;
    Ok(respond(StatusCode::OK, &role))
}

#[utoipa::path(post, path = "/roles", tag = "roles",
    request_body(content = RoleRequest, description = "The custom role"),
    responses(
        (status = 201, description = "Created", body = Role, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (name, fields) = rules::read_role(body, true)?;
    let name = name.ok_or_else(|| ApiError::internal("role name missing after validation"))?;
    let now = Utc::now();
    let role = Role {
        name,
        display_name: fields.display_name,
        description: fields.description,
        is_default: fields.is_default,
        is_system: false,
        permissions: fields.permissions,
        created_at: Some(now),
        updated_at: Some(now),
        version: 1,
    };
    rules::may_assign(&principal.role, principal.permissions(), &role)?;
    let mut tx = Tx::new().with(role::create(&tenant, &role)?);
    if role.is_default {
        tx = tx.with(role::set_default(&tenant, &role.name)?);
    }
    ctx.store.transact(tx).await.map_err(|e| match e {
        StoreError::Condition(role::NAME_TAKEN) => name_taken(),
        other => other.into(),
    })?;
    Ok(created(&role, role.version, &format!("/roles/{}", role.name)))
}

async fn set_system_default(ctx: &Ctx, tenant: &TenantId, role: &Role, patch: &serde_json::Value) -> ApiResult<Role> {
    let is_default = rules::read_system_patch(patch, role.is_default)?;
    if is_default != role.is_default {
        let name = if is_default { role.name.clone() } else { FALLBACK_DEFAULT.name().to_owned() };
        ctx.store.write(role::set_default(tenant, &name)?).await?;
    }
    Ok(Role { is_default, ..role.clone() })
}

#[utoipa::path(patch, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body(content = RolePatch, content_type = "application/merge-patch+json", description = "The fields to change; system roles take only isDefault"),
    responses(
        (status = 200, description = "Updated; members' tokens carry the new permissions from their next refresh", body = Role, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (ctx, tenant, body, principal) = (&ctx, &tenant, &patch, &principal);
    let load = || async { role::resolve(&ctx.store, tenant, &name).await?.ok_or(ApiError::NotFound) };
    let updated = update::patch(if_match, body, load, |current: Role, doc| async move {
        if current.is_system {
            return Ok(Step::Done(set_system_default(ctx, tenant, &current, body).await?));
        }
        let (_, fields): (_, RoleFields) = rules::read_role(doc, false)?;
        let next = Role {
            display_name: fields.display_name,
            description: fields.description,
            permissions: fields.permissions,
            is_default: fields.is_default,
            updated_at: Some(Utc::now()),
            version: current.version + 1,
            ..current.clone()
        };
        rules::may_assign(&principal.role, principal.permissions(), &next)?;
        let mut tx = Tx::new().with(role::replace(tenant, &current, &next)?);
        if next.is_default != current.is_default {
            let default = if next.is_default { next.name.clone() } else { FALLBACK_DEFAULT.name().to_owned() };
            tx = tx.with(role::set_default(tenant, &default)?);
        }
        Step::written(ctx.store.transact(tx).await, next, ApiError::from)
    })
    .await?;
    Ok(respond(StatusCode::OK, &updated))
}

#[utoipa::path(delete, path = "/roles/{name}", tag = "roles",
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Deleted (the default role falls back to employee)"),
    ),
    security(("bearer" = [])))]
pub async fn remove(principal: Principal, State(ctx): State<Ctx>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    let tenant = principal.require(WRITE)?;
    let current = role::resolve(&ctx.store, &tenant, &name).await?.ok_or(ApiError::NotFound)?;
    if current.is_system {
        return Err(ApiError::Forbidden("system roles cannot be deleted".into()));
    }
    let holders = membership::with_role(&ctx.store, &tenant, &current.name).await?;
    if !holders.is_empty() {
        return Err(ApiError::Conflict(
            format!("{} member(s) hold this role; give them another first", holders.len()),
            vec![],
        ));
    }
    let mut tx = Tx::new().with(role::delete(&tenant, &current.name).if_version(current.version));
    if current.is_default {
        tx = tx.with(role::set_default(&tenant, FALLBACK_DEFAULT.name())?);
    }
    ctx.store.transact(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}
