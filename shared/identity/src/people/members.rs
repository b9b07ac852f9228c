//! `/users`: the people of the caller's organization. Inviting, listing, reading, changing role, status and
//! scoped grants, and removing a membership (the global account stays).

use crate::membership::{self, Membership, MembershipStatus, ScopedGrant};
use crate::people::views::Member;
use crate::people::{Deps, invite, rules};
use crate::{role, user};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::auth::Principal;
use nudge_core::auth::session;
use nudge_core::http::path_id;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, ListQuery, created, tagged};
use nudge_core::{Ctx, TenantId, validate};
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

pub const READ: &str = "users:read";
pub const WRITE: &str = "users:write";

fn respond(status: StatusCode, member: Member, version: u64) -> Response {
    tagged(status, &member, version)
}

async fn load(ctx: &Ctx, tenant: &TenantId, id: Uuid) -> ApiResult<Membership> {
    membership::load(&ctx.store, tenant, id).await?.ok_or(ApiError::NotFound)
}

/// Resolves a role name in the tenant; one that names no role here breaks a rule (422) at `pointer`.
async fn resolve_role(ctx: &Ctx, tenant: &TenantId, name: &str, pointer: &str) -> ApiResult<role::Role> {
    role::resolve(&ctx.store, tenant, name)
        .await?
        .ok_or_else(|| ApiError::rule(pointer, format!("`{name}` is not a role here")))
}

/// The longest role name read (custom role names are at most 64 characters, system ones shorter).
pub const ROLE_NAME_MAX: usize = 64;

/// `POST /users`: an invitation.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// A role name of this organization (422 for one that names none): the default role when absent. Only a
    /// role whose permissions you hold (403 otherwise).
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub role: Option<String>,
    /// The account's name, for a new account.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
}

/// `PATCH /users/{id}` (a merge patch).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberPatch {
    /// A role name of this organization (422 for one that names none).
    #[schema(required = false, min_length = 1, max_length = 64, pattern = r"\S")]
    pub role: String,
    /// `invited` only while the invitation is open, and the other two only once it is accepted (422).
    #[schema(required = false)]
    pub status: MembershipStatus,
    /// Replaces every scoped grant; `null` removes them all.
    #[schema(max_items = 50)]
    pub grants: Option<Vec<rules::ScopedGrantRequest>>,
}

fn read_role_name(f: &mut Fields, required: bool) -> Option<String> {
    let role: Option<String> = if required { f.required("role") } else { f.optional("role") };
    f.check("role", &role, |r| validate::text(r, 1, ROLE_NAME_MAX));
    role
}

#[utoipa::path(post, path = "/users", tag = "users",
    request_body(content = InviteRequest, description = "Who to invite, and as what"),
    responses(
        (status = 201, description = "Invited; the email is queued", body = Member, headers(("ETag" = String), ("Location" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let mut f = Fields::new(body)?;
    let email = f.email("email", true);
    let role_name = read_role_name(&mut f, false);
    let name: Option<String> = f.optional("name");
    f.check("name", &name, |n| validate::text(n, 1, 200));
    f.finish()?;
    let email = email.ok_or_else(|| ApiError::internal("email missing after validation"))?;
    let role_name = match role_name {
        Some(r) => r,
        None => role::default_name(&ctx.store, &tenant).await?,
    };
    let role = resolve_role(&ctx, &tenant, &role_name, "/role").await?;
    rules::may_assign(&principal.role, principal.permissions(), &role)?;
    let name = name.map(|n| n.trim().to_owned());
    let member = invite::invite(&ctx.store, &deps, &tenant, &email, name.as_deref(), &role, principal.user_id).await?;
    let version = member.version;
    let location = format!("/users/{}", member.user_id);
    Ok(created(&Member::of(member, None), version, &location))
}

#[utoipa::path(get, path = "/users", tag = "users",
    params(
        ("limit" = Option<u32>, Query, description = "1–100, default 25"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Members of the organization", body = nudge_core::http::Page<Member>),
    ),
    security(("bearer" = [])))]
pub async fn list(principal: Principal, State(ctx): State<Ctx>, uri: http::Uri) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let query = ListQuery::parse(uri.query(), &[])?;
    let page = membership::page(&ctx.store, &principal.scope(), &tenant, query.limit, query.cursor.as_deref()).await?;
    let items = page.items.into_iter().map(|m| Member::of(m, None)).collect();
    Ok(axum::Json(nudge_core::http::Page { items, next_cursor: page.next_cursor }).into_response())
}

#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The member, with account status and last sign-in", body = Member, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_one(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<Response> {
    let tenant = principal.require(READ)?;
    let member = load(&ctx, &tenant, path_id(&id)?).await?;
    let account = user::load(&ctx.store, member.user_id).await?;
    let version = member.version;
    Ok(respond(StatusCode::OK, Member::of(member, account.as_ref()), version))
}

/// The writable fields of a membership, read from the merged document.
fn read_patch(doc: Value) -> ApiResult<(String, MembershipStatus, Vec<ScopedGrant>)> {
    let mut f = Fields::new(doc)?;
    let role = read_role_name(&mut f, true);
    let status: Option<MembershipStatus> = f.required("status");
    let grants = rules::read_grants(&mut f, "grants");
    f.finish()?;
    match (role, status) {
        (Some(role), Some(status)) => Ok((role, status, grants)),
        _ => Err(ApiError::internal("membership patch incomplete after validation")),
    }
}

fn not_self(principal: &Principal, id: Uuid) -> ApiResult<()> {
    if principal.user_id == id {
        return Err(ApiError::Forbidden("you cannot change or remove your own membership".into()));
    }
    Ok(())
}

async fn active_owners(ctx: &Ctx, tenant: &TenantId) -> ApiResult<usize> {
    let owners = membership::with_role(&ctx.store, tenant, nudge_core::auth::SystemRole::Owner.name()).await?;
    Ok(owners.iter().filter(|m| m.status == MembershipStatus::Active).count())
}

fn last_owner() -> ApiError {
    ApiError::Conflict("the organization needs at least one active owner".into(), vec![])
}

#[utoipa::path(patch, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body(content = MemberPatch, content_type = "application/merge-patch+json", description = "The role, status and scoped grants to change"),
    responses(
        (status = 200, description = "Updated; a suspension or role change reaches the member's sessions within a minute", body = Member, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch(
    principal: Principal,
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    not_self(&principal, id)?;
    let load = || load(&ctx, &tenant, id);
    let (before, after) = update::patch(if_match, &patch, load, |current: Membership, doc| async {
        let (role_name, status, grants) = read_patch(doc)?;
        if status == MembershipStatus::Invited && current.status != MembershipStatus::Invited {
            return Err(ApiError::rule("/status", "must be `active` or `suspended`"));
        }
        if current.status == MembershipStatus::Invited && status != MembershipStatus::Invited {
            return Err(ApiError::rule("/status", "changes once the invitation is accepted"));
        }
        let role = resolve_role(&ctx, &tenant, &role_name, "/role").await?;
        if role.name != current.role {
            rules::may_assign(&principal.role, principal.permissions(), &role)?;
            // Taking a role away is also handing out less than the caller holds: check the old one too.
            if let Some(old) = role::resolve(&ctx.store, &tenant, &current.role).await? {
                rules::may_assign(&principal.role, principal.permissions(), &old)?;
            }
        }
        let next = current.revised(Utc::now(), |m| {
            m.role = role.name.clone();
            m.status = status;
            m.grants = grants;
        });
        if (&next.role, next.status, &next.grants) == (&current.role, current.status, &current.grants) {
            return Ok(Step::Done((current.clone(), current)));
        }
        if rules::strands_owners(&current, Some(&next), active_owners(&ctx, &tenant).await?) {
            return Err(last_owner());
        }
        Step::written(ctx.store.write(membership::replace(&current, &next)?).await, (current, next), ApiError::from)
    })
    .await?;
    if after.status == MembershipStatus::Suspended && before.status != MembershipStatus::Suspended {
        session::revoke_all(&ctx.store, id, Some(tenant.as_uuid()), "membership suspended").await?;
    } else if after.role != before.role {
        session::set_role(&ctx.store, id, tenant.as_uuid(), &after.role).await?;
    }
    let version = after.version;
    Ok(respond(StatusCode::OK, Member::of(after, None), version))
}

#[utoipa::path(delete, path = "/users/{id}", tag = "users",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Membership removed and its sessions ended; the account remains"),
    ),
    security(("bearer" = [])))]
pub async fn remove(principal: Principal, State(ctx): State<Ctx>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let tenant = principal.require(WRITE)?;
    let id = path_id(&id)?;
    let current = load(&ctx, &tenant, id).await?;
    not_self(&principal, id)?;
    if let Some(role) = role::resolve(&ctx.store, &tenant, &current.role).await? {
        rules::may_assign(&principal.role, principal.permissions(), &role)?;
    }
    if rules::strands_owners(&current, None, active_owners(&ctx, &tenant).await?) {
        return Err(last_owner());
    }
    ctx.store.write(membership::delete(&current).if_version(current.version)).await?;
    session::revoke_all(&ctx.store, id, Some(tenant.as_uuid()), "membership removed").await?;
    Ok(StatusCode::NO_CONTENT)
}
