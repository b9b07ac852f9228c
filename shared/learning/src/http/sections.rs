//! `/modules/{id}/sections`: thin handlers over [`crate::authoring::Sections`]; writing needs the right to
//! change the module.

use super::modules::{READ, may_write};
use crate::authoring::{Modules, Sections};
use crate::input;
use crate::model::Section;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::TenantId;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiResult, JsonBody, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(patch_one, delete_one)).routes(routes!(reorder))
}

/// The caller's tenant and the module's id, when they may change it.
async fn writable(principal: &Principal, ctx: &Ctx, id: &str) -> ApiResult<(TenantId, Uuid)> {
    principal.require(READ)?;
    let tenant = principal.tenant()?;
    let module = Modules { store: &ctx.store }.get(&tenant, path_id(id)?).await?;
    may_write(principal, &module)?;
    Ok((tenant, module.id))
}

#[utoipa::path(get, path = "/modules/{id}/sections", tag = "modules",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "In order", body = Vec<Section>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Json<Vec<Section>>> {
    let tenant = principal.require(READ)?;
    Ok(Json(Sections { store: &ctx.store }.list(&tenant, path_id(&id)?).await?))
}

#[utoipa::path(post, path = "/modules/{id}/sections", tag = "modules",
    params(("id" = Uuid, Path)),
    request_body = input::SectionWrite,
    description = "Adds a section at `position` (default: last), the others renumbered. `content` is HTML kept to an allow-list: scripts, event handlers, styles and non-web links are removed. Assets (`mediaAssetId`, attachments) must be ready assets of the organization (a video asset for a video from an asset); 422 names each that is not. At most 50 sections.",
    responses((status = 201, description = "The section", body = Section, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (tenant, module) = writable(&principal, &ctx, &id).await?;
    let input = input::read_section(body, true)?;
    let s =
        Sections { store: &ctx.store }.create(&tenant, module, input, ctx.clock.now(), Some(principal.user_id)).await?;
    Ok(tagged(StatusCode::CREATED, &s, s.version))
}

#[utoipa::path(patch, path = "/modules/{id}/sections/{sectionId}", tag = "modules",
    params(("id" = Uuid, Path), ("sectionId" = Uuid, Path)),
    request_body(content = input::SectionWrite, content_type = "application/merge-patch+json",
        description = "Each field given replaces the stored one (`attachments` whole: name an attachment's `id` to keep it); `position` moves it."),
    responses((status = 200, description = "Updated", body = Section, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, section)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (tenant, module) = writable(&principal, &ctx, &id).await?;
    let section = path_id(&section)?;
    let input = input::read_section(body, false)?;
    let s = Sections { store: &ctx.store }
        .update(&tenant, module, section, input, Some(principal.user_id), ctx.clock.now())
        .await?;
    Ok(tagged(StatusCode::OK, &s, s.version))
}

#[utoipa::path(delete, path = "/modules/{id}/sections/{sectionId}", tag = "modules",
    params(("id" = Uuid, Path), ("sectionId" = Uuid, Path)),
    responses((status = 204, description = "Removed; the others renumbered")),
    security(("bearer" = [])))]
async fn delete_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, section)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (tenant, module) = writable(&principal, &ctx, &id).await?;
    let section = path_id(&section)?;
    Sections { store: &ctx.store }.delete(&tenant, module, section, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/modules/{id}/section-order", tag = "modules",
    params(("id" = Uuid, Path)),
    request_body = input::OrderWrite,
    description = "Every section of the module, once each, in the new order (422 names what is unknown, repeated or missing).",
    responses((status = 200, description = "The sections in their new order", body = Vec<Section>)),
    security(("bearer" = [])))]
async fn reorder(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Section>>> {
    let (tenant, module) = writable(&principal, &ctx, &id).await?;
    let wanted = input::read_order(body)?;
    let sections = Sections { store: &ctx.store }
        .reorder(&tenant, module, &wanted, Some(principal.user_id), ctx.clock.now())
        .await?;
    Ok(Json(sections))
}
