//! Live events (seed 002 MentorLiveEvent, LiveEventGroup): a scheduled live training with a meeting link,
//! hosted by a user of the organization for one or more groups. Members are told when it is announced
//! (or moved), a day before it starts, and if it is cancelled; they see it at `GET /me/live-events` and in
//! their calendar (`GET /me/live-events/calendar`, iCalendar).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | live event | `T#<t>#LIVE-EVENTS` | `<eventId>` |
//! | target group (LiveEventGroup) | `T#<t>#GROUP#<groupId>` | `EVENT#<eventId>` |
//!
//! The event and its group links are written in one transaction, with the schedule's timers (the
//! announcement now, the reminder a day before), so no change is ever left untold. A member's events are
//! their groups' links: one query a group.

pub mod calendar;
mod service;

pub use service::{LiveEventError, LiveEvents};

use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Groups one event may target.
pub const MAX_GROUPS: usize = 20;
/// How long before the start members are reminded.
pub const REMINDER_LEAD: Duration = Duration::days(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventStatus {
    Scheduled,
    Cancelled,
}

/// Seed 002 MentorLiveEvent with its LiveEventGroup targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    pub id: Uuid,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    /// 5–720.
    pub duration_minutes: u32,
    /// Where it is held: an https link.
    pub meet_url: String,
    /// The mentor who hosts it: a user of the organization.
    pub host_id: Uuid,
    /// LiveEventGroup: the groups whose members attend.
    pub group_ids: Vec<Uuid>,
    pub status: LiveEventStatus,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the iCalendar SEQUENCE: calendars replace an older copy.
    pub version: u64,
}

impl LiveEvent {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// A live event as asked for (parsed at the edge): every field of a new one; a change keeps what it omits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveEventDraft {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub meet_url: Option<String>,
    pub host_id: Option<Uuid>,
    pub group_ids: Option<Vec<Uuid>>,
}

pub fn events_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "LIVE-EVENTS")
}

pub fn event_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "LIVE-EVENTS", id.to_string())
}

pub fn group_link_key(tenant: &TenantId, group: Uuid, event: Uuid) -> Key {
    Key { pk: crate::groups::group_partition(tenant, group), sk: format!("EVENT#{event}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_live_event_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (e, g) = (Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!((event_key(&t, e).pk, event_key(&t, e).sk), (format!("T#{tenant}#LIVE-EVENTS"), e.to_string()));
        assert_eq!(
            (group_link_key(&t, g, e).pk, group_link_key(&t, g, e).sk),
            (format!("T#{tenant}#GROUP#{g}"), format!("EVENT#{e}"))
        );
    }
}
