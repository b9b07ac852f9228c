//! `/contents/{id}/versions`: every change's version, one version with its full snapshot, and restoring one.

use crate::input::{self, RestoreRequest};
use crate::model::ContentVersion;
use crate::service::{Library, versions};
use crate::snapshots::Snapshots;
use crate::workflow::{CONTENT_READ, CONTENT_WRITE};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::{ApiError, ApiResult, IfMatch, ListQuery, input::parse_json, tagged};
use std::sync::Arc;

/// A version number in a path: one that is not a positive integer names nothing.
fn number(n: &str) -> ApiResult<u64> {
    n.parse::<u64>().ok().filter(|n| *n >= 1).ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/contents/{id}/versions", tag = "content",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses(
        (status = 200, description = "Versions, newest first, without snapshots", body = nudge_core::http::Page<ContentVersion>),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let (scope, cursor) = (principal.scope(), query.cursor.as_deref());
    let page = versions::page(&ctx.store, &scope, &tenant, id, query.limit, cursor).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/contents/{id}/versions/{number}", tag = "content",
    params(("id" = Uuid, Path), ("number" = u64, Path)),
    responses(
        (status = 200, description = "The version with its full snapshot", body = ContentVersion),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    Ok(Json(versions::one(lib, path_id(&id)?, number(&n)?).await?).into_response())
}

#[utoipa::path(post, path = "/contents/{id}/versions/{number}/restore", tag = "content",
    params(("id" = Uuid, Path), ("number" = u64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the content version being replaced")),
    request_body(content = Option<RestoreRequest>, description = "Optional: a note for the version this makes"),
    responses(
        (status = 200, description = "The content with the version's fields as a new draft version", body = crate::model::Content, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn restore(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path((id, n)): Path<(String, String)>,
    if_match: IfMatch,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_WRITE)?;
    let (id, n) = (path_id(&id)?, number(&n)?);
    let body = if body.is_empty() { None } else { Some(parse_json(&body)?) };
    let note = input::restore(body)?;
    let lib = Library { store: &ctx.store, snapshots: &snapshots, tenant: &tenant };
    let item = versions::restore(lib, id, n, if_match.0, note, principal.user_id).await?;
    Ok(tagged(StatusCode::OK, &item, item.version))
}
