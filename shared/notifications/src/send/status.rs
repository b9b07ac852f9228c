//! What providers report after a send, applied to deliveries: `sent` → `delivered` → `read` only ever
//! forward, `failed` only from `sent`, each time stamped with the provider's time (the earliest report
//! of each); a repeated callback changes nothing. A delivery is found from its provider message id through a lookup item
//! written with the `sent` move:
//!
//! | item | pk | sk |
//! |---|---|---|
//! | provider message | `P#PROVIDER-MESSAGE#<channel>#<provider id>` | `message` (ttl: 30 days) |
//!
//! Platform-wide, as SES and SNS events name no tenant; the item names it, and a webhook that speaks for
//! one tenant only reaches that tenant's deliveries.

use super::model::{Delivery, DeliveryState, Recipient};
use super::repo;
use crate::NotificationError;
use crate::channels::ChannelKind;
use crate::providers::{Progress, StatusEvent};
use chrono::{DateTime, Duration, Utc};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, StoreError, Write};
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a provider may report on a message.
const KEPT: Duration = Duration::days(30);
/// A callback for a message not (yet) known this soon after it happened is retried: the send's own
/// record may still be committing. Older ones are for messages that are not ours, and are dropped.
const SETTLING: Duration = Duration::minutes(10);

fn key(channel: ChannelKind, provider_id: &str) -> Key {
    Key::platform(&format!("PROVIDER-MESSAGE#{channel}#{provider_id}"), "message")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lookup {
    tenant_id: TenantRef,
    request_id: Uuid,
    recipient: Recipient,
}

/// The lookup item of a delivery sent as `provider_id`, for the transaction of its `sent` move.
pub(crate) fn sent_as(
    tenant: &TenantId,
    d: &Delivery,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<Write, StoreError> {
    let lookup = Lookup { tenant_id: tenant.into(), request_id: d.request_id, recipient: d.recipient };
    Ok(Write::upsert(Put::new(&key(d.channel, provider_id), "ProviderMessage", &lookup)?.ttl((now + KEPT).timestamp())))
}

/// The request a message of ours on `channel` belongs to, within `tenant` (a worker's reply names the
/// message it answers).
pub async fn request_of(
    store: &Store,
    channel: ChannelKind,
    provider_id: &str,
    tenant: &TenantId,
) -> Result<Option<Uuid>, StoreError> {
    let found: Option<Lookup> = store.get(&key(channel, provider_id)).await?;
    Ok(found.filter(|l| l.tenant_id.as_uuid() == tenant.as_uuid()).map(|l| l.request_id))
}

/// What applying one event came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Moved(DeliveryState),
    /// Already there or further (a repeat, or a callback that arrived after a later one).
    Unchanged,
    /// No delivery of ours has that id (or not of `only`'s tenant).
    Unknown,
}

/// Applies `event` about a message sent on `channel`; `only` limits it to one tenant's deliveries (a
/// webhook of that tenant). With `retry_unknown`, a message not known yet that happened moments ago is an
/// error, so the provider tries again once the send's own record has committed (a webhook can be that
/// quick); without, it is dropped (SES events come seconds later, and also for account emails, which
/// have no delivery).
pub async fn apply(
    store: &Store,
    channel: ChannelKind,
    event: &StatusEvent,
    only: Option<&TenantId>,
    retry_unknown: bool,
    now: DateTime<Utc>,
) -> Result<Applied, NotificationError> {
    let found: Option<Lookup> = store.get(&key(channel, &event.provider_message_id)).await?;
    let Some(lookup) = found else {
        // Real time, not the movable clock: this is about the provider's latency.
        if retry_unknown && Utc::now() - event.at < SETTLING {
            return Err(NotificationError::Retry(format!("{channel} message not known yet")));
        }
        return Ok(Applied::Unknown);
    };
    if only.is_some_and(|t| t.as_uuid() != lookup.tenant_id.as_uuid()) {
        return Ok(Applied::Unknown);
    }
    let tenant = lookup.tenant_id.tenant();
    for _ in 0..repo::CONFLICT_TRIES {
        let Some(current) = repo::get_delivery(store, &tenant, lookup.request_id, &lookup.recipient).await? else {
            return Ok(Applied::Unknown);
        };
        let Some(next) = progressed(&current, &event.progress, event.at, now) else { return Ok(Applied::Unchanged) };
        match store.transact(repo::move_delivery(&tenant, &current, &next)?).await {
            Ok(()) => {
                return Ok(if next.state == current.state { Applied::Unchanged } else { Applied::Moved(next.state) });
            }
            Err(e) if e.is_version_conflict() => {}
            Err(StoreError::TransactionConflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(NotificationError::Retry("the delivery kept moving".into()))
}

fn rank(state: DeliveryState) -> Option<u8> {
    match state {
        DeliveryState::Sent => Some(1),
        DeliveryState::Delivered => Some(2),
        DeliveryState::Read => Some(3),
        _ => None,
    }
}

/// The delivery after `progress` at `at`, or `None` when it says nothing new. States move only forward;
/// a later state fills the earlier's missing time (read implies delivered), and an earlier state arriving
/// late fills only its own time.
pub(crate) fn progressed(d: &Delivery, progress: &Progress, at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Delivery> {
    let mut next = d.clone();
    match progress {
        Progress::Failed { reason } => {
            if d.state != DeliveryState::Sent {
                return None;
            }
            next.state = DeliveryState::Failed;
            next.reason = Some(reason.chars().take(500).collect());
            next.failed_at = Some(at);
        }
        Progress::Sent | Progress::Delivered | Progress::Read => {
            let to = match progress {
                Progress::Sent => DeliveryState::Sent,
                Progress::Delivered => DeliveryState::Delivered,
                _ => DeliveryState::Read,
            };
            let (Some(have), Some(want)) = (rank(d.state), rank(to)) else { return None };
            // The earliest report of each stands: a read implies delivery at that time, until the
            // delivered callback (late) says when it really was.
            let earliest = |t: Option<DateTime<Utc>>| Some(t.map_or(at, |t| t.min(at)));
            if want >= 2 {
                next.delivered_at = earliest(next.delivered_at);
            }
            if want >= 3 {
                next.read_at = earliest(next.read_at);
            }
            if want > have {
                next.state = to;
            }
        }
    }
    if next == *d {
        return None;
    }
    next.updated_at = now;
    next.version += 1;
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent() -> Delivery {
        let now = Utc::now();
        let d = Delivery::new(Uuid::now_v7(), ChannelKind::Whatsapp, Recipient::worker(Uuid::now_v7()), now);
        d.moved(DeliveryState::Sent, None, now)
    }

    #[test]
    fn callbacks_in_any_order_and_any_number_converge() {
        let now = Utc::now();
        let (t1, t2) = (now + Duration::seconds(1), now + Duration::seconds(2));
        let d = sent();
        // read first, then delivered late, then read again
        let read = progressed(&d, &Progress::Read, t2, now).unwrap();
        assert_eq!((read.state, read.read_at, read.delivered_at), (DeliveryState::Read, Some(t2), Some(t2)));
        assert!(progressed(&read, &Progress::Read, t2, now).is_none(), "a repeat changes nothing");
        let late = progressed(&read, &Progress::Delivered, t1, now).unwrap();
        assert_eq!(
            (late.state, late.delivered_at, late.read_at),
            (DeliveryState::Read, Some(t1), Some(t2)),
            "a late delivered stays behind read, with its own time"
        );
        assert!(progressed(&late, &Progress::Delivered, t1, now).is_none());
        assert!(progressed(&read, &Progress::Failed { reason: "x".into() }, t1, now).is_none());
        // in order
        let delivered = progressed(&d, &Progress::Delivered, t1, now).unwrap();
        let read2 = progressed(&delivered, &Progress::Read, t2, now).unwrap();
        assert_eq!((read2.state, read2.delivered_at, read2.read_at), (DeliveryState::Read, Some(t1), Some(t2)));
        assert_eq!(read2.version, d.version + 2);
        // failure only from sent
        let failed = progressed(&d, &Progress::Failed { reason: "131026: undeliverable".into() }, t1, now).unwrap();
        assert_eq!((failed.state, failed.failed_at), (DeliveryState::Failed, Some(t1)));
        assert!(progressed(&failed, &Progress::Delivered, t2, now).is_none());
        assert!(progressed(&d, &Progress::Sent, t1, now).is_none());
    }

    #[test]
    fn verify_provider_message_keys_serialize_as_expected() {
        let k = key(ChannelKind::Email, "0100018f-abc");
        assert_eq!((k.pk.as_str(), k.sk.as_str()), ("P#PROVIDER-MESSAGE#email#0100018f-abc", "message"));
    }
}
