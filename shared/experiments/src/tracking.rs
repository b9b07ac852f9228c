//! What apps built on the API record themselves, in batches of up to [`MAX_BATCH`] workers: assignments
//! (optionally exposing the workers, as an app does when it shows them their variant) and outcomes. Each
//! worker's writes are their own transaction: a redelivered batch changes nothing twice (an assignment is
//! created only if absent, an exposure, a completion and a score count once), and two batches racing on one
//! worker settle on its version.

use crate::assign::{Decision, decide};
use crate::model::{Assignment, Experiment};
use crate::{keys, repo, service};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError, Tx, decode};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// Workers in one call, at most.
pub const MAX_BATCH: usize = 100;
/// Workers written at once.
const CONCURRENCY: usize = 8;
/// Tries of one worker's write before a version conflict is given up on.
const TRIES: u32 = 5;

/// The stored assignments of `workers` in `e` under its bucket version, by worker.
async fn stored(
    store: &Store,
    tenant: &TenantId,
    e: &Experiment,
    workers: &[Uuid],
) -> Result<HashMap<Uuid, Assignment>, StoreError> {
    let keys: Vec<_> = workers.iter().map(|w| keys::assignment(tenant, e.id, e.bucket_version, *w)).collect();
    let items = store.batch_get(&keys).await?;
    items.into_iter().map(|item| decode::<Assignment>(item).map(|a| (a.worker_id, a))).collect()
}

/// Exposes `a` at `now` (nothing when it was), re-reading it on a concurrent change.
async fn expose(
    store: &Store,
    tenant: &TenantId,
    mut a: Assignment,
    now: DateTime<Utc>,
) -> Result<Assignment, StoreError> {
    for _ in 0..TRIES {
        let writes = service::exposure(tenant, &a, now)?;
        if writes.is_empty() {
            return Ok(a);
        }
        let mut tx = Tx::new();
        writes.into_iter().for_each(|w| tx.push(w));
        match store.transact(tx).await {
            Ok(()) => return Ok(Assignment { exposed_at: Some(now), version: a.version + 1, ..a }),
            Err(e) if e.is_version_conflict() => {
                match repo::get_assignment(store, tenant, a.experiment_id, a.bucket_version, a.worker_id).await? {
                    Some(fresh) => a = fresh,
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::TransactionConflict)
}

/// One worker's place in an experiment, as a batch answers it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Placed {
    pub worker_id: Uuid,
    pub decision: Decision,
    /// Present when the worker takes part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
}

/// The assignments of `workers` (of the tenant; `members` those the experiment's segment holds, `None`
/// when it targets everyone), stored
/// or decided now and stored, in the order asked; with `exposing`, each one's first exposure recorded.
pub async fn assign(
    store: &Store,
    tenant: &TenantId,
    e: &Experiment,
    workers: &[Uuid],
    members: Option<&HashSet<Uuid>>,
    exposing: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Placed>, StoreError> {
    let found = stored(store, tenant, e, workers).await?;
    let holdout = if found.len() < workers.len() { service::holdout(store, tenant, e).await? } else { 0.0 };
    let place = |worker: Uuid| {
        let known = found.get(&worker).cloned();
        let is_targeted = members.is_none_or(|m| m.contains(&worker));
        async move {
            let assignment = match known {
                Some(a) => Some(a),
                None => {
                    service::first_assignment(store, tenant, e, worker, is_targeted, holdout, exposing, now).await?
                }
            };
            let assignment = match assignment {
                Some(a) if exposing => Some(expose(store, tenant, a, now).await?),
                other => other,
            };
            let decision = match &assignment {
                Some(a) => Decision::Variant(a.variant_index),
                None => decide(e, worker, is_targeted, holdout),
            };
            Ok::<_, StoreError>(Placed { worker_id: worker, decision, assignment })
        }
    };
    stream::iter(workers.iter().copied()).map(place).buffered(CONCURRENCY).try_collect().await
}

/// What recording one worker's outcome came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// Counted now.
    Recorded,
    /// Counted before (a completion and a score count once).
    Unchanged,
    /// Not counted: the worker was never exposed (only exposed workers count).
    NotExposed,
}

/// One worker's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub worker: Uuid,
    pub completed: bool,
    pub score: Option<f64>,
}

/// Records each of `outcomes` against its worker's assignment in `e`, in the order given.
pub async fn record(
    store: &Store,
    tenant: &TenantId,
    e: &Experiment,
    outcomes: &[Outcome],
    now: DateTime<Utc>,
) -> Result<Vec<Recorded>, StoreError> {
    let workers: Vec<Uuid> = outcomes.iter().map(|o| o.worker).collect();
    let found = stored(store, tenant, e, &workers).await?;
    let one = |o: Outcome| {
        let known = found.get(&o.worker).cloned();
        async move {
            let Some(mut a) = known else { return Ok(Recorded::NotExposed) };
            for _ in 0..TRIES {
                if a.exposed_at.is_none() {
                    return Ok(Recorded::NotExposed);
                }
                let writes = service::outcome(tenant, &a, o.completed, o.score, now)?;
                if writes.is_empty() {
                    return Ok(Recorded::Unchanged);
                }
                let mut tx = Tx::new();
                writes.into_iter().for_each(|w| tx.push(w));
                match store.transact(tx).await {
                    Ok(()) => return Ok(Recorded::Recorded),
                    Err(err) if err.is_version_conflict() => {
                        match repo::get_assignment(store, tenant, e.id, e.bucket_version, o.worker).await? {
                            Some(fresh) => a = fresh,
                            None => return Err(err),
                        }
                    }
                    Err(err) => return Err(err),
                }
            }
            Err(StoreError::TransactionConflict)
        }
    };
    stream::iter(outcomes.iter().copied()).map(one).buffered(CONCURRENCY).try_collect().await
}
