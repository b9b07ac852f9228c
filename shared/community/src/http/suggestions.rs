//! Knowledge suggestions: suggested, voted on, commented and reviewed (`suggestions:manage`).

use super::{Api, MANAGE, MEMBER, param};
use crate::input;
use crate::model::{Suggestion, SuggestionComment, SuggestionStatus};
use crate::suggestions::{Sort, SuggestionView};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, JsonBody, ListQuery, Page, created, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list_suggestions, create_suggestion))
        .routes(routes!(get_suggestion))
        .routes(routes!(vote, unvote))
        .routes(routes!(list_comments, create_comment))
        .routes(routes!(decide))
}

#[utoipa::path(get, path = "/suggestions", tag = "community",
    params(("status" = Option<SuggestionStatus>, Query, description = "Only suggestions of this status"),
           ("sort" = Option<String>, Query, description = "`newest` (default) or `votes`: most votes first, within one status (`status`, OPEN when absent)", pattern = "^(newest|votes)$"),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "Suggestions with the caller's vote", body = Page<SuggestionView>)),
    security(("bearer" = [])))]
async fn list_suggestions(principal: Principal, State(api): State<Api>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let query = ListQuery::parse(uri.query(), &["status", "sort"])?;
    let status: Option<SuggestionStatus> =
        param("status", query.filter("status"), "OPEN, APPROVED, REJECTED, CONVERTED")?;
    let sort = match query.filter("sort") {
        None | Some("newest") => Sort::Newest,
        Some("votes") => Sort::Votes,
        Some(_) => return Err(ApiError::invalid(vec![FieldError::param("sort", "must be newest or votes")])),
    };
    let page = api
        .suggestions()
        .list(&principal.scope(), &tenant, principal.user_id, status, sort, query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/suggestions", tag = "community",
    request_body = input::SuggestionWrite,
    description = "Suggests knowledge worth a module; it is OPEN for votes and comments until reviewed.",
    responses((status = 201, description = "Created", body = Suggestion, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create_suggestion(
    principal: Principal,
    State(api): State<Api>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let (title, description) = input::read_suggestion(body)?;
    let s = api.suggestions().create(&tenant, principal.user_id, title, description, api.ctx.clock.now()).await?;
    Ok(created(&s, s.version, &format!("/suggestions/{}", s.id)))
}

#[utoipa::path(get, path = "/suggestions/{id}", tag = "community",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The suggestion with the caller's vote", body = SuggestionView, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_suggestion(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let view = api.suggestions().view(&tenant, path_id(&id)?, principal.user_id).await?;
    Ok(tagged(StatusCode::OK, &view, view.suggestion.version))
}

#[utoipa::path(post, path = "/suggestions/{id}/vote", tag = "community",
    params(("id" = Uuid, Path)),
    description = "The caller's vote, once: again, the same answer and the count unchanged. Only an open suggestion takes votes (409 otherwise). At 5 votes the reviewers are told, once (SUGGESTION_POPULAR).",
    responses((status = 200, description = "The suggestion with the exact count", body = SuggestionView)),
    security(("bearer" = [])))]
async fn vote(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Json<SuggestionView>> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    Ok(Json(api.suggestions().vote(&tenant, id, principal.user_id, api.ctx.clock.now()).await?))
}

#[utoipa::path(delete, path = "/suggestions/{id}/vote", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Withdraws the caller's vote (none: nothing changes); only while the suggestion is open (409 otherwise).",
    responses((status = 200, description = "The suggestion with the exact count", body = SuggestionView)),
    security(("bearer" = [])))]
async fn unvote(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionView>> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    Ok(Json(api.suggestions().unvote(&tenant, id, principal.user_id, api.ctx.clock.now()).await?))
}

#[utoipa::path(get, path = "/suggestions/{id}/comments", tag = "community",
    params(("id" = Uuid, Path),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "Its comments, oldest first (threads by parentId)", body = Page<SuggestionComment>)),
    security(("bearer" = [])))]
async fn list_comments(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page =
        api.suggestions().comments(&principal.scope(), &tenant, id, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/suggestions/{id}/comments", tag = "community",
    params(("id" = Uuid, Path)),
    request_body = input::SuggestionCommentWrite,
    description = "Comments on a suggestion, or answers a comment of it (`parentId`; another suggestion's is a 422).",
    responses((status = 201, description = "Created", body = SuggestionComment)),
    security(("bearer" = [])))]
async fn create_comment(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    let (text, parent) = input::read_comment(body)?;
    let c = api.suggestions().comment(&tenant, id, principal.user_id, text, parent, api.ctx.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[utoipa::path(post, path = "/suggestions/{id}/status", tag = "community",
    params(("id" = Uuid, Path)),
    request_body = input::SuggestionStatusWrite,
    description = "Reviews an open suggestion (409 once reviewed): APPROVED, REJECTED, or CONVERTED into a module of the organization. The author and every voter are told once (SUGGESTION_STATUS_CHANGED); approved or converted, the author earns TOP_SUGGESTION XP once. Audited as `suggestion.reviewed`. Needs `suggestions:manage`.",
    responses((status = 200, description = "The reviewed suggestion", body = Suggestion, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn decide(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MANAGE)?;
    let id = path_id(&id)?;
    let decision = input::read_decision(body)?;
    let s = api.suggestions().decide(&tenant, id, principal.user_id, decision, api.ctx.clock.now()).await?;
    let note = AuditNote::new("suggestion.reviewed", "suggestion", Some(id.to_string()))
        .metadata(serde_json::json!({"status": s.status, "moduleId": s.module_id}));
    Ok((note, tagged(StatusCode::OK, &s, s.version)).into_response())
}
