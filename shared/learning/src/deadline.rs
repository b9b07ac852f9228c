//! A group member's due date for a module assigned to the group (seed 002 ModuleGroup.deadlineDays): the
//! days count from when the member joined the group or the assignment began, whichever is later, so joining
//! late never makes a learner overdue on day one.

use chrono::{DateTime, Duration, Utc};

/// The due date, when the assignment has a deadline.
pub fn due_at(
    joined_group_at: DateTime<Utc>,
    assigned_at: DateTime<Utc>,
    deadline_days: Option<u32>,
) -> Option<DateTime<Utc>> {
    deadline_days.map(|days| joined_group_at.max(assigned_at) + Duration::days(i64::from(days)))
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
        assert_eq!(due_at(day(1), day(5), Some(14)), Some(day(19)));
        assert_eq!(due_at(day(10), day(5), Some(14)), Some(day(24)));
        assert_eq!(due_at(day(10), day(5), None), None);
        assert!(overdue(Some(day(19)), None, day(20)));
        assert!(!overdue(Some(day(19)), Some(day(20)), day(21)));
        assert!(!overdue(Some(day(19)), None, day(19)));
    }
}
