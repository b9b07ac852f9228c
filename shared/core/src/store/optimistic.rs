//! Optimistic concurrency for read-modify-write: read, compute, write conditioned on the version read; when
//! another writer got there first, read again after a short jittered pause. No update is lost and no lock
//! is held.

use super::StoreError;
use std::future::Future;
use std::time::Duration;

/// Reads before a writer that keeps losing the race gives up (409).
pub(crate) const ATTEMPTS: u32 = 12;

/// One attempt's outcome.
pub enum Attempt<T> {
    Done(T),
    /// The version moved on under us: try again from a fresh read.
    Retry,
}

/// An error that can say another writer moved the version first: the store's own, or a domain's error
/// that wraps it, so [`settle`] serves both.
pub trait VersionConflict {
    fn is_version_conflict(&self) -> bool;
}

impl VersionConflict for StoreError {
    fn is_version_conflict(&self) -> bool {
        StoreError::is_version_conflict(self)
    }
}

/// Settles an attempt's conditional write: done with `value`; a version conflict is another try when
/// `retry` (the caller pinned no version with If-Match), and otherwise the caller's error.
pub fn settle<T, E: VersionConflict>(written: Result<(), E>, value: T, retry: bool) -> Result<Attempt<T>, E> {
    match written {
        Ok(()) => Ok(Attempt::Done(value)),
        Err(e) if retry && e.is_version_conflict() => Ok(Attempt::Retry),
        Err(e) => Err(e),
    }
}

/// Runs `attempt` until it is done, fails, or loses the race too many times ([`StoreError::Contended`]).
pub async fn retry<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, E>>,
{
    for n in 0..ATTEMPTS {
        match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Retry => tokio::time::sleep(backoff(n)).await,
        }
    }
    Err(StoreError::Contended.into())
}

/// Exponential from 2 ms, capped at 50 ms, with full jitter so racing writers spread out.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let cap = (2u64 << attempt.min(5)).min(50);
    let jitter = u64::from(uuid::Uuid::new_v4().as_u128() as u16) % (cap + 1);
    Duration::from_millis(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_until_done_then_gives_up() {
        let mut calls = 0;
        let out = retry(|| {
            calls += 1;
            let n = calls;
            async move { Ok::<_, StoreError>(if n < 3 { Attempt::Retry } else { Attempt::Done(n) }) }
        })
        .await;
        assert_eq!(out.ok(), Some(3));
        let never: Result<(), StoreError> = retry(|| async { Ok(Attempt::Retry) }).await;
        assert!(matches!(never, Err(StoreError::Contended)));
        assert!(backoff(20) <= Duration::from_millis(50));
    }

    #[test]
    fn a_version_conflict_is_retried_only_when_asked() {
        let conflict = || Err(StoreError::Condition(super::super::write::VERSION));
        assert!(matches!(settle(Ok::<_, StoreError>(()), 1, true), Ok(Attempt::Done(1))));
        assert!(matches!(settle(conflict(), 1, true), Ok(Attempt::Retry)));
        assert!(settle(conflict(), 1, false).is_err());
        assert!(settle(Err(StoreError::Condition("slug")), 1, true).is_err());
    }
}
