//! Sign-in throttling: failures are counted per email address, whether or not an account exists (so the
//! lockout itself reveals nothing). Ten failures within fifteen minutes lock the address for fifteen minutes:
//! every attempt then answers 429 with Retry-After, even with the right password.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | failures | `P#LOGIN#<email>` | `FAILURES` |

use crate::error::IdentityError;
use chrono::{DateTime, Duration, Utc};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, Write, optimistic};
use nudge_core::values::Email;
use serde::{Deserialize, Serialize};

const MAX_FAILURES: usize = 10;
const WINDOW: Duration = Duration::minutes(15);
const LOCK: Duration = Duration::minutes(15);

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Failures {
    /// Times of the failures within the window, oldest first.
    #[serde(default)]
    pub at: Vec<DateTime<Utc>>,
    #[serde(default)]
    pub locked_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

impl Failures {
    /// Seconds until the lock lifts, if the address is locked now.
    pub(crate) fn locked_for(&self, now: DateTime<Utc>) -> Option<u64> {
        self.locked_until.filter(|until| *until > now).map(|until| (until - now).num_seconds().max(1) as u64)
    }

    /// The record after one more failure at `now`: old failures drop out, the tenth within the window locks.
    fn failed(&self, now: DateTime<Utc>) -> Self {
        let mut at: Vec<DateTime<Utc>> = self.at.iter().copied().filter(|t| now - *t < WINDOW).collect();
        at.push(now);
        let locked_until = if at.len() >= MAX_FAILURES { Some(now + LOCK) } else { self.locked_until };
        if at.len() >= MAX_FAILURES {
            at.clear();
        }
        Self { at, locked_until, version: self.version + 1 }
    }
}

fn key(email: &str) -> Key {
    Key::platform(&format!("LOGIN#{email}"), "FAILURES")
}

pub(crate) async fn load(store: &Store, email: &Email) -> Result<Failures, IdentityError> {
    Ok(store.get(&key(email)).await?.unwrap_or_default())
}

/// Counts one failure; concurrent failures are all counted (optimistic retry on the version).
pub(crate) async fn record_failure(store: &Store, email: &Email) -> Result<(), IdentityError> {
    optimistic::retry(|| async {
        let current = load(store, email).await?;
        let next = current.failed(Utc::now());
        let expires = (Utc::now() + WINDOW + LOCK).timestamp();
        let put = Put::new(&key(email), "LoginFailures", &next)?.ttl(expires);
        Ok(optimistic::settle(store.write(Write::versioned(put, current.version)).await, (), true)?)
    })
    .await
}

/// Forgets the failures after a successful sign-in.
pub(crate) async fn clear(store: &Store, email: &Email) -> Result<(), IdentityError> {
    Ok(store.write(Write::delete(key(email))).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_in_the_window_locks_for_fifteen_minutes() {
        let start = Utc::now();
        let mut f = Failures::default();
        for i in 0..MAX_FAILURES - 1 {
            f = f.failed(start + Duration::seconds(i as i64));
            assert_eq!(f.locked_for(start + Duration::seconds(i as i64)), None);
        }
        f = f.failed(start + Duration::seconds(30));
        assert_eq!(f.locked_for(start + Duration::seconds(30)), Some(15 * 60));
        assert_eq!(f.locked_for(start + Duration::seconds(30) + LOCK), None, "lifts");
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let start = Utc::now();
        let mut f = Failures::default();
        for i in 0..MAX_FAILURES - 1 {
            f = f.failed(start + Duration::seconds(i as i64));
        }
        f = f.failed(start + WINDOW + Duration::minutes(1));
        assert_eq!(f.locked_for(start + WINDOW + Duration::minutes(1)), None);
        assert_eq!(f.at.len(), 1);
    }
}
