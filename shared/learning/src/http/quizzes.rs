//! `/modules/{id}/quizzes`: a module's quizzes for their authors (with the answer key), written whole.

use super::modules::{READ, may_write};
use crate::authoring::{Modules, Quizzes};
use crate::input;
use crate::quiz::Quiz;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiResult, IfMatch, JsonBody, path_id, tagged};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one, replace, delete_one))
}

/// The quiz answers are the authors': reading them needs the right to change the module.
async fn authored(
    principal: &Principal,
    ctx: &Ctx,
    id: &str,
) -> ApiResult<(nudge_core::TenantId, crate::model::Module)> {
    principal.require(READ)?;
    let tenant = principal.tenant()?;
    let module = Modules { store: &ctx.store }.get(&tenant, path_id(id)?).await?;
    may_write(principal, &module)?;
    Ok((tenant, module))
}

#[utoipa::path(get, path = "/modules/{id}/quizzes", tag = "modules",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The module's quizzes with their answer keys (for its authors)", body = Vec<Quiz>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Json<Vec<Quiz>>> {
    let (tenant, module) = authored(&principal, &ctx, &id).await?;
    Ok(Json(Quizzes { store: &ctx.store }.list(&tenant, &module).await?))
}

#[utoipa::path(post, path = "/modules/{id}/quizzes", tag = "modules",
    params(("id" = Uuid, Path)),
    request_body = input::QuizWrite,
    description = "Adds a quiz; a module is complete when every section is and each of its quizzes is passed. 422 names every rule a question breaks (option counts, the correct ones, points). At most 10 quizzes.",
    responses((status = 201, description = "The quiz", body = Quiz, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (tenant, module) = authored(&principal, &ctx, &id).await?;
    let quiz = input::read_quiz(body, Uuid::now_v7(), module.id, 0)?;
    let q = Quizzes { store: &ctx.store }
        .save(&tenant, &module, quiz, None, Some(principal.user_id), ctx.clock.now())
        .await?;
    Ok(tagged(StatusCode::CREATED, &q, q.version))
}

#[utoipa::path(get, path = "/modules/{id}/quizzes/{quizId}", tag = "modules",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path)),
    responses((status = 200, description = "The quiz with its answer key", body = Quiz, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, quiz)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (tenant, module) = authored(&principal, &ctx, &id).await?;
    let q = Quizzes { store: &ctx.store }.get(&tenant, &module, path_id(&quiz)?).await?;
    Ok(tagged(StatusCode::OK, &q, q.version))
}

#[utoipa::path(put, path = "/modules/{id}/quizzes/{quizId}", tag = "modules",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being replaced")),
    request_body = input::QuizWrite,
    responses((status = 200, description = "Replaced", body = Quiz, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn replace(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, quiz)): Path<(String, String)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (tenant, module) = authored(&principal, &ctx, &id).await?;
    let quizzes = Quizzes { store: &ctx.store };
    let current = quizzes.get(&tenant, &module, path_id(&quiz)?).await?;
    let read = input::read_quiz(body, current.id, module.id, current.version)?;
    let q = quizzes.save(&tenant, &module, read, if_match.0, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &q, q.version))
}

#[utoipa::path(delete, path = "/modules/{id}/quizzes/{quizId}", tag = "modules",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path)),
    responses((status = 204, description = "Removed")),
    security(("bearer" = [])))]
async fn delete_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, quiz)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (tenant, module) = authored(&principal, &ctx, &id).await?;
    Quizzes { store: &ctx.store }
        .delete(&tenant, &module, path_id(&quiz)?, Some(principal.user_id), ctx.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
