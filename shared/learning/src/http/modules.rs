//! `/modules`: thin handlers over [`crate::authoring::Modules`].

use crate::authoring::Modules;
use crate::input;
use crate::keys;
use crate::model::{ChangeLogEntry, Module, Section};
use crate::repo;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::store::Query;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) const READ: &str = "modules:read";
pub(super) const WRITE: &str = "modules:write";
pub(super) const WRITE_OWN: &str = "modules:write-own";

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id))
        .routes(routes!(publish))
        .routes(routes!(changelog))
}

/// The caller's tenant, when they may change `module` (all modules, or the ones they created or mentor).
pub(super) fn may_write(principal: &Principal, module: &Module) -> ApiResult<nudge_core::TenantId> {
    if principal.has(WRITE) {
        return principal.require(WRITE);
    }
    let own = module.created_by == Some(principal.user_id) || module.mentor_ids.contains(&principal.user_id);
    if own { principal.require(WRITE_OWN) } else { principal.require(WRITE) }
}

#[utoipa::path(post, path = "/modules", tag = "modules",
    request_body = input::ModuleWrite,
    responses((status = 201, description = "A draft module", body = Module, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = if principal.has(WRITE) { principal.require(WRITE)? } else { principal.require(WRITE_OWN)? };
    let input = input::read_module(body, true)?;
    let m = Modules { store: &ctx.store }.create(&tenant, input, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(created(&m, m.version, &format!("/modules/{}", m.id)))
}

#[utoipa::path(get, path = "/modules", tag = "modules",
    params(
        ("status" = Option<crate::model::ModuleStatus>, Query, description = "Only modules in this status"),
        ("categoryId" = Option<Uuid>, Query, description = "Only modules of this category"),
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "Oldest first", body = Page<Module>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Page<Module>>> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &["status", "categoryId"])?;
    let mut q = Query::partition(keys::modules_partition(&tenant));
    if let Some(status) = query.filter("status") {
        if !matches!(status, "DRAFT" | "PUBLISHED" | "ARCHIVED") {
            return Err(ApiError::param("status", "must be DRAFT, PUBLISHED or ARCHIVED"));
        }
        q = q.filter_eq("status", status);
    }
    if let Some(category) = query.filter("categoryId") {
        let id = Uuid::parse_str(category).map_err(|_| ApiError::param("categoryId", "must be a UUID"))?;
        q = q.filter_eq("categoryId", id.to_string());
    }
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

/// A module with its sections in order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ModuleBody {
    #[serde(flatten)]
    module: Module,
    sections: Vec<Section>,
}

#[utoipa::path(get, path = "/modules/{id}", tag = "modules",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The module with its sections in order", body = ModuleBody, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let module = Modules { store: &ctx.store }.get(&tenant, path_id(&id)?).await?;
    let sections = repo::sections(&ctx.store, &tenant, module.id).await?;
    let version = module.version;
    Ok(tagged(StatusCode::OK, &ModuleBody { module, sections }, version))
}

#[utoipa::path(patch, path = "/modules/{id}", tag = "modules",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::ModuleWrite, content_type = "application/merge-patch+json",
        description = "Each field given replaces the stored one. Every reference is checked (422 names each): a ready image for `coverImage`, a category, tags, users of the organization as mentors, and prerequisites that exist and close no cycle (the cycle is named). `status`: `ARCHIVED`, or back to `DRAFT` from it (409 otherwise)."),
    responses((status = 200, description = "Updated", body = Module, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    principal.require(READ)?;
    let modules = Modules { store: &ctx.store };
    let tenant = principal.tenant()?;
    let current = modules.get(&tenant, path_id(&id)?).await?;
    may_write(&principal, &current)?;
    let input = input::read_module(body, false)?;
    let m = modules.update(&tenant, current.id, input, if_match.0, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &m, m.version))
}

/// A publication: the module and its changelog entry.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Published {
    module: Module,
    change: ChangeLogEntry,
}

#[utoipa::path(post, path = "/modules/{id}/publish", tag = "modules",
    params(("id" = Uuid, Path)),
    request_body = input::PublishWrite,
    description = "Publishes the module as its next version with a changelog entry (`changeSummary`, required after the first publication); learners who saw an earlier version are asked to review what changed. It needs a section (422); an archived module is restored first (409).",
    responses((status = 200, description = "Published", body = Published)),
    security(("bearer" = [])))]
async fn publish(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Published>> {
    principal.require(READ)?;
    let modules = Modules { store: &ctx.store };
    let tenant = principal.tenant()?;
    let current = modules.get(&tenant, path_id(&id)?).await?;
    may_write(&principal, &current)?;
    let summary = input::read_publish(body)?;
    let (module, change) =
        modules.publish(&tenant, current.id, summary, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(Json(Published { module, change }))
}

#[utoipa::path(get, path = "/modules/{id}/changelog", tag = "modules",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Its publications, newest first", body = Vec<ChangeLogEntry>)),
    security(("bearer" = [])))]
async fn changelog(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ChangeLogEntry>>> {
    let tenant = principal.require(READ)?;
    let module = Modules { store: &ctx.store }.get(&tenant, path_id(&id)?).await?;
    Ok(Json(repo::changelog(&ctx.store, &tenant, module.id).await?))
}
