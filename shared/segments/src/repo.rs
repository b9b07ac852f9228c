//! Where segments live in the table.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | segment (definition) | `T#<t>#SEGMENTS` | `<id>` (UUIDv7: creation order) |
//! | segment state (count, last sync, running job) | `T#<t>#SEGMENT-STATES` | `<id>` |
//! | membership | `T#<t>#SEGMENT#<id>#MEMBERS` | `<shard>#<workerId>` |
//! | sync job | `T#<t>#SEGMENT#<id>#SYNC-JOBS` | `<jobId>` (UUIDv7) |
//! | time-relative segment | `P#TIME-RELATIVE-SEGMENTS` | `<t>#<id>` |
//!
//! Memberships sort by the worker's shard then id, the order a sync reads workers in, so a sync page of
//! workers and the memberships of the same workers are one range of each partition. A worker's segments
//! are found from the tenant's segments (few) with one BatchGetItem of the worker's membership keys, so a
//! membership is one item, written once.

use super::error::SegmentError;
use super::jobs::{self, SyncJob};
use super::model::{Membership, Segment, SegmentState};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Changes, Put, Query, Store, StoreError, Tx, Write};
use nudge_workers::index::shard;
use std::collections::HashMap;
use uuid::Uuid;

const SEGMENT: &str = "Segment";
const STATE: &str = "SegmentState";
pub(crate) const MEMBER: &str = "SegmentMembership";
const SCHEDULED: &str = "TimeRelativeSegment";
/// The labels of this module's write conditions, read back only here.
const EXISTS: &str = "segment";
const GONE: &str = "segment";
const ACTIVE_JOB: &str = "active sync job";

pub(crate) fn segments_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "SEGMENTS")
}

fn segment_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "SEGMENTS", id.to_string())
}

pub fn state_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "SEGMENT-STATES", id.to_string())
}

pub fn members_partition(tenant: &TenantId, segment: Uuid) -> String {
    tenant_partition(tenant, &format!("SEGMENT#{segment}#MEMBERS"))
}

/// The sort key of a worker's membership: its shard, then its id.
fn member_sort(worker: Uuid) -> String {
    format!("{:x}#{worker}", shard(worker))
}

fn member_key_of(tenant: &TenantId, segment: Uuid, worker: Uuid) -> Key {
    Key { pk: members_partition(tenant, segment), sk: member_sort(worker) }
}

pub(crate) fn member_key(tenant: &TenantId, m: &Membership) -> Key {
    member_key_of(tenant, m.segment_id, m.worker_id)
}

fn scheduled_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::platform("TIME-RELATIVE-SEGMENTS", format!("{tenant}#{id}"))
}

/// A time-relative segment's entry in the platform registry the schedule reads.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Scheduled {
    pub tenant_id: nudge_core::TenantRef,
    pub segment_id: Uuid,
}

/// Registers or unregisters a segment for the scheduled re-sync of time-relative rules.
fn schedule_write(tenant: &TenantId, s: &Segment) -> Result<Write, StoreError> {
    let key = scheduled_key(tenant, s.id);
    Ok(if s.time_relative {
        Write::upsert(Put::new(&key, SCHEDULED, &Scheduled { tenant_id: tenant.into(), segment_id: s.id })?)
    } else {
        Write::delete(key)
    })
}

/// A new segment with its state: empty, or held by its first sync `job`.
pub fn create(tenant: &TenantId, s: &Segment, job: Option<&SyncJob>) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    tx.push(Write::create(Put::new(&segment_key(tenant, s.id), SEGMENT, s)?, EXISTS));
    let state = SegmentState { active_job_id: job.map(|j| j.id), ..SegmentState::default() };
    tx.push(Write::create(Put::new(&state_key(tenant, s.id), STATE, &state)?, EXISTS));
    if let Some(job) = job {
        tx.push(Write::create(jobs::put(tenant, job)?, "sync job"));
    }
    if s.time_relative {
        tx.push(schedule_write(tenant, s)?);
    }
    Ok(tx)
}

/// A changed definition, under the version it was read at.
pub(crate) fn replace(tenant: &TenantId, prev: &Segment, next: &Segment) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    tx.push(Write::replace(Put::new(&segment_key(tenant, next.id), SEGMENT, next)?, prev.version));
    if prev.time_relative != next.time_relative {
        tx.push(schedule_write(tenant, next)?);
    }
    Ok(tx)
}

/// How claiming a segment for a new sync job went.
pub(crate) enum Claim {
    /// The job is written and the segment's state names it as its sync.
    Claimed,
    /// Another job holds the segment.
    Held,
    /// A concurrent transaction touched the same items: try again.
    Raced,
}

/// Writes `job` and makes it the segment's one sync, if no other job holds the segment, with `start` (the
/// job's message, an outbox entry) in the same transaction.
pub(crate) async fn claim(
    store: &Store,
    tenant: &TenantId,
    job: &SyncJob,
    start: Write,
) -> Result<Claim, SegmentError> {
    let claim = Write::update(state_key(tenant, job.segment_id), Changes::new().set("activeJobId", &job.id)?, GONE)
        .and_absent("activeJobId", ACTIVE_JOB);
    let tx = Tx::new().with(Write::create(jobs::put(tenant, job)?, "sync job")).with(claim).with(start);
    match store.transact(tx).await {
        Ok(()) => Ok(Claim::Claimed),
        Err(StoreError::Condition(GONE)) => Err(SegmentError::NotFound),
        Err(StoreError::Condition(ACTIVE_JOB)) => Ok(Claim::Held),
        Err(StoreError::TransactionConflict) => Ok(Claim::Raced),
        Err(e) => Err(e.into()),
    }
}

/// Clears the segment's running-job mark if it is still `job`'s (and the segment still exists).
pub(crate) async fn release(store: &Store, tenant: &TenantId, segment: Uuid, job: Uuid) -> Result<(), StoreError> {
    let write = Write::update(state_key(tenant, segment), Changes::new().remove("activeJobId"), GONE).and_equals(
        "activeJobId",
        &job.to_string(),
        ACTIVE_JOB,
    )?;
    match store.write(write).await {
        Ok(()) | Err(StoreError::Condition(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Records when the segment was last synced, unless it is gone.
pub(crate) async fn stamp_synced(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let stamp = Write::update(state_key(tenant, segment), Changes::new().set("lastSyncAt", &at)?, GONE);
    match store.write(stamp).await {
        Ok(()) | Err(StoreError::Condition(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The definition and state go at once; memberships and jobs are purged in the background.
pub(crate) fn remove(tenant: &TenantId, s: &Segment) -> Tx {
    let mut tx = Tx::new();
    tx.push(Write::delete(segment_key(tenant, s.id)).if_version(s.version));
    tx.push(Write::delete(state_key(tenant, s.id)));
    tx.push(Write::delete(scheduled_key(tenant, s.id)));
    tx
}

pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Segment>, StoreError> {
    store.get(&segment_key(tenant, id)).await
}

pub async fn state(store: &Store, tenant: &TenantId, id: Uuid) -> Result<SegmentState, StoreError> {
    Ok(store.get(&state_key(tenant, id)).await?.unwrap_or_default())
}

/// States of several segments (BatchGetItem), by segment id.
pub(crate) async fn states(
    store: &Store,
    tenant: &TenantId,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, SegmentState>, StoreError> {
    let keys: Vec<Key> = ids.iter().map(|id| state_key(tenant, *id)).collect();
    let mut out = HashMap::new();
    for item in store.batch_get(&keys).await? {
        let id = item.get("sk").and_then(|v| v.as_s().ok()).and_then(|s| Uuid::parse_str(s).ok());
        if let Some(id) = id {
            out.insert(id, nudge_core::store::decode(item)?);
        }
    }
    Ok(out)
}

/// Every segment of the tenant: a tenant has tens to hundreds, read whole by the background functions.
pub(crate) async fn all(store: &Store, tenant: &TenantId) -> Result<Vec<Segment>, StoreError> {
    store.all(&Query::partition(segments_partition(tenant))).await
}

/// Memberships of several workers in one segment (BatchGetItem), by worker id.
pub(crate) async fn members_of(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    workers: &[Uuid],
) -> Result<HashMap<Uuid, Membership>, StoreError> {
    let keys: Vec<Key> = workers.iter().map(|w| member_key_of(tenant, segment, *w)).collect();
    decode_members(store.batch_get(&keys).await?)
}

/// Which of `workers` are members of `segment` now (one BatchGetItem per 100): for another domain that
/// follows a segment (a live program).
pub async fn members_among(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    workers: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    Ok(members_of(store, tenant, segment, workers).await?.into_keys().collect())
}

/// One worker's memberships in several segments, by segment id.
pub(crate) async fn memberships_of(
    store: &Store,
    tenant: &TenantId,
    worker: Uuid,
    segments: &[Uuid],
) -> Result<HashMap<Uuid, Membership>, StoreError> {
    let keys: Vec<Key> = segments.iter().map(|s| member_key_of(tenant, *s, worker)).collect();
    let items = store.batch_get(&keys).await?;
    let mut out = HashMap::new();
    for item in items {
        let m: Membership = nudge_core::store::decode(item)?;
        out.insert(m.segment_id, m);
    }
    Ok(out)
}

fn decode_members(items: Vec<nudge_core::store::Item>) -> Result<HashMap<Uuid, Membership>, StoreError> {
    let mut out = HashMap::new();
    for item in items {
        let m: Membership = nudge_core::store::decode(item)?;
        out.insert(m.worker_id, m);
    }
    Ok(out)
}

/// Memberships of workers in one shard with ids after `after` (exclusive) up to `upto` (inclusive; `None`:
/// to the end of the shard). Strongly consistent: a sync decides from them.
pub(crate) async fn members_in_range(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    shard: u32,
    after: Option<Uuid>,
    upto: Option<Uuid>,
) -> Result<Vec<Membership>, StoreError> {
    let lo = match after {
        Some(a) => format!("{shard:x}#{a}"),
        None => format!("{shard:x}#"),
    };
    let hi = match upto {
        Some(u) => format!("{shard:x}#{u}"),
        // `~` sorts after every hex digit and `-`.
        None => format!("{shard:x}#~"),
    };
    let query = Query::partition(members_partition(tenant, segment)).between(lo, hi).consistent();
    let found: Vec<Membership> = store.all(&query).await?;
    Ok(found.into_iter().filter(|m| Some(m.worker_id) != after).collect())
}

/// Deletes up to `limit` memberships of a deleted segment; `true` when none are left.
pub(crate) async fn purge_members(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    limit: u32,
) -> Result<bool, StoreError> {
    store.delete_page(&Query::partition(members_partition(tenant, segment)), limit).await
}

/// The table at the top of this module, checked.
/// Whether the tenant has segment `id` (for other domains: a send to a segment's members).
pub async fn exists(store: &Store, tenant: &TenantId, id: Uuid) -> Result<bool, StoreError> {
    Ok(get(store, tenant, id).await?.is_some())
}

/// One page of a segment's member ids, in key order, for other domains' fan-outs (a notification to a
/// segment); the cursor continues it.
pub async fn member_ids_page(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> Result<(Vec<Uuid>, Option<String>), StoreError> {
    let page: nudge_core::http::Page<Membership> =
        store.page("segment-members", &Query::partition(members_partition(tenant, segment)), limit, cursor).await?;
    Ok((page.items.into_iter().map(|m| m.worker_id).collect(), page.next_cursor))
}

#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let (segment, worker) = (Uuid::from_u128(7), Uuid::parse_str("01a228c0-9996-7567-b935-a88edab1da1c").unwrap());
        let k = segment_key(&t, segment);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#SEGMENTS"), segment.to_string()));
        let s = state_key(&t, segment);
        assert_eq!((s.pk, s.sk), (format!("T#{t}#SEGMENT-STATES"), segment.to_string()));
        // Members sort by the worker's shard (the last hex digit of its id), then id.
        let m = member_key_of(&t, segment, worker);
        assert_eq!((m.pk, m.sk), (format!("T#{t}#SEGMENT#{segment}#MEMBERS"), format!("c#{worker}")));
        let r = scheduled_key(&t, segment);
        assert_eq!((r.pk, r.sk), ("P#TIME-RELATIVE-SEGMENTS".to_owned(), format!("{t}#{segment}")));
        let j = crate::jobs::key(&t, segment, worker);
        assert_eq!((j.pk, j.sk), (format!("T#{t}#SEGMENT#{segment}#SYNC-JOBS"), worker.to_string()));
    }
}
