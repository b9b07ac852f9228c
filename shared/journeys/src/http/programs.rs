//! `/programs`: programs, their enrolments (one worker's, or everyone's) and progress, and a worker's
//! programs with each touchpoint's state.

use super::Api;
use crate::engine::Message;
use crate::engine::enrol::{self, EnrolJob};
use crate::enrolments;
use crate::input::{self, Audience, EnrolMode};
use crate::keys;
use crate::model::{Enrolment, EnrolmentStatus, Program, ProgramStatus};
use crate::programs::Programs;
use crate::repo;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::StatusCode;
use nudge_core::Ctx;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, IfMatch, JsonBody, ListQuery, Page, created, path_id, tagged};
use nudge_core::jobs::JobStatus;
use nudge_core::store::{Query, Tx, Write};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const READ: &str = "programs:read";
const WRITE: &str = "programs:write";
const ENROL: &str = "programs:enrol";

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_by_id, patch_by_id))
        .routes(routes!(enrolments_list, enrol))
        .routes(routes!(enrol_job))
        .routes(routes!(enrolment))
        .routes(routes!(pause_one))
        .routes(routes!(resume_one))
        .routes(routes!(withdraw_one))
        .routes(routes!(withdraw_all))
        .routes(routes!(progress))
        .routes(routes!(worker_programs))
}

fn programs<'a>(ctx: &'a Ctx, deps: &'a super::Deps) -> Programs<'a> {
    Programs { store: &ctx.store, queue: &deps.queue }
}

#[utoipa::path(post, path = "/programs", tag = "programs",
    request_body = input::ProgramWrite,
    responses((status = 201, description = "Created (a draft unless `status` says `active`)", body = Program, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let input = input::read_program(body, true)?;
    let program = programs(&ctx, &deps).create(&tenant, input, Some(principal.user_id), ctx.clock.now()).await?;
    tracing::info!(program_id = %program.id, "program created");
    Ok(created(&program, program.version, &format!("/programs/{}", program.id)))
}

#[utoipa::path(get, path = "/programs", tag = "programs",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses((status = 200, description = "Oldest first", body = nudge_core::http::Page<Program>)),
    security(("bearer" = [])))]
async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Page<Program>>> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let q = Query::partition(keys::programs_partition(&tenant));
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

#[utoipa::path(get, path = "/programs/{id}", tag = "programs",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The program", body = Program, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn get_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let program = programs(&ctx, &deps).get(&tenant, path_id(&id)?).await?;
    Ok(tagged(StatusCode::OK, &program, program.version))
}

#[utoipa::path(patch, path = "/programs/{id}", tag = "programs",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = input::ProgramWrite, content_type = "application/merge-patch+json",
        description = "Each field given replaces the stored one. `status`: `draft` → `active` ⇄ `paused` → `completed` (409 otherwise); activating needs every journey published (422 names those that are not)."),
    responses((status = 200, description = "Updated", body = Program, headers(("ETag" = String)))),
    security(("bearer" = [])))]
async fn patch_by_id(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let input = input::read_program(body, false)?;
    let program =
        programs(&ctx, &deps).update(&tenant, id, input, if_match.0, Some(principal.user_id), ctx.clock.now()).await?;
    Ok(tagged(StatusCode::OK, &program, program.version))
}

#[utoipa::path(post, path = "/programs/{id}/enrolments", tag = "programs",
    params(("id" = Uuid, Path)),
    request_body = input::EnrolWrite,
    responses(
        (status = 202, description = "An enrolment job, run in the background a page at a time; follow it at its Location. 409 when the program is not active, or already follows another live segment", body = EnrolJob, headers(("Location" = String))),
    ),
    security(("bearer" = [])))]
async fn enrol(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(ENROL)?;
    let id = path_id(&id)?;
    let audience = input::read_enrol(body)?;
    let program = programs(&ctx, &deps).get(&tenant, id).await?;
    if program.status != ProgramStatus::Active {
        return Err(ApiError::Conflict(
            format!("the program is {}: only an active program admits workers", program.status.as_str()),
            Vec::new(),
        ));
    }
    let now = ctx.clock.now();
    let mut tx = Tx::new();
    match &audience {
        Audience::Workers { worker_ids } => {
            let found = nudge_workers::repo::get_many(&ctx.store, &tenant, worker_ids).await?;
            let unknown: Vec<FieldError> = worker_ids
                .iter()
                .enumerate()
                .filter(|(_, w)| !found.iter().any(|f| f.id == **w))
                .map(|(i, _)| FieldError::body(format!("/workerIds/{i}"), "names no worker of this organization"))
                .collect();
            if !unknown.is_empty() {
                return Err(ApiError::Rejected(unknown));
            }
        }
        Audience::Segment { segment_id, mode } => {
            if !nudge_segments::repo::exists(&ctx.store, &tenant, *segment_id).await? {
                return Err(ApiError::rule("/segmentId", "names no segment of this organization"));
            }
            if *mode == EnrolMode::Live {
                match program.live_segment_id {
                    Some(live) if live != *segment_id => {
                        return Err(ApiError::Conflict(
                            "the program already follows another live segment".into(),
                            Vec::new(),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        let (_, live) = programs(&ctx, &deps).go_live(&tenant, &program, *segment_id, now)?;
                        tx.extend(live);
                    }
                }
            }
        }
    }
    let job = EnrolJob {
        id: Uuid::now_v7(),
        program_id: id,
        audience,
        status: JobStatus::Pending,
        enrolled: 0,
        already_enrolled: 0,
        skipped: 0,
        error: None,
        checkpoint: None,
        created_by: Some(principal.user_id),
        created_at: now,
        updated_at: now,
        finished_at: None,
        version: 1,
    };
    let (entry, posted) = deps
        .queue
        .post_for(&tenant, &Message::Enrol { program_id: id, job_id: job.id }, now)
        .map_err(ApiError::internal)?;
    tx.push(Write::create(enrol::put_job(&tenant, &job)?, "enrol job exists"));
    tx.push(entry);
    match ctx.store.transact(tx).await {
        Ok(()) => {}
        Err(e) if e.is_version_conflict() => return Err(ApiError::PreconditionFailed),
        Err(e) => return Err(e.into()),
    }
    posted.deliver(&ctx.store).await;
    tracing::info!(program_id = %id, job_id = %job.id, "enrolment job queued");
    let mut response = (StatusCode::ACCEPTED, Json(&job)).into_response();
    if let Ok(v) = http::HeaderValue::from_str(&format!("/programs/{id}/enrolment-jobs/{}", job.id)) {
        response.headers_mut().insert(http::header::LOCATION, v);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/programs/{id}/enrolment-jobs/{jobId}", tag = "programs",
    params(("id" = Uuid, Path), ("jobId" = Uuid, Path)),
    responses((status = 200, description = "The job with its counts", body = EnrolJob)),
    security(("bearer" = [])))]
async fn enrol_job(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, job)): Path<(String, String)>,
) -> ApiResult<Json<EnrolJob>> {
    let tenant = principal.require(READ)?;
    let job = enrol::get_job(&ctx.store, &tenant, path_id(&id)?, path_id(&job)?).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(job))
}

#[utoipa::path(get, path = "/programs/{id}/enrolments", tag = "programs",
    params(
        ("id" = Uuid, Path),
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
        ("status" = Option<EnrolmentStatus>, Query, description = "Only enrolments in this status"),
    ),
    responses((status = 200, description = "By worker id; with `status`, pages may hold fewer than `limit` items while nextCursor says more follow", body = nudge_core::http::Page<Enrolment>)),
    security(("bearer" = [])))]
async fn enrolments_list(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
    uri: http::Uri,
) -> ApiResult<Json<Page<Enrolment>>> {
    let tenant = principal.require(READ)?;
    let id = path_id(&id)?;
    let query = ListQuery::parse(uri.query(), &["status"])?;
    programs(&ctx, &deps).get(&tenant, id).await?;
    let mut q = Query::partition(keys::enrolments_partition(&tenant, id));
    if let Some(status) = query.filter("status") {
        if !EnrolmentStatus::ALL.iter().any(|s| s.as_str() == status) {
            return Err(ApiError::param("status", "must be active, paused, completed, withdrawn or exited"));
        }
        q = q.filter_eq("status", status);
    }
    Ok(Json(ctx.store.page(&principal.scope(), &q, query.limit, query.cursor.as_deref()).await?))
}

async fn one(ctx: &Ctx, tenant: &nudge_core::TenantId, program: &str, worker: &str) -> ApiResult<(Uuid, Uuid)> {
    let (program, worker) = (path_id(program)?, path_id(worker)?);
    repo::get_enrolment(&ctx.store, tenant, program, worker).await?.ok_or(ApiError::NotFound)?;
    Ok((program, worker))
}

#[utoipa::path(get, path = "/programs/{id}/enrolments/{workerId}", tag = "programs",
    params(("id" = Uuid, Path), ("workerId" = Uuid, Path)),
    responses((status = 200, description = "The worker's enrolment", body = Enrolment)),
    security(("bearer" = [])))]
async fn enrolment(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, worker)): Path<(String, String)>,
) -> ApiResult<Json<Enrolment>> {
    let tenant = principal.require(READ)?;
    let (program, worker) = (path_id(&id)?, path_id(&worker)?);
    Ok(Json(repo::get_enrolment(&ctx.store, &tenant, program, worker).await?.ok_or(ApiError::NotFound)?))
}

#[utoipa::path(post, path = "/programs/{id}/enrolments/{workerId}/pause", tag = "programs",
    params(("id" = Uuid, Path), ("workerId" = Uuid, Path)),
    responses((status = 200, description = "Paused: nothing is sent and no wait times out until it is resumed (409 when it already ended)", body = Enrolment)),
    security(("bearer" = [])))]
async fn pause_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, worker)): Path<(String, String)>,
) -> ApiResult<Json<Enrolment>> {
    let tenant = principal.require(ENROL)?;
    let (program, worker) = one(&ctx, &tenant, &id, &worker).await?;
    Ok(Json(enrolments::pause(&ctx.store, &tenant, program, worker, true, ctx.clock.now()).await?))
}

#[utoipa::path(post, path = "/programs/{id}/enrolments/{workerId}/resume", tag = "programs",
    params(("id" = Uuid, Path), ("workerId" = Uuid, Path)),
    responses((status = 200, description = "Running again: what came due meanwhile goes at the next tick, and a wait's timeout is moved by the pause's length", body = Enrolment)),
    security(("bearer" = [])))]
async fn resume_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, worker)): Path<(String, String)>,
) -> ApiResult<Json<Enrolment>> {
    let tenant = principal.require(ENROL)?;
    let (program, worker) = one(&ctx, &tenant, &id, &worker).await?;
    Ok(Json(enrolments::pause(&ctx.store, &tenant, program, worker, false, ctx.clock.now()).await?))
}

#[utoipa::path(post, path = "/programs/{id}/enrolments/{workerId}/withdraw", tag = "programs",
    params(("id" = Uuid, Path), ("workerId" = Uuid, Path)),
    responses((status = 200, description = "Withdrawn (an enrolment that already ended stays as it was)", body = Enrolment)),
    security(("bearer" = [])))]
async fn withdraw_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((id, worker)): Path<(String, String)>,
) -> ApiResult<Json<Enrolment>> {
    let tenant = principal.require(ENROL)?;
    let (program, worker) = one(&ctx, &tenant, &id, &worker).await?;
    let now = ctx.clock.now();
    let done = enrolments::end_one(
        &ctx.store,
        &tenant,
        program,
        worker,
        EnrolmentStatus::Withdrawn,
        "withdrawn by an administrator",
        now,
    )
    .await?;
    Ok(Json(done.ok_or(ApiError::NotFound)?))
}

/// What a withdrawal of everyone started.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct WithdrawStarted {
    pub program_id: Uuid,
}

#[utoipa::path(post, path = "/programs/{id}/withdraw", tag = "programs",
    params(("id" = Uuid, Path)),
    responses((status = 202, description = "Every enrolment still running is withdrawn in the background", body = WithdrawStarted)),
    security(("bearer" = [])))]
async fn withdraw_all(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(ENROL)?;
    let id = path_id(&id)?;
    programs(&ctx, &deps).get(&tenant, id).await?;
    deps.queue
        .send_for(&tenant, &Message::WithdrawAll { program_id: id, cursor: None })
        .await
        .map_err(ApiError::internal)?;
    Ok((StatusCode::ACCEPTED, Json(WithdrawStarted { program_id: id })).into_response())
}

#[utoipa::path(get, path = "/programs/{id}/progress", tag = "programs",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "Exact figures: enrolments by status, and per journey, phase and touchpoint what was sent, opened, completed, passed and scored, with the drop-off between touchpoints", body = crate::insight::ProgramProgress)),
    security(("bearer" = [])))]
async fn progress(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<super::Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<crate::insight::ProgramProgress>> {
    let tenant = principal.require(READ)?;
    let program = programs(&ctx, &deps).get(&tenant, path_id(&id)?).await?;
    let mut designs = Vec::with_capacity(program.journeys.len());
    for pj in &program.journeys {
        let journey = repo::get_journey(&ctx.store, &tenant, pj.journey_id).await?;
        let design = match journey.as_ref().and_then(|j| j.published_version) {
            Some(n) => repo::get_version(&ctx.store, &tenant, pj.journey_id, n)
                .await?
                .map(|v| (n, v.design.title.clone(), v.design)),
            None => None,
        };
        designs.push(design);
    }
    let counters = repo::counters(&ctx.store, &tenant, program.id).await?;
    Ok(Json(crate::insight::report(&program, &designs, &counters)))
}

/// `GET /workers/{id}/programs`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct WorkerPrograms {
    pub items: Vec<WorkerProgram>,
}

/// One of a worker's enrolments, with every touchpoint of the journeys it went through.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct WorkerProgram {
    pub program_id: Uuid,
    pub program_name: String,
    pub enrolment: Enrolment,
    pub touchpoints: Vec<TouchpointState>,
}

/// A touchpoint as one worker met it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct TouchpointState {
    pub journey_id: Uuid,
    pub journey_version: u32,
    pub phase_id: Uuid,
    pub touchpoint_id: Uuid,
    pub content_id: Uuid,
    /// `upcoming`, `current` (the enrolment is at it), or its progress: `sent`, `skipped`, `started`,
    /// `completed`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_text: Option<String>,
    pub attempts: u32,
}

#[utoipa::path(get, path = "/workers/{id}/programs", tag = "programs",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The worker's enrolments, each with the state of every touchpoint of the journeys it reached", body = WorkerPrograms)),
    security(("bearer" = [])))]
async fn worker_programs(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<WorkerPrograms>> {
    let tenant = principal.require(READ)?;
    let worker = path_id(&id)?;
    nudge_workers::repo::get(&ctx.store, &tenant, worker).await?.ok_or(ApiError::NotFound)?;
    let mut items = Vec::new();
    for e in repo::worker_enrolments(&ctx.store, &tenant, worker).await? {
        let Some(program) = repo::get_program(&ctx.store, &tenant, e.program_id).await? else { continue };
        let progress: HashMap<Uuid, crate::model::Progress> =
            repo::progress_of(&ctx.store, &tenant, e.id).await?.into_iter().map(|p| (p.touchpoint_id, p)).collect();
        // The journeys it went through: those its progress names, and the one it is on.
        let mut versions: Vec<(Uuid, u32)> = progress.values().map(|p| (p.journey_id, p.journey_version)).collect();
        versions.push((e.journey_id, e.journey_version));
        versions.sort_by_key(|(j, _)| program.journeys.iter().position(|pj| pj.journey_id == *j));
        versions.dedup();
        let mut touchpoints = Vec::new();
        for (journey, n) in versions {
            let Some(version) = repo::get_version(&ctx.store, &tenant, journey, n).await? else { continue };
            for (p, phase) in version.design.phases.iter().enumerate() {
                for (t, tp) in phase.touchpoints.iter().enumerate() {
                    let done = progress.get(&tp.id);
                    let here =
                        !e.status.is_over() && e.journey_id == journey && e.phase_index == p && e.touchpoint_index == t;
                    let state = match done {
                        Some(d) => d.state.as_str().to_owned(),
                        None if here => "current".to_owned(),
                        None => "upcoming".to_owned(),
                    };
                    touchpoints.push(TouchpointState {
                        journey_id: journey,
                        journey_version: n,
                        phase_id: phase.id,
                        touchpoint_id: tp.id,
                        content_id: tp.content_id,
                        state,
                        reason: done.and_then(|d| d.reason.clone()),
                        sent_at: done.and_then(|d| d.sent_at),
                        started_at: done.and_then(|d| d.started_at),
                        completed_at: done.and_then(|d| d.completed_at),
                        score: done.and_then(|d| d.score),
                        passed: done.and_then(|d| d.passed),
                        feedback_text: done.and_then(|d| d.feedback_text.clone()),
                        attempts: done.map_or(0, |d| d.attempts),
                    });
                }
            }
        }
        items.push(WorkerProgram {
            program_id: program.id,
            program_name: program.name.clone(),
            enrolment: e,
            touchpoints,
        });
    }
    Ok(Json(WorkerPrograms { items }))
}
