//! The HTTP handlers: thin, they check who may act, then call the pure input rules and the repository.

use crate::input;
use crate::model::Organization;
use crate::repo;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::permissions::{ORGANIZATION_READ, ORGANIZATION_WRITE};
use nudge_core::auth::{PlatformAdmin, Principal};
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::{Ctx, TenantId};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<Ctx> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id, delete_by_id))
        .routes(routes!(get_own, patch_own))
}

fn respond(status: StatusCode, org: &Organization) -> Response {
    tagged(status, org, org.version)
}

fn platform_admin(principal: &Principal) -> ApiResult<PlatformAdmin> {
    principal.platform_admin().ok_or_else(|| ApiError::Forbidden("this needs a platform admin".into()))
}

/// How the caller reaches an organization by id: any of them as platform admin, or only its own tenant.
enum Access {
    Platform(TenantId),
    Own(TenantId),
}

impl Access {
    fn resolve(principal: &Principal, id: &str) -> ApiResult<Self> {
        let id = nudge_core::http::path_id(id)?;
        if let Some(admin) = principal.platform_admin() {
            return Ok(Self::Platform(admin.tenant(id)));
        }
        match principal.tenant_opt() {
            Some(own) if own.as_uuid() == id => Ok(Self::Own(own)),
            _ => Err(ApiError::NotFound),
        }
    }

    fn tenant(&self) -> TenantId {
        match self {
            Self::Platform(t) | Self::Own(t) => *t,
        }
    }
}

#[utoipa::path(post, path = "/organizations", tag = "organizations",
    request_body = crate::input::OrganizationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created", body = Organization, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let admin = platform_admin(&principal)?;
    let fields = input::read(body, true)?;
    let org = Organization::new(Uuid::now_v7(), fields, Utc::now());
    repo::create(&ctx.store, &admin.tenant(org.id), &org).await?;
    tracing::info!(organization_id = %org.id, "organization created");
    Ok(created(&org, org.version, &format!("/organizations/{}", org.id)))
}

#[utoipa::path(get, path = "/organizations", tag = "organizations",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("status" = Option<String>, Query, description = "`active` (default) or `deleted`"),
    ),
    responses(
        (status = 200, description = "Newest first", body = nudge_core::http::Page<Organization>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    platform_admin(&principal)?;
    let query = ListQuery::parse(uri.query(), &["status"])?;
    let deleted = match query.filter("status") {
        None | Some("active") => false,
        Some("deleted") => true,
        Some(_) => return Err(ApiError::param("status", "must be `active` or `deleted`")),
    };
    let page = repo::list(&ctx.store, &principal.scope(), deleted, query.limit, query.cursor.as_deref()).await?;
    Ok(axum::Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }).into_response())
}

async fn load(ctx: &Ctx, access: &Access) -> ApiResult<Organization> {
    let org = repo::get(&ctx.store, &access.tenant()).await?.ok_or(ApiError::NotFound)?;
    match access {
        // Deleted organizations stay visible to platform admins, and gone for their tenant.
        Access::Own(_) if org.is_deleted() => Err(ApiError::NotFound),
        _ => Ok(org),
    }
}

#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organization", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let access = Access::resolve(&principal, &id)?;
    if let Access::Own(_) = access {
        principal.require(ORGANIZATION_READ)?;
    }
    Ok(respond(StatusCode::OK, &load(&ctx, &access).await?))
}

#[utoipa::path(get, path = "/organization", tag = "organizations",
    responses(
        (status = 200, description = "The caller's own organization", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_own(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(ORGANIZATION_READ)?;
    Ok(respond(StatusCode::OK, &load(&ctx, &Access::Own(tenant)).await?))
}

/// Read, merge, validate, write with the version read: retried on a concurrent write unless the client
/// pinned a version with If-Match, which then answers 412.
async fn update(ctx: &Ctx, access: &Access, if_match: IfMatch, patch: &Value) -> ApiResult<Organization> {
    let live = || async {
        let org = load(ctx, access).await?;
        if org.is_deleted() { Err(ApiError::NotFound) } else { Ok(org) }
    };
    update::patch(if_match, patch, live, |current: Organization, doc| async move {
        let fields = input::read(doc, false)?;
        if let Access::Own(_) = access {
            let locked = input::platform_only_changes(&current.fields, &fields);
            if !locked.is_empty() {
                return Err(ApiError::Forbidden(format!("changing {} needs a platform admin", locked.join(", "))));
            }
        }
        if fields == current.fields {
            return Ok(Step::Done(current));
        }
        let next = current.revised(fields, Utc::now());
        Step::written(repo::replace(&ctx.store, &access.tenant(), &current, &next).await, next, repo::replace_error)
    })
    .await
}

#[utoipa::path(patch, path = "/organizations/{id}", tag = "organizations",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = crate::input::OrganizationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let access = Access::resolve(&principal, &id)?;
    if let Access::Own(_) = access {
        principal.require(ORGANIZATION_WRITE)?;
    }
    Ok(respond(StatusCode::OK, &update(&ctx, &access, if_match, &patch).await?))
}

#[utoipa::path(patch, path = "/organization", tag = "organizations",
    params(("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = crate::input::OrganizationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch_own(
    principal: Principal,
    State(ctx): State<Ctx>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(ORGANIZATION_WRITE)?;
    Ok(respond(StatusCode::OK, &update(&ctx, &Access::Own(tenant), if_match, &patch).await?))
}

#[utoipa::path(delete, path = "/organizations/{id}", tag = "organizations",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "Soft-deleted"),
    ),
    security(("bearer" = [])))]
pub async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let access = Access::resolve(&principal, &id)?;
    if let Access::Own(_) = access {
        return Err(ApiError::Forbidden("deleting an organization needs a platform admin".into()));
    }
    let current = load(&ctx, &access).await?;
    if current.is_deleted() {
        return Err(ApiError::NotFound);
    }
    if_match.check(current.version)?;
    repo::replace(&ctx.store, &access.tenant(), &current, &current.deleted(Utc::now()))
        .await
        .map_err(repo::replace_error)?;
    tracing::info!(organization_id = %current.id, "organization soft-deleted");
    Ok(StatusCode::NO_CONTENT)
}
