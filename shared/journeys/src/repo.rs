//! The table: each entity's item (keys in [`crate::keys`]) and the reads the services make. Knows no HTTP;
//! a failed condition comes back as the store's error with its label, read by the callers.

use crate::keys;
use crate::model::{Enrolment, EnrolmentStatus, Journey, JourneyVersion, Program, Progress};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Changes, Index, Put, Query, Store, StoreError, Write, decode};
use nudge_core::{TenantRef, keys::Key};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

pub const JOURNEY_EXISTS: &str = "journey exists";
pub const VERSION_EXISTS: &str = "journey version exists";
pub const ENROLMENT_EXISTS: &str = "enrolment exists";
pub const PROGRESS_EXISTS: &str = "progress exists";

pub fn put_journey(tenant: &TenantId, j: &Journey) -> Result<Put, StoreError> {
    Put::new(&keys::journey(tenant, j.id), "Journey", j)
}

pub async fn get_journey(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Journey>, StoreError> {
    store.get(&keys::journey(tenant, id)).await
}

pub fn put_version(tenant: &TenantId, v: &JourneyVersion) -> Result<Put, StoreError> {
    Put::new(&keys::version(tenant, v.journey_id, v.version_number), "JourneyVersion", v)
}

pub async fn get_version(
    store: &Store,
    tenant: &TenantId,
    journey: Uuid,
    n: u32,
) -> Result<Option<JourneyVersion>, StoreError> {
    store.get(&keys::version(tenant, journey, n)).await
}

pub fn put_program(tenant: &TenantId, p: &Program) -> Result<Put, StoreError> {
    Put::new(&keys::program(tenant, p.id), "Program", p)
}

pub async fn get_program(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Program>, StoreError> {
    store.get(&keys::program(tenant, id)).await
}

pub fn put_enrolment(tenant: &TenantId, e: &Enrolment) -> Result<Put, StoreError> {
    Ok(Put::new(&keys::enrolment(tenant, e.program_id, e.worker_id), "Enrolment", e)?.index(
        Index::Gsi1,
        keys::worker_enrolments(tenant, e.worker_id),
        e.program_id.to_string(),
    ))
}

pub async fn get_enrolment(
    store: &Store,
    tenant: &TenantId,
    program: Uuid,
    worker: Uuid,
) -> Result<Option<Enrolment>, StoreError> {
    store.get(&keys::enrolment(tenant, program, worker)).await
}

/// The enrolments of (program, worker) pairs that exist, by worker.
pub async fn get_enrolments(
    store: &Store,
    tenant: &TenantId,
    refs: &[(Uuid, Uuid)],
) -> Result<HashMap<(Uuid, Uuid), Enrolment>, StoreError> {
    let keys: Vec<Key> = refs.iter().map(|(p, w)| keys::enrolment(tenant, *p, *w)).collect();
    let mut out = HashMap::with_capacity(refs.len());
    for item in store.batch_get(&keys).await? {
        let e: Enrolment = decode(item)?;
        out.insert((e.program_id, e.worker_id), e);
    }
    Ok(out)
}

/// A worker's enrolments in every program (the index is eventually consistent).
pub async fn worker_enrolments(store: &Store, tenant: &TenantId, worker: Uuid) -> Result<Vec<Enrolment>, StoreError> {
    store.all(&Query::partition(keys::worker_enrolments(tenant, worker)).on(Index::Gsi1)).await
}

pub fn put_progress(tenant: &TenantId, p: &Progress) -> Result<Put, StoreError> {
    Put::new(&keys::progress(tenant, p.worker_assignment_id, p.touchpoint_id), "Progress", p)
}

pub async fn get_progress(
    store: &Store,
    tenant: &TenantId,
    enrolment: Uuid,
    touchpoint: Uuid,
) -> Result<Option<Progress>, StoreError> {
    store.get(&keys::progress(tenant, enrolment, touchpoint)).await
}

/// Every touchpoint's progress of an enrolment.
pub async fn progress_of(store: &Store, tenant: &TenantId, enrolment: Uuid) -> Result<Vec<Progress>, StoreError> {
    store.all(&Query::partition(keys::progress_partition(tenant, enrolment)).consistent()).await
}

// --- counters ----------------------------------------------------------------------------------------

/// Moves an enrolment's status counters: out of `from` (none: a new enrolment), into `to`.
pub fn count_status(
    tenant: &TenantId,
    e: &Enrolment,
    from: Option<EnrolmentStatus>,
    to: EnrolmentStatus,
) -> Option<Write> {
    if from == Some(to) {
        return None;
    }
    let mut changes = Changes::new().add(to.as_str(), 1);
    match from {
        Some(from) => changes = changes.add(from.as_str(), -1),
        None => changes = changes.add("enrolled", 1),
    }
    Some(Write::upsert_changes(keys::program_counters(tenant, e.program_id, e.id), changes))
}

/// What a touchpoint's counters record of one enrolment's move (each a count of enrolments).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TouchpointMove {
    pub sent: bool,
    pub skipped: bool,
    pub started: bool,
    pub completed: bool,
    /// A score recorded for the first time (milli-points are summed).
    pub score: Option<f64>,
    pub passed: bool,
    pub reminded: bool,
    pub timed_out: bool,
}

pub fn count_touchpoint(
    tenant: &TenantId,
    program: Uuid,
    touchpoint: Uuid,
    enrolment: Uuid,
    m: TouchpointMove,
) -> Write {
    let mut changes = Changes::new();
    for (flag, name) in [
        (m.sent, "sent"),
        (m.skipped, "skipped"),
        (m.started, "started"),
        (m.completed, "completed"),
        (m.passed, "passed"),
        (m.reminded, "reminded"),
        (m.timed_out, "timedOut"),
    ] {
        if flag {
            changes = changes.add(name, 1);
        }
    }
    if let Some(score) = m.score {
        changes = changes.add("scoreMilli", (score * 1000.0).round() as i64).add("scored", 1);
    }
    Write::upsert_changes(keys::touchpoint_counters(tenant, program, touchpoint, enrolment), changes)
}

/// Every counter item of a program, summed by scope (`all`, or a touchpoint id).
pub async fn counters(
    store: &Store,
    tenant: &TenantId,
    program: Uuid,
) -> Result<HashMap<String, HashMap<String, i64>>, StoreError> {
    let items = store.all_items(&Query::partition(keys::stats_partition(tenant, program)).consistent()).await?;
    let mut out: HashMap<String, HashMap<String, i64>> = HashMap::new();
    for item in items {
        let Some(sk) = item.get("sk").and_then(|v| v.as_s().ok()) else { continue };
        let scope = match sk.split('#').collect::<Vec<_>>().as_slice() {
            ["all", _] => "all".to_owned(),
            ["tp", id, _] => (*id).to_owned(),
            _ => continue,
        };
        let sums = out.entry(scope).or_default();
        for (name, value) in &item {
            if let Ok(n) = value.as_n()
                && let Ok(n) = n.parse::<i64>()
                && name != "version"
            {
                *sums.entry(name.clone()).or_default() += n;
            }
        }
    }
    Ok(out)
}

// --- due markers -------------------------------------------------------------------------------------

/// What a due marker holds: the enrolment to look at.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub tenant_id: TenantRef,
    pub program_id: Uuid,
    pub worker_id: Uuid,
    pub due: DateTime<Utc>,
}

/// The marker that makes the tick look at `e` at `at` (written with every change of its due time).
pub fn due_marker(tenant: &TenantId, e: &Enrolment, at: DateTime<Utc>) -> Result<Write, StoreError> {
    Ok(Write::upsert(due_marker_put(tenant, e, at)?))
}

pub fn due_marker_put(tenant: &TenantId, e: &Enrolment, at: DateTime<Utc>) -> Result<Put, StoreError> {
    let marker = Due { tenant_id: tenant.into(), program_id: e.program_id, worker_id: e.worker_id, due: at };
    // Kept a month past its time at most: the tick removes it once it is handed over.
    Ok(Put::new(&keys::due(tenant, e.program_id, e.worker_id, at), "JourneyDue", &marker)?
        .ttl((at + chrono::Duration::days(31)).timestamp()))
}
