//! Multi-factor authentication (seed 004 MfaSetting): a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s),
//! sealed at rest, and single-use backup codes stored as keyed digests. A TOTP code is accepted once: the
//! last step used is remembered, so a code seen over someone's shoulder cannot be replayed.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | MFA setting | `P#USER#<uid>` | `MFA` |

use crate::error::IdentityError;
use chrono::{DateTime, Utc};
use nudge_core::crypto::{DataKey, digest, random};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, Write};
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
const BACKUP_CODES: usize = 10;
const BACKUP_CODE_LEN: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("the MFA secret could not be opened: {0}")]
    Sealed(#[from] nudge_core::crypto::sealed::SealError),
    #[error("random source: {0}")]
    Random(#[from] random::RandomError),
    #[error("totp: {0}")]
    Totp(String),
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MfaSetting {
    pub enabled: bool,
    /// The active secret, sealed.
    #[serde(default)]
    pub secret: Option<String>,
    /// A secret being enrolled, sealed, until a first code confirms it.
    #[serde(default)]
    pub pending_secret: Option<String>,
    #[serde(default)]
    pub backup_codes: Vec<String>,
    #[serde(default)]
    pub last_used_step: Option<u64>,
    #[serde(default)]
    pub enabled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

/// What a sign-in code turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CodeUse {
    Totp { step: u64 },
    Backup { index: usize },
    Rejected,
}

fn aad(user: Uuid) -> String {
    format!("P#USER#{user}/MFA")
}

fn totp(secret: &[u8]) -> Result<TOTP, MfaError> {
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, secret.to_vec()).map_err(|e| MfaError::Totp(e.to_string()))
}

/// A fresh 160-bit secret, sealed for the user, and its base32 text for the authenticator app.
pub(crate) fn new_secret(key: &DataKey, user: Uuid) -> Result<(String, String), MfaError> {
    let raw = random::bytes::<20>()?;
    let text = totp(&raw)?.get_secret_base32();
    Ok((key.seal(&text, &aad(user))?, text))
}

/// The `otpauth://` URI authenticator apps read (usually from a QR code).
pub(crate) fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// The step a TOTP `code` is valid for at `now` (one step of clock skew either way), if it was not used yet.
pub(crate) fn totp_step(
    secret_base32: &str,
    code: &str,
    now: u64,
    last_used: Option<u64>,
) -> Result<Option<u64>, MfaError> {
    let raw =
        totp_rs::Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|e| MfaError::Totp(e.to_string()))?;
    let totp = totp(&raw)?;
    let current = now / STEP_SECONDS;
    let code = code.trim();
    Ok([current.saturating_sub(1), current, current + 1]
        .into_iter()
        .filter(|step| last_used.is_none_or(|used| *step > used))
        .find(|step| digest::same(&totp.generate(step * STEP_SECONDS), code)))
}

/// Ten fresh backup codes (shown once) and their keyed digests (stored).
pub(crate) fn new_backup_codes(key: &DataKey) -> Result<(Vec<String>, Vec<String>), MfaError> {
    let digest_key = key.digest_key();
    let mut plain = Vec::with_capacity(BACKUP_CODES);
    for _ in 0..BACKUP_CODES {
        plain.push(random::code(BACKUP_CODE_LEN)?);
    }
    let hashes = plain.iter().map(|c| digest::keyed(&digest_key, c)).collect();
    Ok((plain, hashes))
}

impl MfaSetting {
    pub(crate) fn open_secret(&self, key: &DataKey, user: Uuid) -> Result<Option<String>, MfaError> {
        self.secret.as_deref().map(|s| key.open(s, &aad(user))).transpose().map_err(Into::into)
    }

    pub(crate) fn open_pending(&self, key: &DataKey, user: Uuid) -> Result<Option<String>, MfaError> {
        self.pending_secret.as_deref().map(|s| key.open(s, &aad(user))).transpose().map_err(Into::into)
    }

    /// Checks a sign-in code: a TOTP code, or (not six digits) one of the backup codes.
    pub(crate) fn check(&self, key: &DataKey, user: Uuid, code: &str, now: u64) -> Result<CodeUse, MfaError> {
        let code = code.trim();
        if code.len() == DIGITS && code.chars().all(|c| c.is_ascii_digit()) {
            let Some(secret) = self.open_secret(key, user)? else { return Ok(CodeUse::Rejected) };
            return Ok(match totp_step(&secret, code, now, self.last_used_step)? {
                Some(step) => CodeUse::Totp { step },
                None => CodeUse::Rejected,
            });
        }
        let hash = digest::keyed(&key.digest_key(), &code.to_lowercase().replace(['-', ' '], ""));
        Ok(match self.backup_codes.iter().position(|h| digest::same(h, &hash)) {
            Some(index) => CodeUse::Backup { index },
            None => CodeUse::Rejected,
        })
    }

    /// Checks an enabled setting's code and, if accepted, the setting with the code spent (to be written
    /// conditionally on this one's version, so the same code racing in twice is accepted once).
    pub(crate) fn spend(
        &self,
        key: &DataKey,
        user: Uuid,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, MfaError> {
        if !self.enabled {
            return Ok(None);
        }
        let used = self.check(key, user, code, now.timestamp() as u64)?;
        Ok((used != CodeUse::Rejected).then(|| self.after_use(&used, now)))
    }

    /// The setting after a code was used: the step is remembered, a backup code is spent.
    pub(crate) fn after_use(&self, used: &CodeUse, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        match used {
            CodeUse::Totp { step } => next.last_used_step = Some(*step),
            CodeUse::Backup { index } => {
                next.backup_codes.remove(*index);
            }
            CodeUse::Rejected => {}
        }
        next.updated_at = Some(now);
        next.version = self.version + 1;
        next
    }
}

fn key(user: Uuid) -> Key {
    Key::platform(&format!("USER#{user}"), "MFA")
}

pub(crate) async fn load(store: &Store, user: Uuid) -> Result<MfaSetting, IdentityError> {
    Ok(store.get(&key(user)).await?.unwrap_or_default())
}

/// Writes `next` if the setting is still at `current`'s version (0: none stored yet).
pub(crate) fn save(user: Uuid, current: &MfaSetting, next: &MfaSetting) -> Result<Write, IdentityError> {
    let put = Put::new(&key(user), "MfaSetting", next)?;
    Ok(Write::versioned(put, current.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_codes_are_accepted_once_within_one_step_of_skew() {
        let key = DataKey::generate().unwrap();
        let user = Uuid::now_v7();
        let (_, text) = new_secret(&key, user).unwrap();
        let raw = totp_rs::Secret::Encoded(text.clone()).to_bytes().unwrap();
        let t = totp(&raw).unwrap();
        let now = 1_800_000_000u64;
        let code = t.generate(now);
        let step = now / STEP_SECONDS;
        assert_eq!(totp_step(&text, &code, now, None).unwrap(), Some(step));
        assert_eq!(totp_step(&text, &code, now + STEP_SECONDS, None).unwrap(), Some(step), "skew");
        assert_eq!(totp_step(&text, &code, now + 3 * STEP_SECONDS, None).unwrap(), None, "too old");
        assert_eq!(totp_step(&text, &code, now, Some(step)).unwrap(), None, "replayed");
        assert_eq!(totp_step(&text, "000000", now, None).unwrap().is_some(), t.generate(now) == "000000");
    }

    #[test]
    fn backup_codes_work_once_and_secrets_are_sealed_per_user() {
        let key = DataKey::generate().unwrap();
        let user = Uuid::now_v7();
        let (sealed, text) = new_secret(&key, user).unwrap();
        assert!(!sealed.contains(&text));
        let (plain, hashes) = new_backup_codes(&key).unwrap();
        assert_eq!(plain.len(), BACKUP_CODES);
        let setting =
            MfaSetting { enabled: true, secret: Some(sealed), backup_codes: hashes, version: 1, ..Default::default() };
        assert_eq!(setting.open_secret(&key, user).unwrap().as_deref(), Some(text.as_str()));
        assert!(setting.open_secret(&key, Uuid::now_v7()).is_err(), "sealed for its user only");
        let used = setting.check(&key, user, &plain[3].to_uppercase(), 0).unwrap();
        assert_eq!(used, CodeUse::Backup { index: 3 });
        let after = setting.after_use(&used, Utc::now());
        assert_eq!(after.check(&key, user, &plain[3], 0).unwrap(), CodeUse::Rejected, "spent");
        assert_eq!(after.backup_codes.len(), BACKUP_CODES - 1);
    }

    #[test]
    fn otpauth_uris_are_encoded() {
        let uri = otpauth_uri("Nudge", "ana+x@b.co", "ABC");
        assert_eq!(
            uri,
            "otpauth://totp/Nudge:ana%2Bx%40b.co?secret=ABC&issuer=Nudge&algorithm=SHA1&digits=6&period=30"
        );
    }
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let user = Uuid::from_u128(7);
        let k = key(user);
        assert_eq!((k.pk, k.sk.as_str()), (format!("P#USER#{user}"), "MFA"));
    }
}
