//! The table: experiments, assignments (created only if absent: what makes them sticky) and each
//! variant's counters (sharded, moved in the transaction that exposes or scores a worker). Knows no HTTP.

use crate::keys;
use crate::model::{Assignment, Experiment};
use crate::results::Counts;
use nudge_core::TenantId;
use nudge_core::store::{Changes, Put, Query, Store, StoreError, Write};
use uuid::Uuid;

pub const ASSIGNED: &str = "assignment exists";

pub fn put_experiment(tenant: &TenantId, e: &Experiment) -> Result<Put, StoreError> {
    Put::new(&keys::experiment(tenant, e.id), "Experiment", e)
}

pub async fn get_experiment(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Experiment>, StoreError> {
    store.get(&keys::experiment(tenant, id)).await
}

pub fn put_assignment(tenant: &TenantId, a: &Assignment) -> Result<Put, StoreError> {
    Put::new(&keys::assignment(tenant, a.experiment_id, a.bucket_version, a.worker_id), "ExperimentAssignment", a)
}

pub async fn get_assignment(
    store: &Store,
    tenant: &TenantId,
    experiment: Uuid,
    bucket_version: u32,
    worker: Uuid,
) -> Result<Option<Assignment>, StoreError> {
    store.get(&keys::assignment(tenant, experiment, bucket_version, worker)).await
}

/// The counters' move of `a`'s first exposure, completion or score (`None`: no change of that kind).
pub fn count(tenant: &TenantId, a: &Assignment, exposed: bool, completed: bool, score: Option<f64>) -> Write {
    let mut changes = Changes::new();
    if exposed {
        changes = changes.add("exposed", 1);
    }
    if completed {
        changes = changes.add("completed", 1);
    }
    if let Some(s) = score {
        // Milli-points keep the sums integral (DynamoDB's ADD is exact on them).
        let milli = (s * 1000.0).round() as i64;
        changes = changes.add("scored", 1).add("scoreMilli", milli).add("scoreSqMicro", milli * milli);
    }
    Write::upsert_changes(
        keys::counts(tenant, a.experiment_id, a.bucket_version, a.variant_index, a.worker_id),
        changes,
    )
}

/// Every variant's counts under `bucket_version`, summed over shards, by variant index.
pub async fn counts(
    store: &Store,
    tenant: &TenantId,
    experiment: Uuid,
    bucket_version: u32,
    variants: usize,
) -> Result<Vec<Counts>, StoreError> {
    let query = Query::partition(keys::counts_partition(tenant, experiment)).consistent();
    let mut out = vec![Counts::default(); variants];
    for item in store.all_items(&query).await? {
        let Some(sk) = item.get("sk").and_then(|v| v.as_s().ok()) else { continue };
        let mut parts = sk.split('#');
        let (Some(version), Some(variant)) = (parts.next(), parts.next()) else { continue };
        if version.parse::<u32>().ok() != Some(bucket_version) {
            continue;
        }
        let Some(c) = variant.parse::<usize>().ok().and_then(|i| out.get_mut(i)) else { continue };
        let n =
            |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok()).unwrap_or(0);
        c.exposed += n("exposed").max(0) as u64;
        c.completed += n("completed").max(0) as u64;
        c.scored += n("scored").max(0) as u64;
        c.score_sum += n("scoreMilli") as f64 / 1000.0;
        c.score_sum_sq += n("scoreSqMicro") as f64 / 1_000_000.0;
    }
    Ok(out)
}
