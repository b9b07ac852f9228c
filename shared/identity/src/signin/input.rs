//! Reading sign-in input. Pure: no I/O.

use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;
use serde_json::Value;
use uuid::Uuid;

pub struct Login {
    pub email: String,
    pub password: String,
    pub mfa_code: Option<String>,
    pub tenant_id: Option<Uuid>,
}

fn secret(f: &mut Fields, name: &str, max: usize) -> Option<String> {
    let value: Option<String> = f.required(name);
    f.check(name, &value, |v| {
        if v.is_empty() || v.len() > max { Err(format!("must be 1–{max} characters")) } else { Ok(()) }
    });
    value
}

pub fn login(body: Value) -> Result<Login, ApiError> {
    let mut f = Fields::new(body)?;
    let email = f.email("email", true);
    let password = secret(&mut f, "password", 1024);
    let mfa_code: Option<String> = f.optional("mfaCode");
    f.check("mfaCode", &mfa_code, |c| validate::text(c, 1, 32));
    let tenant_id: Option<Uuid> = f.optional("tenantId");
    f.finish()?;
    match (email, password) {
        (Some(email), Some(password)) => Ok(Login { email, password, mfa_code, tenant_id }),
        _ => Err(ApiError::internal("login input incomplete after validation")),
    }
}

pub fn refresh_token(body: Value) -> Result<String, ApiError> {
    let mut f = Fields::new(body)?;
    let token = secret(&mut f, "refreshToken", 512);
    f.finish()?;
    token.ok_or_else(|| ApiError::internal("refresh input incomplete after validation"))
}

/// A logout body: an optional refresh token (the bearer token's session is used otherwise).
pub fn logout(body: Option<Value>) -> Result<Option<String>, ApiError> {
    let Some(body) = body else { return Ok(None) };
    let mut f = Fields::new(body)?;
    let token: Option<String> = f.optional("refreshToken");
    f.finish()?;
    Ok(token)
}

pub fn tenant_id(body: Value) -> Result<Uuid, ApiError> {
    let mut f = Fields::new(body)?;
    let tenant: Option<Uuid> = f.required("tenantId");
    f.finish()?;
    tenant.ok_or_else(|| ApiError::internal("tenant input incomplete after validation"))
}

pub fn reset_request(body: Value) -> Result<String, ApiError> {
    let mut f = Fields::new(body)?;
    let email = f.email("email", true);
    f.finish()?;
    email.ok_or_else(|| ApiError::internal("reset input incomplete after validation"))
}

pub struct NewPassword {
    pub token: String,
    pub password: Option<String>,
    pub name: Option<String>,
}

/// `{token, password}` (reset: password required) or `{token, password?, name?}` (invite acceptance).
pub fn token_and_password(body: Value, password_required: bool, with_name: bool) -> Result<NewPassword, ApiError> {
    let mut f = Fields::new(body)?;
    let token = secret(&mut f, "token", 512);
    let password: Option<String> = if password_required { f.required("password") } else { f.optional("password") };
    let name: Option<String> = if with_name { f.optional("name") } else { None };
    f.check("name", &name, |n| validate::text(n, 1, 200));
    f.finish()?;
    let token = token.ok_or_else(|| ApiError::internal("token input incomplete after validation"))?;
    Ok(NewPassword { token, password, name: name.map(|n| n.trim().to_owned()) })
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
        assert_eq!(ok.email, "ana@example.com");
        let err = login(json!({"email": "nope", "password": 5, "tenantId": "x", "extra": 1}));
        assert_eq!(pointers(err), ["/email", "/password", "/tenantId", "/extra"]);
    }

    #[test]
    fn invite_acceptance_takes_an_optional_password_and_name() {
        let Ok(ok) = token_and_password(json!({"token": "t", "name": " Ana "}), false, true) else { panic!("refused") };
        assert_eq!((ok.password, ok.name.as_deref()), (None, Some("Ana")));
        let err = token_and_password(json!({"token": "t"}), true, false);
        assert_eq!(pointers(err), ["/password"]);
        let err = token_and_password(json!({"token": "t", "name": "x"}), true, false);
        assert_eq!(pointers(err), ["/password", "/name"]);
    }
}
