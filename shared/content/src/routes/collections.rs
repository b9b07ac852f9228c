//! `/collections` and `/collections/{id}/items`: named, ordered sets of content. One content item may be in
//! many collections, once in each; positions are dense (`0..n`) and only change when asked to.

use super::step;
use crate::input::{self, CollectionItemRequest, CollectionPatch, CollectionRequest, ItemMoveRequest};
use crate::model::{Collection, CollectionItem, CollectionView};
use crate::repo;
use crate::service::collections;
use crate::workflow::{CONTENT_READ, CONTENT_WRITE};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update;
use nudge_core::http::{ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use serde::Serialize;
use utoipa::ToSchema;

/// Every item of a collection, in order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemList {
    pub(crate) items: Vec<CollectionItem>,
}

#[utoipa::path(post, path = "/collections", tag = "content", request_body = CollectionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created, empty", body = CollectionView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let fields = input::collection(body)?;
    let c = collections::create(&ctx.store, &tenant, principal.user_id, fields).await?;
    Ok(created(&c.view(), c.version, &format!("/collections/{}", c.id)))
}

#[utoipa::path(get, path = "/collections", tag = "content",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses(
        (status = 200, description = "Collections, oldest first", body = nudge_core::http::Page<CollectionView>),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page =
        repo::list_collections(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.iter().map(Collection::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

async fn read(ctx: &Ctx, principal: &Principal, id: &str) -> ApiResult<Collection> {
    let tenant = principal.require(CONTENT_READ)?;
    Ok(collections::find(&ctx.store, &tenant, path_id(id)?).await?)
}

#[utoipa::path(get, path = "/collections/{id}", tag = "content", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The collection", body = CollectionView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = read(&ctx, &principal, &id).await?;
    Ok(tagged(StatusCode::OK, &c.view(), c.version))
}

#[utoipa::path(patch, path = "/collections/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = CollectionPatch, content_type = "application/merge-patch+json", description = "JSON Merge Patch over `name` and `description`"),
    responses(
        (status = 200, description = "Updated", body = CollectionView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let id = path_id(&id)?;
    input::known_fields(&patch, &["name", "description"])?;
    let load = || async { Ok(collections::find(&ctx.store, &tenant, id).await?) };
    let c = update::patch(if_match, &patch, load, |current: Collection, doc| async {
        let fields = input::collection(doc)?;
        Ok(step(collections::edit(&ctx.store, &tenant, current, fields).await?))
    })
    .await?;
    Ok(tagged(StatusCode::OK, &c.view(), c.version))
}

#[utoipa::path(delete, path = "/collections/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted (the content in it is not)"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    collections::delete(&ctx.store, &tenant, path_id(&id)?, if_match.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/collections/{id}/items", tag = "content", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Every item, in order", body = ItemList, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn items(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let c = read(&ctx, &principal, &id).await?;
    Ok(tagged(StatusCode::OK, &ItemList { items: c.items() }, c.version))
}

#[utoipa::path(post, path = "/collections/{id}/items", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the collection")),
    request_body(content = CollectionItemRequest, description = "The content to add, and where; without `order` the item goes last"),
    responses(
        (status = 201, description = "Added; later items move down one", body = CollectionItem, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn add_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let (content, at) = input::add_item(body)?;
    let (item, version) = collections::add(&ctx.store, &tenant, path_id(&id)?, if_match.0, content, at).await?;
    Ok(created(&item, version, &format!("/collections/{}/items/{content}", item.collection_id)))
}

#[utoipa::path(patch, path = "/collections/{id}/items/{contentId}", tag = "content",
    params(("id" = Uuid, Path), ("contentId" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the collection")),
    request_body(content = ItemMoveRequest, description = "The item's new position; the others keep their relative order"),
    responses(
        (status = 200, description = "Every item, in the new order", body = ItemList, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn move_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, content)): Path<(String, String)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let content = path_id(&content)?;
    let to = input::move_item(body)?;
    let c = collections::move_to(&ctx.store, &tenant, path_id(&id)?, if_match.0, content, to).await?;
    Ok(tagged(StatusCode::OK, &ItemList { items: c.items() }, c.version))
}

#[utoipa::path(delete, path = "/collections/{id}/items/{contentId}", tag = "content",
    params(("id" = Uuid, Path), ("contentId" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the collection")),
    responses(
        (status = 204, description = "Removed; later items move up one"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn remove_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, content)): Path<(String, String)>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let content = path_id(&content)?;
    collections::remove(&ctx.store, &tenant, path_id(&id)?, if_match.0, content).await?;
    Ok(StatusCode::NO_CONTENT)
}
