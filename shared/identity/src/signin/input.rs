//! Reading sign-in input, and the request schemas that state what it accepts: edge code, so its refusals are
//! problems. Pure: no I/O.

use crate::fields::{self, PRESENTED_PASSWORD_MAX, TOKEN_MAX};
use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;
use nudge_core::values::Email;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /auth/login`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct LoginRequest {
    /// Compared case-insensitively.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    /// The code of the authenticator app, or a backup code: required when the account has MFA on.
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    pub mfa_code: Option<String>,
    /// The organization to sign in to (else the last one used, else the first).
    pub tenant_id: Option<Uuid>,
}

/// `POST /auth/refresh`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct RefreshRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

/// `POST /auth/logout`: the whole body is optional (no body, or `null`, ends the bearer token's session).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct LogoutRequest {
    /// The session of this refresh token ends (an unknown one is ignored); without it, the bearer token's.
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: Option<String>,
}

/// `POST /auth/switch-tenant`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct SwitchTenantRequest {
    pub tenant_id: Uuid,
}

/// `POST /auth/password-reset`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct PasswordResetRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

/// `POST /auth/password-reset/confirm`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct PasswordResetConfirmRequest {
    /// From the email; one that is unknown, expired or used is a 422.
    #[schema(min_length = 1, max_length = 512)]
    pub token: String,
    /// The new password: 10 to 256 characters, not all white space, not the email address (422).
    #[schema(min_length = 10, max_length = 256, pattern = r"\S")]
    pub password: String,
}

/// `POST /auth/invites/accept`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: the readers below read it")]
pub(crate) struct InviteAcceptRequest {
    /// From the email; one that is unknown, expired or used is a 422.
    #[schema(min_length = 1, max_length = 512)]
    pub token: String,
    /// The account's password: 10 to 256 characters, not all white space, not the email address. Required
    /// (422 without): a new one when the account has none yet, its current one when it has (joining an
    /// organization with an existing account proves it is yours).
    #[schema(min_length = 10, max_length = 256, pattern = r"\S")]
    pub password: Option<String>,
    /// A TOTP or backup code, when the existing account has MFA on (401 without).
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    pub mfa_code: Option<String>,
    /// The account's name, if it changes.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
}

pub(crate) struct Login {
    pub email: Email,
    pub password: String,
    pub mfa_code: Option<String>,
    pub tenant_id: Option<Uuid>,
}

pub(crate) fn login(body: Value) -> Result<Login, ApiError> {
    let mut f = Fields::new(body)?;
    let email: Option<Email> = f.parse("email", true);
    let password = fields::secret(&mut f, "password", PRESENTED_PASSWORD_MAX, true);
    let mfa_code: Option<String> = f.optional("mfaCode");
    f.check("mfaCode", &mfa_code, |c| validate::text(c, 1, 32));
    let tenant_id: Option<Uuid> = f.optional("tenantId");
    f.finish()?;
    match (email, password) {
        (Some(email), Some(password)) => Ok(Login { email, password, mfa_code, tenant_id }),
        _ => Err(ApiError::internal("login input incomplete after validation")),
    }
}

pub(crate) fn refresh_token(body: Value) -> Result<String, ApiError> {
    let mut f = Fields::new(body)?;
    let token = fields::secret(&mut f, "refreshToken", TOKEN_MAX, true);
    f.finish()?;
    token.ok_or_else(|| ApiError::internal("refresh input incomplete after validation"))
}

/// A logout body: an optional refresh token (the bearer token's session is used otherwise). No body and a
/// `null` one are alike.
pub(crate) fn logout(body: Option<Value>) -> Result<Option<String>, ApiError> {
    let Some(body) = body.filter(|b| !b.is_null()) else { return Ok(None) };
    let mut f = Fields::new(body)?;
    let token = fields::secret(&mut f, "refreshToken", TOKEN_MAX, false);
    f.finish()?;
    Ok(token)
}

pub(crate) fn tenant_id(body: Value) -> Result<Uuid, ApiError> {
    let mut f = Fields::new(body)?;
    let tenant: Option<Uuid> = f.required("tenantId");
    f.finish()?;
    tenant.ok_or_else(|| ApiError::internal("tenant input incomplete after validation"))
}

pub(crate) fn reset_request(body: Value) -> Result<Email, ApiError> {
    let mut f = Fields::new(body)?;
    let email: Option<Email> = f.parse("email", true);
    f.finish()?;
    email.ok_or_else(|| ApiError::internal("reset input incomplete after validation"))
}

pub(crate) struct NewPassword {
    pub token: String,
    pub password: Option<String>,
    pub mfa_code: Option<String>,
    pub name: Option<String>,
}

/// `{token, password}`: a password reset's confirmation.
pub(crate) fn reset_confirmation(body: Value) -> Result<NewPassword, ApiError> {
    let mut f = Fields::new(body)?;
    let token = fields::secret(&mut f, "token", TOKEN_MAX, true);
    let password = fields::new_password(&mut f, "password", true);
    f.finish()?;
    let token = token.ok_or_else(|| ApiError::internal("token input incomplete after validation"))?;
    Ok(NewPassword { token, password, mfa_code: None, name: None })
}

/// `{token, password?, mfaCode?, name?}`: an invitation's acceptance. The password has a new one's form
/// either way (existing passwords have it too).
pub(crate) fn invite_acceptance(body: Value) -> Result<NewPassword, ApiError> {
    let mut f = Fields::new(body)?;
    let token = fields::secret(&mut f, "token", TOKEN_MAX, true);
    let password = fields::new_password(&mut f, "password", false);
    let mfa_code: Option<String> = f.optional("mfaCode");
    f.check("mfaCode", &mfa_code, |c| validate::text(c, 1, 32));
    let name: Option<String> = f.optional("name");
    f.check("name", &name, |n| validate::text(n, 1, 200));
    f.finish()?;
    let token = token.ok_or_else(|| ApiError::internal("token input incomplete after validation"))?;
    Ok(NewPassword { token, password, mfa_code, name: name.map(|n| n.trim().to_owned()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // No Debug on the inputs (they hold passwords), so no unwrap_err.
    fn pointers<T>(result: Result<T, ApiError>) -> Vec<String> {
        let Err(err) = result else { panic!("accepted") };
        match err {
            ApiError::Invalid(errors) => errors.into_iter().filter_map(|e| e.pointer).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn login_names_every_bad_field_and_normalises_the_email() {
        let Ok(ok) = login(json!({"email": " Ana@Example.com", "password": "pw"})) else { panic!("refused") };
        assert_eq!(ok.email.as_str(), "ana@example.com");
        let err = login(json!({"email": "nope", "password": 5, "tenantId": "x", "extra": 1}));
        assert_eq!(pointers(err), ["/email", "/password", "/tenantId", "/extra"]);
    }

    #[test]
    fn invite_acceptance_takes_an_optional_password_and_name() {
        let Ok(ok) = invite_acceptance(json!({"token": "t", "name": " Ana "})) else { panic!("refused") };
        assert_eq!((ok.password, ok.name.as_deref()), (None, Some("Ana")));
        let err = reset_confirmation(json!({"token": "t"}));
        assert_eq!(pointers(err), ["/password"]);
        let err = reset_confirmation(json!({"token": "t", "password": "a fine passphrase", "name": "x"}));
        assert_eq!(pointers(err), ["/name"]);
        let err = invite_acceptance(json!({"token": "", "password": "short", "name": " "}));
        assert_eq!(pointers(err), ["/token", "/password", "/name"]);
    }

    #[test]
    fn a_logout_body_is_optional_and_null_is_none() {
        assert!(matches!(logout(None), Ok(None)));
        assert!(matches!(logout(Some(Value::Null)), Ok(None)));
        assert!(matches!(logout(Some(json!({"refreshToken": null}))), Ok(None)));
        assert!(matches!(logout(Some(json!({"refreshToken": "a.b"}))), Ok(Some(_))));
        assert_eq!(pointers(logout(Some(json!({"refreshToken": ""})))), ["/refreshToken"]);
        assert_eq!(pointers(logout(Some(json!([1])))), [""]);
    }
}
