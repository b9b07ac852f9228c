//! Optimistic concurrency for read-modify-write: read, compute, write conditioned on the version read; when
//! another writer got there first, read again after a short jittered pause. No update is lost and no lock
//! is held.

use crate::http::problem::ApiError;
use std::future::Future;
use std::time::Duration;

const ATTEMPTS: u32 = 12;

/// One attempt's outcome.
pub enum Attempt<T> {
    Done(T),
    /// The version moved on under us: try again from a fresh read.
    Retry,
}

/// Runs `attempt` until it is done, fails, or loses the race too many times (then 409).
pub async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, ApiError>>,
{
    for n in 0..ATTEMPTS {
        match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Retry => tokio::time::sleep(backoff(n)).await,
        }
    }
    Err(ApiError::Conflict("the resource is changing too fast; retry".into(), vec![]))
}

/// Exponential from 2 ms, capped at 50 ms, with full jitter so racing writers spread out.
fn backoff(attempt: u32) -> Duration {
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
            async move { Ok(if n < 3 { Attempt::Retry } else { Attempt::Done(n) }) }
        })
        .await;
        assert_eq!(out.unwrap(), 3);
        let never: Result<(), _> = retry(|| async { Ok(Attempt::Retry) }).await;
        assert!(matches!(never, Err(ApiError::Conflict(..))));
        assert!(backoff(20) <= Duration::from_millis(50));
    }
}
