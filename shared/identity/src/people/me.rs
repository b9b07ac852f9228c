//! `/me`: the caller's own account: profile, password.

use crate::fields::{self, PRESENTED_PASSWORD_MAX};
use crate::people::service::{self, Names};
use crate::people::views::{Me, MembershipSummary};
use crate::user::User;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use nudge_core::audit::AuditNote;
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::http::update::{self, Step};
use nudge_core::http::{ApiError, ApiResult, Fields, IfMatch, JsonBody, tagged};
use nudge_core::store::Attempt;
use nudge_core::{Ctx, validate};
use serde_json::{Value, json};
use utoipa::ToSchema;

async fn view(ctx: &Ctx, principal: &Principal, user: User) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_READ)?;
    let (mfa_enabled, memberships) = service::profile(&ctx.store, &user).await?;
    let memberships = memberships
        .into_iter()
        .map(|m| MembershipSummary { tenant_id: m.tenant_id.as_uuid(), role: m.role, status: m.status })
        .collect();
    let version = user.version;
    let me = Me {
        id: user.id,
        email: user.email.into(),
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
pub(crate) async fn get_me(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    principal.require(PROFILE_READ)?;
    let user = service::account(&ctx.store, principal.user_id).await?;
    view(&ctx, &principal, user).await
}

/// `PATCH /me` (a merge patch): `null` removes a name.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `read_profile` reads the merged document")]
pub(crate) struct MePatch {
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
#[expect(dead_code, reason = "the body's schema for the document only: `change_password` reads the body")]
pub(crate) struct PasswordChangeRequest {
    /// A wrong one is a 422.
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// 10 to 256 characters, not all white space, not your email address (422).
    #[schema(min_length = 10, max_length = 256, pattern = r"\S")]
    pub new_password: String,
}

/// The profile fields a user edits: name, firstName, lastName.
fn read_profile(doc: Value) -> ApiResult<Names> {
    let mut f = Fields::new(doc)?;
    let read = |f: &mut Fields, name: &str| {
        let v: Option<String> = f.optional(name);
        f.check(name, &v, |s| validate::text(s, 1, 200));
        v.map(|s| s.trim().to_owned())
    };
    let name = read(&mut f, "name");
    let first_name = read(&mut f, "firstName");
    let last_name = read(&mut f, "lastName");
    f.finish()?;
    Ok(Names { name, first_name, last_name })
}

#[utoipa::path(patch, path = "/me", tag = "me",
    params(("If-Match" = Option<String>, Header)),
    request_body(content = MePatch, content_type = "application/merge-patch+json", description = "The names to change"),
    responses(
        (status = 200, description = "Updated", body = Me, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub(crate) async fn patch_me(
    principal: Principal,
    State(ctx): State<Ctx>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let load = || async { Ok(service::account(&ctx.store, principal.user_id).await?) };
    let updated = update::patch(if_match, &patch, load, |current: User, doc| async {
        let names = read_profile(doc)?;
        Ok(match service::rename(&ctx.store, current, names).await? {
            Attempt::Done(user) => Step::Done(user),
            Attempt::Retry => Step::Moved,
        })
    })
    .await?;
    service::sync_member_names(&ctx.store, &updated).await?;
    view(&ctx, &principal, updated).await
}

#[utoipa::path(post, path = "/me/password", tag = "me",
    request_body(content = PasswordChangeRequest, description = "Your current password and the new one"),
    responses(
        (status = 204, description = "Changed; your other sessions are signed out"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn change_password(
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
    let user = principal.user_id;
    let ended = service::change_password(&ctx.store, user, principal.session, current_pw, new_pw).await?;
    let note = AuditNote::new("user.password_changed", "user", Some(user.to_string()))
        .metadata(json!({"sessionsEnded": ended}));
    Ok((note, StatusCode::NO_CONTENT).into_response())
}
