//! Running an import: started by the S3 notification of its uploaded rows, it reads the object a chunk at
//! a time, applies every row, and records counts, refused rows and a checkpoint after each chunk. Before
//! the invocation's time runs out it sends itself a continuation message and stops. Any message for a job
//! still processing (the event again, a continuation, old or new) goes on from the job's checkpoint: a
//! continuation that failed to send leaves its message to be redelivered, and that must not be ignored as
//! stale. Rows a duplicate runner redoes find their marks and count as before; of two runners, the one
//! that saves a checkpoint second stops. A finished job ignores everything.

use super::chunk::{self, RawRow};
use super::job::{self, Checkpoint, Counts, ImportFormat, ImportJob, ImportStatus, RowError};
use super::rows::{Header, column_of};
use crate::accounts::Users;
use crate::error::{ImportError, TAKEN, UNKNOWN_USER, Unique, WorkerError};
use crate::events::WorkerEvents;
use crate::input::{self, Origin};
use crate::model::RowOutcome;
use crate::orphans::{self, Unsupervise};
use crate::phone::{self, Phone};
use crate::repo;
use crate::service::{self, Updated};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::jobs::{Job, Outcome};
use nudge_core::objects::{ObjectError, ObjectKey, Objects, object_created};
use nudge_core::queue::{Deadline, Queue};
use nudge_core::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

/// What arrives on the imports queue: the bucket's notification of uploaded rows (keys name their tenant),
/// or a continuation an import sent itself (its tenant in the core's envelope).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImportMessage {
    Continue(Continue),
    /// A deleted worker's supervisees to clear (the workers' other background work on this queue).
    Unsupervise(Unsupervise),
    Uploaded {
        keys: Vec<String>,
    },
}

/// The continuation an import sends itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Continue {
    pub import_continue: Uuid,
    pub offset: u64,
}

/// What a row did and to which worker, or why it was refused.
type RowResult = Result<(RowOutcome, Uuid), Vec<RowError>>;

#[derive(Clone, Debug)]
pub struct Importer {
    pub(crate) store: Store,
    pub(crate) objects: Objects,
    /// Where continuations go: the queue this consumer reads.
    pub(crate) queue: Queue,
    /// Bytes read per chunk.
    pub chunk_bytes: u64,
    /// Rows applied at once.
    pub(crate) concurrency: usize,
    /// At most this many rows per invocation (none: until the deadline nears).
    pub rows_per_run: Option<u64>,
    /// Stop and continue in a new message when less than this is left.
    pub(crate) margin: Duration,
    /// Who hears of the workers each chunk created or changed (segment re-evaluation).
    pub events: WorkerEvents,
    /// The user accounts a row may link its worker to (none by default: such a row is refused).
    pub users: Users,
}

impl Importer {
    pub fn new(store: Store, objects: Objects, queue: Queue) -> Self {
        Self {
            store,
            objects,
            queue,
            chunk_bytes: 1 << 20,
            concurrency: 16,
            rows_per_run: None,
            margin: Duration::from_secs(60),
            events: WorkerEvents::default(),
            users: Users::default(),
        }
    }

    /// The imports an S3 notification names, by tenant: the tenant is the key's, never the file's, and
    /// keys that are not an import's rows are not ours.
    fn uploads(keys: &[String]) -> Vec<(TenantId, Uuid)> {
        keys.iter()
            .filter_map(|key| {
                let Some((tenant, rest)) = ObjectKey::parse(key) else {
                    tracing::warn!(key = %key, "ignoring an object outside any tenant");
                    return None;
                };
                let Some(job_id) = ImportJob::from_object(&rest) else {
                    tracing::warn!(key = %key, "ignoring an object that is not an import's rows");
                    return None;
                };
                Some((tenant, job_id))
            })
            .collect()
    }

    async fn start(&self, tenant: &TenantId, id: Uuid, deadline: Deadline) -> Result<(), ImportError> {
        let Some(mut job) = job::get(&self.store, tenant, id).await? else {
            tracing::warn!(import_id = %id, "rows uploaded for an unknown import");
            return Ok(());
        };
        match job.status {
            ImportStatus::Pending => {}
            ImportStatus::Processing => {
                tracing::info!(import_id = %id, row = job.checkpoint.row, "event redelivered mid-import; going on from the checkpoint");
                return self.run(tenant, job, deadline).await;
            }
            ImportStatus::Completed | ImportStatus::Failed => {
                tracing::info!(import_id = %id, status = ?job.status, "import finished; duplicate event ignored");
                // A delete that failed after the job finished is retried with the redelivery.
                self.discard_upload(tenant, id).await;
                return Ok(());
            }
        }
        let expected = job.version;
        let now = Utc::now();
        let head = self.objects.head(&ImportJob::object(tenant, id)).await?;
        match head {
            Some(h) if h.size == job.size => {
                job.status = ImportStatus::Processing;
                job.started_at = Some(now);
                job.etag = h.etag;
            }
            other => {
                job.status = ImportStatus::Failed;
                job.failure_reason = Some(match other {
                    Some(h) => format!("the upload has {} bytes, not the {} declared", h.size, job.size),
                    None => "the upload is gone".into(),
                });
                job.completed_at = Some(now);
            }
        }
        job.version += 1;
        job.updated_at = now;
        match job::replace(&self.store, tenant, expected, &job).await {
            Ok(()) if job.status == ImportStatus::Processing => self.run(tenant, job, deadline).await,
            Ok(()) => {
                self.discard_upload(tenant, id).await;
                Ok(())
            }
            // Another delivery of the same event started it first.
            Err(e) if e.is_version_conflict() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A continuation goes on from the job's checkpoint, wherever its own `offset` said (that is for logs).
    async fn resume(&self, tenant: &TenantId, id: Uuid, offset: u64, deadline: Deadline) -> Result<(), ImportError> {
        let Some(job) = job::get(&self.store, tenant, id).await? else { return Ok(()) };
        if job.status != ImportStatus::Processing {
            tracing::info!(import_id = %id, offset, "continuation of a finished import ignored");
            return Ok(());
        }
        if job.checkpoint.offset != offset {
            tracing::info!(import_id = %id, offset, checkpoint = job.checkpoint.offset, "continuation behind the checkpoint; going on from the checkpoint");
        }
        self.run(tenant, job, deadline).await
    }

    async fn run(&self, tenant: &TenantId, mut job: ImportJob, deadline: Deadline) -> Result<(), ImportError> {
        let object = ImportJob::object(tenant, job.id);
        let mut rows_this_run = 0u64;
        loop {
            let out_of_rows = self.rows_per_run.is_some_and(|cap| rows_this_run >= cap);
            if deadline.remaining() < self.margin || out_of_rows {
                let next = Continue { import_continue: job.id, offset: job.checkpoint.offset };
                self.queue.send_for(tenant, &next).await?;
                tracing::info!(import_id = %job.id, offset = next.offset, rows = job.checkpoint.row, "import continues in a new message");
                return Ok(());
            }
            let start = job.checkpoint.offset;
            let end = (start + self.chunk_bytes).min(job.size);
            let bytes = match self.objects.get_range_of(&object, start, end, job.etag.as_deref()).await {
                Ok(bytes) => bytes,
                Err(ObjectError::Changed) => {
                    // Rows of two files must not mix: the job stands for the upload it started with.
                    let reason = "the upload was replaced while it was being imported; import it again".into();
                    fail(&mut job, reason, Utc::now());
                    return self.save(tenant, job.version - 1, &job).await;
                }
                Err(e) => return Err(e.into()),
            };
            let eof = end >= job.size;
            let parsed = chunk::rows(job.format, &bytes, eof, start == 0);
            let now = Utc::now();
            let expected = job.version;
            if parsed.consumed == 0 && !eof {
                let reason = format!("row {} is longer than {} bytes", job.checkpoint.row + 1, self.chunk_bytes);
                fail(&mut job, reason, now);
                return self.save(tenant, expected, &job).await;
            }
            let mut raw = parsed.rows;
            if job.format == ImportFormat::Csv && job.header.is_none() {
                if raw.is_empty() {
                    fail(&mut job, "the file is empty".into(), now);
                    return self.save(tenant, expected, &job).await;
                }
                let names = match raw.remove(0) {
                    RawRow::Cells(names) => names,
                    _ => Vec::new(),
                };
                match Header::parse(&names) {
                    Ok(h) => job.header = Some(h.names().to_vec()),
                    Err(errors) => {
                        fail(&mut job, format!("bad header: {}", errors.join("; ")), now);
                        return self.save(tenant, expected, &job).await;
                    }
                }
            }
            let header = job.header.as_ref().and_then(|names| Header::parse(names).ok());
            let first_row = job.checkpoint.row + 1;
            let n = raw.len() as u64;
            let (counts, errors, touched) = self.apply_all(tenant, job.id, first_row, header.as_ref(), raw).await?;
            // Before the checkpoint: a chunk redone after a crash reports its workers again.
            self.events.changed(tenant, &touched).await?;
            rows_this_run += n;
            job.advance(
                &counts,
                errors,
                Checkpoint { offset: start + parsed.consumed, row: job.checkpoint.row + n },
                Utc::now(),
            );
            if eof {
                job.status = ImportStatus::Completed;
                job.completed_at = Some(Utc::now());
            }
            match job::replace(&self.store, tenant, expected, &job).await {
                Ok(()) => {}
                // Another runner advanced this job: it owns it now.
                Err(e) if e.is_version_conflict() => return Ok(()),
                Err(e) => return Err(e.into()),
            }
            if eof {
                tracing::info!(import_id = %job.id, counts = ?job.counts, "import completed");
                self.discard_upload(tenant, job.id).await;
                return Ok(());
            }
        }
    }

    /// Saves a job that just failed, and lets its upload go.
    async fn save(&self, tenant: &TenantId, expected: u64, job: &ImportJob) -> Result<(), ImportError> {
        match job::replace(&self.store, tenant, expected, job).await {
            Err(e) if !e.is_version_conflict() => Err(e.into()),
            Err(_) => Ok(()),
            Ok(()) => {
                self.discard_upload(tenant, job.id).await;
                Ok(())
            }
        }
    }

    /// Deletes a finished import's upload: the file holds workers' personal data and has served its
    /// purpose (the job keeps the counts and the errors). A failure is logged, not fatal: the job is
    /// finished either way, and a redelivered event deletes it again.
    async fn discard_upload(&self, tenant: &TenantId, id: Uuid) {
        if let Err(e) = self.objects.delete(&ImportJob::object(tenant, id)).await {
            tracing::warn!(import_id = %id, error = %e, "could not delete the finished import's upload");
        }
    }

    /// Applies a chunk's rows, several at a time; an error of the store (not of a row) fails the chunk, so
    /// it is retried from its checkpoint. Rows naming the same worker (external id, else phone) share a
    /// lane and are applied in file order, so a later row sees what an earlier one wrote.
    async fn apply_all(
        &self,
        tenant: &TenantId,
        job: Uuid,
        first_row: u64,
        header: Option<&Header>,
        raw: Vec<RawRow>,
    ) -> Result<(Counts, Vec<RowError>, Vec<Uuid>), ImportError> {
        let csv = header.is_some();
        let lanes = self.concurrency.max(1);
        let mut queued: Vec<Vec<(u64, Result<Value, String>)>> = vec![Vec::new(); lanes];
        for (i, row) in raw.into_iter().enumerate() {
            let number = first_row + i as u64;
            let doc = match row {
                RawRow::Cells(cells) => header.map(|h| h.document(&cells)).ok_or_else(|| "has no header".to_owned()),
                RawRow::Line(text) => serde_json::from_str::<Value>(&text).map_err(|e| format!("is not JSON: {e}")),
                RawRow::Unreadable(message) => Err(message),
            };
            let lane = match doc.as_ref().ok().and_then(match_key) {
                Some(key) => lane_of(&key, lanes),
                None => i % lanes,
            };
            queued[lane].push((number, doc));
        }
        let runs = queued.into_iter().map(|lane| async move {
            let mut out = Vec::with_capacity(lane.len());
            for (number, doc) in lane {
                let outcome = match doc {
                    Ok(doc) => self.apply_retrying(tenant, job, number, doc, csv).await?,
                    Err(message) => {
                        Err(vec![RowError { row: number, field: String::new(), message: format!("the row {message}") }])
                    }
                };
                out.push((number, outcome));
            }
            Ok::<_, ImportError>(out)
        });
        let mut results: Vec<(u64, RowResult)> =
            futures_util::future::try_join_all(runs).await?.into_iter().flatten().collect();
        results.sort_by_key(|(n, _)| *n);
        let mut counts = Counts::default();
        let mut errors = Vec::new();
        let mut touched = Vec::new();
        for (_, result) in results {
            counts.total += 1;
            match result {
                Ok((RowOutcome::Created, id)) => {
                    counts.created += 1;
                    touched.push(id);
                }
                Ok((RowOutcome::Updated, id)) => {
                    counts.updated += 1;
                    touched.push(id);
                }
                Ok((RowOutcome::Unchanged, _)) => counts.unchanged += 1,
                Err(mut e) => {
                    counts.failed += 1;
                    errors.append(&mut e);
                }
            }
        }
        Ok((counts, errors, touched))
    }

    /// A row, tried again after a short pause when the store fails (throttling, a dropped connection)
    /// before the whole chunk is given back to the queue.
    async fn apply_retrying(
        &self,
        tenant: &TenantId,
        job: Uuid,
        row: u64,
        doc: Value,
        csv: bool,
    ) -> Result<RowResult, ImportError> {
        let mut attempt = 0u32;
        loop {
            match self.apply(tenant, job, row, doc.clone(), csv).await {
                Err(e) if attempt < 3 => {
                    attempt += 1;
                    tracing::warn!(row, attempt, error = %e, "import row failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// One row: created, or merged into the worker it matches by external id or phone. A refused row is
    /// `Ok(Err(errors))`; only failures of the store are errors of the chunk.
    async fn apply(
        &self,
        tenant: &TenantId,
        job: Uuid,
        row: u64,
        doc: Value,
        csv: bool,
    ) -> Result<RowResult, ImportError> {
        // Where the row's author finds a field: its CSV column, or the JSON pointer of a JSON Lines row.
        let at = |pointer: &str| if csv { column_of(pointer) } else { pointer.to_owned() };
        let one = |pointer: &str, message: String| vec![RowError { row, field: at(pointer), message }];
        // Two attempts: a create that loses a race for the same external id or phone becomes an update.
        for _ in 0..2 {
            let target = match self.match_worker(tenant, &doc).await? {
                Ok(target) => target,
                Err(message) => return Ok(Err(one("", message))),
            };
            let result = match target {
                Some(id) => {
                    match service::update(&self.store, &self.users, tenant, id, &doc, None, Some((job, row))).await {
                        Ok(Updated::Changed(_)) => Ok((RowOutcome::Updated, id)),
                        Ok(Updated::Unchanged(_)) => Ok((RowOutcome::Unchanged, id)),
                        Ok(Updated::Replayed(outcome)) => Ok((outcome, id)),
                        // Deleted meanwhile: the row creates it anew.
                        Err(WorkerError::NotFound) => continue,
                        Err(e) => Err(e),
                    }
                }
                None => match self.create(tenant, job, row, doc.clone()).await {
                    Ok(id) => Ok((RowOutcome::Created, id)),
                    // The row's worker exists: this row made it before (its id is the row's own).
                    Err(e) => match self.replayed(tenant, job, row).await? {
                        Some(outcome) => Ok(outcome),
                        None => Err(e),
                    },
                },
            };
            let refused = match result {
                Ok(outcome) => return Ok(Ok(outcome)),
                // A create that lost its phone or external id to another writer matches that worker now; a
                // taken user matches no row to a worker, so that row is refused.
                Err(WorkerError::Taken(Unique::PrimaryPhoneNumber | Unique::ExternalId)) if target.is_none() => {
                    continue;
                }
                Err(e) => e,
            };
            return match refused {
                WorkerError::Malformed(fields) | WorkerError::BreaksRules(fields) => Ok(Err(fields
                    .into_iter()
                    .map(|f| RowError { row, field: at(&f.pointer.unwrap_or_default()), message: f.message })
                    .collect())),
                WorkerError::Taken(unique) => Ok(Err(one(unique.pointer(), TAKEN.into()))),
                WorkerError::Supervisor(why) => Ok(Err(one("/supervisorId", why.to_string()))),
                WorkerError::UnknownUser => Ok(Err(one("/userId", UNKNOWN_USER.into()))),
                WorkerError::Store(e) => match store_refusal(&e) {
                    Some(message) => Ok(Err(one("", message))),
                    // The store failed, not the row: the chunk is retried.
                    None => Err(e.into()),
                },
                WorkerError::Internal(message) => Err(ImportError::Internal(message)),
                other @ (WorkerError::NotFound | WorkerError::VersionMoved | WorkerError::ChainMoved) => {
                    Ok(Err(one("", other.to_string())))
                }
            };
        }
        Ok(Err(one("", "the row's worker kept changing; import it again".into())))
    }

    /// Creates the row's worker: its id derives from the job and the row.
    async fn create(&self, tenant: &TenantId, job: Uuid, row: u64, doc: Value) -> Result<Uuid, WorkerError> {
        let fields = input::read(doc, Utc::now().date_naive(), Origin::Whole)?;
        Ok(service::create(&self.store, &self.users, tenant, fields, Some((job, row))).await?.id)
    }

    /// What this row did when it was applied before, if it created its worker then.
    async fn replayed(
        &self,
        tenant: &TenantId,
        job: Uuid,
        row: u64,
    ) -> Result<Option<(RowOutcome, Uuid)>, ImportError> {
        let id = service::imported_id(job, row);
        let worker = repo::get(&self.store, tenant, id).await?;
        Ok(worker.and_then(|w| w.last_import).filter(|m| m.job_id == job && m.row == row).map(|m| (m.outcome, id)))
    }

    /// The worker a row names by external id or phone number; an error when the two name different workers.
    async fn match_worker(&self, tenant: &TenantId, doc: &Value) -> Result<Result<Option<Uuid>, String>, ImportError> {
        let (external, phone) = row_keys(doc);
        let by_external = match external {
            Some(x) => repo::guard_owner(&self.store, &repo::external_guard(tenant, &x)).await?,
            None => None,
        };
        let by_phone = match &phone {
            Some(p) => repo::guard_owner(&self.store, &repo::phone_guard(tenant, p)).await?,
            None => None,
        };
        Ok(match (by_external, by_phone) {
            (Some(a), Some(b)) if a != b => Err("externalId and primaryPhoneNumber match two different workers".into()),
            (a, b) => Ok(a.or(b)),
        })
    }
}

/// The row's external id and normalised phone number, the keys it is matched to a worker by.
fn row_keys(doc: &Value) -> (Option<String>, Option<Phone>) {
    let external = doc.get("externalId").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let phone =
        doc.pointer("/contact/primaryPhoneNumber").and_then(Value::as_str).and_then(|p| phone::normalize(p).ok());
    (external.map(str::to_owned), phone)
}

/// A refused write of the store as a row's refusal, in the words the API answers it with: a condition
/// that did not hold or a concurrent change refuses the row; `None` when the store itself failed.
pub(crate) fn store_refusal(err: &StoreError) -> Option<String> {
    match err {
        e if e.is_version_conflict() => {
            Some("The resource changed since the ETag given in If-Match; fetch it again.".into())
        }
        StoreError::Condition(label) => Some(format!("{label} already exists")),
        StoreError::TransactionConflict => Some("a concurrent request changed the same data; retry".into()),
        StoreError::Contended => Some("the resource is changing too fast; retry".into()),
        _ => None,
    }
}

/// The lane key of a row: its external id, else its phone number.
fn match_key(doc: &Value) -> Option<String> {
    match row_keys(doc) {
        (Some(x), _) => Some(format!("x:{x}")),
        (None, Some(p)) => Some(format!("p:{p}")),
        (None, None) => None,
    }
}

fn lane_of(key: &str, lanes: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() % lanes as u64) as usize
}

/// Imports send their own continuations (a notification may name uploads of several tenants, each its
/// own run); the framework reads their messages and fails an import whose message keeps failing.
impl Importer {
    /// Clears a deleted worker's supervisees a page at a time, telling segments of each change, until done
    /// or the invocation runs short (then the rest continues in a new message).
    async fn unsupervise(
        &self,
        tenant: &TenantId,
        clear: &Unsupervise,
        deadline: Deadline,
    ) -> Result<Outcome<ImportMessage>, ImportError> {
        let mut next = clear.clone();
        loop {
            let (cleared, rest) = orphans::clear_page(&self.store, tenant, &next).await.map_err(|e| match e {
                WorkerError::Store(e) => ImportError::Store(e),
                other => ImportError::Internal(other.to_string()),
            })?;
            // Each clearing left its change marker too: a lost message is only a later re-evaluation.
            self.events.notify(tenant, &cleared).await;
            match rest {
                None => {
                    tracing::info!(supervisor_id = %clear.supervisor_removed, "a deleted worker's supervisees cleared");
                    return Ok(Outcome::Settled);
                }
                Some(rest) if deadline.remaining() < self.margin => {
                    return Ok(Outcome::Continue(ImportMessage::Unsupervise(rest)));
                }
                Some(rest) => next = rest,
            }
        }
    }
}

impl Job for Importer {
    const NAME: &'static str = "import";
    type Message = ImportMessage;
    type Error = ImportError;

    fn read(&self, body: &str) -> Result<(Option<TenantId>, ImportMessage), String> {
        if let Ok((Some(tenant), next)) = nudge_core::queue::open::<Continue>(body) {
            return Ok((Some(tenant), ImportMessage::Continue(next)));
        }
        if let Ok((Some(tenant), clear)) = nudge_core::queue::open::<Unsupervise>(body) {
            return Ok((Some(tenant), ImportMessage::Unsupervise(clear)));
        }
        let created = object_created(body).map_err(|e| format!("unreadable import message: {e}"))?;
        Ok((None, ImportMessage::Uploaded { keys: created.into_iter().map(|o| o.key).collect() }))
    }

    async fn run(
        &self,
        tenant: Option<TenantId>,
        message: &ImportMessage,
        deadline: Deadline,
    ) -> Result<Outcome<ImportMessage>, ImportError> {
        match (tenant, message) {
            (Some(tenant), ImportMessage::Continue(next)) => {
                self.resume(&tenant, next.import_continue, next.offset, deadline).await?;
            }
            (_, ImportMessage::Uploaded { keys }) => {
                for (tenant, job_id) in Self::uploads(keys) {
                    self.start(&tenant, job_id, deadline).await?;
                }
            }
            (Some(tenant), ImportMessage::Unsupervise(clear)) => {
                return self.unsupervise(&tenant, clear, deadline).await;
            }
            (None, ImportMessage::Continue(_) | ImportMessage::Unsupervise(_)) => {
                return Err(ImportError::Message("a tenant's message names no tenant".into()));
            }
        }
        Ok(Outcome::Settled)
    }

    /// Marks the import failed (it would otherwise stay `processing` while its message sits in the DLQ).
    async fn give_up(
        &self,
        tenant: Option<TenantId>,
        message: &ImportMessage,
        reason: String,
    ) -> Result<(), ImportError> {
        let jobs = match (tenant, message) {
            (Some(tenant), ImportMessage::Continue(next)) => vec![(tenant, next.import_continue)],
            (_, ImportMessage::Uploaded { keys }) => Self::uploads(keys),
            (_, ImportMessage::Continue(_) | ImportMessage::Unsupervise(_)) => Vec::new(),
        };
        for (tenant, id) in jobs {
            let Some(mut job) = job::get(&self.store, &tenant, id).await? else { continue };
            if job.status.is_finished() {
                continue;
            }
            let expected = job.version;
            fail(&mut job, bounded(&reason), Utc::now());
            self.save(&tenant, expected, &job).await?;
            tracing::warn!(import_id = %id, "import failed for good");
        }
        Ok(())
    }

    fn continuations(&self) -> &Queue {
        &self.queue
    }

    fn store(&self) -> &Store {
        &self.store
    }
}

/// A failure reason short enough for the job's item, whatever the error said.
fn bounded(reason: &str) -> String {
    const MAX: usize = 1000;
    match reason.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &reason[..at]),
        None => reason.to_owned(),
    }
}

fn fail(job: &mut ImportJob, reason: String, now: chrono::DateTime<Utc>) {
    job.status = ImportStatus::Failed;
    // Bounded: a reason (a header's errors, an error's text) must fit the job's item, or the job could not
    // be saved failed and would stay `processing`.
    job.failure_reason = Some(bounded(&reason));
    job.completed_at = Some(now);
    job.updated_at = now;
    job.version += 1;
}
