//! Properties of due times over random anchors, rules and zones, against a plain day-by-day reading of the
//! rule.

use super::*;
use chrono::offset::LocalResult;
use chrono::{Datelike, NaiveDate, Offset, Weekday};
use proptest::option;
use proptest::prelude::*;

const ZONES: [Tz; 6] = [
    chrono_tz::Europe::Ljubljana,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Auckland,
    chrono_tz::Asia::Kolkata,
    chrono_tz::UTC,
];

const DAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

prop_compose! {
    /// Anchors from 2000 to 2040, each at most 400 days before the touchpoint is reached.
    fn anchors()(
        reached in 946_684_800i64..2_208_988_800,
        enrolled_before in 0i64..400 * 86_400,
        phase_before in 0i64..400 * 86_400,
        previous_before in option::of(0i64..400 * 86_400),
    ) -> Anchors {
        Anchors {
            enrolled_at: instant(reached - enrolled_before),
            phase_started_at: instant(reached - phase_before),
            previous_at: previous_before.map(|b| instant(reached - b)),
            reached_at: instant(reached),
        }
    }
}

prop_compose! {
    fn delay()(anchor in 0..3usize, days in 0i64..=365, hours in 0i64..=23, minutes in 0i64..=59) -> Delay {
        let duration = Duration::days(days) + Duration::hours(hours) + Duration::minutes(minutes);
        Delay { after: Anchor::ALL[anchor], duration }
    }
}

prop_compose! {
    /// Times around the night (where DST changes fall) as often as the rest of the day.
    fn send_time()(night in any::<bool>(), hour in 0u32..24, night_hour in 0u32..4, minute in 0u32..60, mask in 0u8..128) -> SendTime {
        let hour = if night { night_hour } else { hour };
        let weekdays = DAYS.into_iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, d)| d).collect();
        SendTime { at: NaiveTime::from_hms_opt(hour, minute, 0).unwrap(), weekdays }
    }
}

prop_compose! {
    /// A zone with DST and an instant up to two days before one of its changes, from 2000 to 2040: where the
    /// send time of the next few nights may be skipped or repeated.
    fn near_change()(
        zone in prop::sample::select(ZONES[..4].to_vec()),
        year in 2000i32..2040,
        pick in any::<prop::sample::Index>(),
        before in 0i64..2 * 86_400,
    ) -> (Tz, DateTime<Utc>) {
        let noon = |d: NaiveDate| d.and_hms_opt(12, 0, 0).unwrap().and_utc();
        let offset = |d: NaiveDate| zone.offset_from_utc_datetime(&noon(d).naive_utc()).fix();
        let first = NaiveDate::from_ymd_opt(year, 1, 2).unwrap();
        let changes: Vec<NaiveDate> =
            first.iter_days().take(360).filter(|d| offset(*d) != offset(d.pred_opt().unwrap())).collect();
        (zone, noon(changes[pick.index(changes.len())]) - Duration::seconds(before))
    }
}

fn rule_logic() -> impl Strategy<Value = RuleLogic> {
    (option::of(delay()), option::of(send_time())).prop_map(|(delay, send_time)| RuleLogic {
        delay,
        send_time,
        ..RuleLogic::default()
    })
}

/// When the delay alone lets the touchpoint go.
fn earliest(logic: &RuleLogic, a: &Anchors) -> DateTime<Utc> {
    let Some(d) = &logic.delay else { return a.reached_at };
    let from = match d.after {
        Anchor::Enrolment => a.enrolled_at,
        Anchor::PhaseStart => a.phase_started_at,
        Anchor::Previous => a.previous_at.unwrap_or(a.phase_started_at),
    };
    (from + d.duration).max(a.reached_at)
}

/// The instants `local` names in `zone`; for a skipped one, the first whole minute after it that exists.
fn named(zone: Tz, local: chrono::NaiveDateTime) -> Vec<DateTime<Utc>> {
    let mut probe = local;
    loop {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(t) => return vec![t.with_timezone(&Utc)],
            LocalResult::Ambiguous(a, b) => return vec![a.with_timezone(&Utc), b.with_timezone(&Utc)],
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
}

/// The earliest send at or after `from`, trying every allowed day from two days before to nine after.
fn first_send(send: &SendTime, from: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let today: NaiveDate = from.with_timezone(&zone).date_naive();
    (-2..=9)
        .map(|d| today + Duration::days(d))
        .filter(|day| send.weekdays.is_empty() || send.weekdays.contains(&day.weekday()))
        .flat_map(|day| named(zone, day.and_time(send.at)))
        .filter(|t| *t >= from)
        .min()
        .unwrap()
}

proptest! {
    #[test]
    fn a_touchpoint_is_never_due_before_it_is_reached(
        logic in rule_logic(), a in anchors(), zone in prop::sample::select(ZONES.to_vec()),
    ) {
        prop_assert!(due(&logic, &a, zone) >= a.reached_at);
    }

    #[test]
    fn without_a_send_time_it_is_due_when_the_delay_ends_or_when_reached(
        delay in option::of(delay()), a in anchors(), zone in prop::sample::select(ZONES.to_vec()),
    ) {
        let logic = RuleLogic { delay, ..RuleLogic::default() };
        prop_assert_eq!(due(&logic, &a, zone), earliest(&logic, &a));
    }

    #[test]
    fn with_a_send_time_it_is_due_at_that_local_time_unless_a_dst_gap_moved_it(
        delay in option::of(delay()), send in send_time(), a in anchors(), zone in prop::sample::select(ZONES.to_vec()),
    ) {
        let logic = RuleLogic { delay, send_time: Some(send.clone()), ..RuleLogic::default() };
        is_at_the_send_time(&logic, &send, &a, zone)?;
    }

    #[test]
    fn with_a_send_time_it_is_due_at_the_first_allowed_send_after_the_delay(
        delay in option::of(delay()), send in send_time(), a in anchors(), zone in prop::sample::select(ZONES.to_vec()),
    ) {
        let logic = RuleLogic { delay, send_time: Some(send.clone()), ..RuleLogic::default() };
        prop_assert_eq!(due(&logic, &a, zone), first_send(&send, earliest(&logic, &a), zone));
    }

    #[test]
    fn around_dst_changes_the_send_is_the_first_allowed_one_at_its_time_or_after_the_gap(
        send in send_time(), (zone, from) in near_change(),
    ) {
        let logic = RuleLogic { send_time: Some(send.clone()), ..RuleLogic::default() };
        let a = Anchors { enrolled_at: from, phase_started_at: from, previous_at: None, reached_at: from };
        is_at_the_send_time(&logic, &send, &a, zone)?;
        prop_assert_eq!(due(&logic, &a, zone), first_send(&send, from, zone));
    }
}

/// `due` is within a week of the delay's end, on an allowed local weekday, at the local `at` or, when a DST
/// gap skipped that, at the instant the clocks jumped.
fn is_at_the_send_time(logic: &RuleLogic, send: &SendTime, a: &Anchors, zone: Tz) -> Result<(), TestCaseError> {
    let (due, from) = (due(logic, a, zone), earliest(logic, a));
    prop_assert!(due >= from && due < from + Duration::days(8), "{due} from {from}");
    let local = due.with_timezone(&zone);
    prop_assert!(send.weekdays.is_empty() || send.weekdays.contains(&local.weekday()), "{local}");
    if local.time() != send.at {
        // The local `at` did not exist that day, and `due` is the instant the clocks jumped.
        let skipped = zone.from_local_datetime(&local.date_naive().and_time(send.at));
        prop_assert!(matches!(skipped, LocalResult::None), "{local} for {}", send.at);
        let before = (due - Duration::seconds(1)).with_timezone(&zone).offset().fix();
        prop_assert_ne!(before, local.offset().fix());
        prop_assert!(local.time() > send.at, "{local} moved back from {}", send.at);
    }
    Ok(())
}
