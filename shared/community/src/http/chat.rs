//! Chat: the organization's channel and one per learning module, read and written by every member; answers
//! confirmed by a mentor of the module (or `community:moderate`).

use super::{Api, member};
use crate::input;
use crate::model::ChatMessage;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, JsonBody, ListQuery, Page, created, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, post_message))
        .routes(routes!(get_message))
        .routes(routes!(confirm, unconfirm))
}

#[utoipa::path(get, path = "/chat/messages", tag = "community",
    params(("moduleId" = Option<Uuid>, Query, description = "A module's channel (a module of another organization, or none, is a 404); the organization's channel when absent"),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "The channel's messages, newest first", body = Page<ChatMessage>)),
    security(("bearer" = [])))]
async fn list_messages(principal: Principal, State(api): State<Api>, uri: http::Uri) -> ApiResult<Response> {
    let (tenant, _) = member(&principal)?;
    let query = ListQuery::parse(uri.query(), &["moduleId"])?;
    let module = query
        .filter("moduleId")
        .map(|raw| Uuid::parse_str(raw).map_err(|_| ApiError::param("moduleId", "must be a UUID")))
        .transpose()?;
    let page = api.chat().list(&principal.scope(), &tenant, module, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/chat/messages", tag = "community",
    request_body = input::ChatMessageWrite,
    description = "Posts to the organization's channel, or to a module's (`moduleId`, a module of the organization; 422 otherwise). `type` is MESSAGE when absent; SYSTEM needs `community:moderate` (422 otherwise).",
    responses((status = 201, description = "Posted", body = ChatMessage, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn post_message(principal: Principal, State(api): State<Api>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let (tenant, caller) = member(&principal)?;
    let m = input::read_chat_message(body, caller.moderator)?;
    let m = api.chat().post(&tenant, caller.user, m.module_id, m.message_type, m.body, api.ctx.clock.now()).await?;
    Ok(created(&m, m.version, &format!("/chat/messages/{}", m.id)))
}

#[utoipa::path(get, path = "/chat/messages/{id}", tag = "community",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The message", body = ChatMessage, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_message(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let (tenant, _) = member(&principal)?;
    let m = api.chat().get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &m, m.version))
}

#[utoipa::path(post, path = "/chat/messages/{id}/confirm", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Confirms a message as the answer (isConfirmedAnswer, confirmedById, confirmedAt); its author earns MENTOR_CONFIRMATION XP once per message, in the same write. Again: as it is. By a mentor of the message's module or a holder of `community:moderate` (403 otherwise); one's own message, and a JOIN, SYSTEM or ACTION message, cannot be confirmed (422). Audited as `chat.answer_confirmed`.",
    responses((status = 200, description = "The confirmed message", body = ChatMessage, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn confirm(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let (tenant, caller) = member(&principal)?;
    let id = path_id(&id)?;
    let m = api.chat().confirm(&tenant, id, caller, api.ctx.clock.now()).await?;
    let note = AuditNote::new("chat.answer_confirmed", "chat_message", Some(id.to_string()));
    Ok((note, tagged(StatusCode::OK, &m, m.version)).into_response())
}

#[utoipa::path(delete, path = "/chat/messages/{id}/confirm", tag = "community",
    params(("id" = Uuid, Path)),
    description = "Takes back a confirmation (none: as it is). The XP the author earned stays: ledger entries are never edited, and confirming the message again pays nothing more. Same rights as confirming. Audited as `chat.answer_unconfirmed`.",
    responses((status = 200, description = "The message, no longer a confirmed answer", body = ChatMessage, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn unconfirm(principal: Principal, State(api): State<Api>, Path(id): Path<String>) -> ApiResult<Response> {
    let (tenant, caller) = member(&principal)?;
    let id = path_id(&id)?;
    let m = api.chat().unconfirm(&tenant, id, caller, api.ctx.clock.now()).await?;
    let note = AuditNote::new("chat.answer_unconfirmed", "chat_message", Some(id.to_string()));
    Ok((note, tagged(StatusCode::OK, &m, m.version)).into_response())
}
