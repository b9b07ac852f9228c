//! Usage sessions (every member their own; `progress:read` the organization's usage by day) and the
//! platform changelog (every user reads it; the platform's admins publish).

use super::{Api, MEMBER};
use crate::changelog::{Changelog, ChangelogEntry, ChangelogPage};
use crate::input;
use crate::usage::{MAX_DAYS, Usage, UsageDay, UsageError, UsageSession};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, JsonBody, ListQuery, Page, path_id};
use nudge_core::{Ctx, TenantId};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Seed 002 VIEW_ANALYTICS: the organization's usage.
const ANALYTICS: &str = "progress:read";

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(my_sessions, start))
        .routes(routes!(ping))
        .routes(routes!(usage))
        .routes(routes!(read_changelog, publish))
        .routes(routes!(seen))
}

impl From<UsageError> for ApiError {
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::NotFound => ApiError::NotFound,
            UsageError::Ended | UsageError::Conflict => ApiError::Conflict(e.to_string(), Vec::new()),
            UsageError::Store(e) => e.into(),
        }
    }
}

async fn usage_of<'a>(ctx: &'a Ctx, tenant: &TenantId) -> Result<Usage<'a>, ApiError> {
    let zone = nudge_gamification::ledger::zone(&ctx.store, tenant).await.map_err(ApiError::internal)?;
    Ok(Usage { store: &ctx.store, zone })
}

#[utoipa::path(post, path = "/me/usage-sessions", tag = "community",
    description = "Starts a usage session of the caller (seed 002 UserSession); ping it while they are active.",
    responses((status = 201, description = "The session", body = UsageSession)),
    security(("bearer" = [])))]
async fn start(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(MEMBER)?;
    let s = usage_of(&ctx, &tenant).await?.start(&tenant, principal.user_id, ctx.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

#[utoipa::path(get, path = "/me/usage-sessions", tag = "community",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "The caller's sessions, newest first", body = Page<UsageSession>)),
    security(("bearer" = [])))]
async fn my_sessions(
    principal: Principal,
    State(ctx): State<Ctx>,
    uri: http::Uri,
) -> ApiResult<Json<Page<UsageSession>>> {
    let tenant = principal.require(MEMBER)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let usage = usage_of(&ctx, &tenant).await?;
    let page =
        usage.sessions(&principal.scope(), &tenant, principal.user_id, query.limit, query.cursor.as_deref()).await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/me/usage-sessions/{id}/ping", tag = "community",
    params(("id" = Uuid, Path)),
    description = "The caller is still active: the session's last ping and duration move to now. 409 once it has had no ping for 30 minutes (start a new one); an older, redelivered ping changes nothing.",
    responses((status = 200, description = "The session", body = UsageSession)),
    security(("bearer" = [])))]
async fn ping(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Json<UsageSession>> {
    let tenant = principal.require(MEMBER)?;
    let id = path_id(&id)?;
    let usage = usage_of(&ctx, &tenant).await?;
    Ok(Json(usage.ping(&tenant, principal.user_id, id, ctx.clock.now()).await?))
}

fn date_param(query: &ListQuery, name: &str, bad: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let raw = query.filter(name)?;
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            bad.push(FieldError::param(name, "must be a date, YYYY-MM-DD"));
            None
        }
    }
}

#[utoipa::path(get, path = "/usage", tag = "community",
    params(("from" = Option<NaiveDate>, Query, description = "First day (default: 29 days before `to`)"),
           ("to" = Option<NaiveDate>, Query, description = "Last day (default: today in the organization's time zone)")),
    description = "The organization's usage by day (its time zone): sessions started and seconds of use, at most 92 days, each day present. Needs `progress:read`.",
    responses((status = 200, description = "Oldest day first", body = Vec<UsageDay>)),
    security(("bearer" = [])))]
async fn usage(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Json<Vec<UsageDay>>> {
    let tenant = principal.require(ANALYTICS)?;
    let query = ListQuery::parse(uri.query(), &["from", "to"])?;
    let mut bad = Vec::new();
    let (from, to) = (date_param(&query, "from", &mut bad), date_param(&query, "to", &mut bad));
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    let usage = usage_of(&ctx, &tenant).await?;
    let to = to.unwrap_or_else(|| crate::usage::day_of(ctx.clock.now(), usage.zone));
    let from = from.unwrap_or(to - Duration::days(29));
    if from > to || (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::Rejected(vec![FieldError::param("from", "must be on or before `to`, at most 92 days")]));
    }
    Ok(Json(usage.days(&tenant, from, to).await?))
}

/// Every user reads the changelog: a member of an organization, or a platform admin.
fn reader(principal: &Principal) -> Result<(), ApiError> {
    if principal.platform_admin().is_some() {
        return Ok(());
    }
    principal.require(MEMBER).map(|_| ())
}

#[utoipa::path(get, path = "/changelog", tag = "community",
    params(("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    description = "The platform's changelog (the Updates page), newest first, each entry flagged new when published after the caller's last visit, with how many are new.",
    responses((status = 200, description = "Entries", body = ChangelogPage)),
    security(("bearer" = [])))]
async fn read_changelog(
    principal: Principal,
    State(ctx): State<Ctx>,
    uri: http::Uri,
) -> ApiResult<Json<ChangelogPage>> {
    reader(&principal)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page = Changelog { store: &ctx.store }
        .read(principal.user_id, &principal.scope(), query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/changelog", tag = "community",
    request_body = input::ChangelogEntryWrite,
    description = "Publishes an entry of the platform's changelog. Platform admins only.",
    responses((status = 201, description = "The entry", body = ChangelogEntry)),
    security(("bearer" = [])))]
async fn publish(principal: Principal, State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    if principal.platform_admin().is_none() {
        return Err(ApiError::Forbidden("only the platform's admins publish the changelog".into()));
    }
    let f = input::read_changelog(body)?;
    let now = ctx.clock.now();
    let entry = ChangelogEntry {
        id: Uuid::now_v7(),
        version: f.version,
        title: f.title,
        summary: f.summary,
        published_at: f.published_at.unwrap_or(now),
        created_at: now,
    };
    Changelog { store: &ctx.store }.publish(&entry).await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// The caller's last visit of the changelog.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ChangelogVisit {
    last_visit_at: chrono::DateTime<chrono::Utc>,
}

#[utoipa::path(post, path = "/changelog/seen", tag = "community",
    request_body = input::ChangelogSeenWrite,
    description = "Records the caller's visit (now, or `upTo` if earlier): what was published until then is no longer new. The mark never moves back.",
    responses((status = 200, description = "The mark", body = ChangelogVisit)),
    security(("bearer" = [])))]
async fn seen(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<ChangelogVisit>> {
    reader(&principal)?;
    let up_to = input::read_seen(body)?;
    let now = ctx.clock.now();
    let at = up_to.map_or(now, |u| u.min(now));
    let last_visit_at = Changelog { store: &ctx.store }.mark_seen(principal.user_id, at).await?;
    Ok(Json(ChangelogVisit { last_visit_at }))
}
