//! A group member's due date for a module assigned to the group (seed 002 ModuleGroup.deadlineDays): the
//! days count from when the member joined the group or the assignment began, whichever is later, so joining
//! late never makes a learner overdue on day one. A recertification round (the previous certificate
//! expired) starts the clock again from the expiry.
//!
//! One DEADLINE_REMINDER goes out [`REMINDER_LEAD_DAYS`] before a due date (at once when the assignment
//! came later than that), once per learner, module and due date.

use crate::groups::ModuleAssignment;
use chrono::{DateTime, Duration, Utc};

/// Days before a due date its reminder goes out.
pub const REMINDER_LEAD_DAYS: i64 = 3;

/// The due date, when the assignment has a deadline: `deadline_days` after the latest of joining, the
/// assignment and the learner's current round.
pub fn due_at(
    joined_group_at: DateTime<Utc>,
    assigned_at: DateTime<Utc>,
    round_started_at: Option<DateTime<Utc>>,
    deadline_days: Option<u32>,
) -> Option<DateTime<Utc>> {
    let start = joined_group_at.max(assigned_at).max(round_started_at.unwrap_or(DateTime::<Utc>::MIN_UTC));
    deadline_days.map(|days| start + Duration::days(i64::from(days)))
}

/// A learner's due date for a module assigned to them through several groups: the soonest.
pub fn due_for<'a>(
    assignments: impl IntoIterator<Item = &'a (ModuleAssignment, DateTime<Utc>)>,
    module: uuid::Uuid,
    round_started_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    assignments
        .into_iter()
        .filter(|(a, _)| a.module_id == module)
        .filter_map(|(a, joined)| due_at(*joined, a.assigned_at, round_started_at, a.deadline_days))
        .min()
}

/// When the reminder of a due date goes out.
pub fn reminder_at(due_at: DateTime<Utc>) -> DateTime<Utc> {
    due_at - Duration::days(REMINDER_LEAD_DAYS)
}

/// Whether a learner who has not completed by `now` is overdue.
pub fn overdue(due_at: Option<DateTime<Utc>>, completed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    completed_at.is_none() && due_at.is_some_and(|due| now > due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn the_later_of_joining_and_assignment_starts_the_clock() {
        assert_eq!(due_at(day(1), day(5), None, Some(14)), Some(day(19)));
        assert_eq!(due_at(day(10), day(5), None, Some(14)), Some(day(24)));
        assert_eq!(due_at(day(10), day(5), None, None), None);
        assert_eq!(due_at(day(1), day(5), Some(day(7)), Some(14)), Some(day(21)));
        assert_eq!(reminder_at(day(19)), day(16));
        assert!(overdue(Some(day(19)), None, day(20)));
        assert!(!overdue(Some(day(19)), Some(day(20)), day(21)));
        assert!(!overdue(Some(day(19)), None, day(19)));
    }

    #[test]
    fn the_soonest_of_several_groups_counts() {
        let (m, other) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let a = |module, days, at| ModuleAssignment {
            group_id: uuid::Uuid::from_u128(9),
            module_id: module,
            deadline_days: days,
            is_mandatory: true,
            assigned_at: at,
            version: 1,
        };
        let mine =
            [(a(m, Some(14), day(1)), day(1)), (a(m, Some(3), day(10)), day(2)), (a(other, Some(1), day(1)), day(1))];
        assert_eq!(due_for(&mine, m, None), Some(day(13)));
        assert_eq!(due_for(&mine[..1], m, Some(day(3))), Some(day(17)));
        assert_eq!(due_for(&mine, uuid::Uuid::from_u128(3), None), None);
    }
}
