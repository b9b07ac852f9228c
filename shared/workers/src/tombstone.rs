//! A deleted worker's tombstone: written in the same transaction as the delete, removed once every segment
//! membership of the worker is gone. A worker may belong to any number of segments, more than one
//! transaction holds, so memberships are cleared by the segment-sync consumer after the delete; the
//! tombstone makes that cleanup certain even when the message asking for it is lost (the scheduled tick
//! re-sends what is left, see [`overdue`]).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | tombstone | `P#DELETED-WORKERS` | `<t>#<workerId>` |
//!
//! One platform partition: tombstones live for seconds, so it stays small, and the tick reads it without
//! knowing the tenants.

use chrono::{DateTime, Duration, Utc};
use nudge_core::keys::{Key, platform_partition};
use nudge_core::store::{Put, Query, Store, StoreError};
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

const PARTITION: &str = "DELETED-WORKERS";
const ENTITY: &str = "WorkerTombstone";
/// Tombstones read per tick: the partition is drained as fast as deletes happen, so more means a backlog
/// that the next tick continues.
const SWEEP_LIMIT: u32 = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub tenant_id: TenantRef,
    pub worker_id: Uuid,
    pub deleted_at: DateTime<Utc>,
}

pub fn key(tenant: &TenantId, worker: Uuid) -> Key {
    Key::platform(PARTITION, format!("{tenant}#{worker}"))
}

/// The tombstone's put, for the delete's transaction.
pub fn put(tenant: &TenantId, worker: Uuid, at: DateTime<Utc>) -> Result<Put, StoreError> {
    let stone = Tombstone { tenant_id: tenant.into(), worker_id: worker, deleted_at: at };
    Put::new(&key(tenant, worker), ENTITY, &stone)
}

/// Removes the tombstones of workers whose memberships are cleared.
pub async fn clear(store: &Store, tenant: &TenantId, workers: &[Uuid]) -> Result<(), StoreError> {
    let keys: Vec<Key> = workers.iter().map(|w| key(tenant, *w)).collect();
    store.batch_delete(&keys).await
}

/// Tombstones older than `grace` (their cleanup message should have been handled by then), by tenant.
pub async fn overdue(
    store: &Store,
    now: DateTime<Utc>,
    grace: Duration,
) -> Result<BTreeMap<TenantRef, Vec<Uuid>>, StoreError> {
    let query = Query::partition(platform_partition(PARTITION));
    let (items, _) = store.items_page(&query, SWEEP_LIMIT, None).await?;
    let stones = items.into_iter().map(nudge_core::store::decode).collect::<Result<Vec<Tombstone>, _>>()?;
    Ok(group_overdue(stones, now - grace))
}

/// The pure part of [`overdue`]: tombstones from before `cutoff`, grouped by tenant.
fn group_overdue(stones: Vec<Tombstone>, cutoff: DateTime<Utc>) -> BTreeMap<TenantRef, Vec<Uuid>> {
    let mut by_tenant: BTreeMap<TenantRef, Vec<Uuid>> = BTreeMap::new();
    for s in stones.into_iter().filter(|s| s.deleted_at < cutoff) {
        by_tenant.entry(s.tenant_id).or_default().push(s.worker_id);
    }
    by_tenant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_overdue_stones_grouped_by_tenant() {
        let now = Utc::now();
        let tenant = |n| serde_json::from_value::<TenantRef>(serde_json::json!(Uuid::from_u128(n))).unwrap();
        let (a, b) = (tenant(1), tenant(2));
        let stone = |tenant, minutes| Tombstone {
            tenant_id: tenant,
            worker_id: Uuid::now_v7(),
            deleted_at: now - Duration::minutes(minutes),
        };
        let stones = vec![stone(a, 30), stone(a, 1), stone(b, 20), stone(a, 16)];
        let expected_a = vec![stones[0].worker_id, stones[3].worker_id];
        let expected_b = vec![stones[2].worker_id];
        let grouped = group_overdue(stones, now - Duration::minutes(15));
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[&a], expected_a);
        assert_eq!(grouped[&b], expected_b);
    }

    #[test]
    fn keys_name_the_tenant_and_the_worker() {
        let tenant = nudge_core::testing::tenant(0);
        let worker = Uuid::now_v7();
        let k = key(&tenant, worker);
        assert_eq!(k.pk, "P#DELETED-WORKERS");
        assert_eq!(k.sk, format!("{}#{worker}", Uuid::nil()));
    }
}
