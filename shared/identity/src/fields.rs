//! Field rules the sign-in and people readers share: secrets as presented, and new passwords. The request
//! schemas state them with literals (`minLength`, `maxLength`, `pattern`), which the tests of
//! [`crate::signin`] and [`crate::people`] check against the constants here.

use nudge_core::crypto::password;
use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;

/// The longest password a sign-in, a change or MFA's turning off compares. No account has a longer one
/// ([`password::MAX_LEN`]), so a longer one is a wrong password rather than a malformed request, up to here.
pub const PRESENTED_PASSWORD_MAX: usize = 1024;

/// The longest refresh, invitation or password-reset token read.
pub const TOKEN_MAX: usize = 512;

/// A secret as presented (a password to compare, a token): 1 to `max` characters, anything else goes; a
/// wrong one is for the caller to find out.
pub fn secret(f: &mut Fields, name: &str, max: usize, required: bool) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| {
        let n = v.chars().count();
        if n == 0 || n > max { Err(format!("must be 1–{max} characters")) } else { Ok(()) }
    });
    value
}

/// A new password's form: [`password::MIN_LEN`] to [`password::MAX_LEN`] characters, not all white space
/// (the schema's `minLength`, `maxLength` and `\S`).
pub fn new_password(f: &mut Fields, name: &str, required: bool) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| validate::text(v, password::MIN_LEN, password::MAX_LEN));
    value
}

/// What a schema cannot state of a new password of good form: it is not the account's own email address
/// (nor anything else the core's check refuses), a 422 at `pointer`.
pub fn check_new_password(pointer: &str, new: &str, email: &str) -> Result<(), ApiError> {
    if new.eq_ignore_ascii_case(email) {
        return Err(ApiError::rule(pointer, "must not be your email address"));
    }
    password::check_new(new, email).map_err(|m| ApiError::rule(pointer, m))
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn the_email_as_a_password_breaks_a_rule() {
        let Err(ApiError::Rejected(errors)) = check_new_password("/password", "Ana@Example.com", "ana@example.com")
        else {
            panic!("not a 422")
        };
        assert_eq!(errors[0].pointer.as_deref(), Some("/password"));
        assert!(check_new_password("/password", "a fine passphrase", "ana@example.com").is_ok());
    }
}
