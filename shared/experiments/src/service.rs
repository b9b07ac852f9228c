//! Assignments as the domains that use experiments take them (journeys): the worker's variant, stored
//! at first and read back ever after, and the writes that count an exposure or an outcome in the
//! caller's own transaction.

use crate::assign::{Decision, decide};
use crate::model::{Assignment, Experiment};
use crate::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError, Tx, Write};
use uuid::Uuid;

/// `worker`'s assignment in `e` (under its bucket version): the stored one, else the decision's, stored
/// now (created only if absent: a concurrent first assignment answers the one that won). `None`: the
/// worker takes no part.
pub async fn assignment(
    store: &Store,
    tenant: &TenantId,
    e: &Experiment,
    worker: Uuid,
    targeted: bool,
    now: DateTime<Utc>,
) -> Result<Option<Assignment>, StoreError> {
    if let Some(a) = repo::get_assignment(store, tenant, e.id, e.bucket_version, worker).await? {
        return Ok(Some(a));
    }
    let holdout = holdout(store, tenant, e).await?;
    first_assignment(store, tenant, e, worker, targeted, holdout, false, now).await
}

/// The holdout fraction `e` keeps out (0 when it does not use the tenant's holdout).
pub async fn holdout(store: &Store, tenant: &TenantId, e: &Experiment) -> Result<f64, StoreError> {
    if !e.use_holdout {
        return Ok(0.0);
    }
    Ok(crate::settings::get(store, tenant).await?.holdout_fraction)
}

/// Decides and stores `worker`'s first assignment in `e` (none found stored); `exposed`, it is stored
/// exposed at `now` and counted in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn first_assignment(
    store: &Store,
    tenant: &TenantId,
    e: &Experiment,
    worker: Uuid,
    targeted: bool,
    holdout: f64,
    exposed: bool,
    now: DateTime<Utc>,
) -> Result<Option<Assignment>, StoreError> {
    let Decision::Variant(index) = decide(e, worker, targeted, holdout) else { return Ok(None) };
    let Some(variant) = e.variants.get(index) else { return Ok(None) };
    let a = Assignment {
        id: Uuid::now_v7(),
        experiment_id: e.id,
        worker_id: worker,
        variant_id: variant.id,
        variant_index: index,
        bucket_version: e.bucket_version,
        assigned_at: now,
        exposed_at: exposed.then_some(now),
        completed_at: None,
        score: None,
        version: 1,
    };
    let mut tx = Tx::new().with(Write::create(repo::put_assignment(tenant, &a)?, repo::ASSIGNED));
    if exposed {
        tx.push(repo::count(tenant, &a, true, false, None));
    }
    match store.transact(tx).await {
        Ok(()) => Ok(Some(a)),
        Err(StoreError::Condition(repo::ASSIGNED)) => {
            repo::get_assignment(store, tenant, e.id, e.bucket_version, worker).await
        }
        Err(err) => Err(err),
    }
}

/// The writes of `a`'s first exposure at `now`, for the caller's transaction (the assignment on its
/// version, and its variant's counter); none when it was exposed before.
pub fn exposure(tenant: &TenantId, a: &Assignment, now: DateTime<Utc>) -> Result<Vec<Write>, StoreError> {
    if a.exposed_at.is_some() {
        return Ok(Vec::new());
    }
    let next = Assignment { exposed_at: Some(now), version: a.version + 1, ..a.clone() };
    Ok(vec![Write::replace(repo::put_assignment(tenant, &next)?, a.version), repo::count(tenant, a, true, false, None)])
}

/// The writes of `a`'s outcome (a first completion, a first score) for the caller's transaction; none
/// when there is nothing new or the worker was never exposed (only exposed workers count).
pub fn outcome(
    tenant: &TenantId,
    a: &Assignment,
    completed: bool,
    score: Option<f64>,
    now: DateTime<Utc>,
) -> Result<Vec<Write>, StoreError> {
    let completing = completed && a.completed_at.is_none();
    let scoring = score.filter(|_| a.score.is_none());
    if a.exposed_at.is_none() || (!completing && scoring.is_none()) {
        return Ok(Vec::new());
    }
    let next = Assignment {
        completed_at: if completing { Some(now) } else { a.completed_at },
        score: scoring.or(a.score),
        version: a.version + 1,
        ..a.clone()
    };
    Ok(vec![
        Write::replace(repo::put_assignment(tenant, &next)?, a.version),
        repo::count(tenant, a, false, completing, scoring),
    ])
}
