//! Password hashing with argon2id. Parameters follow OWASP's minimum (19 MiB, 2 passes, 1 lane): on a
//! 256 MB Lambda (≈ 1/7 vCPU) one hash costs a few hundred milliseconds and 19 MiB, leaving room for the
//! function; `make bench` measures it. The PHC string records the parameters, so raising them later still
//! verifies old hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

/// Length bounds: NIST SP 800-63B asks for at least 8; we ask 10, and cap the input argon2 hashes.
pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn hasher() -> Argon2<'static> {
    // The constants are valid argon2 parameters; Params::new only rejects out-of-range values.
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_else(|_| unreachable!("valid params"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=…`), with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt_bytes = super::random::bytes::<16>().map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError(e.to_string()))?;
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as [`verify`] for an account that does not exist, so a login for an unknown email
/// answers in the same time as one with a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash("not-a-real-account-password").ok()) {
        let _ = verify(password, phc);
    }
}

/// [`verify`] (or, for no stored hash, [`verify_nothing`]) on the blocking pool: argon2 is deliberately
/// slow and must not stall the async workers.
pub async fn verify_off_thread(password: String, phc: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify(&password, &phc),
        None => {
            verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|e| HashError(e.to_string()))
}

/// [`hash`] on the blocking pool.
pub async fn hash_off_thread(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| HashError(e.to_string()))?
}

/// Checks a new password's shape; the message names what is wrong.
pub fn check_new(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err("must be at least 10 characters");
    }
    if chars > MAX_LEN {
        return Err("must be at most 256 characters");
    }
    if password.trim().is_empty() || password.eq_ignore_ascii_case(email) {
        return Err("must not be blank or the email address");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_parameters() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(phc, hash("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new("short", "a@b.c").is_err());
        assert!(check_new("user@example.com", "user@example.com").is_err());
        assert!(check_new(&"x".repeat(300), "a@b.c").is_err());
        assert!(check_new("a long passphrase", "a@b.c").is_ok());
    }
}
