//! `/contents/{id}/versions`: every change's version, one version with its full snapshot, and restoring one.

use super::contents::{Change, commit, workflow_error};
use crate::input::{self, RestoreRequest};
use crate::model::ContentVersion;
use crate::repo;
use crate::snapshots::Snapshots;
use crate::workflow::{self, CONTENT_READ, CONTENT_WRITE};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::path_id;
use nudge_core::http::{ApiError, ApiResult, IfMatch, ListQuery, input::parse_json, tagged};
use nudge_core::store::optimistic;
use std::sync::Arc;

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
pub async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let (scope, cursor) = (principal.scope(), query.cursor.as_deref());
    let page = repo::versions_page(&ctx.store, &scope, &tenant, id, query.limit, cursor);
    // The first page is served only while the content exists (read alongside): a deleted item's versions
    // may not all be cleared yet. A cursor was issued while it existed.
    let page = match cursor {
        Some(_) => page.await?,
        None => {
            let (page, content) = tokio::try_join!(page, repo::get(&ctx.store, &tenant, id))?;
            content.ok_or(ApiError::NotFound)?;
            page
        }
    };
    let items = page.items.into_iter().map(|v| ContentVersion { snapshot: None, ..v.version }).collect();
    Ok(Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/contents/{id}/versions/{number}", tag = "content",
    params(("id" = Uuid, Path), ("number" = u64, Path)),
    responses(
        (status = 200, description = "The version with its full snapshot", body = ContentVersion),
    ),
    security(("bearer" = [])))]
pub async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(snapshots): State<Arc<Snapshots>>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<Response> {
    let tenant = principal.require(CONTENT_READ)?;
    let stored =
        repo::live_version(&ctx.store, &tenant, path_id(&id)?, number(&n)?).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(snapshots.open(&tenant, stored).await?).into_response())
}

#[utoipa::path(post, path = "/contents/{id}/versions/{number}/restore", tag = "content",
    params(("id" = Uuid, Path), ("number" = u64, Path), ("If-Match" = Option<String>, Header, description = "ETag of the content version being replaced")),
    request_body(content = Option<RestoreRequest>, description = "Optional: a note for the version this makes"),
    responses(
        (status = 200, description = "The content with the version's fields as a new draft version", body = crate::model::Content, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn restore(
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
    let item = optimistic::retry(|| async {
        let current = repo::get(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound)?;
        if_match.check(current.version)?;
        let stored = repo::version(&ctx.store, &tenant, id, n).await?.ok_or(ApiError::NotFound)?;
        let snapshot = snapshots
            .open(&tenant, stored)
            .await?
            .snapshot
            .ok_or_else(|| ApiError::internal("a version without a snapshot"))?;
        let status = workflow::after_edit(current.status).map_err(workflow_error)?;
        let next = current.revised(snapshot.fields, status, principal.user_id, Utc::now());
        let note = Some(match &note {
            Some(text) => format!("Restored version {n}: {text}"),
            None => format!("Restored version {n}"),
        });
        let change = Change { current: Some(&current), next, note, actor: principal.user_id };
        // What the version names that is gone is a conflict with the present, not a broken rule.
        commit(&ctx, &snapshots, &tenant, change, if_match.0.is_none()).await.map_err(|e| match e {
            ApiError::Rejected(errors) => {
                ApiError::Conflict(format!("version {n} names tags or media that are no longer usable"), errors)
            }
            other => other,
        })
    })
    .await?;
    Ok(tagged(StatusCode::OK, &item, item.version))
}
