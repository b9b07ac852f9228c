//! Rewards: the catalogue (members read what is active; `rewards:manage` keeps it), redeeming, and the
//! review of redemptions (`rewards:manage`; a redeemer may cancel their own pending one).

use super::{Api, Deps, OWN, REWARDS};
use crate::input::{self, RewardFields};
use crate::model::Subject;
use crate::rewards::{Decision, RedemptionStatus, Reward, RewardError, RewardRedemption, Rewards};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, FieldError, JsonBody, ListQuery, Page, path_id};
use nudge_core::{Ctx, TenantId};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(redeem))
        .routes(routes!(mine))
        .routes(routes!(redemptions))
        .routes(routes!(redemption))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(cancel))
}

/// The organization's time zone (its months bound the monthly limits).
async fn zone(ctx: &Ctx, tenant: &TenantId) -> Result<Tz, ApiError> {
    let org = nudge_organizations::service::find(&ctx.store, tenant)
        .await
        .map_err(|e| ApiError::Internal(format!("reading the organization: {e}")))?;
    Ok(org.map_or(Tz::UTC, |o| o.fields.time_zone.tz()))
}

async fn service<'a>(ctx: &'a Ctx, deps: &'a Deps, tenant: &TenantId) -> Result<Rewards<'a>, ApiError> {
    Ok(Rewards { ledger: deps.ledger(ctx), zone: zone(ctx, tenant).await? })
}

#[utoipa::path(get, path = "/rewards", tag = "rewards",
    description = "The catalogue, cheapest first: the active rewards, or every one for `rewards:manage`.",
    responses((status = 200, description = "The rewards", body = Vec<Reward>)),
    security(("bearer" = [])))]
async fn list(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
) -> ApiResult<Json<Vec<Reward>>> {
    let tenant = principal.require(OWN)?;
    let rewards = service(&ctx, &deps, &tenant).await?;
    Ok(Json(rewards.list(&tenant, !principal.has(REWARDS)).await?))
}

#[utoipa::path(post, path = "/rewards", tag = "rewards",
    request_body = input::RewardWrite,
    description = "Adds a reward to the catalogue. Needs `rewards:manage`; audited as `reward.created`.",
    responses((status = 201, description = "The reward", body = Reward)),
    security(("bearer" = [])))]
async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(REWARDS)?;
    let f = input::read_reward(body, true)?;
    let now = ctx.clock.now();
    let reward = Reward {
        id: Uuid::now_v7(),
        title: f.title.unwrap_or_default(),
        description: f.description.flatten(),
        image_url: f.image_url.flatten(),
        cost_xp: f.cost_xp.unwrap_or(1),
        monthly_limit: f.monthly_limit.flatten(),
        quantity_available: f.quantity_available.flatten(),
        approval_required: f.approval_required.unwrap_or(false),
        active: f.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    service(&ctx, &deps, &tenant).await?.create(&tenant, &reward).await?;
    let note = AuditNote::new("reward.created", "reward", Some(reward.id.to_string()))
        .metadata(serde_json::json!({"title": reward.title, "costXp": reward.cost_xp}));
    Ok((StatusCode::CREATED, note, Json(reward)).into_response())
}

#[utoipa::path(get, path = "/rewards/{id}", tag = "rewards",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The reward (an inactive one only for `rewards:manage`)", body = Reward)),
    security(("bearer" = [])))]
async fn get_one(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Reward>> {
    let tenant = principal.require(OWN)?;
    let reward = service(&ctx, &deps, &tenant).await?.get(&tenant, path_id(&id)?).await?;
    if !reward.active && !principal.has(REWARDS) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(reward))
}

fn patched(r: &Reward, f: &RewardFields, now: chrono::DateTime<chrono::Utc>) -> Reward {
    Reward {
        title: f.title.clone().unwrap_or_else(|| r.title.clone()),
        description: f.description.clone().unwrap_or_else(|| r.description.clone()),
        image_url: f.image_url.clone().unwrap_or_else(|| r.image_url.clone()),
        cost_xp: f.cost_xp.unwrap_or(r.cost_xp),
        monthly_limit: f.monthly_limit.unwrap_or(r.monthly_limit),
        quantity_available: f.quantity_available.unwrap_or(r.quantity_available),
        approval_required: f.approval_required.unwrap_or(r.approval_required),
        active: f.active.unwrap_or(r.active),
        updated_at: now,
        version: r.version + 1,
        ..r.clone()
    }
}

#[utoipa::path(patch, path = "/rewards/{id}", tag = "rewards",
    params(("id" = Uuid, Path)),
    request_body = input::RewardPatch,
    description = "Changes the fields named (`null` clears the monthly limit or the stock: no limit, unlimited). Setting the stock replaces what is left. Needs `rewards:manage`; audited as `reward.updated`.",
    responses((status = 200, description = "The reward", body = Reward)),
    security(("bearer" = [])))]
async fn update(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(REWARDS)?;
    let id = path_id(&id)?;
    let f = input::read_reward(body, false)?;
    let now = ctx.clock.now();
    let reward = service(&ctx, &deps, &tenant).await?.update(&tenant, id, |r| patched(r, &f, now)).await?;
    let note = AuditNote::new("reward.updated", "reward", Some(reward.id.to_string()));
    Ok((note, Json(reward)).into_response())
}

#[utoipa::path(post, path = "/rewards/{id}/redeem", tag = "rewards",
    params(("id" = Uuid, Path)),
    description = "Spends the caller's XP on the reward, in one transaction with one of its stock and the caller's monthly count: all of it or nothing (409 when out of stock, past the monthly limit, short of spendable XP, or inactive). PENDING when the reward needs approval, APPROVED otherwise.",
    responses((status = 201, description = "The redemption", body = RewardRedemption)),
    security(("bearer" = [])))]
async fn redeem(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let tenant = principal.require(OWN)?;
    let id = path_id(&id)?;
    let rewards = service(&ctx, &deps, &tenant).await?;
    let reward = rewards.get(&tenant, id).await?;
    if !reward.active && !principal.has(REWARDS) {
        return Err(ApiError::NotFound);
    }
    let r = rewards.redeem(&tenant, id, Subject::user(principal.user_id), ctx.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

fn status_filter(query: &ListQuery) -> Result<Option<RedemptionStatus>, ApiError> {
    query
        .filter("status")
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
                ApiError::invalid(vec![FieldError::param("status", "must be PENDING, APPROVED, REJECTED or CANCELLED")])
            })
        })
        .transpose()
}

#[utoipa::path(get, path = "/me/redemptions", tag = "rewards",
    params(("status" = Option<RedemptionStatus>, Query),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    responses((status = 200, description = "The caller's redemptions, newest first", body = Page<RewardRedemption>)),
    security(("bearer" = [])))]
async fn mine(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    uri: http::Uri,
) -> ApiResult<Json<Page<RewardRedemption>>> {
    let tenant = principal.require(OWN)?;
    let query = ListQuery::parse(uri.query(), &["status"])?;
    let status = status_filter(&query)?;
    let me = Subject::user(principal.user_id);
    let page = service(&ctx, &deps, &tenant)
        .await?
        .redemptions(&principal.scope(), &tenant, Some(&me), status, query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/redemptions", tag = "rewards",
    params(("status" = Option<RedemptionStatus>, Query, description = "PENDING: the reviewers' queue"),
           ("limit" = Option<u32>, Query, description = "1–100, default 25"),
           ("cursor" = Option<String>, Query, description = "nextCursor of the previous page")),
    description = "The organization's redemptions, newest first. Needs `rewards:manage`.",
    responses((status = 200, description = "Redemptions", body = Page<RewardRedemption>)),
    security(("bearer" = [])))]
async fn redemptions(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    uri: http::Uri,
) -> ApiResult<Json<Page<RewardRedemption>>> {
    let tenant = principal.require(REWARDS)?;
    let query = ListQuery::parse(uri.query(), &["status"])?;
    let status = status_filter(&query)?;
    let page = service(&ctx, &deps, &tenant)
        .await?
        .redemptions(&principal.scope(), &tenant, None, status, query.limit, query.cursor.as_deref())
        .await?;
    Ok(Json(page))
}

/// The redemption when the caller may see it: their own, or any for `rewards:manage` (else 404).
async fn visible(
    rewards: &Rewards<'_>,
    principal: &Principal,
    tenant: &TenantId,
    id: &str,
) -> Result<RewardRedemption, ApiError> {
    let r = rewards.redemption(tenant, path_id(id)?).await?;
    if r.subject == Subject::user(principal.user_id) || principal.has(REWARDS) {
        Ok(r)
    } else {
        Err(ApiError::NotFound)
    }
}

#[utoipa::path(get, path = "/redemptions/{id}", tag = "rewards",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The redemption (the caller's own, or any for `rewards:manage`)", body = RewardRedemption)),
    security(("bearer" = [])))]
async fn redemption(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
) -> ApiResult<Json<RewardRedemption>> {
    let tenant = principal.require(OWN)?;
    let rewards = service(&ctx, &deps, &tenant).await?;
    Ok(Json(visible(&rewards, &principal, &tenant, &id).await?))
}

async fn decide(
    principal: Principal,
    ctx: Ctx,
    deps: Arc<Deps>,
    id: String,
    body: serde_json::Value,
    decision: Decision,
) -> ApiResult<Response> {
    let tenant = principal.require(if decision == Decision::Cancel { OWN } else { REWARDS })?;
    let note = input::read_decision(body)?;
    let rewards = service(&ctx, &deps, &tenant).await?;
    let read = visible(&rewards, &principal, &tenant, &id).await?;
    let r = rewards.decide(&tenant, read.id, decision, principal.user_id, note, ctx.clock.now()).await.map_err(
        |e| match e {
            RewardError::Decided(s) => {
                ApiError::Conflict(format!("the redemption is {} already", s.as_str()), Vec::new())
            }
            other => other.into(),
        },
    )?;
    let action = format!("redemption.{}", r.status.as_str().to_ascii_lowercase());
    let note = AuditNote::new(action, "redemption", Some(r.id.to_string()))
        .metadata(serde_json::json!({"rewardId": r.reward_id, "xpSpent": r.xp_spent}));
    Ok((note, Json(r)).into_response())
}

#[utoipa::path(post, path = "/redemptions/{id}/approve", tag = "rewards",
    params(("id" = Uuid, Path)),
    request_body = input::RedemptionDecisionWrite,
    description = "Approves a pending redemption (409 once decided) and tells the redeemer (REWARD_APPROVED). Needs `rewards:manage`.",
    responses((status = 200, description = "The redemption", body = RewardRedemption)),
    security(("bearer" = [])))]
async fn approve(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    decide(principal, ctx, deps, id, body, Decision::Approve).await
}

#[utoipa::path(post, path = "/redemptions/{id}/reject", tag = "rewards",
    params(("id" = Uuid, Path)),
    request_body = input::RedemptionDecisionWrite,
    description = "Rejects a pending redemption (409 once decided): its XP is refunded, its stock given back and it stops counting in its month, once; the redeemer is told (REWARD_REJECTED). Needs `rewards:manage`.",
    responses((status = 200, description = "The redemption", body = RewardRedemption)),
    security(("bearer" = [])))]
async fn reject(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    decide(principal, ctx, deps, id, body, Decision::Reject).await
}

#[utoipa::path(post, path = "/redemptions/{id}/cancel", tag = "rewards",
    params(("id" = Uuid, Path)),
    request_body = input::RedemptionDecisionWrite,
    description = "Withdraws a pending redemption (the redeemer's own, or any for `rewards:manage`; 409 once decided): refunded and restocked once, like a rejection.",
    responses((status = 200, description = "The redemption", body = RewardRedemption)),
    security(("bearer" = [])))]
async fn cancel(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    decide(principal, ctx, deps, id, body, Decision::Cancel).await
}
