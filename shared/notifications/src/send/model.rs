//! A send request and its deliveries, as stored and served.
//!
//! | item | pk | sk | gsi1 |
//! |---|---|---|---|
//! | request | `T#<t>#NOTIFICATIONS` | `<requestId>` | |
//! | dedup key | `T#<t>#NOTIFICATION-DEDUP` | `<dedupKey>` (ttl: 24 h) | |
//! | delivery | `T#<t>#DELIVERIES#<requestId>` | `<recipientType>#<recipientId>` | `T#<t>#WORKER-DELIVERIES#<workerId>` / `<deliveryId>` (workers only) |
//! | counts | `T#<t>#DELIVERY-COUNTS#<requestId>` | `<shard 0..7>` | |
//!
//! A delivery's key is its (request, recipient): a redelivered fan-out creates nothing twice. Its state
//! and the request's counts move in one transaction (the count sharded, so a 100,000-recipient fan-out
//! does not contend on one item); a request's counts are the sum of its shards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::channels::ChannelKind;
pub use crate::inbox::{Link, NotificationPriority, NotificationType};

/// Who a request goes to; a worker or user named twice (or also in the segment) gets one delivery.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipients {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worker_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_id: Option<Uuid>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waits for `scheduledFor`.
    Scheduled,
    /// Its recipients are being resolved into deliveries.
    Queued,
    /// Every delivery exists; they are being sent.
    FannedOut,
    /// Cancelled: nothing not yet sent goes out.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRequest {
    pub id: Uuid,
    pub channel: ChannelKind,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub priority: NotificationPriority,
    pub recipients: Recipients,
    /// A content item of type template, approved, for this channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where an in-app notification leads (an app path or an https URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub link: Option<Link>,
    /// Values for the template's variables that the recipient's own fields do not give.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<DateTime<Utc>>,
    pub status: RequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    /// Waits for the recipient's quiet hours to end.
    Deferred,
    Sent,
    Delivered,
    Read,
    Failed,
    /// Not sent, by a rule: no consent, no address, a missing variable, an unusable template.
    Refused,
    Cancelled,
}

impl DeliveryState {
    pub const ALL: [Self; 8] = [
        Self::Queued,
        Self::Deferred,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Failed,
        Self::Refused,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Deferred => "deferred",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::Cancelled => "cancelled",
        }
    }

    /// Still to be sent.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Deferred)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientType {
    Worker,
    User,
}

/// Who one delivery is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    #[serde(rename = "type")]
    pub kind: RecipientType,
    pub id: Uuid,
}

impl Recipient {
    pub fn worker(id: Uuid) -> Self {
        Self { kind: RecipientType::Worker, id }
    }

    pub fn user(id: Uuid) -> Self {
        Self { kind: RecipientType::User, id }
    }

    pub(crate) fn sort_key(&self) -> String {
        let kind = match self.kind {
            RecipientType::Worker => "worker",
            RecipientType::User => "user",
        };
        format!("{kind}#{}", self.id)
    }
}

/// One recipient's delivery of a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: Uuid,
    pub request_id: Uuid,
    pub recipient: Recipient,
    pub channel: ChannelKind,
    pub state: DeliveryState,
    /// Why it was refused or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The provider's id of the message (SES MessageId, SNS MessageId, WhatsApp wamid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// SMS parts it went out in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<u32>,
    #[serde(default)]
    pub attempts: u32,
    /// While deferred: when the recipient's quiet hours end and it is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_until: Option<DateTime<Utc>>,
    /// The worker's local day its send was counted on against the daily cap (so a retry is not counted
    /// twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_on: Option<chrono::NaiveDate>,
    /// Failed because its provider stayed down through every retry: its message went to the dead-letter
    /// queue, and a redrive of it sends the delivery after all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outage: bool,
    /// While a run is sending it: another run (a duplicate message) leaves it alone until then, and takes
    /// it over after (that run died before it could record what happened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    pub queued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Delivery {
    /// `recipient`'s delivery of request `request_id` on `channel`, queued.
    pub(crate) fn new(request_id: Uuid, channel: ChannelKind, recipient: Recipient, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            request_id,
            recipient,
            channel,
            state: DeliveryState::Queued,
            reason: None,
            provider_message_id: None,
            segments: None,
            attempts: 0,
            deferred_until: None,
            counted_on: None,
            outage: false,
            lease_until: None,
            queued_at: now,
            sent_at: None,
            delivered_at: None,
            read_at: None,
            failed_at: None,
            updated_at: now,
            version: 1,
        }
    }

    /// Whether a run may take it to send at `now`: pending (or failed by an outage, its message redriven),
    /// and not held by another run's live lease.
    pub(crate) fn is_free(&self, now: DateTime<Utc>) -> bool {
        let sendable = self.state.is_pending() || (self.state == DeliveryState::Failed && self.outage);
        sendable && self.lease_until.is_none_or(|until| until <= now)
    }

    /// The delivery held by a run until `until`, one attempt more.
    pub(crate) fn claimed(&self, until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.lease_until = Some(until);
        next.attempts += 1;
        next.updated_at = now;
        next.version += 1;
        next
    }

    /// The delivery waiting until `until` (the recipient's quiet hours end), free for the run then.
    pub(crate) fn deferred(&self, until: DateTime<Utc>, reason: String, now: DateTime<Utc>) -> Self {
        let mut next = self.moved(DeliveryState::Deferred, Some(reason), now);
        next.deferred_until = Some(until);
        next
    }

    /// The delivery moved to `state` at `now` (with `reason` for a refusal or failure).
    pub(crate) fn moved(&self, state: DeliveryState, reason: Option<String>, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.state = state;
        next.lease_until = None;
        next.reason = reason.map(|r| bounded(&r));
        next.deferred_until = None;
        next.outage = false;
        next.updated_at = now;
        next.version += 1;
        match state {
            DeliveryState::Sent => next.sent_at = Some(now),
            DeliveryState::Delivered => next.delivered_at = Some(now),
            DeliveryState::Read => next.read_at = Some(now),
            DeliveryState::Failed => next.failed_at = Some(now),
            _ => {}
        }
        next
    }
}

/// A reason short enough for the item, whatever a provider said.
fn bounded(reason: &str) -> String {
    const MAX: usize = 500;
    match reason.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &reason[..at]),
        None => reason.to_owned(),
    }
}

/// Deliveries per state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryCounts {
    pub total: u64,
    pub queued: u64,
    pub deferred: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    pub refused: u64,
    pub cancelled: u64,
}

impl DeliveryCounts {
    pub(crate) fn add(&mut self, state: DeliveryState, n: i64) {
        let slot = match state {
            DeliveryState::Queued => &mut self.queued,
            DeliveryState::Deferred => &mut self.deferred,
            DeliveryState::Sent => &mut self.sent,
            DeliveryState::Delivered => &mut self.delivered,
            DeliveryState::Read => &mut self.read,
            DeliveryState::Failed => &mut self.failed,
            DeliveryState::Refused => &mut self.refused,
            DeliveryState::Cancelled => &mut self.cancelled,
        };
        *slot = slot.saturating_add_signed(n);
    }
}

/// A request as served: the stored request and its counts.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    #[serde(flatten)]
    pub request: NotificationRequest,
    pub counts: DeliveryCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_stamps_its_time_and_bounds_the_reason() {
        let now = Utc::now();
        let request_id = Uuid::now_v7();
        let d = Delivery::new(request_id, ChannelKind::Sms, Recipient::worker(Uuid::now_v7()), now);
        assert!(d.is_free(now));
        let held = d.claimed(now + chrono::Duration::minutes(2), now);
        assert!(!held.is_free(now) && held.is_free(now + chrono::Duration::minutes(3)), "a lapsed lease frees it");
        assert_eq!((held.attempts, held.version), (1, 2));
        let sent = held.moved(DeliveryState::Sent, None, now);
        assert!(!sent.is_free(now + chrono::Duration::hours(1)) && sent.lease_until.is_none(), "settled for good");
        let failed = d.moved(DeliveryState::Failed, Some("x".repeat(2000)), now);
        assert_eq!((failed.version, failed.failed_at), (2, Some(now)));
        assert!(failed.reason.unwrap().chars().count() <= 501);
        assert_eq!(Recipient::user(request_id).sort_key(), format!("user#{request_id}"));
    }

    #[test]
    fn counts_add_and_never_go_below_zero() {
        let mut c = DeliveryCounts::default();
        c.add(DeliveryState::Queued, 2);
        c.add(DeliveryState::Queued, -3);
        c.add(DeliveryState::Sent, 1);
        assert_eq!((c.queued, c.sent), (0, 1));
    }
}
