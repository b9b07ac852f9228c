//! `/tags`: names unique per organization (case-insensitively), a display colour; many per content item.

use crate::input::{self, TagPatch, TagRequest};
use crate::model::Tag;
use crate::repo;
use crate::workflow::{CONTENT_READ, CONTENT_WRITE};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::store::StoreError;

fn name_taken(err: StoreError) -> ApiError {
    match err {
        StoreError::Condition(repo::TAG_NAME_TAKEN) => ApiError::Conflict(
            "another tag already has this name".into(),
            vec![FieldError::body("/name", "is already taken")],
        ),
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/tags", tag = "content", request_body = TagRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created", body = Tag, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let fields = input::tag(body)?;
    let now = Utc::now();
    let tag = Tag { id: uuid::Uuid::now_v7(), fields, version: 1, created_at: now, updated_at: now };
    repo::create_tag(&ctx.store, &tenant, &tag).await.map_err(name_taken)?;
    Ok(created(&tag, tag.version, &format!("/tags/{}", tag.id)))
}

#[utoipa::path(get, path = "/tags", tag = "content",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses(
        (status = 200, description = "Tags by name", body = nudge_core::http::Page<Tag>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page = repo::list_tags(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(nudge_core::http::Page { items: page.items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/tags/{id}", tag = "content", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The tag", body = Tag, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_by_id(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let tag = repo::get_tag(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    Ok(tagged(StatusCode::OK, &tag, tag.version))
}

#[utoipa::path(patch, path = "/tags/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = TagPatch, content_type = "application/merge-patch+json", description = "JSON Merge Patch over `name` and `color`"),
    responses(
        (status = 200, description = "Updated", body = Tag, headers(("ETag" = String))),
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
    input::known_fields(&patch, &["name", "color"])?;
    let load = || async { repo::get_tag(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound) };
    let tag = update::patch(if_match, &patch, load, |current: Tag, doc| async {
        let fields = input::tag(doc)?;
        if fields == current.fields {
            return Ok(Step::Done(current));
        }
        let next = Tag { fields, version: current.version + 1, updated_at: Utc::now(), ..current.clone() };
        Step::written(repo::replace_tag(&ctx.store, &tenant, &current, &next).await, next, name_taken)
    })
    .await?;
    Ok(tagged(StatusCode::OK, &tag, tag.version))
}

#[utoipa::path(delete, path = "/tags/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
    ),
    security(("bearer" = [])))]
pub async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let current = repo::get_tag(&ctx.store, &tenant, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    if_match.check(current.version)?;
    repo::delete_tag(&ctx.store, &tenant, &current).await?;
    Ok(StatusCode::NO_CONTENT)
}
