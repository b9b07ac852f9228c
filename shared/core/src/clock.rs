//! The time every time-driven rule reads (delays, quiet hours, deadlines, expiry, overdue outbox entries).
//!
//! On AWS it is the system clock and nothing can move it: [`Clock::system`] is the only clock
//! `Env::from_process` builds, and no variable or request shifts it. The local cloud builds one
//! [`Clock::shifted`] for all its functions and its scheduler, which the tests (and the dev server's
//! `/_local/clock`) move forward to make a deferred send, a deadline or an expiry come due without sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Milliseconds added to the system time; `None` on AWS.
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock, as deployed.
    pub fn system() -> Self {
        Self { offset: None }
    }

    /// A clock that starts at the system time and that [`Clock::advance`] moves forward (every clone too).
    pub fn shifted() -> Self {
        Self { offset: Some(Arc::new(AtomicI64::new(0))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        match &self.offset {
            None => now,
            Some(offset) => now + Duration::milliseconds(offset.load(Ordering::SeqCst)),
        }
    }

    /// Moves a shifted clock forward by `by` and answers the new time; the system clock cannot move
    /// (`None`). Backwards is refused too: time-driven rules assume time only advances.
    pub fn advance(&self, by: Duration) -> Option<DateTime<Utc>> {
        let offset = self.offset.as_ref()?;
        if by < Duration::zero() {
            return None;
        }
        offset.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
        Some(self.now())
    }

    /// How far a shifted clock is ahead of the system time.
    pub fn offset(&self) -> Duration {
        self.offset.as_ref().map_or(Duration::zero(), |o| Duration::milliseconds(o.load(Ordering::SeqCst)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_cannot_move() {
        let clock = Clock::system();
        assert_eq!(clock.advance(Duration::hours(1)), None);
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }

    #[test]
    fn a_shifted_clock_moves_forward_for_every_clone() {
        let clock = Clock::shifted();
        let other = clock.clone();
        let moved = clock.advance(Duration::hours(3)).unwrap();
        assert!((moved - Utc::now() - Duration::hours(3)).num_seconds().abs() < 5);
        assert_eq!(other.offset(), Duration::hours(3));
        assert_eq!(clock.advance(Duration::hours(-1)), None);
        assert_eq!(other.offset(), Duration::hours(3));
    }
}
