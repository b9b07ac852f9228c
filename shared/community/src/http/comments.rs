//! Threaded comments on published learning modules: read and written by every member; resolved by the
//! thread's author, a mentor of the module or `community:moderate`.

use super::{Api, member};
use crate::input;
use crate::model::ModuleComment;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiResult, JsonBody, ListQuery, Page, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list_module_comments, create_module_comment))
        .routes(routes!(resolve))
        .routes(routes!(unresolve))
}

#[utoipa::path(get, path = "/modules/{id}/comments", tag = "community",
    params(("id" = Uuid, Path),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    description = "A published module's comments (any other module is a 404).",
    responses((status = 200, description = "Oldest first (threads by parentId and rootId)", body = Page<ModuleComment>)),
    security(("bearer" = [])))]
async fn list_module_comments(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let (tenant, _) = member(&principal)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page = api.comments().list(&principal.scope(), &tenant, id, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/modules/{id}/comments", tag = "community",
    params(("id" = Uuid, Path)),
    request_body = input::ModuleCommentWrite,
    description = "Comments on a published module (any other is a 404), or answers a comment of it (`parentId`; another module's is a 422). The parent's author is told once (COMMENT_REPLY), unless they answer themselves.",
    responses((status = 201, description = "Created", body = ModuleComment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn create_module_comment(
    principal: Principal,
    State(api): State<Api>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (tenant, caller) = member(&principal)?;
    let id = path_id(&id)?;
    let (text, parent) = input::read_module_comment(body)?;
    let c = api.comments().create(&tenant, id, caller.user, text, parent, api.ctx.clock.now()).await?;
    Ok(tagged(StatusCode::CREATED, &c, c.version))
}

async fn resolved_as(
    principal: Principal,
    api: Api,
    module: &str,
    comment: &str,
    resolved: bool,
) -> ApiResult<Response> {
    let (tenant, caller) = member(&principal)?;
    let (module, comment) = (path_id(module)?, path_id(comment)?);
    let c = api.comments().resolve(&tenant, module, comment, caller, resolved, api.ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &c, c.version))
}

#[utoipa::path(post, path = "/modules/{id}/comments/{commentId}/resolve", tag = "community",
    params(("id" = Uuid, Path), ("commentId" = Uuid, Path)),
    description = "Marks a comment resolved (resolvedById, resolvedAt); again: as it is. By the author of its thread's first comment, a mentor of the module, or a holder of `community:moderate` (403 otherwise).",
    responses((status = 200, description = "Resolved", body = ModuleComment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn resolve(
    principal: Principal,
    State(api): State<Api>,
    Path((id, comment)): Path<(String, String)>,
) -> ApiResult<Response> {
    resolved_as(principal, api, &id, &comment, true).await
}

#[utoipa::path(post, path = "/modules/{id}/comments/{commentId}/unresolve", tag = "community",
    params(("id" = Uuid, Path), ("commentId" = Uuid, Path)),
    description = "Reopens a resolved comment; again: as it is. Same rights as resolving.",
    responses((status = 200, description = "Open again", body = ModuleComment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn unresolve(
    principal: Principal,
    State(api): State<Api>,
    Path((id, comment)): Path<(String, String)>,
) -> ApiResult<Response> {
    resolved_as(principal, api, &id, &comment, false).await
}
