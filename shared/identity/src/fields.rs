//! Field readers the sign-in and people readers share (edge code): secrets as presented, and new passwords'
//! form. The request schemas state them with literals (`minLength`, `maxLength`, `pattern`), which the
//! contract tests check against the constants here. What a new password must not be beyond its form is the
//! account's rule (`User::check_new_password`).

use nudge_core::crypto::password;
use nudge_core::http::Fields;
use nudge_core::validate;

/// The longest password a sign-in, a change or MFA's turning off compares. No account has a longer one
/// ([`password::MAX_LEN`]), so a longer one is a wrong password rather than a malformed request, up to here.
pub(crate) const PRESENTED_PASSWORD_MAX: usize = 1024;

/// The longest refresh, invitation or password-reset token read.
pub(crate) const TOKEN_MAX: usize = 512;

/// A secret as presented (a password to compare, a token): 1 to `max` characters, anything else goes; a
/// wrong one is for the caller to find out.
pub(crate) fn secret(f: &mut Fields, name: &str, max: usize, required: bool) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| {
        let n = v.chars().count();
        if n == 0 || n > max { Err(format!("must be 1–{max} characters")) } else { Ok(()) }
    });
    value
}

/// A new password's form: [`password::MIN_LEN`] to [`password::MAX_LEN`] characters, not all white space
/// (the schema's `minLength`, `maxLength` and `\S`).
pub(crate) fn new_password(f: &mut Fields, name: &str, required: bool) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| validate::text(v, password::MIN_LEN, password::MAX_LEN));
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::http::ApiError;
    use serde_json::json;

    fn read(body: serde_json::Value) -> Result<(), ApiError> {
        let mut f = Fields::new(body)?;
        let _ = secret(&mut f, "token", TOKEN_MAX, true);
        let _ = new_password(&mut f, "password", false);
        f.finish()
    }

    #[test]
    fn secrets_count_characters_and_new_passwords_their_form() {
        assert!(read(json!({"token": "é".repeat(TOKEN_MAX), "password": "ab  cd  ef"})).is_ok());
        assert!(read(json!({"token": "é".repeat(TOKEN_MAX + 1)})).is_err());
        assert!(read(json!({"token": ""})).is_err());
        for bad in ["short", " \u{1c}\u{a0}\u{feff}         ", &"x".repeat(password::MAX_LEN + 1)] {
            assert!(matches!(read(json!({"token": "t", "password": bad})), Err(ApiError::Invalid(_))), "{bad:?}");
        }
        assert!(read(json!({"token": "t", "password": "x".repeat(password::MAX_LEN)})).is_ok());
    }
}
