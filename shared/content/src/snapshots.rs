//! Version snapshots. Each version keeps the whole item as it was; a snapshot larger than
//! [`INLINE_MAX`] goes to the media bucket (`tenants/<t>/content/<id>/versions/<n>-<write>.json`) with a
//! pointer in the version item, so version items stay small: a page of the version list reads whole items,
//! and DynamoDB reads at most 1 MB per Query.
//!
//! The object is written before the version item, under a name of its own (`<write>` is random): two
//! changes racing for version `n` never overwrite each other's object, and the one whose transaction fails
//! deletes its object again, so a stored object is always the one its version item points to.

use crate::error::ContentError;
use crate::model::{Content, ContentVersion};
use crate::repo::StoredVersion;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::objects::{ObjectKey, Objects};
use uuid::Uuid;

/// Largest snapshot kept in the version item, as JSON.
const INLINE_MAX: usize = 64 * 1024;

/// Where snapshots go; without a bucket every snapshot stays inline (items hold up to 400 KB, and a
/// content body is at most 256 KB of JSON).
#[derive(Clone, Debug, Default)]
pub struct Snapshots {
    objects: Option<Objects>,
}

/// The key under the tenant's prefix; only the rest is stored, and the tenant is always the caller's.
fn rest(content: Uuid, n: u64) -> String {
    format!("content/{content}/versions/{n:010}-{}.json", Uuid::new_v4().simple())
}

/// The version a change stores with its snapshot inline, whatever its size (it always fits: see
/// [`Snapshots`]); by no user when `actor` is none (a provider's report of a template's status).
pub(crate) fn inline(content: &Content, note: Option<String>, actor: Option<Uuid>, at: DateTime<Utc>) -> StoredVersion {
    let version = ContentVersion {
        content_id: content.id,
        version_number: content.version,
        status: content.status,
        title: content.fields.title.clone(),
        change_note: note,
        created_by_id: actor,
        created_at: at,
        snapshot: Some(Box::new(content.clone())),
    };
    StoredVersion { version, snapshot_object: None }
}

impl Snapshots {
    pub fn new(objects: Objects) -> Self {
        Self { objects: Some(objects) }
    }

    /// The version a change stores: `content` after it, with its note and author.
    pub(crate) async fn version(
        &self,
        tenant: &TenantId,
        content: &Content,
        note: Option<String>,
        actor: Uuid,
    ) -> Result<StoredVersion, ContentError> {
        let StoredVersion { mut version, .. } = inline(content, note, Some(actor), Utc::now());
        let json = serde_json::to_vec(content)?;
        let (Some(objects), true) = (&self.objects, json.len() > INLINE_MAX) else {
            return Ok(StoredVersion { version, snapshot_object: None });
        };
        // Written before the version item; a failed transaction discards it (see the module notes).
        let at = rest(content.id, content.version);
        objects.put(&ObjectKey::tenant(tenant, &at), json, "application/json").await?;
        version.snapshot = None;
        Ok(StoredVersion { version, snapshot_object: Some(at) })
    }

    /// The version with its snapshot, read back from the bucket if it was stored there.
    pub(crate) async fn open(&self, tenant: &TenantId, stored: StoredVersion) -> Result<ContentVersion, ContentError> {
        let (Some(at), None) = (&stored.snapshot_object, &stored.version.snapshot) else {
            return Ok(stored.version);
        };
        let objects = self.objects.as_ref().ok_or(ContentError::NoBucket)?;
        let bytes = objects.get(&ObjectKey::tenant(tenant, at)).await?;
        let snapshot: Content = serde_json::from_slice(&bytes)?;
        Ok(ContentVersion { snapshot: Some(Box::new(snapshot)), ..stored.version })
    }

    /// Deletes the bucket objects of `versions` (those stored inline have none), concurrently. Deleting an
    /// object that is already gone succeeds, so a repeated step is harmless.
    pub(crate) async fn discard(&self, tenant: &TenantId, versions: &[StoredVersion]) -> Result<(), ContentError> {
        let keys: Vec<ObjectKey> = versions
            .iter()
            .filter_map(|v| v.snapshot_object.as_deref())
            .map(|at| ObjectKey::tenant(tenant, at))
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let objects = self.objects.as_ref().ok_or(ContentError::NoBucket)?;
        let deletes = keys.iter().map(|key| async move {
            objects.delete(key).await.map_err(|source| ContentError::SnapshotKept { key: key.to_string(), source })
        });
        for done in futures_util::future::join_all(deletes).await {
            done?;
        }
        Ok(())
    }
}
