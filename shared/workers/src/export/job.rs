//! Export jobs: what was asked (format, filters, columns), how far the export got (the multipart upload,
//! its parts, the read cursor) and what it wrote.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | export job | `T#<t>#WORKER-EXPORTS` | `<jobId>` (UUIDv7: newest last), `ttl` at expiry |

use crate::import::ImportFormat;
use crate::index::Filter;
use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::objects::ObjectKey;
use nudge_core::store::{Put, Query, Store, StoreError, Tx, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "WorkerExport";
/// How long an export (its job and its file) is kept; template.yaml's lifecycle rule says the same.
pub(crate) const RETENTION_DAYS: i64 = 7;
/// The tag of exported objects, which the bucket's lifecycle rule expires.
pub(crate) const TAGGING: &str = nudge_core::objects::EXPORT_TAGGING;

/// An export writes the formats an import reads.
pub type ExportFormat = ImportFormat;

/// The shared lifecycle of background jobs.
pub type ExportStatus = nudge_core::jobs::JobStatus;

/// An uploaded part of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub number: u32,
    pub etag: String,
    pub size: u64,
}

/// Where reading stops and resumes: a shard (when reading every worker) and the last key read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    #[serde(default)]
    pub shard: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Key>,
    #[serde(default)]
    pub done: bool,
}

/// What is durably written: the multipart upload, its parts, and the read position right after the rows
/// they hold. A resumed run starts its next part from here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub cursor: Cursor,
    /// Rows in the uploaded parts.
    #[serde(default)]
    pub rows: u64,
    /// Bytes in the uploaded parts.
    #[serde(default)]
    pub bytes: u64,
}

impl Checkpoint {
    /// The next part's number.
    pub(crate) fn next_part(&self) -> u32 {
        self.parts.len() as u32 + 1
    }

    /// Records an uploaded part holding `rows` rows, read up to `cursor`.
    pub(crate) fn advance(&mut self, part: Part, rows: u64, cursor: Cursor) {
        self.rows += rows;
        self.bytes += part.size;
        self.parts.push(part);
        self.cursor = cursor;
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    pub id: Uuid,
    pub status: ExportStatus,
    pub format: ExportFormat,
    #[serde(default)]
    pub filters: Filter,
    /// The custom-field columns asked for; none: every key the exported workers have (a first pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_field_keys: Option<Vec<String>>,
    /// The CSV header, once known (after the first pass when it runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    /// Custom-field keys seen so far by the first pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen_keys: Vec<String>,
    #[serde(default)]
    pub checkpoint: Checkpoint,
    #[serde(default)]
    pub row_count: u64,
    #[serde(default)]
    pub size: u64,
    /// Until when a run holds the job; another message arriving meanwhile leaves it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub created_by: Uuid,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// An export job as the API answers it; a completed one carries a presigned download.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportView {
    pub id: Uuid,
    pub status: ExportStatus,
    pub format: ExportFormat,
    pub filters: Filter,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_keys: Option<Vec<String>>,
    /// Rows written so far (all of them once completed).
    pub row_count: u64,
    /// Bytes written so far (the file's size once completed).
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub created_by: Uuid,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When the job and its file are deleted.
    pub expires_at: DateTime<Utc>,
    /// A presigned GET of the file (completed exports, `GET /worker-exports/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_expires_at: Option<DateTime<Utc>>,
}

impl ExportJob {
    pub fn new(
        id: Uuid,
        format: ExportFormat,
        filters: Filter,
        custom_field_keys: Option<Vec<String>>,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            status: ExportStatus::Pending,
            format,
            filters,
            custom_field_keys,
            columns: None,
            seen_keys: Vec::new(),
            checkpoint: Checkpoint::default(),
            row_count: 0,
            size: 0,
            lease_until: None,
            failure_reason: None,
            created_by: by,
            version: 1,
            created_at: now,
            updated_at: now,
            started_at: None,
            completed_at: None,
            expires_at: now + Duration::days(RETENTION_DAYS),
        }
    }

    pub(crate) fn view(&self) -> ExportView {
        let done = self.status == ExportStatus::Completed;
        ExportView {
            id: self.id,
            status: self.status,
            format: self.format,
            filters: self.filters.clone(),
            custom_field_keys: self.custom_field_keys.clone(),
            row_count: if done { self.row_count } else { self.checkpoint.rows },
            size: if done { self.size } else { self.checkpoint.bytes },
            failure_reason: self.failure_reason.clone(),
            created_by: self.created_by,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            started_at: self.started_at,
            completed_at: self.completed_at,
            expires_at: self.expires_at,
            download_url: None,
            download_expires_at: None,
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.status.is_finished()
    }

    /// DynamoDB's TTL deletes lazily: readers treat an expired job as gone.
    pub(crate) fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }

    /// The file's name, as a download offers it.
    pub(crate) fn file_name(&self) -> &'static str {
        match self.format {
            ExportFormat::Csv => "workers.csv",
            ExportFormat::Jsonl => "workers.jsonl",
        }
    }

    /// `tenants/<t>/exports/<id>/workers.csv` (or `.jsonl`): no upload notification matches it.
    pub(crate) fn object(&self, tenant: &TenantId) -> ObjectKey {
        ObjectKey::tenant(tenant, &format!("exports/{}/{}", self.id, self.file_name()))
    }

    /// The job's next version, written by whoever holds it.
    pub(crate) fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }

    /// Ends the job as failed (the caller aborts the upload).
    pub(crate) fn fail(&mut self, reason: String, now: DateTime<Utc>) {
        self.status = ExportStatus::Failed;
        self.failure_reason = Some(reason);
        self.completed_at = Some(now);
        self.lease_until = None;
        self.touch(now);
    }
}

fn partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "WORKER-EXPORTS")
}

fn key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "WORKER-EXPORTS", id.to_string())
}

fn put(tenant: &TenantId, job: &ExportJob) -> Result<Put, StoreError> {
    Ok(Put::new(&key(tenant, job.id), ENTITY, job)?.ttl(job.expires_at.timestamp()))
}

/// Writes a new export with `start`, its message's outbox entry, in one transaction.
pub async fn create(store: &Store, tenant: &TenantId, job: &ExportJob, start: Write) -> Result<(), StoreError> {
    store.transact(Tx::new().with(Write::create(put(tenant, job)?, "export")).with(start)).await
}

pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<ExportJob>, StoreError> {
    store.get(&key(tenant, id)).await
}

/// Writes `next` if the job is still at `expected` (one runner advances a job at a time).
pub(crate) async fn replace(
    store: &Store,
    tenant: &TenantId,
    expected: u64,
    next: &ExportJob,
) -> Result<(), StoreError> {
    store.write(Write::replace(put(tenant, next)?, expected)).await
}

pub(crate) fn list_query(tenant: &TenantId) -> Query {
    Query::partition(partition(tenant)).newest_first()
}

/// Unfinished exports a tenant may have at once: each reads the whole directory.
pub(crate) const MAX_RUNNING: usize = 2;
/// An export unfinished after this long is stuck (it gives up long before), and no longer counts.
const RUNNING_AT_MOST: chrono::Duration = chrono::Duration::hours(1);

/// How many of the tenant's exports are unfinished now (among the newest: older ones have finished).
pub(crate) async fn running(store: &Store, tenant: &TenantId) -> Result<usize, StoreError> {
    let (items, _) = store.items_page(&list_query(tenant), 20, None).await?;
    let now = Utc::now();
    let jobs = items.into_iter().map(nudge_core::store::decode).collect::<Result<Vec<ExportJob>, _>>()?;
    Ok(jobs.iter().filter(|j| !j.is_finished() && now - j.created_at < RUNNING_AT_MOST).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_lives_under_the_tenant_and_triggers_nothing() {
        let tenant = nudge_core::testing::tenant(9);
        let job = ExportJob::new(Uuid::now_v7(), ExportFormat::Csv, Filter::default(), None, Uuid::nil(), Utc::now());
        let key = job.object(&tenant);
        assert_eq!(key.as_str(), format!("tenants/{tenant}/exports/{}/workers.csv", job.id));
        let (_, rest) = ObjectKey::parse(key.as_str()).unwrap();
        assert_eq!(crate::import::ImportJob::from_object(&rest), None);
        assert!(!key.as_str().ends_with("/original"));
    }

    #[test]
    fn a_checkpoint_counts_what_its_parts_hold() {
        let mut c = Checkpoint::default();
        assert_eq!(c.next_part(), 1);
        let cursor = Cursor { shard: 3, after: None, done: false };
        c.advance(Part { number: 1, etag: "a".into(), size: 10 }, 4, cursor.clone());
        c.advance(Part { number: 2, etag: "b".into(), size: 7 }, 2, cursor.clone());
        assert_eq!((c.next_part(), c.rows, c.bytes, c.cursor), (3, 6, 17, cursor));
    }

    #[test]
    fn a_job_expires_after_its_retention() {
        let now = Utc::now();
        let job = ExportJob::new(Uuid::nil(), ExportFormat::Jsonl, Filter::default(), None, Uuid::nil(), now);
        assert!(!job.is_expired(now + Duration::days(RETENTION_DAYS) - Duration::seconds(1)));
        assert!(job.is_expired(now + Duration::days(RETENTION_DAYS)));
        assert_eq!(job.file_name(), "workers.jsonl");
    }
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let id = Uuid::from_u128(7);
        let k = key(&t, id);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#WORKER-EXPORTS"), id.to_string()));
    }
}
