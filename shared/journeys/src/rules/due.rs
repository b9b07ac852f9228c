//! When a touchpoint is due: pure arithmetic over the enrolment's instants and the worker's time zone.

use super::{Anchor, RuleLogic, SendTime};
use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instants of an enrolment a touchpoint's timing counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchors {
    pub enrolled_at: DateTime<Utc>,
    pub phase_started_at: DateTime<Utc>,
    /// When the previous touchpoint was sent or skipped; `None` for a journey's first.
    pub previous_at: Option<DateTime<Utc>>,
    /// When the enrolment reached this touchpoint (its wait, if any, is over).
    pub reached_at: DateTime<Utc>,
}

/// When the touchpoint is due: the delay's anchor + duration (`Previous` with no previous falls back to the
/// phase start), never before `reached_at`; then, with a `sendTime`, the first local `at` on an allowed
/// weekday at or after that instant in `zone`. A local time that a DST gap skips moves forward to the first
/// instant after the gap; of a repeated one, the earlier that is not before that instant is taken.
///
/// A delay's days are 24 hours each, so a delay across a DST change keeps its length and not its wall-clock
/// time; a `sendTime` pins the wall clock.
pub fn due(logic: &RuleLogic, anchors: &Anchors, zone: Tz) -> DateTime<Utc> {
    let delayed = logic.delay.as_ref().map(|d| {
        let from = match d.after {
            Anchor::Enrolment => anchors.enrolled_at,
            Anchor::PhaseStart => anchors.phase_started_at,
            Anchor::Previous => anchors.previous_at.unwrap_or(anchors.phase_started_at),
        };
        from.checked_add_signed(d.duration).unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    // A touchpoint reached late (a long wait before it) is due at once, not in the past.
    let earliest = delayed.map_or(anchors.reached_at, |t| t.max(anchors.reached_at));
    logic.send_time.as_ref().map_or(earliest, |send| next_send(send, earliest, zone))
}

/// The first local `send.at` on an allowed weekday at or after `from`.
fn next_send(send: &SendTime, from: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let today = from.with_timezone(&zone).date_naive();
    // From yesterday, whose `at` a gap across midnight can move to today (Samoa skipped a whole day), through
    // a week from today, which holds every weekday even when today's `at` has already passed.
    today
        .pred_opt()
        .unwrap_or(today)
        .iter_days()
        .take(9)
        .filter(|day| send.weekdays.is_empty() || send.weekdays.contains(&day.weekday()))
        .find_map(|day| instants(zone, day.and_time(send.at)).find(|t| *t >= from))
        .unwrap_or(from)
}

/// The instants the wall time `local` names in `zone`, earliest first: one; two for a time a DST change
/// repeats; for a time a DST gap skips, the first instant after the gap.
fn instants(zone: Tz, local: NaiveDateTime) -> impl Iterator<Item = DateTime<Utc>> {
    let (first, second) = match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => (Some(t.with_timezone(&Utc)), None),
        LocalResult::Ambiguous(earlier, later) => (Some(earlier.with_timezone(&Utc)), Some(later.with_timezone(&Utc))),
        LocalResult::None => (after_gap(zone, local), None),
    };
    first.into_iter().chain(second)
}

/// Offsets are well within a day of UTC, so `local` read as UTC, this many seconds either side, brackets a
/// change of offset at `local`.
const SPAN: i64 = 26 * 3600;

/// The first instant whose wall time in `zone` is past `local`, a wall time a DST gap skips: the instant of
/// the change (02:30 on a spring-forward night is 03:00).
fn after_gap(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let wall = |second: i64| DateTime::from_timestamp(second, 0).map(|t| t.with_timezone(&zone).naive_local());
    // The wall time is before `local` at `lo` and past it at `hi`, and stays so while they close in.
    let (mut lo, mut hi) = (local.and_utc().timestamp() - SPAN, local.and_utc().timestamp() + SPAN);
    // Changes fall on whole seconds, so halving down to one second finds the change exactly.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if wall(mid)? < local {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}
