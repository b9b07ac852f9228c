//! `/me/mfa`: TOTP enrolment (a pending secret confirmed by a first code), backup codes, and turning MFA
//! off (password and a code).

use crate::fields::{self, PRESENTED_PASSWORD_MAX};
use crate::people::{Deps, service};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{StatusCode, header};
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::http::{ApiResult, Fields, JsonBody};
use nudge_core::{Ctx, validate};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MfaStatus {
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    pub backup_codes_remaining: usize,
    pub enabled_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Enrolment {
    /// Base32, for typing into the authenticator app.
    pub secret: String,
    /// For a QR code.
    pub otpauth_uri: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackupCodes {
    /// Shown once: each works once in place of a TOTP code.
    pub backup_codes: Vec<String>,
}

/// `POST /me/mfa/activate` and `POST /me/mfa/backup-codes`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `code` reads the body")]
pub(crate) struct MfaCodeRequest {
    /// A code of the authenticator app (or, for new backup codes, a backup code); a wrong one is a 422.
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    pub code: String,
}

/// `POST /me/mfa/disable`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `code` reads the body")]
pub(crate) struct MfaDisableRequest {
    /// Your password; a wrong one is a 422.
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    /// A code of the authenticator app or a backup code; a wrong one is a 422.
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    pub code: String,
}

fn no_store<T: Serialize>(body: T) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

fn code(body: Value, with_password: bool) -> ApiResult<(String, Option<String>)> {
    let mut f = Fields::new(body)?;
    let code: Option<String> = f.required("code");
    f.check("code", &code, |c| validate::text(c, 1, 32));
    let pw = if with_password { fields::secret(&mut f, "password", PRESENTED_PASSWORD_MAX, true) } else { None };
    f.finish()?;
    Ok((code.unwrap_or_default(), pw))
}

/// MFA is the account's own: a member with the profile permission, or a platform admin (who has no tenant,
/// and whose account guards every organization).
fn own_account(principal: &Principal, permission: &str) -> Result<(), nudge_core::http::ApiError> {
    if principal.platform_admin().is_some() {
        return Ok(());
    }
    principal.require(permission).map(drop)
}

#[utoipa::path(get, path = "/me/mfa", tag = "me",
    responses((status = 200, description = "Your MFA state", body = MfaStatus)),
    security(("bearer" = [])))]
pub(crate) async fn status(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    own_account(&principal, PROFILE_READ)?;
    let s = service::mfa_setting(&ctx.store, principal.user_id).await?;
    Ok(axum::Json(MfaStatus {
        enabled: s.enabled,
        pending: s.pending_secret.is_some(),
        backup_codes_remaining: if s.enabled { s.backup_codes.len() } else { 0 },
        enabled_at: s.enabled_at,
    })
    .into_response())
}

#[utoipa::path(post, path = "/me/mfa/enrol", tag = "me",
    responses(
        (status = 200, description = "A new secret to add to an authenticator app; confirm with /me/mfa/activate", body = Enrolment),
    ),
    security(("bearer" = [])))]
pub(crate) async fn enrol(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
) -> ApiResult<Response> {
    own_account(&principal, PROFILE_WRITE)?;
    let (secret, otpauth_uri) = service::enrol(&ctx.store, &deps.key, principal.user_id).await?;
    Ok(no_store(Enrolment { secret, otpauth_uri }))
}

#[utoipa::path(post, path = "/me/mfa/activate", tag = "me",
    request_body(content = MfaCodeRequest, description = "The current code of the authenticator app"),
    responses(
        (status = 200, description = "MFA is on; keep these backup codes", body = BackupCodes),
    ),
    security(("bearer" = [])))]
pub(crate) async fn activate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    own_account(&principal, PROFILE_WRITE)?;
    let (code, _) = code(body, false)?;
    let backup_codes = service::activate(&ctx.store, &deps.key, principal.user_id, &code).await?;
    Ok(no_store(BackupCodes { backup_codes }))
}

#[utoipa::path(post, path = "/me/mfa/backup-codes", tag = "me",
    request_body(content = MfaCodeRequest, description = "A code of the authenticator app or a backup code"),
    responses(
        (status = 200, description = "New backup codes; the old ones stop working", body = BackupCodes),
    ),
    security(("bearer" = [])))]
pub(crate) async fn regenerate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    own_account(&principal, PROFILE_WRITE)?;
    let (code, _) = code(body, false)?;
    let backup_codes = service::regenerate(&ctx.store, &deps.key, principal.user_id, &code).await?;
    Ok(no_store(BackupCodes { backup_codes }))
}

#[utoipa::path(post, path = "/me/mfa/disable", tag = "me",
    request_body(content = MfaDisableRequest, description = "Your password and a code"),
    responses(
        (status = 204, description = "MFA is off"),
    ),
    security(("bearer" = [])))]
pub(crate) async fn disable(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    own_account(&principal, PROFILE_WRITE)?;
    let (code, password) = code(body, true)?;
    service::disable(&ctx.store, &deps.key, principal.user_id, password.unwrap_or_default(), &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
