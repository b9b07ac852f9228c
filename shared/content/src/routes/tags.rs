//! `/tags`: names unique per organization (case-insensitively), a display colour; many per content item.

use super::step;
use crate::input::{self, TagPatch, TagRequest};
use crate::model::Tag;
use crate::repo;
use crate::service::tags;
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

#[utoipa::path(post, path = "/tags", tag = "content", request_body = TagRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 201, description = "Created", body = Tag, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let fields = input::tag(body)?;
    let tag = tags::create(&ctx.store, &tenant, fields).await?;
    Ok(created(&tag, tag.version, &format!("/tags/{}", tag.id)))
}

#[utoipa::path(get, path = "/tags", tag = "content",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses(
        (status = 200, description = "Tags by name", body = nudge_core::http::Page<Tag>),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
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
pub(crate) async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let tag = tags::find(&ctx.store, &tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &tag, tag.version))
}

#[utoipa::path(patch, path = "/tags/{id}", tag = "content",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = TagPatch, content_type = "application/merge-patch+json", description = "JSON Merge Patch over `name` and `color`"),
    responses(
        (status = 200, description = "Updated", body = Tag, headers(("ETag" = String))),
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
    input::known_fields(&patch, &["name", "color"])?;
    let load = || async { Ok(tags::find(&ctx.store, &tenant, id).await?) };
    let tag = update::patch(if_match, &patch, load, |current: Tag, doc| async {
        let fields = input::tag(doc)?;
        Ok(step(tags::edit(&ctx.store, &tenant, current, fields).await?))
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
pub(crate) async fn delete_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let tenant = principal.require(CONTENT_WRITE)?;
    tags::delete(&ctx.store, &tenant, path_id(&id)?, if_match.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
