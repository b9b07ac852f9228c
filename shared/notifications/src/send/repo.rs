//! Requests, deliveries and counts in the table (layout in [`super::model`]). No HTTP here.

use super::model::{Delivery, DeliveryCounts, DeliveryState, NotificationRequest, Recipient};
use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Changes, Index, Put, Query, Store, StoreError, Tx, Write};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const REQUEST: &str = "NotificationRequest";
const DEDUP: &str = "NotificationDedup";
const DELIVERY: &str = "Delivery";
/// Shards of a request's counts.
const SHARDS: u32 = 8;
/// How long a dedup key answers with its first request.
pub(crate) const DEDUP_WINDOW: Duration = Duration::hours(24);
/// Tries of a write that met a concurrent transaction on a count shard.
pub(crate) const CONFLICT_TRIES: u32 = 4;
/// Condition labels read back here only.
pub(crate) const DUPLICATE: &str = "dedup key used";
pub(crate) const EXISTS: &str = "delivery exists";

pub(crate) fn request_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "NOTIFICATIONS", id.to_string())
}

fn dedup_key(tenant: &TenantId, dedup: &str) -> Key {
    Key::tenant(tenant, "NOTIFICATION-DEDUP", dedup.to_owned())
}

fn deliveries_partition(tenant: &TenantId, request: Uuid) -> String {
    tenant_partition(tenant, &format!("DELIVERIES#{request}"))
}

pub(crate) fn delivery_key(tenant: &TenantId, request: Uuid, recipient: &Recipient) -> Key {
    Key { pk: deliveries_partition(tenant, request), sk: recipient.sort_key() }
}

fn worker_deliveries(tenant: &TenantId, worker: Uuid) -> String {
    tenant_partition(tenant, &format!("WORKER-DELIVERIES#{worker}"))
}

fn counts_key(tenant: &TenantId, request: Uuid, shard: u32) -> Key {
    Key::tenant(tenant, &format!("DELIVERY-COUNTS#{request}"), shard.to_string())
}

fn shard_of(delivery: Uuid) -> u32 {
    (delivery.as_u128() % u128::from(SHARDS)) as u32
}

/// What a dedup key holds: the request it first made.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dedup {
    request_id: Uuid,
    expires_at: DateTime<Utc>,
}

pub(crate) fn put_request(tenant: &TenantId, r: &NotificationRequest) -> Result<Put, StoreError> {
    Put::new(&request_key(tenant, r.id), REQUEST, r)
}

/// A new request, with its dedup key claimed (unless a live one exists: [`DUPLICATE`]).
/// The condition a request created again fails with.
pub const REQUEST_EXISTS: &str = "request exists";

pub(crate) fn create_request(tenant: &TenantId, r: &NotificationRequest) -> Result<Tx, StoreError> {
    let mut tx = Tx::new().with(Write::create(put_request(tenant, r)?, REQUEST_EXISTS));
    if let Some(key) = &r.dedup_key {
        let expires_at = r.created_at + DEDUP_WINDOW;
        let dedup = Put::new(&dedup_key(tenant, key), DEDUP, &Dedup { request_id: r.id, expires_at })?
            .ttl(expires_at.timestamp());
        tx.push(Write::create_or_expired(dedup, r.created_at.timestamp(), DUPLICATE));
    }
    Ok(tx)
}

/// The request a live dedup key names.
pub(crate) async fn deduplicated(
    store: &Store,
    tenant: &TenantId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let found: Option<Dedup> = store.get(&dedup_key(tenant, key)).await?;
    Ok(found.filter(|d| d.expires_at > now).map(|d| d.request_id))
}

pub(crate) async fn get_request(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Option<NotificationRequest>, StoreError> {
    store.get(&request_key(tenant, id)).await
}

pub(crate) async fn list_requests(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<NotificationRequest>, StoreError> {
    let query = Query::partition(tenant_partition(tenant, "NOTIFICATIONS")).newest_first();
    store.page(scope, &query, limit, cursor).await
}

fn put_delivery(tenant: &TenantId, d: &Delivery) -> Result<Put, StoreError> {
    let put = Put::new(&delivery_key(tenant, d.request_id, &d.recipient), DELIVERY, d)?;
    Ok(match d.recipient.kind {
        super::model::RecipientType::Worker => {
            put.index(Index::Gsi1, worker_deliveries(tenant, d.recipient.id), d.id.to_string())
        }
        super::model::RecipientType::User => put,
    })
}

/// The count shard's change for a delivery leaving `from` (if any) for `to`.
fn count_move(tenant: &TenantId, d: &Delivery, from: Option<DeliveryState>, to: DeliveryState) -> Write {
    let mut changes = Changes::new().add(to.as_str(), 1);
    match from {
        Some(from) => changes = changes.add(from.as_str(), -1),
        None => changes = changes.add("total", 1),
    }
    Write::upsert_changes(counts_key(tenant, d.request_id, shard_of(d.id)), changes)
}

/// Creates `d` (queued) and counts it, unless its recipient already has a delivery of the request
/// ([`EXISTS`]).
pub(crate) fn create_delivery(tenant: &TenantId, d: &Delivery) -> Result<Tx, StoreError> {
    Ok(Tx::new().with(Write::create(put_delivery(tenant, d)?, EXISTS)).with(count_move(tenant, d, None, d.state)))
}

/// Creates `ds` (queued, of one request) and counts them in one transaction, each shard's count moved once;
/// [`EXISTS`] when any of them exists already (a redone page: the caller goes one by one). At most
/// [`CREATE_BATCH`] deliveries, so the transaction stays within DynamoDB's 100 items.
pub(crate) fn create_deliveries(tenant: &TenantId, ds: &[Delivery]) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    let mut per_shard: std::collections::BTreeMap<u32, (Uuid, i64)> = std::collections::BTreeMap::new();
    for d in ds {
        tx.push(Write::create(put_delivery(tenant, d)?, EXISTS));
        per_shard.entry(shard_of(d.id)).or_insert((d.request_id, 0)).1 += 1;
    }
    for (shard, (request, n)) in per_shard {
        let changes = Changes::new().add("total", n).add(DeliveryState::Queued.as_str(), n);
        tx.push(Write::upsert_changes(counts_key(tenant, request, shard), changes));
    }
    Ok(tx)
}

/// Deliveries [`create_deliveries`] writes at once: with one count item per shard, 92 items at most.
pub(crate) const CREATE_BATCH: usize = 84;

/// Moves a delivery from `prev` (as read) to `next`, its counts with it; a concurrent move fails as a
/// version conflict.
pub(crate) fn move_delivery(tenant: &TenantId, prev: &Delivery, next: &Delivery) -> Result<Tx, StoreError> {
    let mut tx = Tx::new().with(Write::replace(put_delivery(tenant, next)?, prev.version));
    if prev.state != next.state {
        tx.push(count_move(tenant, next, Some(prev.state), next.state));
    }
    Ok(tx)
}

pub(crate) async fn get_delivery(
    store: &Store,
    tenant: &TenantId,
    request: Uuid,
    recipient: &Recipient,
) -> Result<Option<Delivery>, StoreError> {
    store.get(&delivery_key(tenant, request, recipient)).await
}

/// The deliveries of `recipients` of a request, by recipient (one strongly consistent BatchGetItem per 100).
pub(crate) async fn get_deliveries(
    store: &Store,
    tenant: &TenantId,
    request: Uuid,
    recipients: &[Recipient],
) -> Result<std::collections::HashMap<Recipient, Delivery>, StoreError> {
    let keys: Vec<Key> = recipients.iter().map(|r| delivery_key(tenant, request, r)).collect();
    let mut found = std::collections::HashMap::with_capacity(keys.len());
    for item in store.batch_get(&keys).await? {
        let d: Delivery = nudge_core::store::decode(item)?;
        found.insert(d.recipient, d);
    }
    Ok(found)
}

pub(crate) async fn list_deliveries(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    request: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Delivery>, StoreError> {
    store.page(scope, &Query::partition(deliveries_partition(tenant, request)), limit, cursor).await
}

/// A worker's deliveries, newest first.
pub(crate) async fn worker_history(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    worker: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Delivery>, StoreError> {
    let query = Query::partition(worker_deliveries(tenant, worker)).on(Index::Gsi1).newest_first();
    store.page(scope, &query, limit, cursor).await
}

/// A request's counts: the sum of its shards (one BatchGetItem).
pub(crate) async fn counts(store: &Store, tenant: &TenantId, request: Uuid) -> Result<DeliveryCounts, StoreError> {
    let keys: Vec<Key> = (0..SHARDS).map(|s| counts_key(tenant, request, s)).collect();
    let mut total = DeliveryCounts::default();
    for item in store.batch_get(&keys).await? {
        let shard: ShardCounts = nudge_core::store::decode(item)?;
        total.total += shard.total.max(0) as u64;
        for state in DeliveryState::ALL {
            total.add(state, shard.of(state));
        }
    }
    Ok(total)
}

/// One shard as stored: signed, as a shard may count a move out before another shard counted the move in.
#[derive(Default, Deserialize)]
struct ShardCounts {
    #[serde(default)]
    total: i64,
    #[serde(default)]
    queued: i64,
    #[serde(default)]
    deferred: i64,
    #[serde(default)]
    sent: i64,
    #[serde(default)]
    delivered: i64,
    #[serde(default)]
    read: i64,
    #[serde(default)]
    failed: i64,
    #[serde(default)]
    refused: i64,
    #[serde(default)]
    cancelled: i64,
}

impl ShardCounts {
    fn of(&self, state: DeliveryState) -> i64 {
        match state {
            DeliveryState::Queued => self.queued,
            DeliveryState::Deferred => self.deferred,
            DeliveryState::Sent => self.sent,
            DeliveryState::Delivered => self.delivered,
            DeliveryState::Read => self.read,
            DeliveryState::Failed => self.failed,
            DeliveryState::Refused => self.refused,
            DeliveryState::Cancelled => self.cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::model::Recipient;

    #[test]
    fn a_page_of_deliveries_is_one_transaction_within_dynamodb_s_limit() {
        let tenant = nudge_core::testing::tenant(1);
        let request = Uuid::now_v7();
        let now = chrono::Utc::now();
        let ds: Vec<Delivery> = (0..CREATE_BATCH)
            .map(|_| {
                Delivery::new(request, super::super::model::ChannelKind::Sms, Recipient::worker(Uuid::now_v7()), now)
            })
            .collect();
        let items = create_deliveries(&tenant, &ds).unwrap().len();
        assert!(items <= 100 && items > CREATE_BATCH, "{items} items");
    }

    #[test]
    fn verify_delivery_keys_serialize_as_expected() {
        let tenant = nudge_core::testing::tenant(1);
        let (request, worker) = (Uuid::now_v7(), Uuid::now_v7());
        let key = delivery_key(&tenant, request, &Recipient::worker(worker));
        assert_eq!(key.pk, format!("T#{}#DELIVERIES#{request}", Uuid::from_u128(1)));
        assert_eq!(key.sk, format!("worker#{worker}"));
        assert_eq!(request_key(&tenant, request).pk, format!("T#{}#NOTIFICATIONS", Uuid::from_u128(1)));
        assert_eq!(counts_key(&tenant, request, 3).sk, "3");
        assert!((0..1000).map(|_| shard_of(Uuid::now_v7())).all(|s| s < SHARDS));
    }
}
