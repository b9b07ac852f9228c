//! The HTTP edge: thin handlers (who may act → read input → call the service → answer) and the one place an
//! [`OrganizationError`] becomes a problem.

use crate::error::OrganizationError;
use crate::input;
use crate::model::Organization;
use crate::repo;
use crate::service::{self, Access};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::permissions::{ORGANIZATION_READ, ORGANIZATION_WRITE};
use nudge_core::auth::{PlatformAdmin, Principal};
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::store::Attempt;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Status codes and wording of what the service refused.
impl From<OrganizationError> for ApiError {
    fn from(err: OrganizationError) -> Self {
        match err {
            OrganizationError::NotFound => ApiError::NotFound,
            OrganizationError::SlugTaken => ApiError::Conflict(
                "another organization already uses this slug".into(),
                vec![FieldError::body("/slug", "is already taken")],
            ),
            OrganizationError::PlatformOnly(fields) => {
                ApiError::Forbidden(format!("changing {} needs a platform admin", fields.join(", ")))
            }
            OrganizationError::Store(e) => e.into(),
        }
    }
}

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<Ctx> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id, delete_by_id))
        .routes(routes!(get_own, patch_own))
        .routes(routes!(suspend))
        .routes(routes!(restore))
}

fn respond(status: StatusCode, org: &Organization) -> Response {
    tagged(status, org, org.version)
}

fn platform_admin(principal: &Principal) -> ApiResult<PlatformAdmin> {
    principal.platform_admin().ok_or_else(|| ApiError::Forbidden("this needs a platform admin".into()))
}

/// How the caller reaches the organization `id`: any of them as platform admin, or only its own tenant.
fn access(principal: &Principal, id: &str) -> ApiResult<Access> {
    let id = nudge_core::http::path_id(id)?;
    if let Some(admin) = principal.platform_admin() {
        return Ok(Access::Platform(admin.tenant(id)));
    }
    match principal.tenant_opt() {
        Some(own) if own.as_uuid() == id => Ok(Access::Own(own)),
        _ => Err(ApiError::NotFound),
    }
}

#[utoipa::path(post, path = "/organizations", tag = "organizations",
    request_body = crate::input::OrganizationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created", body = Organization, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let admin = platform_admin(&principal)?;
    let fields = input::read(body, true)?;
    let org = service::create(&ctx.store, &admin.tenant(Uuid::now_v7()), fields).await?;
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
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
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

#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organization", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let access = access(&principal, &id)?;
    if let Access::Own(_) = access {
        principal.require(ORGANIZATION_READ)?;
    }
    Ok(respond(StatusCode::OK, &service::load(&ctx.store, &access).await?))
}

#[utoipa::path(get, path = "/organization", tag = "organizations",
    responses(
        (status = 200, description = "The caller's own organization", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_own(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(ORGANIZATION_READ)?;
    Ok(respond(StatusCode::OK, &service::load(&ctx.store, &Access::Own(tenant)).await?))
}

/// Read, merge, validate, write with the version read: retried on a concurrent write unless the client
/// pinned a version with If-Match, which then answers 412.
async fn update(ctx: &Ctx, access: &Access, if_match: IfMatch, patch: &Value) -> ApiResult<Organization> {
    let live = || async { Ok(service::live(&ctx.store, access).await?) };
    update::patch(if_match, patch, live, |current: Organization, doc| async move {
        let fields = input::read(doc, false)?;
        Ok(match service::revise(&ctx.store, access, current, fields).await? {
            Attempt::Done(org) => Step::Done(org),
            Attempt::Retry => Step::Moved,
        })
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
pub(crate) async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let access = access(&principal, &id)?;
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
pub(crate) async fn patch_own(
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
pub(crate) async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let access = access(&principal, &id)?;
    if let Access::Own(_) = access {
        return Err(ApiError::Forbidden("deleting an organization needs a platform admin".into()));
    }
    let current = service::live(&ctx.store, &access).await?;
    if_match.check(current.version)?;
    service::delete(&ctx.store, &access.tenant(), &current).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A platform admin's change of standing, at the version the caller pinned with If-Match, if any.
async fn change_standing(
    principal: &Principal,
    ctx: &Ctx,
    id: &str,
    if_match: IfMatch,
    change: service::Change,
) -> ApiResult<Response> {
    let admin = platform_admin(principal)?;
    let tenant = admin.tenant(nudge_core::http::path_id(id)?);
    let current = service::load(&ctx.store, &Access::Platform(tenant)).await?;
    if_match.check(current.version)?;
    let org = service::change_standing(&ctx.store, &tenant, current, change).await?;
    Ok(respond(StatusCode::OK, &org))
}

#[utoipa::path(post, path = "/organizations/{id}/suspend", tag = "organizations",
    description = "Suspends the organization (platform admins): until it is restored nobody can sign in to it or \
        act in it, with any token, and its background jobs stop. Suspending a suspended one changes nothing.",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Suspended", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn suspend(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    change_standing(&principal, &ctx, &id, if_match, service::Change::Suspend).await
}

#[utoipa::path(post, path = "/organizations/{id}/restore", tag = "organizations",
    description = "Serves a suspended or deleted organization again (platform admins): its people can sign in \
        once more (sessions the suspension or deletion ended stay ended), and new jobs run.",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "Active again", body = Organization, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn restore(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    change_standing(&principal, &ctx, &id, if_match, service::Change::Restore).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::store::StoreError;

    fn problem(err: OrganizationError) -> nudge_core::http::problem::Problem {
        ApiError::from(err).problem()
    }

    #[test]
    fn each_error_is_its_problem() {
        assert_eq!(problem(OrganizationError::NotFound).status, 404);
        let taken = problem(OrganizationError::SlugTaken);
        assert_eq!((taken.status, taken.detail.as_str()), (409, "another organization already uses this slug"));
        assert_eq!(taken.errors, [FieldError::body("/slug", "is already taken")]);
        let locked = problem(OrganizationError::PlatformOnly(vec!["slug", "type"]));
        assert_eq!((locked.status, locked.detail.as_str()), (403, "changing slug, type needs a platform admin"));
        assert_eq!(problem(OrganizationError::Store(StoreError::Condition("version"))).status, 412);
        assert_eq!(problem(OrganizationError::Store(StoreError::Decode("x".into()))).status, 500);
    }
}
