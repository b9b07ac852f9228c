//! Segment sync jobs (seed 000 SegmentSyncJob): one full re-evaluation of a rule-based segment, with the
//! checkpoint that lets it continue in a new message and resume after a crash.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | sync job | `T#<t>#SEGMENT#<segmentId>#SYNC-JOBS` | `<jobId>` (UUIDv7: newest last) |

use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "SegmentSyncJob";

/// The shared lifecycle of background jobs.
pub type SyncStatus = nudge_core::jobs::JobStatus;

/// Why the job was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrigger {
    /// `POST /segments/{id}/sync`.
    Manual,
    /// The segment was created or its rule changed.
    RuleChange,
    /// The schedule of time-relative rules.
    Schedule,
}

/// Where the job is: the shard being read, the last worker done in it, and the key to read on from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub shard: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_sk: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    pub id: Uuid,
    pub segment_id: Uuid,
    pub status: SyncStatus,
    pub trigger: SyncTrigger,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Workers evaluated.
    #[serde(default)]
    pub processed_count: u64,
    /// Workers the rule matched.
    #[serde(default)]
    pub match_count: u64,
    /// Memberships the job added and removed.
    #[serde(default)]
    pub added_count: u64,
    #[serde(default)]
    pub removed_count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The rule version being applied, and the instant relative rules are measured from (fixed per job so
    /// every page sees the same clock).
    #[serde(default)]
    pub rule_version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub checkpoint: Checkpoint,
    /// Failed runs so far; the job fails for good after a few.
    #[serde(default)]
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// A sync job as the API answers it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncJobView {
    pub id: Uuid,
    pub segment_id: Uuid,
    pub status: SyncStatus,
    pub trigger: SyncTrigger,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub processed_count: u64,
    pub match_count: u64,
    pub added_count: u64,
    pub removed_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SyncJob {
    pub fn new(segment_id: Uuid, trigger: SyncTrigger, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            segment_id,
            status: SyncStatus::Pending,
            trigger,
            started_at: None,
            completed_at: None,
            processed_count: 0,
            match_count: 0,
            added_count: 0,
            removed_count: 0,
            error_message: None,
            rule_version: 0,
            evaluated_at: None,
            checkpoint: Checkpoint::default(),
            attempts: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.status.is_finished()
    }

    /// Starts (or starts over, after a rule change) from the first worker.
    pub(crate) fn restart(&mut self, rule_version: u64, now: DateTime<Utc>) {
        self.status = SyncStatus::Processing;
        self.started_at.get_or_insert(now);
        self.rule_version = rule_version;
        self.evaluated_at = Some(now);
        self.checkpoint = Checkpoint::default();
        self.processed_count = 0;
        self.match_count = 0;
        self.added_count = 0;
        self.removed_count = 0;
    }

    pub(crate) fn fail(&mut self, message: impl Into<String>, now: DateTime<Utc>) {
        self.status = SyncStatus::Failed;
        self.error_message = Some(message.into());
        self.completed_at = Some(now);
    }

    pub(crate) fn view(&self) -> SyncJobView {
        SyncJobView {
            id: self.id,
            segment_id: self.segment_id,
            status: self.status,
            trigger: self.trigger,
            started_at: self.started_at,
            completed_at: self.completed_at,
            processed_count: self.processed_count,
            match_count: self.match_count,
            added_count: self.added_count,
            removed_count: self.removed_count,
            error_message: self.error_message.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn partition(tenant: &TenantId, segment: Uuid) -> String {
    tenant_partition(tenant, &format!("SEGMENT#{segment}#SYNC-JOBS"))
}

pub(crate) fn key(tenant: &TenantId, segment: Uuid, id: Uuid) -> Key {
    Key { pk: partition(tenant, segment), sk: id.to_string() }
}

pub fn put(tenant: &TenantId, job: &SyncJob) -> Result<Put, StoreError> {
    Put::new(&key(tenant, job.segment_id, job.id), ENTITY, job)
}

pub async fn get(store: &Store, tenant: &TenantId, segment: Uuid, id: Uuid) -> Result<Option<SyncJob>, StoreError> {
    store.get(&key(tenant, segment, id)).await
}

/// Writes the job's next version, if nobody else moved it since `expected`.
pub(crate) async fn replace(store: &Store, tenant: &TenantId, expected: u64, job: &SyncJob) -> Result<(), StoreError> {
    store.write(Write::replace(put(tenant, job)?, expected)).await
}

pub(crate) fn list_query(tenant: &TenantId, segment: Uuid) -> Query {
    Query::partition(partition(tenant, segment)).newest_first()
}

/// Deletes up to `limit` jobs of a deleted segment; `true` when none are left.
pub(crate) async fn purge(store: &Store, tenant: &TenantId, segment: Uuid, limit: u32) -> Result<bool, StoreError> {
    store.delete_page(&Query::partition(partition(tenant, segment)), limit).await
}
