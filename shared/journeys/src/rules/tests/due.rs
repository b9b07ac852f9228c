//! Due times: delays from each anchor, never before the touchpoint is reached, then the send time in the
//! worker's zone across weekdays and DST changes.

use super::*;

/// Every anchor at `reached`.
fn reached(reached: &str) -> Anchors {
    let t = utc(reached);
    Anchors { enrolled_at: t, phase_started_at: t, previous_at: Some(t), reached_at: t }
}

/// When a `{"sendTime": {"at": at, "weekdays": weekdays}}` touchpoint reached at `from` is due in `zone`.
fn send_at(at: &str, weekdays: &[&str], from: &str, zone: Tz) -> DateTime<Utc> {
    let send = if weekdays.is_empty() { json!({"at": at}) } else { json!({"at": at, "weekdays": weekdays}) };
    due(&logic(json!({"sendTime": send})), &reached(from), zone)
}

fn sends(at: &str, from: &str, zone: Tz) -> DateTime<Utc> {
    send_at(at, &[], from, zone)
}

#[test]
fn without_a_delay_or_send_time_it_is_due_when_reached() {
    let a = reached("2024-06-10T08:17:23Z");
    assert_eq!(due(&RuleLogic::default(), &a, LJUBLJANA), a.reached_at);
    let gated = logic(
        json!({"gate": tagged("x"), "waitFor": {"event": "replied", "timeout": {"days": 1}, "onTimeout": "skip"}}),
    );
    assert_eq!(due(&gated, &a, NEW_YORK), a.reached_at);
}

#[test]
fn a_delay_counts_from_its_anchor() {
    let a = Anchors {
        enrolled_at: utc("2024-06-01T08:00:00Z"),
        phase_started_at: utc("2024-06-05T08:00:00Z"),
        previous_at: Some(utc("2024-06-07T10:00:00Z")),
        reached_at: utc("2024-06-07T10:00:00Z"),
    };
    let after = |anchor: &str, length: Value| {
        let mut delay = length;
        delay["after"] = json!(anchor);
        due(&logic(json!({"delay": delay})), &a, LJUBLJANA)
    };
    assert_eq!(after("enrolment", json!({"days": 10})), utc("2024-06-11T08:00:00Z"));
    assert_eq!(after("phaseStart", json!({"days": 3})), utc("2024-06-08T08:00:00Z"));
    assert_eq!(after("previous", json!({"days": 1, "hours": 2, "minutes": 30})), utc("2024-06-08T12:30:00Z"));
}

#[test]
fn after_the_previous_touchpoint_means_after_the_phase_start_for_the_first() {
    let a = Anchors {
        enrolled_at: utc("2024-06-01T08:00:00Z"),
        phase_started_at: utc("2024-06-05T08:00:00Z"),
        previous_at: None,
        reached_at: utc("2024-06-05T08:00:00Z"),
    };
    let previous = logic(json!({"delay": {"after": "previous", "days": 3}}));
    assert_eq!(due(&previous, &a, LJUBLJANA), utc("2024-06-08T08:00:00Z"));
}

#[test]
fn a_touchpoint_reached_after_its_delay_is_due_at_once_not_in_the_past() {
    let a = Anchors {
        enrolled_at: utc("2024-01-01T08:00:00Z"),
        phase_started_at: utc("2024-01-01T08:00:00Z"),
        previous_at: Some(utc("2024-06-01T08:00:00Z")),
        reached_at: utc("2024-06-07T10:00:00Z"),
    };
    let late = logic(json!({"delay": {"after": "enrolment", "days": 2}}));
    assert_eq!(due(&late, &a, LJUBLJANA), a.reached_at);
    // With a send time, the next one after reaching it (Friday 12:00 CEST): Saturday 09:00.
    let timed = logic(json!({"delay": {"after": "previous", "hours": 1}, "sendTime": {"at": "09:00"}}));
    assert_eq!(due(&timed, &a, LJUBLJANA), utc("2024-06-08T07:00:00Z"));
}

#[test]
fn the_send_time_is_the_next_such_local_time_in_the_workers_zone() {
    // Ljubljana is UTC+2 in summer and UTC+1 in winter.
    assert_eq!(sends("09:00", "2024-06-10T06:00:00Z", LJUBLJANA), utc("2024-06-10T07:00:00Z"));
    assert_eq!(sends("09:00", "2024-01-10T06:00:00Z", LJUBLJANA), utc("2024-01-10T08:00:00Z"));
    // New York is UTC−4 in summer and UTC−5 in winter.
    assert_eq!(sends("09:00", "2024-06-10T12:00:00Z", NEW_YORK), utc("2024-06-10T13:00:00Z"));
    assert_eq!(sends("09:00", "2024-01-10T12:00:00Z", NEW_YORK), utc("2024-01-10T14:00:00Z"));
    // 22:00 in New York on the 10th is the 11th in UTC; 23:00 that evening is still the 10th locally.
    assert_eq!(sends("23:00", "2024-06-11T02:00:00Z", NEW_YORK), utc("2024-06-11T03:00:00Z"));
    assert_eq!(sends("00:00", "2024-06-10T22:00:00Z", LJUBLJANA), utc("2024-06-10T22:00:00Z"));
}

#[test]
fn a_send_time_exactly_now_is_due_now_and_one_just_past_is_due_tomorrow() {
    assert_eq!(sends("09:00", "2024-06-10T07:00:00Z", LJUBLJANA), utc("2024-06-10T07:00:00Z"));
    assert_eq!(sends("09:00", "2024-06-10T07:00:01Z", LJUBLJANA), utc("2024-06-11T07:00:00Z"));
    assert_eq!(sends("09:00", "2024-06-10T21:59:59Z", LJUBLJANA), utc("2024-06-11T07:00:00Z"));
}

#[test]
fn the_send_time_follows_the_delay() {
    let a = reached("2024-06-10T15:00:00Z");
    let next_day = logic(json!({"delay": {"after": "enrolment", "days": 1}, "sendTime": {"at": "09:00"}}));
    // Due 17:00 CEST on the 11th, so sent at 09:00 on the 12th.
    assert_eq!(due(&next_day, &a, LJUBLJANA), utc("2024-06-12T07:00:00Z"));
    let same_day = logic(json!({"delay": {"after": "enrolment", "hours": 10}, "sendTime": {"at": "09:00"}}));
    // Due 03:00 CEST on the 11th: 09:00 that day.
    assert_eq!(due(&same_day, &a, LJUBLJANA), utc("2024-06-11T07:00:00Z"));
}

#[test]
fn weekdays_keep_the_send_to_the_listed_days() {
    // 2024-06-14 is a Friday.
    assert_eq!(send_at("09:00", &["mon"], "2024-06-14T08:00:00Z", LJUBLJANA), utc("2024-06-17T07:00:00Z"));
    assert_eq!(send_at("09:00", &["fri"], "2024-06-14T06:00:00Z", LJUBLJANA), utc("2024-06-14T07:00:00Z"));
    // Friday's has passed: a week later.
    assert_eq!(send_at("09:00", &["fri"], "2024-06-14T08:00:00Z", LJUBLJANA), utc("2024-06-21T07:00:00Z"));
    let weekend = ["sat", "sun"];
    assert_eq!(send_at("09:00", &weekend, "2024-06-14T08:00:00Z", LJUBLJANA), utc("2024-06-15T07:00:00Z"));
    assert_eq!(send_at("09:00", &weekend, "2024-06-15T08:00:00Z", LJUBLJANA), utc("2024-06-16T07:00:00Z"));
    let workdays = ["mon", "tue", "wed", "thu", "fri"];
    assert_eq!(send_at("09:00", &workdays, "2024-06-14T08:00:00Z", LJUBLJANA), utc("2024-06-17T07:00:00Z"));
}

#[test]
fn weekdays_are_the_workers_local_days() {
    // Monday 02:00 UTC is Sunday 22:00 in New York.
    assert_eq!(send_at("23:00", &["sun"], "2024-06-17T02:00:00Z", NEW_YORK), utc("2024-06-17T03:00:00Z"));
    assert_eq!(send_at("09:00", &["mon"], "2024-06-17T02:00:00Z", NEW_YORK), utc("2024-06-17T13:00:00Z"));
    // Sunday 23:30 UTC is already Monday 01:30 in Ljubljana: Sunday's send is next week's.
    assert_eq!(send_at("09:00", &["sun"], "2024-06-16T23:30:00Z", LJUBLJANA), utc("2024-06-23T07:00:00Z"));
}

#[test]
fn a_time_skipped_by_spring_forward_moves_to_the_end_of_the_gap_in_ljubljana() {
    // 2024-03-31: at 02:00 CET (01:00 UTC) clocks go to 03:00 CEST.
    let night = "2024-03-30T23:00:00Z";
    assert_eq!(sends("02:30", night, LJUBLJANA), utc("2024-03-31T01:00:00Z"));
    assert_eq!(sends("02:00", night, LJUBLJANA), utc("2024-03-31T01:00:00Z"));
    assert_eq!(sends("02:59", night, LJUBLJANA), utc("2024-03-31T01:00:00Z"));
    assert_eq!(sends("03:00", night, LJUBLJANA), utc("2024-03-31T01:00:00Z"));
    assert_eq!(sends("01:59", night, LJUBLJANA), utc("2024-03-31T00:59:00Z"));
    assert_eq!(sends("09:00", night, LJUBLJANA), utc("2024-03-31T07:00:00Z"));
    assert_eq!(sends("09:00", "2024-03-29T23:00:00Z", LJUBLJANA), utc("2024-03-30T08:00:00Z"));
    // Reached after the gap: the next night's 02:30, which exists.
    assert_eq!(sends("02:30", "2024-03-31T01:30:00Z", LJUBLJANA), utc("2024-04-01T00:30:00Z"));
    // Reached exactly at the change.
    assert_eq!(sends("02:30", "2024-03-31T01:00:00Z", LJUBLJANA), utc("2024-03-31T01:00:00Z"));
    // A Sunday-only send on the night of the change.
    assert_eq!(send_at("02:30", &["sun"], "2024-03-25T10:00:00Z", LJUBLJANA), utc("2024-03-31T01:00:00Z"));
}

#[test]
fn a_time_repeated_by_fall_back_takes_the_earlier_unless_it_has_passed_in_ljubljana() {
    // 2024-10-27: at 03:00 CEST (01:00 UTC) clocks go back to 02:00 CET; 02:00-02:59 happens twice.
    assert_eq!(sends("02:30", "2024-10-26T22:00:00Z", LJUBLJANA), utc("2024-10-27T00:30:00Z"));
    // Reached at 02:45 CEST: the second 02:30, in CET.
    assert_eq!(sends("02:30", "2024-10-27T00:45:00Z", LJUBLJANA), utc("2024-10-27T01:30:00Z"));
    // Reached at 02:45 CET: both have passed.
    assert_eq!(sends("02:30", "2024-10-27T01:45:00Z", LJUBLJANA), utc("2024-10-28T01:30:00Z"));
    assert_eq!(sends("09:00", "2024-10-26T22:00:00Z", LJUBLJANA), utc("2024-10-27T08:00:00Z"));
    assert_eq!(sends("09:00", "2024-10-25T22:00:00Z", LJUBLJANA), utc("2024-10-26T07:00:00Z"));
}

#[test]
fn dst_changes_in_new_york_move_and_pick_send_times_the_same_way() {
    // 2024-03-10: at 02:00 EST (07:00 UTC) clocks go to 03:00 EDT.
    assert_eq!(sends("02:30", "2024-03-10T05:00:00Z", NEW_YORK), utc("2024-03-10T07:00:00Z"));
    assert_eq!(sends("09:00", "2024-03-10T05:00:00Z", NEW_YORK), utc("2024-03-10T13:00:00Z"));
    assert_eq!(sends("09:00", "2024-03-09T05:00:00Z", NEW_YORK), utc("2024-03-09T14:00:00Z"));
    // 2024-11-03: at 02:00 EDT (06:00 UTC) clocks go back to 01:00 EST; 01:00-01:59 happens twice.
    assert_eq!(sends("01:30", "2024-11-03T04:00:00Z", NEW_YORK), utc("2024-11-03T05:30:00Z"));
    assert_eq!(sends("01:30", "2024-11-03T05:45:00Z", NEW_YORK), utc("2024-11-03T06:30:00Z"));
    assert_eq!(sends("01:30", "2024-11-03T06:45:00Z", NEW_YORK), utc("2024-11-04T06:30:00Z"));
    assert_eq!(send_at("01:30", &["sun"], "2024-10-28T12:00:00Z", NEW_YORK), utc("2024-11-03T05:30:00Z"));
}

#[test]
fn odd_gaps_move_to_their_exact_end() {
    // Lord Howe springs forward by half an hour: 02:00 +10:30 becomes 02:30 +11:00.
    let lord_howe = chrono_tz::Australia::Lord_Howe;
    assert_eq!(sends("02:15", "2024-10-05T13:00:00Z", lord_howe), utc("2024-10-05T15:30:00Z"));
    assert_eq!(sends("02:30", "2024-10-05T13:00:00Z", lord_howe), utc("2024-10-05T15:30:00Z"));
    // Samoa skipped 30 December 2011 entirely: its 09:00 is the first instant of the 31st.
    let apia = chrono_tz::Pacific::Apia;
    assert_eq!(sends("09:00", "2011-12-29T20:00:00Z", apia), utc("2011-12-30T10:00:00Z"));
    assert_eq!(sends("09:00", "2011-12-30T10:00:00Z", apia), utc("2011-12-30T10:00:00Z"));
    assert_eq!(sends("09:00", "2011-12-30T10:00:01Z", apia), utc("2011-12-30T19:00:00Z"));
}

#[test]
fn a_delay_keeps_its_length_across_a_dst_change() {
    // Noon CET on the Saturday, one day later: 13:00 CEST.
    let a = reached("2024-03-30T11:00:00Z");
    let day = logic(json!({"delay": {"after": "enrolment", "days": 1}}));
    assert_eq!(due(&day, &a, LJUBLJANA), utc("2024-03-31T11:00:00Z"));
    // A send time pins the wall clock instead.
    let noon = logic(json!({"delay": {"after": "enrolment", "hours": 23}, "sendTime": {"at": "12:00"}}));
    assert_eq!(due(&noon, &a, LJUBLJANA), utc("2024-03-31T10:00:00Z"));
}

#[test]
fn the_latest_delay_from_the_latest_instant_does_not_overflow() {
    let a = reached("2024-06-10T08:00:00Z");
    let far = Anchors { enrolled_at: DateTime::<Utc>::MAX_UTC, ..a };
    let longest = logic(json!({"delay": {"after": "enrolment", "days": 365, "hours": 23, "minutes": 59}}));
    assert_eq!(due(&longest, &far, LJUBLJANA), DateTime::<Utc>::MAX_UTC);
}
