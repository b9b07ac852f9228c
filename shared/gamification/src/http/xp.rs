//! XP: one's own balance and ledger, others' (`xp:read`), manual awards and the amounts per source
//! (`xp:manage`), and the leaderboard.

use super::{Api, Deps, MANAGE, OWN, READ};
use crate::input;
use crate::ledger::{self, Award, AwardOutcome};
use crate::model::{Period, Rank, Subject, SubjectType, XpBalance, XpTransaction};
use crate::settings::{self, XpSettings};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, JsonBody, ListQuery, Page, path_id};
use nudge_core::{Ctx, TenantId};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(mine))
        .routes(routes!(my_transactions))
        .routes(routes!(my_standing))
        .routes(routes!(subject_standing))
        .routes(routes!(subject_balance))
        .routes(routes!(subject_transactions))
        .routes(routes!(manual))
        .routes(routes!(batch))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(board))
}

/// The caller's XP with what the next rank needs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct MyXp {
    balance: XpBalance,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_rank: Option<Rank>,
    /// Lifetime XP still to earn for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    xp_to_next_rank: Option<u64>,
}

async fn balance_or_empty(ctx: &Ctx, tenant: &TenantId, subject: &Subject) -> Result<XpBalance, ApiError> {
    Ok(ledger::balance(&ctx.store, tenant, subject)
        .await?
        .unwrap_or_else(|| XpBalance::empty(*subject, ctx.clock.now())))
}

#[utoipa::path(get, path = "/me/xp", tag = "gamification",
    responses((status = 200, description = "The caller's XP balance, rank and what the next rank needs", body = MyXp)),
    security(("bearer" = [])))]
async fn mine(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<MyXp>> {
    let tenant = principal.require(OWN)?;
    let balance = balance_or_empty(&ctx, &tenant, &Subject::user(principal.user_id)).await?;
    let next = balance.rank.next();
    Ok(Json(MyXp {
        next_rank: next.map(|(r, _)| r),
        xp_to_next_rank: next.map(|(_, from)| from.saturating_sub(balance.lifetime_xp)),
        balance,
    }))
}

#[utoipa::path(get, path = "/me/xp/transactions", tag = "gamification",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "The caller's ledger, newest first", body = Page<XpTransaction>)),
    security(("bearer" = [])))]
async fn my_transactions(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(OWN)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let subject = Subject::user(principal.user_id);
    let page =
        ledger::transactions(&ctx.store, &principal.scope(), &tenant, &subject, query.limit, query.cursor.as_deref())
            .await?;
    Ok(Json(page).into_response())
}

/// The subject a path names, when it is the organization's (else 404).
pub(super) async fn subject_of(ctx: &Ctx, tenant: &TenantId, kind: &str, id: &str) -> Result<Subject, ApiError> {
    let id = path_id(id)?;
    let subject = match kind {
        "user" => Subject::user(id),
        "worker" => Subject::worker(id),
        _ => return Err(ApiError::NotFound),
    };
    if known_subjects(ctx, tenant, &[subject]).await?.is_empty() { Err(ApiError::NotFound) } else { Ok(subject) }
}

/// Where a user or worker stands on the organization's board.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct XpStanding {
    #[serde(flatten)]
    subject: Subject,
    period: Period,
    /// The XP ranked: lifetime XP for all time, else what was earned this week or month.
    xp: u64,
    /// The place on the board (1 for the most XP; equal XP share a place); absent with no XP there.
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<u64>,
}

async fn standing_of(ctx: &Ctx, tenant: &TenantId, subject: Subject, uri: &http::Uri) -> ApiResult<Json<XpStanding>> {
    let query = ListQuery::parse(uri.query(), &["period"])?;
    let period = input::read_standing(&query)?;
    let (xp, position) = ledger::standing(&ctx.store, tenant, &subject, period, ctx.clock.now()).await?;
    Ok(Json(XpStanding { subject, period, xp, position }))
}

#[utoipa::path(get, path = "/me/xp/standing", tag = "gamification",
    params(("period" = Option<Period>, Query, description = "all_time (default: lifetime XP), week (ISO, from Monday) or month, in the organization's time zone")),
    description = "The caller's place on the organization's leaderboard, however far down: counted on the board's index.",
    responses((status = 200, description = "The caller's standing", body = XpStanding)),
    security(("bearer" = [])))]
async fn my_standing(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<XpStanding>> {
    let tenant = principal.require(OWN)?;
    standing_of(&ctx, &tenant, Subject::user(principal.user_id), &uri).await
}

#[utoipa::path(get, path = "/xp/{subjectType}/{subjectId}/standing", tag = "gamification",
    params(("subjectType" = SubjectType, Path), ("subjectId" = Uuid, Path),
           ("period" = Option<Period>, Query, description = "all_time (default), week or month")),
    description = "A user's or worker's place on the organization's leaderboard of its kind. Needs `xp:read`.",
    responses((status = 200, description = "The standing", body = XpStanding)),
    security(("bearer" = [])))]
async fn subject_standing(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((kind, id)): Path<(String, String)>,
    uri: http::Uri,
) -> ApiResult<Json<XpStanding>> {
    let tenant = principal.require(READ)?;
    let subject = subject_of(&ctx, &tenant, &kind, &id).await?;
    standing_of(&ctx, &tenant, subject, &uri).await
}

#[utoipa::path(get, path = "/xp/{subjectType}/{subjectId}", tag = "gamification",
    params(("subjectType" = SubjectType, Path), ("subjectId" = Uuid, Path)),
    description = "A user's or worker's XP. Needs `xp:read`.",
    responses((status = 200, description = "The balance", body = XpBalance)),
    security(("bearer" = [])))]
async fn subject_balance(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<XpBalance>> {
    let tenant = principal.require(READ)?;
    let subject = subject_of(&ctx, &tenant, &kind, &id).await?;
    Ok(Json(balance_or_empty(&ctx, &tenant, &subject).await?))
}

#[utoipa::path(get, path = "/xp/{subjectType}/{subjectId}/transactions", tag = "gamification",
    params(("subjectType" = SubjectType, Path), ("subjectId" = Uuid, Path),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "Its ledger, newest first", body = Page<XpTransaction>)),
    security(("bearer" = [])))]
async fn subject_transactions(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path((kind, id)): Path<(String, String)>,
    uri: http::Uri,
) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let subject = subject_of(&ctx, &tenant, &kind, &id).await?;
    let page =
        ledger::transactions(&ctx.store, &principal.scope(), &tenant, &subject, query.limit, query.cursor.as_deref())
            .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(post, path = "/xp/awards", tag = "gamification",
    request_body = input::ManualAwardWrite,
    description = "Gives XP by hand (MANUAL, with a reason), or takes it back from the spendable balance with a negative amount (a correction: a new entry, never an edit; lifetime XP never decreases). With a `reference`, the same reference gives the same person XP once: a repeat is a 409. Audited as `xp.awarded`. Needs `xp:manage`.",
    responses((status = 201, description = "The ledger entry", body = XpTransaction)),
    security(("bearer" = [])))]
async fn manual(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MANAGE)?;
    let m = input::read_manual(body)?;
    if known_subjects(&ctx, &tenant, &[m.subject]).await?.is_empty() {
        return Err(ApiError::rule("/subjectId", UNKNOWN));
    }
    let ledger = deps.ledger(&ctx);
    let AwardOutcome::Awarded { entry, .. } =
        ledger.award(&tenant, &m.award(principal.user_id), ctx.clock.now()).await?
    else {
        return Err(ApiError::Conflict("the award was given already".into(), Vec::new()));
    };
    if m.subject.subject_type == SubjectType::Worker {
        // Its pointsBalance moved with the award (the worker's change marker covers a lost message).
        deps.workers.notify(&tenant, &[m.subject.subject_id]).await;
    }
    let note = nudge_core::audit::AuditNote::new(
        "xp.awarded",
        m.subject.subject_type.as_str(),
        Some(m.subject.subject_id.to_string()),
    )
    .metadata(serde_json::json!({"entryId": entry.id, "amount": entry.amount, "reason": m.reason}));
    Ok((StatusCode::CREATED, note, Json(entry)).into_response())
}

/// What a batch did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct AwardBatchOutcome {
    /// Awards given by this request.
    awarded: u32,
    /// Awards whose reference had given that person XP before: nothing changed.
    already_awarded: u32,
    /// One per award, in the order sent.
    results: Vec<BatchAwardResult>,
}

/// What one award of a batch did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct BatchAwardResult {
    #[serde(flatten)]
    subject: Subject,
    reference: String,
    /// The entry written; absent when the reference had been given before.
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<XpTransaction>,
}

#[utoipa::path(post, path = "/xp/awards/batch", tag = "gamification",
    request_body = input::AwardBatchWrite,
    description = "Gives XP to up to 100 users or workers at once (MANUAL, each with a reason and your `reference`): opening balances brought from another system, a team's bonus. Each award is its own ledger entry, given once per reference and person, so a batch sent again (after a timeout, or an error part-way) gives only what it had not given. Every person must be of this organization (422 names each `/awards/{i}/subjectId`, and nothing is given); corrections go one at a time through `POST /xp/awards`. Audited as `xp.batch-awarded`. Needs `xp:manage`.",
    responses((status = 200, description = "What each award did, in the order sent", body = AwardBatchOutcome)),
    security(("bearer" = [])))]
async fn batch(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(MANAGE)?;
    let batch = input::read_batch(body)?;
    let subjects: Vec<Subject> = batch.iter().map(|m| m.subject).collect();
    let known = known_subjects(&ctx, &tenant, &subjects).await?;
    let unknown: Vec<FieldError> = (subjects.iter().enumerate())
        .filter(|(_, s)| !known.contains(s))
        .map(|(i, _)| FieldError::body(format!("/awards/{i}/subjectId"), UNKNOWN))
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Rejected(unknown));
    }
    let awards: Vec<Award> = batch.iter().map(|m| m.award(principal.user_id)).collect();
    let outcomes = deps.ledger(&ctx).award_each(&tenant, &awards, ctx.clock.now()).await?;
    let results: Vec<BatchAwardResult> = (batch.into_iter().zip(outcomes))
        .map(|(m, outcome)| BatchAwardResult {
            subject: m.subject,
            reference: m.reference.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            entry: match outcome {
                AwardOutcome::Awarded { entry, .. } => Some(entry),
                AwardOutcome::AlreadyAwarded => None,
            },
        })
        .collect();
    let given = || results.iter().filter_map(|r| r.entry.as_ref());
    let workers: Vec<Uuid> =
        given().filter(|e| e.subject.subject_type == SubjectType::Worker).map(|e| e.subject.subject_id).collect();
    if !workers.is_empty() {
        // Their pointsBalance moved (each worker's change marker covers a lost message).
        deps.workers.notify(&tenant, &workers).await;
    }
    let awarded = given().count() as u32;
    let total: i64 = given().map(|e| e.amount).sum();
    let outcome = AwardBatchOutcome { awarded, already_awarded: results.len() as u32 - awarded, results };
    let note = nudge_core::audit::AuditNote::new("xp.batch-awarded", "xp", None).metadata(serde_json::json!({
        "awards": outcome.results.len(), "awarded": awarded, "alreadyAwarded": outcome.already_awarded, "xp": total,
    }));
    Ok((StatusCode::OK, note, Json(outcome)).into_response())
}

const UNKNOWN: &str = "names no user or worker of this organization";

/// Which of `subjects` are this organization's members and workers (read in one batch each).
async fn known_subjects(ctx: &Ctx, tenant: &TenantId, subjects: &[Subject]) -> Result<HashSet<Subject>, ApiError> {
    let ids = |kind: SubjectType| -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = subjects.iter().filter(|s| s.subject_type == kind).map(|s| s.subject_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let users = ids(SubjectType::User);
    let workers = ids(SubjectType::Worker);
    let mut known: HashSet<Subject> = HashSet::new();
    if !users.is_empty() {
        known.extend(nudge_identity::members_among(&ctx.store, tenant, &users).await?.into_iter().map(Subject::user));
    }
    if !workers.is_empty() {
        known.extend(
            nudge_workers::repo::existing(&ctx.store, tenant, &workers).await?.into_iter().map(Subject::worker),
        );
    }
    Ok(known)
}

#[utoipa::path(get, path = "/xp-settings", tag = "gamification",
    responses((status = 200, description = "XP per source (every source, defaults included)", body = XpSettings)),
    security(("bearer" = [])))]
async fn get_settings(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Json<XpSettings>> {
    let tenant = principal.require(READ)?;
    Ok(Json(settings::get(&ctx.store, &tenant).await?.effective()))
}

#[utoipa::path(put, path = "/xp-settings", tag = "gamification",
    request_body = input::XpSettingsWrite,
    description = "Sets the XP of the sources named. Needs `xp:manage`.",
    responses((status = 200, description = "XP per source", body = XpSettings)),
    security(("bearer" = [])))]
async fn put_settings(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<XpSettings>> {
    let tenant = principal.require(MANAGE)?;
    let amounts = input::read_settings(body)?;
    Ok(Json(settings::put(&ctx.store, &tenant, amounts, ctx.clock.now()).await?))
}

/// One place on a leaderboard.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct LeaderboardEntry {
    /// 1 for the most XP; equal XP share a place.
    position: u32,
    #[serde(flatten)]
    subject: Subject,
    /// The XP ranked: lifetime XP for all time, else what was earned in the week or month.
    xp: u64,
    rank: Rank,
}

#[utoipa::path(get, path = "/leaderboard", tag = "gamification",
    params(("subjectType" = Option<SubjectType>, Query, description = "user (default) or worker"),
           ("period" = Option<Period>, Query, description = "all_time (default: lifetime XP), week (ISO, from Monday) or month, in the organization's time zone"),
           ("groupId" = Option<Uuid>, Query, description = "Only the members of this learning group (users)"),
           ("team" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "Only the workers of this team (any case)"),
           ("department" = Option<String>, Query, max_length = 100, pattern = r"\S", description = "Only the workers of this department (any case)"),
           ("limit" = Option<u32>, Query, description = "1–100, default 25")),
    description = "A leaderboard, read from its index (a group's, team's or department's: its members' figures by key), never from the ledger. Narrow by one of groupId, team or department.",
    responses((status = 200, description = "Highest first", body = Vec<LeaderboardEntry>)),
    security(("bearer" = [])))]
async fn board(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    uri: http::Uri,
) -> ApiResult<Json<Vec<LeaderboardEntry>>> {
    let tenant = principal.require(OWN)?;
    let query = ListQuery::parse(uri.query(), &["subjectType", "period", "groupId", "team", "department"])?;
    let input::Board { kind, period, scope } = input::read_board(&query)?;
    let now = ctx.clock.now();
    // A group's, team's or department's board: its members' figures, by key.
    let members: Option<Vec<Subject>> = match scope {
        input::Scope::Tenant => None,
        input::Scope::Group(group) => {
            let users = deps.groups.members(&tenant, group).await?.ok_or(ApiError::NotFound)?;
            Some(users.into_iter().map(Subject::user).collect())
        }
        input::Scope::Unit(unit) => {
            let workers = nudge_workers::repo::members_of(&ctx.store, &tenant, unit).await?;
            Some(workers.into_iter().map(Subject::worker).collect())
        }
    };
    let top = match members {
        None => ledger::board(&ctx.store, &tenant, kind, period, now, query.limit).await?,
        Some(subjects) => {
            let mut all = ledger::standings_of(&ctx.store, &tenant, &subjects, period, now).await?;
            all.truncate(query.limit as usize);
            all
        }
    };
    let mut out: Vec<LeaderboardEntry> = Vec::with_capacity(top.len());
    for (i, (subject, xp, rank)) in top.into_iter().enumerate() {
        let position = match out.last() {
            Some(prev) if prev.xp == xp => prev.position,
            _ => i as u32 + 1,
        };
        out.push(LeaderboardEntry { position, subject, xp, rank });
    }
    Ok(Json(out))
}
