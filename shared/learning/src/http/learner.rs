//! `/me/…`: the caller as a learner. Modules are the published ones; quizzes are shown without their
//! answer key until an attempt is submitted.

use super::Deps;
use crate::learner::model::{Certificate, ModuleProgress};
use crate::learner::{LearnerError, Learning};
use crate::model::{Module, Section};
use crate::pins::Pin;
use crate::quiz::{self, Attempt, AttemptState, AttemptView, ReviewView};
use crate::{input, repo};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, JsonBody, path_id};
use nudge_core::store::Query;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const LEARN: &str = "modules:learn";

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(my_learning))
        .routes(routes!(my_module))
        .routes(routes!(complete_section))
        .routes(routes!(acknowledge))
        .routes(routes!(start_attempt))
        .routes(routes!(get_attempt))
        .routes(routes!(save_answers))
        .routes(routes!(submit))
        .routes(routes!(my_certificates))
        .routes(routes!(self_assessment))
        .routes(routes!(override_progress))
        .routes(routes!(pin_mine, unpin_mine))
        .routes(routes!(company_pins))
        .routes(routes!(pin_company, unpin_company))
}

impl From<LearnerError> for ApiError {
    fn from(e: LearnerError) -> Self {
        match e {
            LearnerError::NotFound => ApiError::NotFound,
            LearnerError::Conflict(why) => ApiError::Conflict(why, Vec::new()),
            LearnerError::Rejected(errors) => ApiError::Rejected(errors),
            LearnerError::Store(e) => e.into(),
        }
    }
}

/// Where a learner stands in a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum ModuleState {
    NotStarted,
    InProgress,
    Completed,
}

/// A module on the learner's list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct LearningItem {
    module_id: Uuid,
    title: String,
    published_version: u32,
    state: ModuleState,
    sections_completed: usize,
    /// A version was published since the learner last saw the module: `GET /modules/{id}/changelog` says
    /// what changed; `POST /me/modules/{id}/review` acknowledges it.
    review_needed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<DateTime<Utc>>,
    /// Assigned to the learner through one of their groups.
    assigned: bool,
    /// Mandatory in one of those groups.
    is_mandatory: bool,
    /// The earliest due date of those assignments.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<DateTime<Utc>>,
    /// Due and not completed.
    overdue: bool,
    /// Pinned by the learner.
    pinned: bool,
    /// Pinned by the organization for everyone.
    company_pinned: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct MyLearning {
    modules: Vec<LearningItem>,
}

fn state(p: Option<&ModuleProgress>) -> ModuleState {
    match p {
        None => ModuleState::NotStarted,
        Some(p) if p.completed_at.is_some() => ModuleState::Completed,
        Some(_) => ModuleState::InProgress,
    }
}

#[utoipa::path(get, path = "/me/learning", tag = "learning",
    responses((status = 200, description = "The organization's published modules with where the caller stands in each: those assigned to them first, by due date", body = MyLearning)),
    security(("bearer" = [])))]
async fn my_learning(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<MyLearning>> {
    let tenant = principal.require(LEARN)?;
    let published: Vec<Module> = ctx
        .store
        .all(&Query::partition(crate::keys::modules_partition(&tenant)).filter_eq("status", "PUBLISHED"))
        .await?;
    let progress = crate::learner::repo::all_progress(&ctx.store, &tenant, principal.user_id).await?;
    let assigned = crate::groups::Groups { store: &ctx.store }.assigned_to(&tenant, principal.user_id).await?;
    let mine = crate::pins::user_pins(&ctx.store, &tenant, principal.user_id).await?;
    let company = crate::pins::company_pins(&ctx.store, &tenant).await?;
    let now = ctx.clock.now();
    let mut modules: Vec<LearningItem> = published
        .into_iter()
        .map(|m| {
            let p = progress.iter().find(|p| p.module_id == m.id);
            let ours: Vec<_> = assigned.iter().filter(|(a, _)| a.module_id == m.id).collect();
            let due_at = crate::deadline::due_for(ours.iter().copied(), m.id, p.and_then(|p| p.round_started_at));
            let completed_at = p.and_then(|p| p.completed_at);
            LearningItem {
                assigned: !ours.is_empty(),
                is_mandatory: ours.iter().any(|(a, _)| a.is_mandatory),
                pinned: mine.iter().any(|p| p.module_id == m.id),
                company_pinned: company.iter().any(|p| p.module_id == m.id),
                due_at,
                overdue: crate::deadline::overdue(due_at, completed_at, now),
                module_id: m.id,
                title: m.title.clone(),
                published_version: m.published_version,
                state: state(p),
                sections_completed: p.map_or(0, |p| p.sections.len()),
                review_needed: p.is_some_and(|p| p.last_seen_version < m.published_version),
                completed_at,
            }
        })
        .collect();
    // Assigned first, soonest due first; then the rest by title.
    modules.sort_by(|a, b| {
        (!a.assigned, a.due_at.is_none(), a.due_at, a.title.to_lowercase()).cmp(&(
            !b.assigned,
            b.due_at.is_none(),
            b.due_at,
            b.title.to_lowercase(),
        ))
    });
    Ok(Json(MyLearning { modules }))
}

/// A quiz as a learner sees it before attempting it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct QuizSummary {
    id: Uuid,
    title: String,
    questions: usize,
    passing_score: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_limit_minutes: Option<u32>,
    attempts_used: u32,
    passed: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct MyModule {
    module: Module,
    sections: Vec<Section>,
    quizzes: Vec<QuizSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<ModuleProgress>,
}

#[utoipa::path(get, path = "/me/modules/{id}", tag = "learning",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "A published module, its sections, its quizzes (no answers) and the caller's progress", body = MyModule)),
    security(("bearer" = [])))]
async fn my_module(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<MyModule>> {
    let tenant = principal.require(LEARN)?;
    let module =
        Learning { store: &ctx.store, notifications: &deps.notifications }.module(&tenant, path_id(&id)?).await?;
    let sections = repo::sections(&ctx.store, &tenant, module.id).await?;
    let progress = crate::learner::repo::progress(&ctx.store, &tenant, principal.user_id, module.id).await?;
    let mut quizzes = Vec::new();
    for q in repo::quizzes(&ctx.store, &tenant, module.id).await? {
        let used = crate::learner::repo::attempts(&ctx.store, &tenant, principal.user_id, q.id).await?.in_round();
        quizzes.push(QuizSummary {
            id: q.id,
            title: q.title.clone(),
            questions: q.questions.len(),
            passing_score: q.passing_score,
            max_attempts: q.max_attempts,
            time_limit_minutes: q.time_limit_minutes,
            attempts_used: used,
            passed: progress.as_ref().is_some_and(|p| p.quizzes_passed.contains_key(&q.id)),
        });
    }
    Ok(Json(MyModule { module, sections, quizzes, progress }))
}

#[utoipa::path(post, path = "/me/modules/{id}/sections/{sectionId}/complete", tag = "learning",
    params(("id" = Uuid, Path), ("sectionId" = Uuid, Path)),
    description = "Records the section as completed (once: again changes nothing). The last requirement done completes the module and issues its certificate, exactly once.",
    responses((status = 200, description = "The caller's progress in the module", body = ModuleProgress)),
    security(("bearer" = [])))]
async fn complete_section(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, section)): Path<(String, String)>,
) -> ApiResult<Json<ModuleProgress>> {
    let tenant = principal.require(LEARN)?;
    let (module, section) = (path_id(&id)?, path_id(&section)?);
    let p = Learning { store: &ctx.store, notifications: &deps.notifications }
        .complete_section(&tenant, principal.user_id, module, section, ctx.clock.now())
        .await?;
    Ok(Json(p))
}

#[utoipa::path(post, path = "/me/modules/{id}/review", tag = "learning",
    params(("id" = Uuid, Path)),
    description = "Acknowledges the module's current version (what changed is its changelog).",
    responses((status = 200, description = "The caller's progress in the module", body = ModuleProgress)),
    security(("bearer" = [])))]
async fn acknowledge(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<ModuleProgress>> {
    let tenant = principal.require(LEARN)?;
    let p = Learning { store: &ctx.store, notifications: &deps.notifications }
        .acknowledge(&tenant, principal.user_id, path_id(&id)?, ctx.clock.now())
        .await?;
    Ok(Json(p))
}

/// An attempt as its learner sees it: the questions without answers while open, the review once finished.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct AttemptAnswer {
    number: u32,
    state: AttemptState,
    started_at: DateTime<Utc>,
    /// When it closes (the time limit; a grace period, if the quiz has one, comes after).
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    questions: Option<AttemptView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<ReviewView>,
}

fn answer(q: &quiz::Quiz, a: &Attempt) -> AttemptAnswer {
    let finished = a.state.is_finished();
    let scored = quiz::score(q, &a.layout, &a.answers);
    AttemptAnswer {
        number: a.number,
        state: a.state,
        started_at: a.started_at,
        deadline: a.deadline,
        submitted_at: a.submitted_at,
        score: a.score,
        passed: a.passed,
        questions: (!finished).then(|| quiz::view(q, &a.layout, &a.answers)),
        review: (finished && a.state.is_scored()).then(|| quiz::review(q, &a.layout, &a.answers, &scored)),
    }
}

fn number(raw: &str) -> ApiResult<u32> {
    raw.parse::<u32>().ok().filter(|n| (1..=1000).contains(n)).ok_or(ApiError::NotFound)
}

#[utoipa::path(post, path = "/me/modules/{id}/quizzes/{quizId}/attempts", tag = "learning",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path)),
    description = "Starts an attempt: its questions (in its own order, without answers) and its deadline are fixed now and it counts against `maxAttempts` at once (409 when none is left). An attempt still open and in time is answered instead (200).",
    responses(
        (status = 201, description = "A new attempt", body = AttemptAnswer),
        (status = 200, description = "The attempt still open", body = AttemptAnswer),
    ),
    security(("bearer" = [])))]
async fn start_attempt(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, quiz)): Path<(String, String)>,
) -> ApiResult<Response> {
    let tenant = principal.require(LEARN)?;
    let (module, quiz_id) = (path_id(&id)?, path_id(&quiz)?);
    let learning = Learning { store: &ctx.store, notifications: &deps.notifications };
    let out = learning.start(&tenant, principal.user_id, module, quiz_id, ctx.clock.now()).await?;
    let q = repo::get_quiz(&ctx.store, &tenant, module, quiz_id).await?.ok_or(ApiError::NotFound)?;
    let status = if out.resumed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(answer(&q, &out.attempt))).into_response())
}

#[utoipa::path(get, path = "/me/modules/{id}/quizzes/{quizId}/attempts/{number}", tag = "learning",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path), ("number" = u32, Path, minimum = 1, maximum = 1000)),
    responses((status = 200, description = "The attempt (one past its deadline is finalised from what was saved)", body = AttemptAnswer)),
    security(("bearer" = [])))]
async fn get_attempt(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, quiz, n)): Path<(String, String, String)>,
) -> ApiResult<Json<AttemptAnswer>> {
    let tenant = principal.require(LEARN)?;
    let (module, quiz_id, n) = (path_id(&id)?, path_id(&quiz)?, number(&n)?);
    let (q, a) = Learning { store: &ctx.store, notifications: &deps.notifications }
        .attempt(&tenant, principal.user_id, module, quiz_id, n, ctx.clock.now())
        .await?;
    Ok(Json(answer(&q, &a)))
}

#[utoipa::path(put, path = "/me/modules/{id}/quizzes/{quizId}/attempts/{number}/answers", tag = "learning",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path), ("number" = u32, Path, minimum = 1, maximum = 1000)),
    request_body = input::AnswersWrite,
    description = "Saves the answers so far (replacing those saved before), while the attempt is open and in time; afterwards 409 (it was finalised with what was saved in time). 422 names an answer to a question or an option the attempt does not have.",
    responses((status = 200, description = "The attempt", body = AttemptAnswer)),
    security(("bearer" = [])))]
async fn save_answers(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, quiz, n)): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<AttemptAnswer>> {
    let tenant = principal.require(LEARN)?;
    let (module, quiz_id, n) = (path_id(&id)?, path_id(&quiz)?, number(&n)?);
    let answers = input::read_answers(body)?.unwrap_or_default();
    let a = Learning { store: &ctx.store, notifications: &deps.notifications }
        .save(&tenant, principal.user_id, module, quiz_id, n, answers, ctx.clock.now())
        .await?;
    let q = repo::get_quiz(&ctx.store, &tenant, module, quiz_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(answer(&q, &a)))
}

#[utoipa::path(post, path = "/me/modules/{id}/quizzes/{quizId}/attempts/{number}/submit", tag = "learning",
    params(("id" = Uuid, Path), ("quizId" = Uuid, Path), ("number" = u32, Path, minimum = 1, maximum = 1000)),
    request_body = input::AnswersWrite,
    description = "Submits the attempt, scored on the server (with `answers` if given, else those saved). After the deadline (and any grace period) it is never taken as on time: it is finalised from what was saved in time and the answers sent now are ignored. A pass may complete the module.",
    responses((status = 200, description = "The finished attempt with its review", body = AttemptAnswer)),
    security(("bearer" = [])))]
async fn submit(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, quiz, n)): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<AttemptAnswer>> {
    let tenant = principal.require(LEARN)?;
    let (module, quiz_id, n) = (path_id(&id)?, path_id(&quiz)?, number(&n)?);
    let answers = input::read_answers(body)?;
    let (q, a) = Learning { store: &ctx.store, notifications: &deps.notifications }
        .submit(&tenant, principal.user_id, module, quiz_id, n, answers, ctx.clock.now())
        .await?;
    Ok(Json(answer(&q, &a)))
}

#[utoipa::path(get, path = "/me/certificates", tag = "learning",
    responses((status = 200, description = "The caller's certificates, oldest first", body = Vec<Certificate>)),
    security(("bearer" = [])))]
async fn my_certificates(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<Certificate>>> {
    let tenant = principal.require(LEARN)?;
    Ok(Json(crate::learner::repo::certificates(&ctx.store, &tenant, principal.user_id).await?))
}

#[utoipa::path(put, path = "/me/modules/{id}/self-assessment", tag = "learning",
    params(("id" = Uuid, Path)),
    request_body = input::AssessmentWrite,
    description = "The caller's own rating of their grasp of the module (1–5) and a note; again: replaces it.",
    responses((status = 200, description = "The caller's progress in the module", body = ModuleProgress)),
    security(("bearer" = [])))]
async fn self_assessment(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<ModuleProgress>> {
    let tenant = principal.require(LEARN)?;
    let module = path_id(&id)?;
    let (rating, note) = input::read_assessment(body)?;
    let p = Learning { store: &ctx.store, notifications: &deps.notifications }
        .assess(&tenant, principal.user_id, module, rating, note, ctx.clock.now())
        .await?;
    Ok(Json(p))
}

#[utoipa::path(post, path = "/modules/{id}/learners/{userId}/override", tag = "learning",
    params(("id" = Uuid, Path), ("userId" = Uuid, Path)),
    request_body = input::OverrideWrite,
    description = "Records a learner's completion of a published module on the caller's authority (`progress:override`), with a reason, and the certificate when `allowCertificate`. Always in the audit log as `learning.progress_overridden`. 409 when the learner completed it already.",
    responses((status = 200, description = "The learner's progress in the module", body = ModuleProgress)),
    security(("bearer" = [])))]
async fn override_progress(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path((id, user)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require("progress:override")?;
    let (module, learner) = (path_id(&id)?, path_id(&user)?);
    let (reason, allow) = input::read_override(body)?;
    let p = Learning { store: &ctx.store, notifications: &deps.notifications }
        .override_progress(&tenant, learner, module, principal.user_id, reason.clone(), allow, ctx.clock.now())
        .await?;
    let note = nudge_core::audit::AuditNote::new("learning.progress_overridden", "module", Some(module.to_string()))
        .metadata(serde_json::json!({"learnerId": learner, "reason": reason, "allowCertificate": allow}));
    Ok((note, Json(p)).into_response())
}

#[utoipa::path(put, path = "/me/pinned-modules/{id}", tag = "learning",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Pinned for the caller (again: unchanged)", body = Pin)),
    security(("bearer" = [])))]
async fn pin_mine(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Pin>> {
    let tenant = principal.require(LEARN)?;
    let module =
        Learning { store: &ctx.store, notifications: &deps.notifications }.module(&tenant, path_id(&id)?).await?;
    Ok(Json(crate::pins::pin_for_user(&ctx.store, &tenant, principal.user_id, module.id, ctx.clock.now()).await?))
}

#[utoipa::path(delete, path = "/me/pinned-modules/{id}", tag = "learning",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "No longer pinned for the caller")),
    security(("bearer" = [])))]
async fn unpin_mine(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(LEARN)?;
    crate::pins::unpin_for_user(&ctx.store, &tenant, principal.user_id, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/pinned-modules", tag = "learning",
    responses((status = 200, description = "The modules the organization pinned for everyone, oldest first", body = Vec<Pin>)),
    security(("bearer" = [])))]
async fn company_pins(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<Vec<Pin>>> {
    let tenant = principal.require(LEARN)?;
    Ok(Json(crate::pins::company_pins(&ctx.store, &tenant).await?))
}

#[utoipa::path(put, path = "/pinned-modules/{id}", tag = "learning",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Pinned for the organization (again: unchanged)", body = Pin)),
    security(("bearer" = [])))]
async fn pin_company(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Pin>> {
    let tenant = principal.require("modules:write")?;
    let module =
        Learning { store: &ctx.store, notifications: &deps.notifications }.module(&tenant, path_id(&id)?).await?;
    let now = ctx.clock.now();
    Ok(Json(crate::pins::pin_for_company(&ctx.store, &tenant, module.id, principal.user_id, now).await?))
}

#[utoipa::path(delete, path = "/pinned-modules/{id}", tag = "learning",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "No longer pinned for the organization")),
    security(("bearer" = [])))]
async fn unpin_company(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require("modules:write")?;
    crate::pins::unpin_for_company(&ctx.store, &tenant, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
