//! Version snapshots. Each version keeps the whole item as it was; a snapshot larger than
//! [`INLINE_MAX`] goes to the media bucket (`tenants/<t>/content/<id>/versions/<n>.json`) with a pointer in
//! the version item, so version items stay small: a page of the version list reads whole items, and
//! DynamoDB reads at most 1 MB per Query.

use crate::model::{Content, ContentVersion};
use crate::repo::StoredVersion;
use chrono::Utc;
use nudge::TenantId;
use nudge::http::{ApiError, ApiResult};
use nudge::objects::{ObjectKey, Objects};
use uuid::Uuid;

/// Largest snapshot kept in the version item, as JSON.
pub const INLINE_MAX: usize = 64 * 1024;

/// Where snapshots go; without a bucket every snapshot stays inline (items hold up to 400 KB, and a
/// content body is at most 256 KB of JSON).
#[derive(Clone, Debug, Default)]
pub struct Snapshots {
    objects: Option<Objects>,
}

/// The key under the tenant's prefix; only the rest is stored, and the tenant is always the caller's.
fn rest(content: Uuid, n: u64) -> String {
    format!("content/{content}/versions/{n:010}.json")
}

impl Snapshots {
    pub fn new(objects: Objects) -> Self {
        Self { objects: Some(objects) }
    }

    /// The version a change stores: `content` after it, with its note and author.
    pub async fn version(
        &self,
        tenant: &TenantId,
        content: &Content,
        note: Option<String>,
        actor: Uuid,
    ) -> ApiResult<StoredVersion> {
        let mut version = ContentVersion {
            content_id: content.id,
            version_number: content.version,
            status: content.status,
            title: content.fields.title.clone(),
            change_note: note,
            created_by_id: Some(actor),
            created_at: Utc::now(),
            snapshot: Some(Box::new(content.clone())),
        };
        let json = serde_json::to_vec(content).map_err(ApiError::internal)?;
        let (Some(objects), true) = (&self.objects, json.len() > INLINE_MAX) else {
            return Ok(StoredVersion { version, snapshot_object: None });
        };
        // Written before the version item: a failed transaction leaves an object the retry overwrites.
        let at = rest(content.id, content.version);
        objects.put(&ObjectKey::tenant(tenant, &at), json, "application/json").await?;
        version.snapshot = None;
        Ok(StoredVersion { version, snapshot_object: Some(at) })
    }

    /// The version with its snapshot, read back from the bucket if it was stored there.
    pub async fn open(&self, tenant: &TenantId, stored: StoredVersion) -> ApiResult<ContentVersion> {
        let (Some(at), None) = (&stored.snapshot_object, &stored.version.snapshot) else {
            return Ok(stored.version);
        };
        let objects =
            self.objects.as_ref().ok_or_else(|| ApiError::internal("a snapshot in the bucket, and no bucket"))?;
        let bytes = objects.get(&ObjectKey::tenant(tenant, at)).await?;
        let snapshot: Content = serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
        Ok(ContentVersion { snapshot: Some(Box::new(snapshot)), ..stored.version })
    }
}
