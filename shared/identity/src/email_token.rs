//! Single-use email tokens (seed 002 EmailToken): invitations and password resets. The token travels in the
//! email; only its SHA-256 is stored, as the key, with an expiry (DynamoDB TTL removes it later; readers
//! check the expiry themselves since TTL deletes lazily). Using a token deletes it under a condition, so
//! two concurrent uses cannot both succeed.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | email token | `P#EMAILTOKEN#<sha256>` | `TOKEN` |

use crate::error::{Broken, IdentityError};
use chrono::{DateTime, Duration, Utc};
use nudge_core::crypto::digest;
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, Write};
use nudge_core::values::Email;
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenKind {
    Invite,
    PasswordReset,
}

impl TokenKind {
    fn lifetime(self) -> Duration {
        match self {
            Self::Invite => Duration::days(7),
            Self::PasswordReset => Duration::hours(1),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmailToken {
    pub kind: TokenKind,
    pub user_id: Uuid,
    pub email: Email,
    #[serde(default)]
    pub tenant_id: Option<TenantRef>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl EmailToken {
    pub(crate) fn new(
        kind: TokenKind,
        user_id: Uuid,
        email: &Email,
        tenant: Option<&TenantId>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            kind,
            user_id,
            email: email.clone(),
            tenant_id: tenant.map(TenantRef::from),
            created_at: now,
            expires_at: now + kind.lifetime(),
        }
    }

    pub(crate) fn is_valid(&self, kind: TokenKind, now: DateTime<Utc>) -> bool {
        self.kind == kind && self.expires_at > now
    }

    /// The tenant an invitation is for: holding a valid invite token is the proof of access to it.
    pub(crate) fn tenant(&self) -> Option<TenantId> {
        self.tenant_id.map(TenantRef::tenant)
    }
}

fn key(token: &str) -> Key {
    Key::platform(&format!("EMAILTOKEN#{}", digest::token_hash(token)), "TOKEN")
}

pub(crate) fn create(token: &str, record: &EmailToken) -> Result<Write, IdentityError> {
    let put = Put::new(&key(token), "EmailToken", record)?.ttl(record.expires_at.timestamp());
    Ok(Write::create(put, "email token"))
}

pub(crate) async fn load(store: &Store, token: &str) -> Result<Option<EmailToken>, IdentityError> {
    Ok(store.get(&key(token)).await?)
}

/// Label of a token someone else used first.
const USED: &str = "email token used";

/// What a failed condition labelled here means: a token used meanwhile is as bad as an unknown one.
pub(crate) fn failed(label: &str) -> Option<IdentityError> {
    (label == USED).then_some(IdentityError::Broken(Broken::BadToken))
}

/// Spends the token: fails with [`USED`] if it is already gone.
pub(crate) fn spend(token: &str, record: &EmailToken) -> Write {
    Write::delete(key(token)).if_equals("userId", &record.user_id.to_string(), USED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_have_a_kind() {
        let now = Utc::now();
        let email = nudge_core::values::Parse::parse("a@b.co").unwrap();
        let t = EmailToken::new(TokenKind::PasswordReset, Uuid::now_v7(), &email, None, now);
        assert!(t.is_valid(TokenKind::PasswordReset, now));
        assert!(!t.is_valid(TokenKind::Invite, now));
        assert!(!t.is_valid(TokenKind::PasswordReset, now + Duration::hours(2)));
    }
}
