//! Running an export: a message on the exports queue starts it (or continues it). A run claims the job
//! (a lease until its invocation's deadline, written under the job's version), reads workers a page at a
//! time, and when it holds at least a part's worth of rows uploads them as the next part of an S3
//! multipart upload and checkpoints (upload id, parts and their ETags, the read cursor after those rows,
//! counts) on the job. Near its deadline (or past `rows_per_run`) it releases the lease and sends itself a
//! continuation. Any message for a job in progress resumes from the checkpoint, so a redelivered or
//! duplicate message redoes at most the part that was not checkpointed (uploading that part number again
//! replaces it) and never writes a row twice; one arriving while another run holds the lease, or after
//! the job finished, changes nothing.
//!
//! A CSV export without `customFieldKeys` first reads the workers once for their custom-field keys (the
//! header must name every column before the first row), checkpointing that pass the same way.

use super::job::{self, Cursor, ExportFormat, ExportJob, ExportStatus, Part};
use super::rows;
use crate::error::ExportError;
use crate::index::{self, Filter, SHARDS};
use crate::{Worker, repo};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::jobs::{Job, Outcome};
use nudge_core::keys::Key;
use nudge_core::objects::Objects;
use nudge_core::outbox::{OutboxError, Posted};
use nudge_core::queue::{Deadline, Queue};
use nudge_core::store::{Store, Write, item_key};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;

/// S3's smallest part (all but the last).
pub(crate) const MIN_PART_BYTES: usize = 5 * 1024 * 1024;
/// Custom-field columns a CSV export takes at most.
pub(crate) const MAX_CUSTOM_COLUMNS: usize = 500;

/// The message that starts an export and that it sends itself to continue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportMessage {
    pub export_id: Uuid,
}

/// The exports queue, as the API holds it to start exports.
#[derive(Clone, Debug)]
pub struct ExportQueue(pub Queue);

impl ExportQueue {
    /// The message that starts export `id`, as an outbox entry for the transaction that creates it.
    pub fn post(&self, tenant: &TenantId, id: Uuid, at: DateTime<Utc>) -> Result<(Write, Posted), OutboxError> {
        self.0.post_for(tenant, &ExportMessage { export_id: id }, at)
    }
}

/// How a finished export's last bytes are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finish {
    /// Nothing uploaded yet: the whole file is one PutObject (a small export).
    Single,
    /// The rest is the last part (smaller than the others is fine), then complete the upload.
    LastPart,
    /// The parts hold everything: complete the upload.
    Complete,
}

/// Pure: how to finish, given the parts uploaded and the bytes still held.
pub(crate) fn finish(parts: usize, buffered: usize) -> Finish {
    match (parts, buffered) {
        (0, _) => Finish::Single,
        (_, 0) => Finish::Complete,
        _ => Finish::LastPart,
    }
}

/// Pure: whether a run stops (after a checkpoint) and continues in a new message.
pub(crate) fn should_pause(
    rows_this_run: u64,
    rows_per_run: Option<u64>,
    remaining: Duration,
    margin: Duration,
) -> bool {
    remaining < margin || rows_per_run.is_some_and(|cap| rows_this_run >= cap)
}

/// Pure: the cursor after a page that ended at `last` (none: the partition is read). Reading every worker
/// goes through the shards in turn; a filter reads one index partition.
pub(crate) fn after_page(cursor: &Cursor, last: Option<Key>, sharded: bool) -> Cursor {
    match last {
        Some(key) => Cursor { shard: cursor.shard, after: Some(key), done: false },
        None if sharded && cursor.shard + 1 < SHARDS => Cursor { shard: cursor.shard + 1, after: None, done: false },
        None => Cursor { shard: cursor.shard, after: None, done: true },
    }
}

#[derive(Clone, Debug)]
pub struct Exporter {
    pub(crate) store: Store,
    pub(crate) objects: Objects,
    /// Where continuations go: the queue this consumer reads.
    pub(crate) queue: Queue,
    /// Bytes a part holds at least (S3: 5 MiB; the local stack makes it small).
    pub part_bytes: usize,
    /// Workers read per page (index entries, or about this many workers of a shard).
    pub page_workers: u32,
    /// At most about this many rows per invocation (none: until the deadline nears).
    pub rows_per_run: Option<u64>,
    /// Stop and continue in a new message when less than this is left.
    pub(crate) margin: Duration,
}

impl Exporter {
    pub fn new(store: Store, objects: Objects, queue: Queue) -> Self {
        Self {
            store,
            objects,
            queue,
            part_bytes: MIN_PART_BYTES,
            page_workers: 100,
            rows_per_run: None,
            margin: Duration::from_secs(60),
        }
    }

    async fn step(&self, tenant: &TenantId, id: Uuid, deadline: Deadline) -> Result<Run, ExportError> {
        let Some(mut job) = job::get(&self.store, tenant, id).await? else {
            tracing::warn!(export_id = %id, "message for an unknown export");
            return Ok(Outcome::Settled);
        };
        let now = Utc::now();
        if job.is_finished() {
            tracing::info!(export_id = %id, status = ?job.status, "export finished; message ignored");
            return Ok(Outcome::Settled);
        }
        if job.lease_until.is_some_and(|until| until > now) {
            tracing::info!(export_id = %id, "another run holds the export; message ignored");
            return Ok(Outcome::Settled);
        }
        let expected = job.version;
        job.status = ExportStatus::Processing;
        job.started_at.get_or_insert(now);
        job.lease_until = Some(now + chrono::Duration::from_std(deadline.remaining()).unwrap_or_default());
        if job.format == ExportFormat::Jsonl {
            job.columns = Some(Vec::new());
        } else if let (None, Some(keys)) = (&job.columns, &job.custom_field_keys) {
            job.columns = Some(rows::header(keys));
        }
        job.touch(now);
        match job::replace(&self.store, tenant, expected, &job).await {
            Ok(()) => self.run(tenant, job, deadline).await,
            // Another delivery claimed it first.
            Err(e) if e.is_version_conflict() => Ok(Outcome::Settled),
            Err(e) => Err(e.into()),
        }
    }

    /// Saves the job under `expected`; `false` when another run moved it on (this one then stops).
    async fn save(&self, tenant: &TenantId, expected: u64, job: &ExportJob) -> Result<bool, ExportError> {
        match job::replace(&self.store, tenant, expected, job).await {
            Ok(()) => Ok(true),
            Err(e) if e.is_version_conflict() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Releases the job and asks to continue in a new message. The checkpoint is written first: if the
    /// message cannot be sent, this one is retried and resumes from the same checkpoint.
    async fn pause(&self, tenant: &TenantId, mut job: ExportJob) -> Result<Run, ExportError> {
        let expected = job.version;
        job.lease_until = None;
        job.touch(Utc::now());
        if !self.save(tenant, expected, &job).await? {
            return Ok(Outcome::Settled);
        }
        tracing::info!(export_id = %job.id, rows = job.checkpoint.rows, parts = job.checkpoint.parts.len(), "export pauses");
        Ok(Outcome::Continue(ExportMessage { export_id: job.id }))
    }

    /// One page of the workers the export reads, from `cursor`, and the cursor after it.
    async fn page(
        &self,
        tenant: &TenantId,
        filter: &Filter,
        cursor: &Cursor,
    ) -> Result<(Vec<Worker>, Cursor), ExportError> {
        let start = cursor.after.as_ref().map(nudge_core::store::key_item);
        let sharded = filter.is_empty();
        let (workers, last) = if sharded {
            // A worker is about six items (core and records).
            repo::shard_page(&self.store, tenant, cursor.shard, start, self.page_workers.saturating_mul(6)).await?
        } else {
            repo::index_page(&self.store, tenant, &index::plan(filter), start, self.page_workers).await?
        };
        Ok((workers, after_page(cursor, last.as_ref().and_then(item_key), sharded)))
    }

    async fn run(&self, tenant: &TenantId, mut job: ExportJob, deadline: Deadline) -> Result<Run, ExportError> {
        let mut rows_this_run = 0u64;
        // The first pass: every custom-field key, for the header.
        while job.columns.is_none() {
            if should_pause(rows_this_run, self.rows_per_run, deadline.remaining(), self.margin) {
                return self.pause(tenant, job).await;
            }
            let (workers, next) = self.page(tenant, &job.filters, &job.checkpoint.cursor).await?;
            let mut seen: BTreeSet<String> = job.seen_keys.iter().cloned().collect();
            for w in &workers {
                rows::collect_keys(&w.fields, &mut seen);
            }
            rows_this_run += workers.len() as u64;
            job.seen_keys = seen.into_iter().collect();
            if job.seen_keys.len() > MAX_CUSTOM_COLUMNS {
                let reason = format!(
                    "the workers have more than {MAX_CUSTOM_COLUMNS} custom-field keys; name the columns with customFieldKeys"
                );
                return self.fail(tenant, job, reason).await.map(|()| Outcome::Settled);
            }
            job.checkpoint.cursor = next;
            if job.checkpoint.cursor.done {
                job.columns = Some(rows::header(&job.seen_keys));
                job.seen_keys.clear();
                job.checkpoint.cursor = Cursor::default();
                let expected = job.version;
                job.touch(Utc::now());
                if !self.save(tenant, expected, &job).await? {
                    return Ok(Outcome::Settled);
                }
            }
        }
        let columns = job.columns.clone().unwrap_or_default();
        let object = job.object(tenant);
        let content_type = job.format.content_type();
        loop {
            // A part's worth of rows from the checkpoint on.
            let mut buffer = Vec::with_capacity(self.part_bytes + self.part_bytes / 4);
            let mut rows = 0u64;
            let mut cursor = job.checkpoint.cursor.clone();
            let mut header = job.checkpoint.parts.is_empty() && job.format == ExportFormat::Csv;
            while !cursor.done && buffer.len() < self.part_bytes {
                if deadline.remaining() < self.margin / 2 {
                    // Out of time mid-part: what is buffered is read again from the checkpoint.
                    return self.pause(tenant, job).await;
                }
                let (workers, next) = self.page(tenant, &job.filters, &cursor).await?;
                rows += rows::encode(job.format, &columns, header, workers.iter().map(|w| &w.fields), &mut buffer)?;
                header = false;
                cursor = next;
            }
            if header {
                // Nothing to read at all: the file is the header alone.
                rows::encode(job.format, &columns, true, [], &mut buffer)?;
            }
            rows_this_run += rows;
            let expected = job.version;
            if !cursor.done {
                let upload_id = match job.checkpoint.upload_id.clone() {
                    Some(id) => id,
                    None => self.objects.create_multipart(&object, content_type, job::TAGGING).await?,
                };
                let number = job.checkpoint.next_part();
                let size = buffer.len() as u64;
                let etag = self.objects.upload_part(&object, &upload_id, number, buffer).await?;
                job.checkpoint.upload_id = Some(upload_id);
                job.checkpoint.advance(Part { number, etag, size }, rows, cursor);
                job.touch(Utc::now());
                if !self.save(tenant, expected, &job).await? {
                    return Ok(Outcome::Settled);
                }
                if should_pause(rows_this_run, self.rows_per_run, deadline.remaining(), self.margin) {
                    return self.pause(tenant, job).await;
                }
                continue;
            }
            let size = job.checkpoint.bytes + buffer.len() as u64;
            match finish(job.checkpoint.parts.len(), buffer.len()) {
                Finish::Single => self.objects.put_tagged(&object, buffer, content_type, job::TAGGING).await?,
                step => {
                    let upload_id = job.checkpoint.upload_id.clone().unwrap_or_default();
                    let mut parts: Vec<(u32, String)> =
                        job.checkpoint.parts.iter().map(|p| (p.number, p.etag.clone())).collect();
                    if step == Finish::LastPart {
                        let number = job.checkpoint.next_part();
                        parts.push((number, self.objects.upload_part(&object, &upload_id, number, buffer).await?));
                    }
                    if !self.objects.complete_multipart(&object, &upload_id, &parts).await? {
                        // Completed by a run that stopped before recording it: the file is there.
                        match self.objects.head(&object).await? {
                            Some(head) if head.size == size => {}
                            _ => return Err(ExportError::UploadLost),
                        }
                    }
                }
            }
            let now = Utc::now();
            job.status = ExportStatus::Completed;
            job.row_count = job.checkpoint.rows + rows;
            job.size = size;
            job.completed_at = Some(now);
            job.lease_until = None;
            job.touch(now);
            if self.save(tenant, expected, &job).await? {
                tracing::info!(export_id = %job.id, rows = job.row_count, bytes = job.size, "export completed");
            }
            return Ok(Outcome::Settled);
        }
    }

    async fn fail(&self, tenant: &TenantId, mut job: ExportJob, reason: String) -> Result<(), ExportError> {
        let expected = job.version;
        job.fail(reason, Utc::now());
        if self.save(tenant, expected, &job).await? {
            tracing::warn!(export_id = %job.id, reason = job.failure_reason.as_deref().unwrap_or_default(), "export failed");
            if let Some(upload_id) = &job.checkpoint.upload_id {
                self.objects.abort_multipart(&job.object(tenant), upload_id).await?;
            }
        }
        Ok(())
    }
}

/// What a run of an export ended with.
type Run = Outcome<ExportMessage>;

impl Job for Exporter {
    const NAME: &'static str = "export";
    type Message = ExportMessage;
    type Error = ExportError;

    async fn run(
        &self,
        tenant: Option<TenantId>,
        message: &ExportMessage,
        deadline: Deadline,
    ) -> Result<Run, ExportError> {
        let tenant = tenant.ok_or_else(|| ExportError::Message("an export message names no tenant".into()))?;
        self.step(&tenant, message.export_id, deadline).await
    }

    /// Fails the job whatever state it is in, and aborts its upload.
    async fn give_up(
        &self,
        tenant: Option<TenantId>,
        message: &ExportMessage,
        reason: String,
    ) -> Result<(), ExportError> {
        let Some(tenant) = tenant else { return Ok(()) };
        match job::get(&self.store, &tenant, message.export_id).await? {
            Some(job) if !job.is_finished() => self.fail(&tenant, job, reason).await,
            _ => Ok(()),
        }
    }

    fn continuations(&self) -> &Queue {
        &self.queue
    }

    fn store(&self) -> &Store {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_exports_are_one_put_and_large_ones_end_with_a_last_part() {
        assert_eq!(finish(0, 0), Finish::Single);
        assert_eq!(finish(0, 100), Finish::Single);
        assert_eq!(finish(2, 100), Finish::LastPart);
        assert_eq!(finish(2, 0), Finish::Complete);
    }

    #[test]
    fn a_run_pauses_near_its_deadline_or_past_its_rows() {
        let minute = Duration::from_secs(60);
        assert!(!should_pause(10, None, Duration::from_secs(600), minute));
        assert!(should_pause(10, None, Duration::from_secs(59), minute));
        assert!(should_pause(10, Some(10), Duration::from_secs(600), minute));
        assert!(!should_pause(9, Some(10), Duration::from_secs(600), minute));
    }

    #[test]
    fn the_cursor_walks_the_shards_then_stops() {
        let key = Key { pk: "p".into(), sk: "s".into() };
        let start = Cursor::default();
        let mid = after_page(&start, Some(key.clone()), true);
        assert_eq!(mid, Cursor { shard: 0, after: Some(key.clone()), done: false });
        assert_eq!(after_page(&mid, None, true), Cursor { shard: 1, after: None, done: false });
        let last = Cursor { shard: SHARDS - 1, after: Some(key.clone()), done: false };
        assert!(after_page(&last, None, true).done);
        // A filter reads one partition.
        assert!(after_page(&mid, None, false).done);
    }

    #[test]
    fn messages_read_back_from_their_envelope() {
        let (tenant, export) = (Uuid::now_v7(), Uuid::now_v7());
        let text = format!(r#"{{"exportId":"{export}","tenantId":"{tenant}"}}"#);
        let (opened, m) = nudge_core::queue::open::<ExportMessage>(&text).unwrap();
        assert_eq!(opened.map(|t| t.as_uuid()), Some(tenant));
        assert_eq!(m, ExportMessage { export_id: export });
    }
}
