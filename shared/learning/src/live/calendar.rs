//! A learner's live events as an iCalendar document (RFC 5545), built by the `icalendar` crate: one
//! VEVENT per event, its UID stable and its SEQUENCE the event's version, so a calendar that imported an
//! older copy replaces it; a cancelled event stays, marked CANCELLED, so calendars remove it.

use super::{LiveEvent, LiveEventStatus};
use icalendar::{Calendar, Component, EventLike, EventStatus};

/// The calendar of `events`, named `name`.
pub fn ics(name: &str, events: &[LiveEvent]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for e in events {
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("{}@live-events.nudge", e.id))
            .summary(&e.title)
            .starts(e.starts_at)
            .ends(e.ends_at())
            .location(&e.meet_url)
            .url(&e.meet_url)
            .sequence(u32::try_from(e.version).unwrap_or(u32::MAX))
            .last_modified(e.updated_at)
            .timestamp(e.updated_at)
            .status(match e.status {
                LiveEventStatus::Scheduled => EventStatus::Confirmed,
                LiveEventStatus::Cancelled => EventStatus::Cancelled,
            });
        if let Some(d) = &e.description {
            event.description(d);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn event(status: LiveEventStatus) -> LiveEvent {
        let at = chrono::Utc.with_ymd_and_hms(2027, 2, 3, 14, 0, 0).unwrap();
        LiveEvent {
            id: Uuid::from_u128(7),
            title: "Forklift Q&A, part 1; bring questions".into(),
            description: Some("Line one\nline two".into()),
            starts_at: at,
            duration_minutes: 90,
            meet_url: "https://meet.example/abc".into(),
            host_id: Uuid::from_u128(1),
            group_ids: vec![Uuid::from_u128(2)],
            status,
            created_by: Uuid::from_u128(1),
            created_at: at,
            updated_at: at,
            version: 3,
        }
    }

    #[test]
    fn each_event_is_a_vevent_with_a_stable_uid_and_its_version_as_sequence() {
        let text = ics("My live events", &[event(LiveEventStatus::Scheduled), event(LiveEventStatus::Cancelled)]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.trim_end().ends_with("END:VCALENDAR"), "{text}");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(text.contains("UID:00000000-0000-0000-0000-000000000007@live-events.nudge"), "{text}");
        assert!(text.contains("DTSTART:20270203T140000Z"), "{text}");
        assert!(text.contains("DTEND:20270203T153000Z"), "{text}");
        assert!(text.contains("SEQUENCE:3"), "{text}");
        assert!(text.contains("STATUS:CONFIRMED") && text.contains("STATUS:CANCELLED"), "{text}");
        // Text values are escaped as RFC 5545 says.
        assert!(text.contains(r"SUMMARY:Forklift Q&A\, part 1\; bring questions"), "{text}");
        assert!(text.contains(r"DESCRIPTION:Line one\nline two"), "{text}");
    }
}
