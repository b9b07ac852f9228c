//! Creating, changing and deleting workers: the rules every writer applies (the API and the importer
//! alike): uniqueness, the supervisor hierarchy, links to user accounts of the organization, optimistic
//! concurrency, and the reading of a merge-patched document.

use super::accounts::Users;
use super::error::WorkerError;
use super::hierarchy;
use super::input;
use super::model::{ImportMark, RowOutcome, Worker, WorkerFields};
use super::repo;
use crate::orphans::WorkerJobs;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Attempt, Store, StoreError, Tx, Write, optimistic};
use serde_json::Value;
use uuid::Uuid;

/// Conditions that keep a new supervisor valid until the write (none when the supervisor is unchanged).
async fn supervision(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    before: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<Vec<Write>, WorkerError> {
    match after {
        Some(s) if Some(s) != before => hierarchy::guard(store, tenant, id, s).await,
        _ => Ok(Vec::new()),
    }
}

/// Refuses a new link to a user who is no member of the tenant. A link kept or cleared is not checked: a
/// member who left the organization does not block the worker's other changes.
async fn linkable(
    users: &Users,
    tenant: &TenantId,
    before: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<(), WorkerError> {
    match after {
        Some(user) if Some(user) != before && !users.is_member(tenant, user).await? => Err(WorkerError::UnknownUser),
        _ => Ok(()),
    }
}

/// Where a worker document holds its points.
const POINTS: &str = "/gamification/pointsBalance";

/// A worker's `gamification.pointsBalance` is its XP balance, which only the XP ledger moves (through
/// [`points_writes`], in each award's transaction): a write that would set it to anything else is refused,
/// so the document never drifts from the ledger. Repeating the current value (a document read and written
/// back, an export imported again) is no change.
fn ledger_kept(before: i64, after: i64) -> Result<(), WorkerError> {
    if before == after {
        return Ok(());
    }
    Err(WorkerError::BreaksRules(vec![FieldError::body(
        POINTS,
        "is the worker's XP balance, kept by the XP ledger: award or correct it with POST /xp/awards, opening balances with POST /xp/awards/batch",
    )]))
}

/// The id of the worker an import row creates: derived from the job and the row, so a row applied twice
/// (a chunk redone after a crash, a duplicate runner) names the same worker and cannot create two, even
/// when the row has no external id or phone to match it by.
pub(crate) fn imported_id(job: Uuid, row: u64) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(job.as_bytes()).chain_update(row.to_be_bytes()).finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// One worker with its records.
pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Worker, WorkerError> {
    repo::get(store, tenant, id).await?.ok_or(WorkerError::NotFound)
}

/// Creates a worker. `users` checks the user it is linked to, if any; `mark` tags the write with the import
/// row that made it (and derives its id).
pub async fn create(
    store: &Store,
    users: &Users,
    tenant: &TenantId,
    fields: WorkerFields,
    mark: Option<(Uuid, u64)>,
) -> Result<Worker, WorkerError> {
    ledger_kept(0, fields.gamification.points_balance)?;
    let id = mark.map_or_else(Uuid::now_v7, |(job, row)| imported_id(job, row));
    linkable(users, tenant, None, fields.user_id).await?;
    let checks = supervision(store, tenant, id, None, fields.supervisor_id).await?;
    let mut worker = Worker::new(id, fields, Utc::now());
    worker.last_import = mark.map(|(job_id, row)| ImportMark { job_id, row, outcome: RowOutcome::Created });
    let tx = repo::save(tenant, None, &worker, checks)?;
    store.transact(tx).await.map_err(repo::refusal)?;
    Ok(worker)
}

/// What an update did.
pub enum Updated {
    Changed(Worker),
    Unchanged(Worker),
    /// This import row was applied before (a redelivered chunk): what it did then.
    Replayed(RowOutcome),
}

/// Applies a merge patch (RFC 7396) to a worker and reads the result as a whole document: read again on a
/// concurrent write unless the caller pinned a version (`if_match`), which then moved
/// ([`WorkerError::VersionMoved`]). [`WorkerError::NotFound`] when there is no such worker in this tenant.
/// `users` checks a user the patch newly links the worker to.
pub async fn update(
    store: &Store,
    users: &Users,
    tenant: &TenantId,
    id: Uuid,
    patch: &Value,
    if_match: Option<u64>,
    mark: Option<(Uuid, u64)>,
) -> Result<Updated, WorkerError> {
    optimistic::retry(|| async {
        let current = get(store, tenant, id).await?;
        if if_match.is_some_and(|expected| expected != current.version) {
            return Err(WorkerError::VersionMoved);
        }
        let doc = input::merged(&current.fields, patch)?;
        if let (Some((job, row)), Some(m)) = (mark, &current.last_import)
            && m.job_id == job
            && m.row == row
        {
            return Ok(Attempt::Done(Updated::Replayed(m.outcome)));
        }
        let fields = input::read(doc, Utc::now().date_naive(), input::Origin::Merged)?;
        if fields == current.fields {
            return Ok(Attempt::Done(Updated::Unchanged(current)));
        }
        ledger_kept(current.fields.gamification.points_balance, fields.gamification.points_balance)?;
        linkable(users, tenant, current.fields.user_id, fields.user_id).await?;
        let checks = supervision(store, tenant, id, current.fields.supervisor_id, fields.supervisor_id).await?;
        let mut next = current.revised(fields, Utc::now());
        next.last_import = mark.map(|(job_id, row)| ImportMark { job_id, row, outcome: RowOutcome::Updated });
        let tx = repo::save(tenant, Some(&current), &next, checks)?;
        let written = store.transact(tx).await;
        optimistic::settle(written, Updated::Changed(next), if_match.is_none()).map_err(repo::refusal)
    })
    .await
}

/// Deletes a worker with its records, entries and guards. Its supervisees then report to no one: the
/// delete's transaction puts their clearing in the outbox for the background function (see
/// [`crate::orphans`]), as a supervisor may have thousands.
pub async fn delete(
    store: &Store,
    jobs: &WorkerJobs,
    tenant: &TenantId,
    id: Uuid,
    if_match: Option<u64>,
) -> Result<(), WorkerError> {
    let posted = optimistic::retry(|| async {
        let current = get(store, tenant, id).await?;
        if if_match.is_some_and(|expected| expected != current.version) {
            return Err(WorkerError::VersionMoved);
        }
        let now = Utc::now();
        let (unsupervise, posted) =
            jobs.unsupervise(tenant, id, now).map_err(|e| WorkerError::Internal(e.to_string()))?;
        let written = store.transact(repo::remove(tenant, &current, now)?.with(unsupervise)).await;
        optimistic::settle(written, posted, if_match.is_none()).map_err(repo::refusal)
    })
    .await?;
    posted.deliver(store).await;
    Ok(())
}

/// The writes that make the worker's `gamification.pointsBalance` equal `points`, its XP balance: the
/// gamification ledger adds them to each award's transaction, so the document segment rules read moves
/// with the ledger (and its change marker has segments re-evaluate it). On the version read: a racing
/// write fails the transaction, which the award retries. None when it is so already, or the worker is
/// gone.
pub async fn points_writes(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    points: i64,
    now: chrono::DateTime<Utc>,
) -> Result<Option<Tx>, StoreError> {
    let Some(current) = repo::get(store, tenant, id).await? else { return Ok(None) };
    if current.fields.gamification.points_balance == points {
        return Ok(None);
    }
    let mut fields = current.fields.clone();
    fields.gamification.points_balance = points;
    let next = current.revised(fields, now);
    Ok(Some(repo::save(tenant, Some(&current), &next, Vec::new())?))
}

/// The worker whose contact number is `phone` (any form `phone::normalize` reads), if one has it.
pub async fn by_phone(store: &Store, tenant: &TenantId, phone: &str) -> Result<Option<Uuid>, WorkerError> {
    let Ok(number) = crate::phone::normalize(phone) else { return Ok(None) };
    Ok(repo::guard_owner(store, &repo::phone_guard(tenant, &number)).await?)
}

/// What a worker's own message tells: they interacted at `at` (kept only if later than what is recorded),
/// and, when they sent an opt-out or opt-in keyword, their WhatsApp status. `true` when the worker changed.
pub async fn engaged(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    at: chrono::DateTime<Utc>,
    whatsapp: Option<crate::model::OptInStatus>,
) -> Result<bool, WorkerError> {
    optimistic::retry(|| async {
        let Some(current) = repo::get(store, tenant, id).await? else { return Ok(Attempt::Done(false)) };
        let mut fields = current.fields.clone();
        let engagement = &mut fields.engagement;
        if engagement.last_interaction_date.is_none_or(|last| last < at) {
            engagement.last_interaction_date = Some(at);
        }
        if let (Some(status), Some(contact)) = (whatsapp, fields.contact.as_mut()) {
            contact.whatsapp_opt_in_status = status;
        }
        if fields == current.fields {
            return Ok(Attempt::Done(false));
        }
        let next = current.revised(fields, Utc::now());
        let written = store.transact(repo::save(tenant, Some(&current), &next, Vec::new())?).await;
        optimistic::settle(written, true, true).map_err(repo::refusal)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_ids_are_stable_per_row_and_spread_over_shards() {
        let job = Uuid::now_v7();
        assert_eq!(imported_id(job, 7), imported_id(job, 7));
        assert_ne!(imported_id(job, 7), imported_id(job, 8));
        assert_ne!(imported_id(job, 7), imported_id(Uuid::now_v7(), 7));
        let shards: std::collections::HashSet<u32> =
            (0..200).map(|row| super::super::index::shard(imported_id(job, row))).collect();
        assert_eq!(shards.len(), super::super::index::SHARDS as usize);
    }
}
