//! Throttling per email address, whether or not an account exists (so the lockout itself reveals nothing).
//!
//! Password and code checks ([`SIGN_IN`]: sign-in, `/me/password`, turning MFA off, new backup codes) count
//! an attempt *before* the check, atomically, and [`clear`] forgets it when the check passes: a parallel
//! burst gets no more guesses evaluated than the limit. Ten within fifteen minutes lock the address for
//! fifteen minutes: every attempt then answers 429 with Retry-After, even with the right password.
//! Password-reset mails ([`RESET`]) are limited the same way, five an hour per address; past that the
//! request is answered as usual and sends nothing. The anonymous routes are also throttled per source
//! address: see [`super::throttle`].
//!
//! | item | pk | sk |
//! |---|---|---|
//! | sign-in attempts | `P#LOGIN#<email>` | `FAILURES` |
//! | reset requests | `P#RESET#<email>` | `FAILURES` |

use crate::error::IdentityError;
use chrono::{DateTime, Duration, Utc};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, Write, optimistic};
use nudge_core::values::Email;
use serde::{Deserialize, Serialize};

/// How many counted attempts within `window` lock the address for `lock`.
pub(crate) struct Limit {
    partition: &'static str,
    max: usize,
    window: Duration,
    lock: Duration,
}

pub(crate) const SIGN_IN: Limit =
    Limit { partition: "LOGIN", max: 10, window: Duration::minutes(15), lock: Duration::minutes(15) };
pub(crate) const RESET: Limit =
    Limit { partition: "RESET", max: 5, window: Duration::hours(1), lock: Duration::hours(1) };

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

    /// The record after one more attempt at `now`: old ones drop out, the `max`th within the window locks.
    fn failed(&self, limit: &Limit, now: DateTime<Utc>) -> Self {
        let mut at: Vec<DateTime<Utc>> = self.at.iter().copied().filter(|t| now - *t < limit.window).collect();
        at.push(now);
        let locked_until = if at.len() >= limit.max { Some(now + limit.lock) } else { self.locked_until };
        if at.len() >= limit.max {
            at.clear();
        }
        Self { at, locked_until, version: self.version + 1 }
    }
}

fn key(limit: &Limit, email: &str) -> Key {
    Key::platform(&format!("{}#{email}", limit.partition), "FAILURES")
}

async fn load(store: &Store, limit: &Limit, email: &Email) -> Result<Failures, IdentityError> {
    Ok(store.get(&key(limit, email)).await?.unwrap_or_default())
}

/// Takes one attempt for `email` before anything is checked, counted at once (concurrent ones all count:
/// optimistic retry on the version). [`IdentityError::Locked`] when the address is locked: nothing may be
/// checked then.
pub(crate) async fn attempt(store: &Store, limit: &Limit, email: &Email) -> Result<(), IdentityError> {
    optimistic::retry(|| async {
        let current = load(store, limit, email).await?;
        let now = Utc::now();
        if let Some(retry_after_secs) = current.locked_for(now) {
            return Err(IdentityError::Locked { retry_after_secs });
        }
        let next = current.failed(limit, now);
        let expires = (now + limit.window + limit.lock).timestamp();
        let put = Put::new(&key(limit, email), "LoginFailures", &next)?.ttl(expires);
        Ok(optimistic::settle(store.write(Write::versioned(put, current.version)).await, (), true)?)
    })
    .await
}

/// Forgets the attempts once a check passed.
pub(crate) async fn clear(store: &Store, limit: &Limit, email: &Email) -> Result<(), IdentityError> {
    Ok(store.write(Write::delete(key(limit, email))).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_in_the_window_locks_for_fifteen_minutes() {
        let start = Utc::now();
        let mut f = Failures::default();
        for i in 0..SIGN_IN.max - 1 {
            f = f.failed(&SIGN_IN, start + Duration::seconds(i as i64));
            assert_eq!(f.locked_for(start + Duration::seconds(i as i64)), None);
        }
        f = f.failed(&SIGN_IN, start + Duration::seconds(30));
        assert_eq!(f.locked_for(start + Duration::seconds(30)), Some(15 * 60));
        assert_eq!(f.locked_for(start + Duration::seconds(30) + SIGN_IN.lock), None, "lifts");
        assert_eq!(
            (key(&SIGN_IN, "a@b.co").pk, key(&RESET, "a@b.co").pk),
            ("P#LOGIN#a@b.co".into(), "P#RESET#a@b.co".into())
        );
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let start = Utc::now();
        let mut f = Failures::default();
        for i in 0..SIGN_IN.max - 1 {
            f = f.failed(&SIGN_IN, start + Duration::seconds(i as i64));
        }
        f = f.failed(&SIGN_IN, start + SIGN_IN.window + Duration::minutes(1));
        assert_eq!(f.locked_for(start + SIGN_IN.window + Duration::minutes(1)), None);
        assert_eq!(f.at.len(), 1);
    }
}
