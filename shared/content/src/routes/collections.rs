//! `/collections` and `/collections/{id}/items`: named, ordered sets of content. One content item may be in
//! many collections, once in each; positions are dense (`0..n`) and only change when asked to.

use crate::input::{self, CollectionItemRequest, CollectionPatch, CollectionRequest, ItemMoveRequest};
use crate::model::{Collection, CollectionItem, CollectionView, Entry};
use crate::order::{self, OrderError};
use crate::repo::{self, EntryChange};
use crate::workflow::{CONTENT_READ, CONTENT_WRITE};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::store::{Attempt, StoreError, optimistic};
use nudge_core::{Ctx, TenantId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Most entries a collection holds (it is one item, at most ~60 bytes an entry).
pub const MAX_ENTRIES: usize = 500;

/// Every item of a collection, in order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemList {
    pub items: Vec<CollectionItem>,
}

/// A position beyond the collection's end: the schema allows it (it bounds every collection), the rule not.
fn order_error(err: OrderError) -> ApiError {
    ApiError::rule("/order", err.to_string())
}

/// What a change did to a collection.
pub(crate) enum Outcome {
    Unchanged,
    Changed,
    /// Added this content, which must exist here for the write to happen.
    Added(Uuid),
    /// Took this content out.
    Removed(Uuid),
}

/// Read, change, write with the version read; retried on a concurrent change unless If-Match pinned one.
pub(crate) async fn update<F>(
    ctx: &Ctx,
    tenant: &TenantId,
    id: Uuid,
    if_match: IfMatch,
    change: F,
) -> ApiResult<Collection>
where
    F: Fn(&mut Collection) -> ApiResult<Outcome>,
{
    optimistic::retry(|| async {
        let current = repo::get_collection(&ctx.store, tenant, id).await?.ok_or(ApiError::NotFound)?;
        if_match.check(current.version)?;
        let mut next = current.clone();
        let entry = match change(&mut next)? {
            Outcome::Unchanged => return Ok(Attempt::Done(current)),
            Outcome::Changed => EntryChange::None,
            Outcome::Added(content) => EntryChange::Added(content),
            Outcome::Removed(content) => EntryChange::Removed(content),
        };
        next.version = current.version + 1;
        next.updated_at = Utc::now();
        match repo::replace_collection(&ctx.store, tenant, &current, &next, entry).await {
            Err(StoreError::Condition(repo::CONTENT_EXISTS)) => {
                Err(ApiError::rule("/contentId", "is not content of this organization"))
            }
            other => Ok(optimistic::settle(other, next, if_match.0.is_none())?),
        }
    })
    .await
}

#[utoipa::path(post, path = "/collections", tag = "content", request_body = CollectionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created, empty", body = CollectionView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let fields = input::collection(body)?;
    let now = Utc::now();
    let c = Collection {
        id: Uuid::now_v7(),
        fields,
        entries: vec![],
        created_by_id: Some(principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::create_collection(&ctx.store, &tenant, &c).await?;
    Ok(created(&c.view(), c.version, &format!("/collections/{}", c.id)))
}

#[utoipa::path(get, path = "/collections", tag = "content",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses(
        (status = 200, description = "Collections, oldest first", body = nudge_core::http::Page<CollectionView>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page =
        repo::list_collections(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.iter().map(Collection::view).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

async fn read(ctx: &Ctx, principal: &Principal, id: &str) -> ApiResult<Collection> {
    let tenant = principal.require(CONTENT_READ)?;
    repo::get_collection(&ctx.store, &tenant, path_id(id)?).await?.ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/collections/{id}", tag = "content", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The collection", body = CollectionView, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
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
pub async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let id = path_id(&id)?;
    input::known_fields(&patch, &["name", "description"])?;
    let load = || async { repo::get_collection(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound) };
    let c = update::patch(if_match, &patch, load, |current: Collection, doc| async {
        let fields = input::collection(doc)?;
        if fields == current.fields {
            return Ok(Step::Done(current));
        }
        let next = Collection { fields, version: current.version + 1, updated_at: Utc::now(), ..current.clone() };
        let written = repo::replace_collection(&ctx.store, &tenant, &current, &next, EntryChange::None).await;
        Step::written(written, next, ApiError::from)
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
pub async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let current = repo::get_collection(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    if_match.check(current.version)?;
    repo::delete_collection(&ctx.store, &tenant, &current).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/collections/{id}/items", tag = "content", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Every item, in order", body = ItemList, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn items(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
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
pub async fn add_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let (content, at) = input::add_item(body)?;
    let c = update(&ctx, &tenant, path_id(&id)?, if_match, |c| {
        if c.position(content).is_some() {
            return Err(ApiError::Conflict("the content is already in this collection".into(), vec![]));
        }
        if c.entries.len() >= MAX_ENTRIES {
            return Err(ApiError::Conflict(format!("a collection holds at most {MAX_ENTRIES} items"), vec![]));
        }
        order::insert(&mut c.entries, Entry { content_id: content, added_at: Utc::now() }, at).map_err(order_error)?;
        Ok(Outcome::Added(content))
    })
    .await?;
    let item = c
        .items()
        .into_iter()
        .find(|i| i.content_id == content)
        .ok_or_else(|| ApiError::internal("added item missing"))?;
    Ok(created(&item, c.version, &format!("/collections/{}/items/{content}", c.id)))
}

#[utoipa::path(patch, path = "/collections/{id}/items/{contentId}", tag = "content",
    params(("id" = Uuid, Path), ("contentId" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the collection")),
    request_body(content = ItemMoveRequest, description = "The item's new position; the others keep their relative order"),
    responses(
        (status = 200, description = "Every item, in the new order", body = ItemList, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn move_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, content)): Path<(String, String)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let content = path_id(&content)?;
    let to = input::move_item(body)?;
    let c = update(&ctx, &tenant, path_id(&id)?, if_match, |c| {
        let from = c.position(content).ok_or(ApiError::NotFound)?;
        if from == to {
            return Ok(Outcome::Unchanged);
        }
        order::move_to(&mut c.entries, from, to).map_err(order_error)?;
        Ok(Outcome::Changed)
    })
    .await?;
    Ok(tagged(StatusCode::OK, &ItemList { items: c.items() }, c.version))
}

#[utoipa::path(delete, path = "/collections/{id}/items/{contentId}", tag = "content",
    params(("id" = Uuid, Path), ("contentId" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the collection")),
    responses(
        (status = 204, description = "Removed; later items move up one"),
    ),
    security(("bearer" = [])))]
pub async fn remove_item(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, content)): Path<(String, String)>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let content = path_id(&content)?;
    update(&ctx, &tenant, path_id(&id)?, if_match, |c| {
        if !c.remove_content(content) {
            return Err(ApiError::NotFound);
        }
        Ok(Outcome::Removed(content))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
