//! `/me/mfa`: TOTP enrolment (a pending secret confirmed by a first code), backup codes, and turning MFA
//! off (password and a code).

use crate::fields::{self, PRESENTED_PASSWORD_MAX};
use crate::mfa::{self, MfaSetting};
use crate::people::Deps;
use crate::user;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{StatusCode, header};
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::crypto::password;
use nudge_core::http::{ApiError, ApiResult, Fields, JsonBody};
use nudge_core::{Ctx, validate};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaStatus {
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    pub backup_codes_remaining: usize,
    pub enabled_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    /// Base32, for typing into the authenticator app.
    pub secret: String,
    /// For a QR code.
    pub otpauth_uri: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupCodes {
    /// Shown once: each works once in place of a TOTP code.
    pub backup_codes: Vec<String>,
}

/// `POST /me/mfa/activate` and `POST /me/mfa/backup-codes`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MfaCodeRequest {
    /// A code of the authenticator app (or, for new backup codes, a backup code); a wrong one is a 422.
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    pub code: String,
}

/// `POST /me/mfa/disable`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MfaDisableRequest {
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

async fn save(ctx: &Ctx, principal: &Principal, current: &MfaSetting, next: &MfaSetting) -> ApiResult<()> {
    ctx.store.write(mfa::save(principal.user_id, current, next)?).await.map_err(|e| {
        if e.is_version_conflict() {
            ApiError::Conflict("MFA settings changed meanwhile; retry".into(), vec![])
        } else {
            e.into()
        }
    })
}

#[utoipa::path(get, path = "/me/mfa", tag = "me",
    responses((status = 200, description = "Your MFA state", body = MfaStatus)),
    security(("bearer" = [])))]
pub async fn status(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    principal.require(PROFILE_READ)?;
    let s = mfa::load(&ctx.store, principal.user_id).await?;
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
pub async fn enrol(principal: Principal, State(ctx): State<Ctx>, State(deps): State<Arc<Deps>>) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let account = user::load(&ctx.store, principal.user_id).await?.ok_or(ApiError::NotFound)?;
    let current = mfa::load(&ctx.store, account.id).await?;
    if current.enabled {
        return Err(ApiError::Conflict("MFA is already on; turn it off first to enrol a new device".into(), vec![]));
    }
    let (sealed, secret) = mfa::new_secret(&deps.key, account.id).map_err(ApiError::internal)?;
    let next = MfaSetting {
        pending_secret: Some(sealed),
        updated_at: Some(Utc::now()),
        version: current.version + 1,
        ..current.clone()
    };
    save(&ctx, &principal, &current, &next).await?;
    let otpauth_uri = mfa::otpauth_uri("Nudge", &account.email, &secret);
    Ok(no_store(Enrolment { secret, otpauth_uri }))
}

#[utoipa::path(post, path = "/me/mfa/activate", tag = "me",
    request_body(content = MfaCodeRequest, description = "The current code of the authenticator app"),
    responses(
        (status = 200, description = "MFA is on; keep these backup codes", body = BackupCodes),
    ),
    security(("bearer" = [])))]
pub async fn activate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let (code, _) = code(body, false)?;
    let current = mfa::load(&ctx.store, principal.user_id).await?;
    let Some(secret) = current.open_pending(&deps.key, principal.user_id).map_err(ApiError::internal)? else {
        return Err(ApiError::Conflict("no enrolment is pending; start with /me/mfa/enrol".into(), vec![]));
    };
    let now = Utc::now();
    let step = mfa::totp_step(&secret, &code, now.timestamp() as u64, None).map_err(ApiError::internal)?;
    let Some(step) = step else { return Err(ApiError::rule("/code", "is not the current code for this secret")) };
    let (plain, hashes) = mfa::new_backup_codes(&deps.key).map_err(ApiError::internal)?;
    let next = MfaSetting {
        enabled: true,
        secret: current.pending_secret.clone(),
        pending_secret: None,
        backup_codes: hashes,
        last_used_step: Some(step),
        enabled_at: Some(now),
        updated_at: Some(now),
        version: current.version + 1,
    };
    save(&ctx, &principal, &current, &next).await?;
    Ok(no_store(BackupCodes { backup_codes: plain }))
}

/// The setting with `code` spent, if MFA is on and the code is good (written by the caller, once, together
/// with what the code authorised).
fn spent(deps: &Deps, principal: &Principal, current: &MfaSetting, code: &str) -> ApiResult<MfaSetting> {
    if !current.enabled {
        return Err(ApiError::Conflict("MFA is off".into(), vec![]));
    }
    current
        .spend(&deps.key, principal.user_id, code, Utc::now())
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::rule("/code", "is wrong or was already used"))
}

#[utoipa::path(post, path = "/me/mfa/backup-codes", tag = "me",
    request_body(content = MfaCodeRequest, description = "A code of the authenticator app or a backup code"),
    responses(
        (status = 200, description = "New backup codes; the old ones stop working", body = BackupCodes),
    ),
    security(("bearer" = [])))]
pub async fn regenerate(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    principal.require(PROFILE_WRITE)?;
    let (code, _) = code(body, false)?;
    let current = mfa::load(&ctx.store, principal.user_id).await?;
    let spent = spent(&deps, &principal, &current, &code)?;
    let (plain, hashes) = mfa::new_backup_codes(&deps.key).map_err(ApiError::internal)?;
    save(&ctx, &principal, &current, &MfaSetting { backup_codes: hashes, ..spent }).await?;
    Ok(no_store(BackupCodes { backup_codes: plain }))
}

#[utoipa::path(post, path = "/me/mfa/disable", tag = "me",
    request_body(content = MfaDisableRequest, description = "Your password and a code"),
    responses(
        (status = 204, description = "MFA is off"),
    ),
    security(("bearer" = [])))]
pub async fn disable(
    principal: Principal,
    State(ctx): State<Ctx>,
    State(deps): State<Arc<Deps>>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    principal.require(PROFILE_WRITE)?;
    let (code, pw) = code(body, true)?;
    let account = user::load(&ctx.store, principal.user_id).await?.ok_or(ApiError::NotFound)?;
    let ok = password::verify_off_thread(pw.unwrap_or_default(), account.password_hash.clone())
        .await
        .map_err(ApiError::internal)?;
    if !ok {
        return Err(ApiError::rule("/password", "is wrong"));
    }
    let current = mfa::load(&ctx.store, account.id).await?;
    let spent = spent(&deps, &principal, &current, &code)?;
    save(
        &ctx,
        &principal,
        &current,
        &MfaSetting { version: spent.version, updated_at: spent.updated_at, ..MfaSetting::default() },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
