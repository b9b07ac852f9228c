//! The sign-in endpoints (edge): each reads its input, calls [`super::service`] or [`super::grant`], and
//! answers; none needs a bearer token except logout (optionally) and switch-tenant. Each notes what it did for
//! the audit log, successes and failures alike.

use crate::error::{IdentityError, Unauthenticated};
use crate::signin::Deps;
use crate::signin::grant::{self, Tokens};
use crate::signin::input::{
    self, InviteAcceptRequest, LoginRequest, LogoutRequest, PasswordResetConfirmRequest, PasswordResetRequest,
    RefreshRequest, SwitchTenantRequest,
};
use crate::signin::service::{self, Ending, Outcome, SignedIn};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use nudge_core::Ctx;
use nudge_core::audit::AuditNote;
use nudge_core::auth::session::{Client, Session};
use nudge_core::http::{ApiError, ApiResult, ClientInfo, JsonBody, SourceIp};
use serde_json::json;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

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

/// The session's record of where the request came from.
fn session_client(client: ClientInfo) -> Client {
    Client { ip: client.ip, user_agent: client.user_agent }
}

fn issued(status: StatusCode, tokens: &Tokens, note: AuditNote) -> Response {
    let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Json(tokens)).into_response();
    note.attach(&mut response);
    response
}

fn refused(err: ApiError, note: AuditNote) -> Response {
    (note, err).into_response()
}

/// The audit note of what an account did.
fn by_user(action: &str, user: Uuid) -> AuditNote {
    AuditNote::new(action, "user", Some(user.to_string())).actor(user)
}

/// The audit action of a refused sign-in.
fn refusal_action(why: &IdentityError) -> &'static str {
    match why {
        IdentityError::Locked { .. } => "auth.login_locked",
        IdentityError::Throttled { .. } => "auth.login_throttled",
        IdentityError::Unauthenticated(Unauthenticated::BadCredentials) => "auth.login_failed",
        IdentityError::Unauthenticated(Unauthenticated::MfaRequired) => "auth.mfa_required",
        IdentityError::Unauthenticated(Unauthenticated::WrongMfaCode) => "auth.mfa_failed",
        _ => "auth.login_refused",
    }
}

#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body(content = LoginRequest, description = "Email and password; the MFA code when the account has MFA on"),
    responses(
        (status = 200, description = "Signed in", body = Tokens),
    ))]
pub(crate) async fn login(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    client: ClientInfo,
    ip: SourceIp,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let input = input::login(body)?;
    let email = input.email.clone();
    match service::login(&ctx.store, &deps, input, session_client(client), ip).await? {
        Outcome::SignedIn(signed_in) => {
            let SignedIn { user, session, tokens, mfa } = *signed_in;
            let note = with_tenant(by_user("auth.login", user), &session)
                .metadata(json!({"sessionId": session.id, "mfa": mfa, "mfaEnrolmentOnly": tokens.mfa_enrol}));
            Ok(issued(StatusCode::OK, &tokens, note))
        }
        Outcome::Refused { user, why } => {
            let action = refusal_action(&why);
            let note = match user {
                Some(user) => by_user(action, user),
                None => AuditNote::new(action, "user", None).metadata(json!({"email": email})),
            };
            Ok(refused(why.into(), note))
        }
    }
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
pub(crate) async fn refresh(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let token = input::refresh_token(body)?;
    let (session, tokens) = grant::refresh(&ctx.store, &deps, &token).await?;
    let note = AuditNote::new("auth.refresh", "session", Some(session.id.to_string())).actor(session.user_id);
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    request_body(content = Option<LogoutRequest>, description = "A refresh token, or no body (or `null`) with a bearer token"),
    responses(
        (status = 204, description = "The session is revoked (an unknown refresh token is ignored, as RFC 7009 asks)"),
    ))]
pub(crate) async fn logout(State(ctx): State<Ctx>, headers: HeaderMap, body: axum::body::Bytes) -> ApiResult<Response> {
    let body = if body.is_empty() { None } else { Some(nudge_core::http::input::parse_json(&body)?) };
    let ending = match input::logout(body)? {
        Some(text) => Ending::RefreshToken(text),
        None => {
            let principal = nudge_core::auth::layer::principal(&ctx, &headers).await?;
            match principal.session {
                Some(sid) => Ending::Session(sid),
                None => return Err(IdentityError::Unauthenticated(Unauthenticated::OperatorToken).into()),
            }
        }
    };
    let Some(ended) = service::logout(&ctx.store, ending).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let note = AuditNote::new("auth.logout", "session", Some(ended.id.to_string())).actor(ended.user_id);
    Ok((with_tenant(note, &ended), StatusCode::NO_CONTENT).into_response())
}

#[utoipa::path(post, path = "/auth/switch-tenant", tag = "auth",
    request_body(content = SwitchTenantRequest, description = "The organization to switch to"),
    responses(
        (status = 200, description = "A new session in that tenant", body = Tokens),
    ),
    security(("bearer" = [])))]
pub(crate) async fn switch_tenant(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    headers: HeaderMap,
    client: ClientInfo,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let principal = nudge_core::auth::layer::principal(&ctx, &headers).await?;
    let tenant_id = input::tenant_id(body)?;
    let (user, session, tokens) =
        service::switch_tenant(&ctx.store, &deps, &principal, tenant_id, session_client(client)).await?;
    let note = AuditNote::new("auth.switch_tenant", "session", Some(session.id.to_string()))
        .actor(user)
        .metadata(json!({"role": session.role}));
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}

#[utoipa::path(post, path = "/auth/password-reset", tag = "auth",
    request_body(content = PasswordResetRequest, description = "The account's email address"),
    responses(
        (status = 202, description = "If an active account has this address, a reset email is on its way"),
    ))]
pub(crate) async fn request_reset(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    ip: SourceIp,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let email = input::reset_request(body)?;
    // The answer, and the work behind it, are the same whether or not the account exists: nothing to
    // enumerate, not even by timing.
    service::request_reset(&ctx.store, &deps, &email, ip).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth",
    request_body(content = PasswordResetConfirmRequest, description = "The token from the email and the new password"),
    responses(
        (status = 204, description = "Password changed; every session of the account is signed out"),
    ))]
pub(crate) async fn confirm_reset(State(ctx): State<Ctx>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let input = input::reset_confirmation(body)?;
    let password = input.password.unwrap_or_default();
    let (user, ended) = service::confirm_reset(&ctx.store, &input.token, password).await?;
    let note = by_user("auth.password_reset", user).metadata(json!({"sessionsEnded": ended}));
    Ok((note, StatusCode::NO_CONTENT).into_response())
}

#[utoipa::path(post, path = "/auth/invites/accept", tag = "auth",
    request_body(content = InviteAcceptRequest, description = "The token from the email; a password when the account has none yet (422 without)"),
    responses(
        (status = 200, description = "Membership active; signed in to that organization", body = Tokens),
    ))]
pub(crate) async fn accept_invite(
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    client: ClientInfo,
    ip: SourceIp,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let input = input::invite_acceptance(body)?;
    let (user, session, tokens) = service::accept_invite(&ctx.store, &deps, input, session_client(client), ip).await?;
    let note = by_user("invite.accepted", user);
    Ok(issued(StatusCode::OK, &tokens, with_tenant(note, &session)))
}
