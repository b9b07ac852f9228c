//! The HTTP edge of sending: thin handlers, and the one place a [`RequestError`] becomes a problem.

use super::input::{self, SendRequest};
use super::model::{Delivery, RequestView};
use super::repo;
use super::service::{Accepted, RequestError, Service};
use crate::http::Api;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::{HeaderValue, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::problem::FieldError;
use nudge_core::http::{ApiError, ApiResult, IfMatch, JsonBody, ListQuery, Page, path_id, tagged};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const READ: &str = "notifications:read";
const SEND: &str = "notifications:send";

impl From<RequestError> for ApiError {
    fn from(err: RequestError) -> Self {
        match err {
            RequestError::NotFound => ApiError::NotFound,
            RequestError::Unknown(fields) => {
                ApiError::Rejected(fields.into_iter().map(|(p, m)| FieldError::body(p, m)).collect())
            }
            RequestError::Cancelled => ApiError::Conflict("the request is already cancelled".into(), vec![]),
            RequestError::VersionMoved => ApiError::PreconditionFailed,
            RequestError::Store(e) => e.into(),
            RequestError::Notification(e) => ApiError::internal(e),
        }
    }
}

pub(crate) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_by_id, cancel))
        .routes(routes!(deliveries))
        .routes(routes!(worker_deliveries))
}

fn view(status: StatusCode, view: &RequestView) -> Response {
    tagged(status, view, view.request.version)
}

#[utoipa::path(post, path = "/notifications", tag = "notifications",
    request_body = SendRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses(
        (status = 202, description = "Accepted: its deliveries are made and sent in the background; poll Location. A `dedupKey` used within 24 hours answers its first request and sends nothing.", body = RequestView, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<crate::http::Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(SEND)?;
    let now = ctx.clock.now();
    let input = input::read(body, now)?;
    let service = Service { store: &ctx.store, queue: &deps.queue, users: deps.users.as_ref() };
    let (accepted, replayed) = match service.create(&tenant, input, Some(principal.user_id), now).await? {
        Accepted::New(v) => (v, false),
        Accepted::Replayed(v) => (v, true),
    };
    let mut response = view(StatusCode::ACCEPTED, &accepted);
    if let Ok(location) = HeaderValue::from_str(&format!("/notifications/{}", accepted.request.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response.headers_mut().insert("deduplicated", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[utoipa::path(get, path = "/notifications", tag = "notifications",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "Requests, newest first (counts on each request's own page)", body = Page<super::model::NotificationRequest>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page =
        repo::list_requests(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/notifications/{id}", tag = "notifications",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The request and its deliveries counted by state", body = RequestView, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<crate::http::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let service = Service { store: &ctx.store, queue: &deps.queue, users: deps.users.as_ref() };
    Ok(view(StatusCode::OK, &service.get(&tenant, path_id(&id)?).await?))
}

#[utoipa::path(delete, path = "/notifications/{id}", tag = "notifications",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being cancelled")),
    responses((status = 200, description = "Cancelled: nothing not yet sent goes out", body = RequestView, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn cancel(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<crate::http::Deps>>,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let tenant = principal.require(SEND)?;
    let service = Service { store: &ctx.store, queue: &deps.queue, users: deps.users.as_ref() };
    let cancelled = service.cancel(&tenant, path_id(&id)?, if_match.0, Utc::now()).await?;
    Ok(view(StatusCode::OK, &cancelled))
}

#[utoipa::path(get, path = "/notifications/{id}/deliveries", tag = "notifications",
    params(
        ("id" = Uuid, Path),
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "One delivery per recipient: its state, reason, provider id and times", body = Page<Delivery>)),
    security(("bearer" = [])))]
async fn deliveries(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    repo::get_request(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound)?;
    let page = repo::list_deliveries(&ctx.store, &principal.scope(), &tenant, id, query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/workers/{id}/deliveries", tag = "notifications",
    params(
        ("id" = Uuid, Path),
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "What was sent to the worker, newest first", body = Page<Delivery>)),
    security(("bearer" = [])))]
async fn worker_deliveries(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    principal.require("workers:read")?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    nudge_workers::repo::get(&ctx.store, &tenant, id).await?.ok_or(ApiError::NotFound)?;
    let page =
        repo::worker_history(&ctx.store, &principal.scope(), &tenant, id, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page).into_response())
}
