//! Insight (`progress:read`, or `progress:read-group` for the groups the caller is a member of and
//! their members): thin handlers over [`crate::insight::Insight`].

use crate::groups::Groups;
use crate::insight::{GroupInsight, Insight, LearnerInsight, ModuleInsight};
use axum::Json;
use axum::extract::{Path, State};
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, path_id};
use nudge_core::{Ctx, TenantId};
use std::collections::BTreeSet;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(super) const ALL: &str = "progress:read";
const OWN_GROUPS: &str = "progress:read-group";

pub(super) fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new().routes(routes!(module)).routes(routes!(group)).routes(routes!(learner))
}

/// The caller's tenant when it may read insight of `groups` (any of them): everything with
/// `progress:read`, its own groups with `progress:read-group`.
async fn may_read(ctx: &Ctx, principal: &Principal, groups: &BTreeSet<Uuid>) -> Result<TenantId, ApiError> {
    if principal.has(ALL) {
        return principal.require(ALL);
    }
    let tenant = principal.require(OWN_GROUPS)?;
    let mine: BTreeSet<Uuid> =
        Groups { store: &ctx.store }.groups_of(&tenant, principal.user_id).await?.into_iter().collect();
    if mine.is_disjoint(groups) {
        return Err(ApiError::Forbidden(format!("this needs `{ALL}`, or `{OWN_GROUPS}` and a group in common")));
    }
    Ok(tenant)
}

#[utoipa::path(get, path = "/modules/{id}/insight", tag = "modules",
    params(("id" = Uuid, Path)),
    description = "Where the organization stands in the module: learners assigned (through groups), started, completed and overdue, the average of their best scores, each learner's standing, and per quiz the pass rate and each question's rate of right answers (a low one finds a bad question). Needs `progress:read`.",
    responses((status = 200, description = "The module's insight", body = ModuleInsight)),
    security(("bearer" = [])))]
async fn module(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<ModuleInsight>> {
    let tenant = principal.require(ALL)?;
    let found = Insight { store: &ctx.store }.module(&tenant, path_id(&id)?, ctx.clock.now()).await?;
    Ok(Json(found.ok_or(ApiError::NotFound)?))
}

#[utoipa::path(get, path = "/groups/{id}/insight", tag = "groups",
    params(("id" = Uuid, Path)),
    description = "Each module assigned to the group, counted over its members. Needs `progress:read`, or `progress:read-group` and membership of the group.",
    responses((status = 200, description = "The group's insight", body = GroupInsight)),
    security(("bearer" = [])))]
async fn group(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Json<GroupInsight>> {
    if !principal.has(ALL) {
        principal.require(OWN_GROUPS)?;
    }
    let id = path_id(&id)?;
    let tenant = may_read(&ctx, &principal, &BTreeSet::from([id])).await?;
    let found = Insight { store: &ctx.store }.group(&tenant, id, ctx.clock.now()).await?;
    Ok(Json(found.ok_or(ApiError::NotFound)?))
}

#[utoipa::path(get, path = "/learners/{userId}/insight", tag = "groups",
    params(("userId" = Uuid, Path)),
    description = "Each module a user of the organization is assigned or started: due date, state, best score, attempts of the current round and certificate. Needs `progress:read`, or `progress:read-group` and a group in common.",
    responses((status = 200, description = "The learner's insight", body = LearnerInsight)),
    security(("bearer" = [])))]
async fn learner(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(user): Path<String>,
) -> ApiResult<Json<LearnerInsight>> {
    let user = path_id(&user)?;
    let tenant = if principal.has(ALL) { principal.require(ALL)? } else { principal.require(OWN_GROUPS)? };
    if nudge_identity::members_among(&ctx.store, &tenant, &[user]).await?.is_empty() {
        return Err(ApiError::NotFound);
    }
    let theirs: BTreeSet<Uuid> = Groups { store: &ctx.store }.groups_of(&tenant, user).await?.into_iter().collect();
    let tenant = may_read(&ctx, &principal, &theirs).await?;
    Ok(Json(Insight { store: &ctx.store }.learner(&tenant, user, ctx.clock.now()).await?))
}
