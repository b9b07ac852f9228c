//! Relative time against the `now` fixed at compile time, with the boundaries exact.

use super::*;

fn active_at(t: DateTime<Utc>) -> Worker {
    let mut w = bare();
    w.fields.engagement.last_active_at = Some(t);
    w
}

fn hired(d: &str) -> Worker {
    let mut w = bare();
    w.fields.employment.hire_date = Some(day(d));
    w
}

#[test]
fn within_last_days_includes_the_boundary_and_older_than_excludes_it() {
    let within = cond("engagement.lastActiveAt", "withinLastDays", json!(3));
    let older = cond("engagement.lastActiveAt", "olderThanDays", json!(3));
    let edge = now() - Duration::days(3);
    assert!(holds(within.clone(), &active_at(edge)));
    assert!(!holds(older.clone(), &active_at(edge)));
    let before = edge - Duration::seconds(1);
    assert!(!holds(within.clone(), &active_at(before)));
    assert!(holds(older.clone(), &active_at(before)));
    // Neither holds without a value.
    assert!(!holds(within, &bare()));
    assert!(!holds(older, &bare()));
}

#[test]
fn dates_count_from_midnight_utc() {
    // now is 2024-06-15T12:00Z: one day back is 2024-06-14T12:00Z, after 2024-06-14's midnight.
    let within_1 = cond("employment.hireDate", "withinLastDays", json!(1));
    let within_2 = cond("employment.hireDate", "withinLastDays", json!(2));
    let older_1 = cond("employment.hireDate", "olderThanDays", json!(1));
    assert!(!holds(within_1.clone(), &hired("2024-06-14")));
    assert!(holds(within_1, &hired("2024-06-15")));
    assert!(holds(within_2, &hired("2024-06-14")));
    assert!(holds(older_1.clone(), &hired("2024-06-14")));
    assert!(!holds(older_1, &hired("2024-06-15")));
}

#[test]
fn now_is_fixed_when_compiling() {
    let r = rule(cond("engagement.lastActiveAt", "withinLastDays", json!(7)));
    let w = active_at(at("2024-06-10T00:00:00Z"));
    assert!(r.compile(now()).matches(&w));
    assert!(!r.compile(now() + Duration::days(30)).matches(&w));
    assert!(r.is_time_relative());
    assert!(!rule(cond("engagement.lastActiveAt", "gt", json!("2024-01-01"))).is_time_relative());
    let nested = json!({"all": [cond("employment.team", "exists", Value::Null), {"not": {"any": [
        cond("customFields.seen", "olderThanDays", json!(30))
    ]}}]});
    assert!(rule(nested).is_time_relative());
}
