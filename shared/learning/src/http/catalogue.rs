//! `/module-categories`: thin handlers over [`crate::authoring::Catalogue`].

use super::modules::{READ, WRITE};
use crate::authoring::Catalogue;
use crate::input;
use crate::model::Category;
use crate::repo;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiResult, IfMatch, JsonBody, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list_categories, create_category)).routes(routes!(patch_category))
}

#[utoipa::path(get, path = "/module-categories", tag = "modules",
    responses((status = 200, description = "By sortOrder, then name", body = Vec<Category>)),
    security(("bearer" = [])))]
async fn list_categories(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<Category>>> {
    let tenant = principal.require(READ)?;
    Ok(Json(repo::categories(&ctx.store, &tenant).await?))
}

#[utoipa::path(post, path = "/module-categories", tag = "modules",
    request_body = input::CategoryWrite,
    responses((status = 201, description = "Created (last, unless `sortOrder` says)", body = Category, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn create_category(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let (name, order) = input::read_category(body, true)?;
    let name = name.unwrap_or_default();
    let c = Catalogue { store: &ctx.store }.create_category(&tenant, name, order, ctx.clock.now()).await?;
    Ok(tagged(StatusCode::CREATED, &c, c.version))
}

#[utoipa::path(patch, path = "/module-categories/{id}", tag = "modules",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::CategoryWrite, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Updated", body = Category, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_category(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let (name, order) = input::read_category(body, false)?;
    let c =
        Catalogue { store: &ctx.store }.update_category(&tenant, id, name, order, if_match.0, ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &c, c.version))
}
