//! The sign-in endpoints. None needs a bearer token except logout (optionally) and switch-tenant; each
//! notes what it did for the audit log, successes and failures alike.

use crate::email_token::{self, EmailToken, TokenKind};
use crate::fields;
use crate::membership::{self, Membership, MembershipStatus};
use crate::mfa;
use crate::signin::grant::{self, Target, Tokens};
use crate::signin::input::{
    self, InviteAcceptRequest, LoginRequest, LogoutRequest, PasswordResetConfirmRequest, PasswordResetRequest,
    RefreshRequest, SwitchTenantRequest,
};
use crate::signin::{Deps, lockout};
use crate::user::{self, User, UserStatus};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::{HeaderMap, StatusCode, header};
use nudge_core::audit::AuditNote;
use nudge_core::auth::session::{self, RefreshToken, Session};
use nudge_core::crypto::password;
use nudge_core::http::{ApiError, ApiResult, ClientInfo, JsonBody};
use nudge_core::store::Tx;
use nudge_core::{Ctx, crypto};
use nudge_notifications::{Notification, NotificationKind};
use serde_json::json;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Each route once: `routes!` takes its method and path from the handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<super::Api> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(switch_tenant))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(accept_invite))
}

const BAD_CREDENTIALS: &str = "the email address or password is wrong";

async fn verify_password(password: String, hash: Option<String>) -> ApiResult<bool> {
    password::verify_off_thread(password, hash).await.map_err(ApiError::internal)
}

async fn hash_password(password: String) -> ApiResult<String> {
    password::hash_off_thread(password).await.map_err(ApiError::internal)
}

fn issued(status: StatusCode, tokens: &Tokens, note: AuditNote) -> Response {
    let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Json(tokens)).into_response();
    note.attach(&mut response);
    response
}

fn refused(err: ApiError, note: AuditNote) -> Response {
    (note, err).into_response()
}

/// Where a sign-in lands: the tenant asked for, else the last one used, else the first active membership;
/// a platform admin without memberships acts for the platform.
fn choose_target(user: &User, active: &[Membership], asked: Option<uuid::Uuid>) -> ApiResult<Target> {
    let chosen = match asked {
        Some(tenant) => active
            .iter()
            .find(|m| m.tenant_id.as_uuid() == tenant)
            .ok_or_else(|| ApiError::Forbidden("you are not an active member of that organization".into()))?,
        None => match user
            .last_tenant_id
            .and_then(|t| active.iter().find(|m| m.tenant_id.as_uuid() == t))
            .or(active.first())
        {
            Some(m) => m,
            None if user.platform_admin => return Ok(Target::Platform),
            None => return Err(ApiError::Forbidden("you are not an active member of any organization".into())),
        },
    };
    Ok(Target::Member(chosen.clone()))
}

#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body(content = LoginRequest, description = "Email and password; the MFA code when the account has MFA on"),
    responses(
        (status = 200, description = "Signed in", body = Tokens),
    ))]
pub async fn login(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    client: ClientInfo,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let input = input::login(body)?;
    let failures = lockout::load(&ctx.store, &input.email).await?;
    if let Some(retry_after_secs) = failures.locked_for(Utc::now()) {
        let note = AuditNote::new("auth.login_locked", "user", None).metadata(json!({"email": input.email}));
        return Ok(refused(ApiError::TooManyRequests { retry_after_secs }, note));
    }
    let account = user::by_email(&ctx.store, &input.email).await?;
    let hash = account.as_ref().and_then(|u| u.password_hash.clone());
    let matches = verify_password(input.password.clone(), hash).await?;
    let (Some(user), true) = (account, matches) else {
        lockout::record_failure(&ctx.store, &input.email).await?;
        let note = AuditNote::new("auth.login_failed", "user", None).metadata(json!({"email": input.email}));
        return Ok(refused(ApiError::Unauthorized(BAD_CREDENTIALS), note));
    };
    let note = |action: &str| AuditNote::new(action, "user", Some(user.id.to_string())).actor(user.id);
    if user.status != UserStatus::Active || user.deleted_at.is_some() {
        return Ok(refused(ApiError::Forbidden("the account is suspended".into()), note("auth.login_refused")));
    }
    let setting = mfa::load(&ctx.store, user.id).await?;
    if setting.enabled {
        let Some(code) = input.mfa_code.as_deref() else {
            return Ok(refused(
                ApiError::Unauthorized("mfa-required: send the code from your authenticator app as mfaCode"),
                note("auth.mfa_required"),
            ));
        };
        let wrong =
            || refused(ApiError::Unauthorized("the MFA code is wrong or was already used"), note("auth.mfa_failed"));
        let Some(after) = setting.spend(&deps.key, user.id, code, Utc::now()).map_err(ApiError::internal)? else {
            lockout::record_failure(&ctx.store, &input.email).await?;
            return Ok(wrong());
        };
        // The write is conditional: the same code racing in twice signs in once.
        match ctx.store.write(mfa::save(user.id, &setting, &after)?).await {
            Ok(()) => {}
            Err(e) if e.is_version_conflict() => return Ok(wrong()),
            Err(e) => return Err(e.into()),
        }
    }
    let active = grant::active_memberships(&ctx.store, user.id).await?;
    let target = match choose_target(&user, &active, input.tenant_id) {
        Ok(t) => t,
        Err(err) => return Ok(refused(err, note("auth.login_refused"))),
    };
    let (session, tokens) = grant::open(&ctx.store, &deps.issuer, &user, target, &active, client).await?;
    lockout::clear(&ctx.store, &input.email).await?;
    let note =
        with_tenant(note("auth.login"), &session).metadata(json!({"sessionId": session.id, "mfa": setting.enabled}));
    Ok(issued(StatusCode::OK, &tokens, note))
}

fn with_tenant(note: AuditNote, session: &Session) -> AuditNote {
    match session.tenant() {
        Some(t) => note.tenant(t),
        None => note,
    }
}

#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    request_body(content = RefreshRequest, description = "The refresh token of the pair to renew"),
    responses(
        (status = 200, description = "A new token pair; the refresh token presented is spent", body = Tokens),
    ))]
pub async fn refresh(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let token = input::refresh_token(body)?;
    let (session, tokens) = grant::refresh(&ctx.store, &deps.issuer, &token).await?;
    let note = AuditNote::new("auth.refresh", "session", Some(session.id.to_string())).actor(session.user_id);
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    request_body(content = Option<LogoutRequest>, description = "A refresh token, or no body (or `null`) with a bearer token"),
    responses(
        (status = 204, description = "The session is revoked (an unknown refresh token is ignored, as RFC 7009 asks)"),
    ))]
pub async fn logout(State(ctx): State<Ctx>, headers: HeaderMap, body: axum::body::Bytes) -> ApiResult<Response> {
    let body = if body.is_empty() { None } else { Some(nudge_core::http::input::parse_json(&body)?) };
    let session = match input::logout(body)? {
        Some(text) => match RefreshToken::parse(&text) {
            Some(presented) => session::load(&ctx.store, presented.session)
                .await?
                .filter(|s| s.presented(&presented.secret) == session::Presented::Current),
            None => None,
        },
        None => {
            let principal = nudge_core::auth::layer::principal(&ctx, &headers).await?;
            match principal.session {
                Some(sid) => session::load(&ctx.store, sid).await?,
                None => return Err(ApiError::Unauthorized("an operator token has no session to end")),
            }
        }
    };
    let Some(current) = session.filter(|s| s.is_live(Utc::now())) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    session::revoke(&ctx.store, current.clone(), "logout").await?;
    let note = AuditNote::new("auth.logout", "session", Some(current.id.to_string())).actor(current.user_id);
    Ok((with_tenant(note, &current), StatusCode::NO_CONTENT).into_response())
}

#[utoipa::path(post, path = "/auth/switch-tenant", tag = "auth",
    request_body(content = SwitchTenantRequest, description = "The organization to switch to"),
    responses(
        (status = 200, description = "A new session in that tenant", body = Tokens),
    ),
    security(("bearer" = [])))]
pub async fn switch_tenant(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    headers: HeaderMap,
    client: ClientInfo,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let principal = nudge_core::auth::layer::principal(&ctx, &headers).await?;
    let tenant_id = input::tenant_id(body)?;
    let user = user::load(&ctx.store, principal.user_id).await?.filter(User::can_sign_in);
    let Some(user) = user else { return Err(ApiError::Unauthorized("the account cannot sign in")) };
    let active = grant::active_memberships(&ctx.store, user.id).await?;
    let member = active.iter().find(|m| m.tenant_id.as_uuid() == tenant_id);
    let target = match (member, principal.platform_admin()) {
        (Some(m), _) => Target::Member(m.clone()),
        // A platform admin may enter any existing organization (to onboard its first admin, or support it).
        (None, Some(admin)) if user.platform_admin => {
            let tenant = admin.tenant(tenant_id);
            nudge_organizations::repo::get(&ctx.store, &tenant)
                .await?
                .filter(|o| !o.is_deleted())
                .ok_or(ApiError::NotFound)?;
            Target::Support(tenant)
        }
        _ => return Err(ApiError::NotFound),
    };
    let (session, tokens) = grant::open(&ctx.store, &deps.issuer, &user, target, &active, client).await?;
    let note = AuditNote::new("auth.switch_tenant", "session", Some(session.id.to_string()))
        .actor(user.id)
        .metadata(json!({"role": session.role}));
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}

#[utoipa::path(post, path = "/auth/password-reset", tag = "auth",
    request_body(content = PasswordResetRequest, description = "The account's email address"),
    responses(
        (status = 202, description = "If an active account has this address, a reset email is on its way"),
    ))]
pub async fn request_reset(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let email = input::reset_request(body)?;
    // The answer is the same whether or not the account exists: nothing to enumerate.
    let Some(user) = user::by_email(&ctx.store, &email).await?.filter(|u| u.status == UserStatus::Active) else {
        return Ok(StatusCode::ACCEPTED.into_response());
    };
    let token = crypto::random::token().map_err(ApiError::internal)?;
    let record = EmailToken::new(TokenKind::PasswordReset, user.id, &user.email, None, Utc::now());
    ctx.store.write(email_token::create(&token, &record)?).await?;
    let link = format!("{}/reset-password?token={token}", deps.app_url);
    let text = format!(
        "Someone asked to reset the password of your Nudge account. If it was you, open {link} within the hour. \
         If not, ignore this email: your password stays as it is."
    );
    let note = Notification::email(
        NotificationKind::PasswordReset,
        &user.email,
        None,
        "Reset your Nudge password".into(),
        text,
        link,
        &token,
        record.expires_at,
    );
    deps.notifier.send(&note).await.map_err(ApiError::internal)?;
    let audit = AuditNote::new("auth.password_reset_requested", "user", Some(user.id.to_string())).actor(user.id);
    Ok((audit, StatusCode::ACCEPTED).into_response())
}

/// A token of good form that names no usable invitation or reset: a broken rule, not a malformed request.
fn bad_token() -> ApiError {
    ApiError::rule("/token", "is invalid, expired or already used")
}

#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth",
    request_body(content = PasswordResetConfirmRequest, description = "The token from the email and the new password"),
    responses(
        (status = 204, description = "Password changed; every session of the account is signed out"),
    ))]
pub async fn confirm_reset(State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let input = input::reset_confirmation(body)?;
    let record =
        email_token::load(&ctx.store, &input.token).await?.filter(|t| t.is_valid(TokenKind::PasswordReset, Utc::now()));
    let Some(record) = record else { return Err(bad_token()) };
    let Some(current) = user::load(&ctx.store, record.user_id).await? else { return Err(bad_token()) };
    let password = input.password.unwrap_or_default();
    fields::check_new_password("/password", &password, &current.email)?;
    let hash = hash_password(password).await?;
    let next = current.revised(Utc::now(), |u| u.password_hash = Some(hash));
    let tx = Tx::new().with(email_token::spend(&input.token, &record)).with(user::replace(&current, &next)?);
    ctx.store.transact(tx).await.map_err(|e| match e {
        nudge_core::store::StoreError::Condition(email_token::USED) => bad_token(),
        other => other.into(),
    })?;
    let ended = session::revoke_all(&ctx.store, current.id, None, "password reset").await?;
    lockout::clear(&ctx.store, &current.email).await?;
    let note = AuditNote::new("auth.password_reset", "user", Some(current.id.to_string()))
        .actor(current.id)
        .metadata(json!({"sessionsEnded": ended}));
    Ok((note, StatusCode::NO_CONTENT).into_response())
}

#[utoipa::path(post, path = "/auth/invites/accept", tag = "auth",
    request_body(content = InviteAcceptRequest, description = "The token from the email; a password when the account has none yet (422 without)"),
    responses(
        (status = 200, description = "Membership active; signed in to that organization", body = Tokens),
    ))]
pub async fn accept_invite(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    client: ClientInfo,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let input = input::invite_acceptance(body)?;
    let now = Utc::now();
    let record = email_token::load(&ctx.store, &input.token).await?.filter(|t| t.is_valid(TokenKind::Invite, now));
    let Some((record, tenant)) = record.and_then(|r| r.tenant().map(|t| (r, t))) else { return Err(bad_token()) };
    let Some(member) = membership::load(&ctx.store, &tenant, record.user_id).await? else { return Err(bad_token()) };
    if member.status != MembershipStatus::Invited {
        return Err(ApiError::Conflict("this invitation was already accepted".into(), vec![]));
    }
    let Some(current) = user::load(&ctx.store, record.user_id).await? else { return Err(bad_token()) };
    let hash = match (&current.password_hash, input.password) {
        (Some(_), _) => None,
        (None, Some(password)) => {
            fields::check_new_password("/password", &password, &current.email)?;
            Some(hash_password(password).await?)
        }
        (None, None) => {
            return Err(ApiError::rule("/password", "is required: choose a password for your new account"));
        }
    };
    let name = input.name.clone();
    let next_user = current.revised(now, |u| {
        if let Some(h) = hash {
            u.password_hash = Some(h);
        }
        if let Some(n) = name {
            u.name = Some(n);
        }
    });
    let joined = member.revised(now, |m| {
        m.status = MembershipStatus::Active;
        m.joined_at = Some(now);
        m.name = Some(next_user.display_name());
    });
    let tx = Tx::new()
        .with(email_token::spend(&input.token, &record))
        .with(membership::replace(&member, &joined)?)
        .with(user::replace(&current, &next_user)?);
    ctx.store.transact(tx).await.map_err(|e| match e {
        nudge_core::store::StoreError::Condition(email_token::USED) => bad_token(),
        other => other.into(),
    })?;
    // The user's tenants index is eventually consistent on AWS: make sure the one just joined is listed.
    let mut active = grant::active_memberships(&ctx.store, next_user.id).await?;
    if !active.iter().any(|m| m.tenant_id == joined.tenant_id) {
        active.push(joined.clone());
    }
    let (session, tokens) =
        grant::open(&ctx.store, &deps.issuer, &next_user, Target::Member(joined), &active, client).await?;
    let note = AuditNote::new("invite.accepted", "user", Some(current.id.to_string())).actor(current.id);
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}
