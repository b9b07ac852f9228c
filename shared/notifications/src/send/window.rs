//! WhatsApp's customer-service window: free-form text reaches a worker only within 24 hours of the
//! worker's last message to the tenant's number; outside it only an approved template goes. The webhook
//! records each inbound message's time here (`T#<t>#WHATSAPP-WINDOW` / `<workerId>`), and the delivery
//! step reads it before a free-form WhatsApp send.

use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::keys::Key;
use nudge_core::store::{Changes, Store, StoreError, Write};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The condition label of a window already opened by a later message.
pub(crate) const NEWER: &str = "a newer message is recorded";

/// How long after a worker's message free-form text may be sent.
pub const WINDOW: Duration = Duration::hours(24);

fn key(tenant: &TenantId, worker: Uuid) -> Key {
    Key::tenant(tenant, "WHATSAPP-WINDOW", worker.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Window {
    worker_id: Uuid,
    last_inbound_at: DateTime<Utc>,
}

/// Records an inbound message at `at`; an older one arriving late never moves the time back.
pub(crate) fn opened(tenant: &TenantId, worker: Uuid, at: DateTime<Utc>) -> Result<Write, StoreError> {
    let ms = at.timestamp_millis();
    let changes = Changes::new().set("workerId", &worker)?.set("lastInboundAt", &at)?.set("lastInboundMs", &ms)?;
    Ok(Write::upsert_changes(key(tenant, worker), changes).if_below("lastInboundMs", ms, NEWER))
}

/// The last inbound message time of each of `workers` that has one.
pub(crate) async fn last_inbound(
    store: &Store,
    tenant: &TenantId,
    workers: &[Uuid],
) -> Result<HashMap<Uuid, DateTime<Utc>>, StoreError> {
    if workers.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<Key> = workers.iter().map(|w| key(tenant, *w)).collect();
    let mut found = HashMap::new();
    for item in store.batch_get(&keys).await? {
        let w: Window = nudge_core::store::decode(item)?;
        found.insert(w.worker_id, w.last_inbound_at);
    }
    Ok(found)
}

/// Whether free-form text may go at `now` to a worker whose last message was at `last`.
pub fn is_open(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_some_and(|at| now - at < WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_24_hours_from_the_last_message() {
        let now = Utc::now();
        assert!(!is_open(None, now));
        assert!(is_open(Some(now - Duration::hours(23)), now));
        assert!(!is_open(Some(now - Duration::hours(24)), now));
        let k = key(&nudge_core::testing::tenant(1), Uuid::from_u128(9));
        assert_eq!((k.pk, k.sk), (format!("T#{}#WHATSAPP-WINDOW", Uuid::from_u128(1)), Uuid::from_u128(9).to_string()));
    }
}
