//! `/me`: the caller's own account: profile, password.

use crate::fields::{self, PRESENTED_PASSWORD_MAX};
use crate::membership;
use crate::mfa;
use crate::people::views::{Me, MembershipSummary};
use crate::user::{self, User};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::auth::session;
use nudge_core::crypto::password;
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, tagged};
use nudge_core::store::{Attempt, optimistic};
use nudge_core::{Ctx, validate};
use serde_json::{Value, json};
use utoipa::ToSchema;

async fn account(ctx: &Ctx, principal: &Principal) -> ApiResult<User> {
    user::load(&ctx.store, principal.user_id).await?.ok_or(ApiError::NotFound)
}

async fn view(ctx: &Ctx, principal: &Principal, user: User) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_READ)?;
    let mfa_enabled = mfa::load(&ctx.store, user.id).await?.enabled;
    let memberships = membership::of_user(&ctx.store, user.id)
        .await?
        .into_iter()
        .map(|m| MembershipSummary { tenant_id: m.tenant_id.as_uuid(), role: m.role, status: m.status })
        .collect();
    let version = user.version;
    let me = Me {
        id: user.id,
        email: user.email,
        name: user.name,
        first_name: user.first_name,
        last_name: user.last_name,
        status: user.status,
        last_login_at: user.last_login_at,
        created_at: user.created_at,
        updated_at: user.updated_at,
        mfa_enabled,
        tenant_id: tenant.as_uuid(),
        role: principal.role.clone(),
        permissions: principal.permissions().to_vec(),
        memberships,
    };
    Ok(tagged(http::StatusCode::OK, &me, version))
}

#[utoipa::path(get, path = "/me", tag = "me",
    responses(
        (status = 200, description = "Your account, role and permissions here, and your other organizations", body = Me, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_me(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    principal.require(PROFILE_READ)?;
    let user = account(&ctx, &principal).await?;
    view(&ctx, &principal, user).await
}

/// `PATCH /me` (a merge patch): `null` removes a name.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MePatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub first_name: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub last_name: Option<String>,
}

/// `POST /me/password`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// A wrong one is a 422.
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// 10 to 256 characters, not all white space, not your email address (422).
    #[schema(min_length = 10, max_length = 256, pattern = r"\S")]
    pub new_password: String,
}

/// The profile fields a user edits: name, firstName, lastName.
fn read_profile(doc: Value) -> ApiResult<(Option<String>, Option<String>, Option<String>)> {
    let mut f = Fields::new(doc)?;
    let read = |f: &mut Fields, name: &str| {
        let v: Option<String> = f.optional(name);
        f.check(name, &v, |s| validate::text(s, 1, 200));
        v.map(|s| s.trim().to_owned())
    };
    let name = read(&mut f, "name");
    let first = read(&mut f, "firstName");
    let last = read(&mut f, "lastName");
    f.finish()?;
    Ok((name, first, last))
}

#[utoipa::path(patch, path = "/me", tag = "me",
    params(("If-Match" = Option<String>, Header)),
    request_body(content = MePatch, content_type = "application/merge-patch+json", description = "The names to change"),
    responses(
        (status = 200, description = "Updated", body = Me, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn patch_me(
    principal: Principal,
    State(ctx): State<Ctx>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let updated = update::patch(
        if_match,
        &patch,
        || account(&ctx, &principal),
        |current: User, doc| async {
            let (name, first, last) = read_profile(doc)?;
            if (&name, &first, &last) == (&current.name, &current.first_name, &current.last_name) {
                return Ok(Step::Done(current));
            }
            let next = current.revised(Utc::now(), |u| {
                u.name = name;
                u.first_name = first;
                u.last_name = last;
            });
            Step::written(ctx.store.write(user::replace(&current, &next)?).await, next, ApiError::from)
        },
    )
    .await?;
    sync_member_names(&ctx, &updated).await?;
    view(&ctx, &principal, updated).await
}

/// Memberships carry a copy of the name for member lists; bring each up to date.
async fn sync_member_names(ctx: &Ctx, user: &User) -> ApiResult<()> {
    let name = Some(user.display_name());
    for m in membership::of_user(&ctx.store, user.id).await? {
        if m.name == name {
            continue;
        }
        let tenant = m.tenant();
        optimistic::retry(|| async {
            let Some(current) = membership::load(&ctx.store, &tenant, user.id).await? else {
                return Ok::<_, ApiError>(Attempt::Done(()));
            };
            let next = current.revised(Utc::now(), |m| m.name = name.clone());
            Ok(optimistic::settle(ctx.store.write(membership::replace(&current, &next)?).await, (), true)?)
        })
        .await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/me/password", tag = "me",
    request_body(content = PasswordChangeRequest, description = "Your current password and the new one"),
    responses(
        (status = 204, description = "Changed; your other sessions are signed out"),
    ),
    security(("bearer" = [])))]
pub async fn change_password(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let mut f = Fields::new(body)?;
    let current_pw = fields::secret(&mut f, "currentPassword", PRESENTED_PASSWORD_MAX, true);
    let new_pw = fields::new_password(&mut f, "newPassword", true);
    f.finish()?;
    let (Some(current_pw), Some(new_pw)) = (current_pw, new_pw) else {
        return Err(ApiError::internal("password input incomplete after validation"));
    };
    let current = account(&ctx, &principal).await?;
    let ok =
        password::verify_off_thread(current_pw, current.password_hash.clone()).await.map_err(ApiError::internal)?;
    if !ok {
        return Err(ApiError::rule("/currentPassword", "is wrong"));
    }
    fields::check_new_password("/newPassword", &new_pw, &current.email)?;
    let hash = password::hash_off_thread(new_pw).await.map_err(ApiError::internal)?;
    let next = current.revised(Utc::now(), |u| u.password_hash = Some(hash));
    ctx.store.write(user::replace(&current, &next)?).await?;
    let ended = session::revoke_others(&ctx.store, current.id, principal.session, "password changed").await?;
    let note = AuditNote::new("user.password_changed", "user", Some(current.id.to_string()))
        .metadata(json!({"sessionsEnded": ended}));
    Ok((note, StatusCode::NO_CONTENT).into_response())
}
