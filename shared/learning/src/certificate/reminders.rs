//! The reminders before and at a certificate's expiry: MODULE_EXPIRING 90, 60, 30 and 7 days before,
//! then MODULE_EXPIRED. A scheduler asks [`due_reminder`] what to send now and [`next_check`] when to ask
//! again; it records each reminder sent (by [`Reminder::key`], which also makes sending idempotent).
//!
//! One reminder at a time, never a burst: when a certificate is first looked at late (issued with a short
//! validity, or the scheduler was down), only the latest rung whose time has come is due, and the earlier
//! ones are skipped for good. At 20 days before expiry with nothing sent, that is "expiring in 30 days";
//! the 90- and 60-day reminders would only say less, later. Likewise a reminder is never sent after a
//! more urgent one (say, after the expiry was moved later), since it would read as a step back.

use chrono::{DateTime, TimeDelta, Utc};

/// The rungs before expiry, in days, most distant first.
pub const LADDER_DAYS: [u32; 4] = [90, 60, 30, 7];

/// A reminder about a certificate's expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reminder {
    /// MODULE_EXPIRING, `days` before expiry (a rung of [`LADDER_DAYS`]; the actual time left may be
    /// less when the reminder is late).
    Expiring { days: u32 },
    /// MODULE_EXPIRED.
    Expired,
}

impl Reminder {
    /// A stable short name, `expiring-90` or `expired`, for idempotency keys and the record of what was
    /// sent. Never change these: records and keys already stored use them.
    pub fn key(self) -> String {
        match self {
            Self::Expiring { days } => format!("expiring-{days}"),
            Self::Expired => "expired".to_owned(),
        }
    }

    /// The reminder a [`Self::key`] names; `None` for anything else.
    pub fn from_key(key: &str) -> Option<Self> {
        if key == "expired" {
            return Some(Self::Expired);
        }
        let days = key.strip_prefix("expiring-")?;
        // Digits only: `u32::from_str` would take `+7` too, which no key holds.
        if days.is_empty() || !days.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        days.parse().ok().map(|days| Self::Expiring { days })
    }

    /// Days before expiry it falls due; the smaller, the more urgent.
    fn lead(self) -> u32 {
        match self {
            Self::Expiring { days } => days,
            Self::Expired => 0,
        }
    }

    /// When it falls due for a certificate expiring at `expires_at`.
    fn due_at(self, expires_at: DateTime<Utc>) -> DateTime<Utc> {
        // Out of range only near chrono's earliest date, where "long ago" is the right answer.
        expires_at.checked_sub_signed(TimeDelta::days(i64::from(self.lead()))).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Every rung, in the order they fall due.
fn ladder() -> [Reminder; LADDER_DAYS.len() + 1] {
    let mut rungs = [Reminder::Expired; LADDER_DAYS.len() + 1];
    for (rung, days) in rungs.iter_mut().zip(LADDER_DAYS) {
        *rung = Reminder::Expiring { days };
    }
    rungs
}

/// The rungs that may still be sent, in order, with when each falls due: not sent, nothing as urgent or
/// more sent, and not passed over by a later rung whose time has come too. Of these, only the first can
/// be due at `now`.
fn open_rungs(
    expires_at: DateTime<Utc>,
    sent: &[Reminder],
    now: DateTime<Utc>,
) -> impl Iterator<Item = (Reminder, DateTime<Utc>)> {
    let rungs = ladder();
    (0..rungs.len()).filter_map(move |i| {
        let rung = rungs[i];
        let answered = sent.iter().any(|s| s.lead() <= rung.lead());
        let passed_over = rungs.get(i + 1).is_some_and(|next| next.due_at(expires_at) <= now);
        (!answered && !passed_over).then(|| (rung, rung.due_at(expires_at)))
    })
}

/// The reminder to send now for a certificate expiring at `expires_at`, given those already `sent` for
/// it: at most one, the most urgent whose time has come (see the module's note on skipped rungs).
/// `Expired` from the instant of expiry, if not sent; after it, nothing. `None` when the certificate
/// does not expire.
pub fn due_reminder(expires_at: Option<DateTime<Utc>>, sent: &[Reminder], now: DateTime<Utc>) -> Option<Reminder> {
    let (rung, due_at) = open_rungs(expires_at?, sent, now).next()?;
    (due_at <= now).then_some(rung)
}

/// When to look at this certificate again: the time the next reminder falls due (at or before `now`
/// when one is due already). `None` once nothing more will ever be due: the expiry reminder was sent, or
/// the certificate does not expire.
pub fn next_check(expires_at: Option<DateTime<Utc>>, sent: &[Reminder], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    open_rungs(expires_at?, sent, now).next().map(|(_, due_at)| due_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn expiry() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
    }

    fn days_before(days: i64) -> DateTime<Utc> {
        expiry() - TimeDelta::days(days)
    }

    fn expiring(days: u32) -> Reminder {
        Reminder::Expiring { days }
    }

    #[test]
    fn the_ladder_runs_from_distant_to_urgent() {
        assert!(LADDER_DAYS.windows(2).all(|w| w[0] > w[1]));
        assert!(LADDER_DAYS.iter().all(|&d| d > 0));
        assert_eq!(ladder(), [expiring(90), expiring(60), expiring(30), expiring(7), Reminder::Expired]);
    }

    #[test]
    fn nothing_is_due_before_the_first_rung() {
        let now = days_before(100);
        assert_eq!(due_reminder(Some(expiry()), &[], now), None);
        assert_eq!(next_check(Some(expiry()), &[], now), Some(days_before(90)));
    }

    #[test]
    fn each_rung_falls_due_at_its_instant() {
        let second = TimeDelta::seconds(1);
        assert_eq!(due_reminder(Some(expiry()), &[], days_before(90) - second), None);
        assert_eq!(due_reminder(Some(expiry()), &[], days_before(90)), Some(expiring(90)));
        assert_eq!(next_check(Some(expiry()), &[], days_before(90)), Some(days_before(90)));

        let sent = [expiring(90)];
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(89)), None);
        assert_eq!(next_check(Some(expiry()), &sent, days_before(89)), Some(days_before(60)));
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(60)), Some(expiring(60)));

        let sent = [expiring(90), expiring(60), expiring(30)];
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(7)), Some(expiring(7)));
        let sent = [expiring(90), expiring(60), expiring(30), expiring(7)];
        assert_eq!(due_reminder(Some(expiry()), &sent, expiry() - second), None);
        assert_eq!(next_check(Some(expiry()), &sent, expiry() - second), Some(expiry()));
        assert_eq!(due_reminder(Some(expiry()), &sent, expiry()), Some(Reminder::Expired));
    }

    #[test]
    fn a_late_look_sends_only_the_latest_rung_and_skips_the_rest_for_good() {
        let now = days_before(20);
        assert_eq!(due_reminder(Some(expiry()), &[], now), Some(expiring(30)));
        let sent = [expiring(30)];
        assert_eq!(due_reminder(Some(expiry()), &sent, now), None);
        assert_eq!(next_check(Some(expiry()), &sent, now), Some(days_before(7)));
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(7)), Some(expiring(7)));
    }

    #[test]
    fn after_expiry_only_expired_is_due_once() {
        let later = expiry() + TimeDelta::days(3);
        assert_eq!(due_reminder(Some(expiry()), &[], later), Some(Reminder::Expired));
        assert_eq!(due_reminder(Some(expiry()), &[expiring(7)], later), Some(Reminder::Expired));
        assert_eq!(next_check(Some(expiry()), &[], later), Some(expiry()));
        let sent = [expiring(90), Reminder::Expired];
        assert_eq!(due_reminder(Some(expiry()), &sent, later), None);
        assert_eq!(next_check(Some(expiry()), &sent, later), None);
        assert_eq!(next_check(Some(expiry()), &sent, days_before(100)), None);
    }

    #[test]
    fn never_steps_back_after_a_more_urgent_reminder() {
        // Sent 7 days before an expiry since moved later: now 40 days before the new one.
        let sent = [expiring(7)];
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(40)), None);
        assert_eq!(next_check(Some(expiry()), &sent, days_before(40)), Some(expiry()));
        // A rung no longer on the ladder still counts for its days.
        let sent = [Reminder::Expiring { days: 45 }];
        assert_eq!(due_reminder(Some(expiry()), &sent, days_before(50)), None);
        assert_eq!(next_check(Some(expiry()), &sent, days_before(50)), Some(days_before(30)));
    }

    #[test]
    fn a_certificate_that_does_not_expire_gets_no_reminder() {
        assert_eq!(due_reminder(None, &[], expiry()), None);
        assert_eq!(next_check(None, &[], expiry()), None);
    }

    /// A scheduler that looks every `step` from well before expiry to well after, sending what is due.
    fn walk(step: TimeDelta) -> Vec<Reminder> {
        let mut sent = Vec::new();
        let mut now = days_before(200);
        while now < expiry() + TimeDelta::days(60) {
            let due = due_reminder(Some(expiry()), &sent, now);
            let check = next_check(Some(expiry()), &sent, now);
            assert_eq!(due.is_some(), check.is_some_and(|c| c <= now), "at {now}");
            if let Some(reminder) = due {
                sent.push(reminder);
                assert_eq!(due_reminder(Some(expiry()), &sent, now), None, "two at once at {now}");
            }
            now += step;
        }
        assert_eq!(next_check(Some(expiry()), &sent, now), None);
        sent
    }

    #[test]
    fn a_regular_scheduler_sends_the_whole_ladder_once_in_order() {
        let all = vec![expiring(90), expiring(60), expiring(30), expiring(7), Reminder::Expired];
        assert_eq!(walk(TimeDelta::hours(1)), all);
        assert_eq!(walk(TimeDelta::days(1)), all);
    }

    #[test]
    fn a_sparse_scheduler_skips_rungs_but_always_ends_with_expired() {
        let sent = walk(TimeDelta::days(45));
        assert_eq!(sent.last(), Some(&Reminder::Expired));
        assert!(sent.windows(2).all(|w| w[0].lead() > w[1].lead()), "{sent:?}");
        assert!(sent.len() < 5, "{sent:?}");
    }

    #[test]
    fn keys_are_stable_and_read_back() {
        assert_eq!(expiring(90).key(), "expiring-90");
        assert_eq!(expiring(7).key(), "expiring-7");
        assert_eq!(Reminder::Expired.key(), "expired");
        for reminder in ladder() {
            assert_eq!(Reminder::from_key(&reminder.key()), Some(reminder));
        }
        for key in ["", "expiring-", "expiring-+7", "expiring--7", "expiring-x", "expiring-99999999999", "EXPIRED"] {
            assert_eq!(Reminder::from_key(key), None, "{key}");
        }
    }
}
