//! A changed worker's marker: written in the same transaction as every write of the worker (create,
//! update, delete), removed once segments (and later journeys) have re-evaluated it. The "workers changed"
//! message sent after the write may be lost (a crash between the two, a failed send); the marker makes
//! the re-evaluation certain anyway: the scheduled tick re-sends what is left, see [`overdue`]. For a
//! deleted worker it is what guarantees its segment memberships are cleared.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | marker | `P#CHANGED-WORKERS` | `<t>#<workerId>` |
//!
//! One platform partition: markers live for seconds, so it stays small, and the tick reads it without
//! knowing the tenants.

use chrono::{DateTime, Duration, Utc};
use nudge_core::keys::{Key, platform_partition};
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

const PARTITION: &str = "CHANGED-WORKERS";
const ENTITY: &str = "WorkerChange";
/// Markers read per tick: the partition is drained as fast as changes happen, so more means a backlog that
/// the next tick continues.
const SWEEP_LIMIT: u32 = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    pub tenant_id: TenantRef,
    pub worker_id: Uuid,
    pub changed_at: DateTime<Utc>,
}

pub fn key(tenant: &TenantId, worker: Uuid) -> Key {
    Key::platform(PARTITION, format!("{tenant}#{worker}"))
}

/// The marker's put, for the worker write's own transaction (a later change replaces it).
pub fn put(tenant: &TenantId, worker: Uuid, at: DateTime<Utc>) -> Result<Put, StoreError> {
    let marker = Marker { tenant_id: tenant.into(), worker_id: worker, changed_at: at };
    Put::new(&key(tenant, worker), ENTITY, &marker)
}

/// The markers of `workers` there are now: read before re-evaluating them, so that only what was seen is
/// [`settled`] afterwards.
pub async fn read(store: &Store, tenant: &TenantId, workers: &[Uuid]) -> Result<Vec<Marker>, StoreError> {
    let keys: Vec<Key> = workers.iter().map(|w| key(tenant, *w)).collect();
    store.batch_get(&keys).await?.into_iter().map(nudge_core::store::decode).collect()
}

/// Removes the markers read before a re-evaluation, each only if no change came since (a newer change has
/// replaced it with a later time, and stays marked for its own re-evaluation).
pub async fn settled(store: &Store, tenant: &TenantId, seen: &[Marker]) -> Result<(), StoreError> {
    for m in seen {
        let delete = Write::delete(key(tenant, m.worker_id)).and_equals("changedAt", &m.changed_at, "marker moved")?;
        match store.write(delete).await {
            Ok(()) | Err(StoreError::Condition(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Markers older than `grace` (their message should have been handled by then), by tenant.
pub async fn overdue(
    store: &Store,
    now: DateTime<Utc>,
    grace: Duration,
) -> Result<BTreeMap<TenantRef, Vec<Uuid>>, StoreError> {
    let query = Query::partition(platform_partition(PARTITION));
    let (items, _) = store.items_page(&query, SWEEP_LIMIT, None).await?;
    let markers = items.into_iter().map(nudge_core::store::decode).collect::<Result<Vec<Marker>, _>>()?;
    Ok(group_overdue(markers, now - grace))
}

/// The pure part of [`overdue`]: markers from before `cutoff`, grouped by tenant.
fn group_overdue(markers: Vec<Marker>, cutoff: DateTime<Utc>) -> BTreeMap<TenantRef, Vec<Uuid>> {
    let mut by_tenant: BTreeMap<TenantRef, Vec<Uuid>> = BTreeMap::new();
    for m in markers.into_iter().filter(|m| m.changed_at < cutoff) {
        by_tenant.entry(m.tenant_id).or_default().push(m.worker_id);
    }
    by_tenant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_overdue_markers_grouped_by_tenant() {
        let now = Utc::now();
        let tenant = |n| serde_json::from_value::<TenantRef>(serde_json::json!(Uuid::from_u128(n))).unwrap();
        let (a, b) = (tenant(1), tenant(2));
        let marker = |tenant, minutes| Marker {
            tenant_id: tenant,
            worker_id: Uuid::now_v7(),
            changed_at: now - Duration::minutes(minutes),
        };
        let markers = vec![marker(a, 30), marker(a, 1), marker(b, 20), marker(a, 16)];
        let expected_a = vec![markers[0].worker_id, markers[3].worker_id];
        let expected_b = vec![markers[2].worker_id];
        let grouped = group_overdue(markers, now - Duration::minutes(15));
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[&a], expected_a);
        assert_eq!(grouped[&b], expected_b);
    }

    #[test]
    fn keys_name_the_tenant_and_the_worker() {
        let tenant = nudge_core::testing::tenant(0);
        let worker = Uuid::now_v7();
        let k = key(&tenant, worker);
        assert_eq!(k.pk, "P#CHANGED-WORKERS");
        assert_eq!(k.sk, format!("{}#{worker}", Uuid::nil()));
    }
}
