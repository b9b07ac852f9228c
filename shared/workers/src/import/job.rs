//! Import jobs: what was asked, how far the import got, what it did and which rows it refused.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | import job | `T#<t>#WORKER-IMPORTS` | `<jobId>` (UUIDv7: newest last) |

use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::objects::ObjectKey;
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "WorkerImport";
/// Row errors kept on the job; past this only the count grows (`failed`).
pub(crate) const MAX_ERRORS: usize = 1000;
/// The object tag of an uploaded import file, by which the bucket's lifecycle rule expires a file its job
/// never deleted (an upload never announced, a job that never ran): rows hold workers' personal data, and
/// lifecycle filters take a key prefix, which under each tenant's prefix cannot select imports.
pub(crate) const TAGGING: &str = "nudge-kind=import";

/// The shared lifecycle of background jobs.
pub type ImportStatus = nudge_core::jobs::JobStatus;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    #[default]
    Csv,
    Jsonl,
}

impl ImportFormat {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv",
            Self::Jsonl => "application/x-ndjson",
        }
    }
}

/// A refused row: its number (data rows from 1; for CSV the header is not counted), the field (CSV: the
/// column; JSON Lines: the JSON pointer; empty for the whole row) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub row: u64,
    pub field: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Rows read so far.
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows that matched a worker and changed nothing.
    pub unchanged: u64,
    pub failed: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, other: &Counts) {
        self.total += other.total;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
    }
}

/// Where the next invocation starts: a byte offset in the object and the number of rows before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub offset: u64,
    pub row: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportJob {
    pub id: Uuid,
    pub status: ImportStatus,
    pub format: ImportFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub size: u64,
    pub counts: Counts,
    #[serde(default)]
    pub errors: Vec<RowError>,
    #[serde(default)]
    pub checkpoint: Checkpoint,
    /// The CSV header, once read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Vec<String>>,
    /// The upload's ETag when the import started: every chunk is read from that version only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
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
}

/// An import job as the API answers it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportView {
    pub id: Uuid,
    pub status: ImportStatus,
    pub format: ImportFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub size: u64,
    pub counts: Counts,
    /// The first 1000 refused rows.
    pub errors: Vec<RowError>,
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
}

impl ImportJob {
    pub fn new(
        id: Uuid,
        format: ImportFormat,
        file_name: Option<String>,
        size: u64,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            status: ImportStatus::Pending,
            format,
            file_name,
            size,
            counts: Counts::default(),
            errors: Vec::new(),
            checkpoint: Checkpoint::default(),
            header: None,
            etag: None,
            failure_reason: None,
            created_by: by,
            version: 1,
            created_at: now,
            updated_at: now,
            started_at: None,
            completed_at: None,
        }
    }

    pub(crate) fn view(&self) -> ImportView {
        ImportView {
            id: self.id,
            status: self.status,
            format: self.format,
            file_name: self.file_name.clone(),
            size: self.size,
            counts: self.counts,
            errors: self.errors.clone(),
            failure_reason: self.failure_reason.clone(),
            created_by: self.created_by,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            started_at: self.started_at,
            completed_at: self.completed_at,
        }
    }

    /// The uploaded rows' object: the key suffix `/rows` is what routes its notification to the importer.
    pub fn object(tenant: &TenantId, id: Uuid) -> ObjectKey {
        ObjectKey::tenant(tenant, &format!("imports/{id}/rows"))
    }

    /// The job this object key belongs to, if it is an import's rows.
    pub(crate) fn from_object(rest: &str) -> Option<Uuid> {
        let id = rest.strip_prefix("imports/")?.strip_suffix("/rows")?;
        Uuid::parse_str(id).ok()
    }

    /// Records a chunk's outcome: counts, errors (up to the cap) and the next checkpoint.
    pub(crate) fn advance(&mut self, counts: &Counts, errors: Vec<RowError>, next: Checkpoint, now: DateTime<Utc>) {
        self.counts.add(counts);
        let room = MAX_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(errors.into_iter().take(room));
        self.checkpoint = next;
        self.updated_at = now;
        self.version += 1;
    }
}

fn partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "WORKER-IMPORTS")
}

fn key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "WORKER-IMPORTS", id.to_string())
}

pub async fn create(store: &Store, tenant: &TenantId, job: &ImportJob) -> Result<(), StoreError> {
    store.write(Write::create(Put::new(&key(tenant, job.id), ENTITY, job)?, "import")).await
}

pub async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<ImportJob>, StoreError> {
    store.get(&key(tenant, id)).await
}

/// Writes `next` if the job is still at `expected` (one runner advances a job at a time).
pub async fn replace(store: &Store, tenant: &TenantId, expected: u64, next: &ImportJob) -> Result<(), StoreError> {
    store.write(Write::replace(Put::new(&key(tenant, next.id), ENTITY, next)?, expected)).await
}

pub(crate) fn list_query(tenant: &TenantId) -> Query {
    Query::partition(partition(tenant)).newest_first()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_name_their_job() {
        let tenant = nudge_core::testing::tenant(9);
        let id = Uuid::now_v7();
        let key = ImportJob::object(&tenant, id);
        let (t, rest) = ObjectKey::parse(key.as_str()).unwrap();
        assert_eq!((t, ImportJob::from_object(&rest)), (tenant, Some(id)));
        assert_eq!(ImportJob::from_object("media/x/original"), None);
    }

    #[test]
    fn errors_are_capped_but_counted() {
        let mut job = ImportJob::new(Uuid::nil(), ImportFormat::Csv, None, 1, Uuid::nil(), Utc::now());
        let errors: Vec<RowError> =
            (0..1500).map(|n| RowError { row: n, field: "x".into(), message: "bad".into() }).collect();
        let counts = Counts { total: 1500, failed: 1500, ..Default::default() };
        job.advance(&counts, errors, Checkpoint { offset: 10, row: 1500 }, Utc::now());
        assert_eq!((job.errors.len(), job.counts.failed, job.version), (MAX_ERRORS, 1500, 2));
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
        assert_eq!((k.pk, k.sk), (format!("T#{t}#WORKER-IMPORTS"), id.to_string()));
        assert_eq!(ImportJob::object(&t, id).as_str(), format!("tenants/{t}/imports/{id}/rows"));
    }
}
