//! What the content and media domains share about media assets: their types and statuses, where an asset
//! and its usages live in the table, and the reference rule content must meet. Content pins an asset with a
//! usage item (written in the content's own transaction, beside a check that the asset is still `ready`);
//! the media function refuses to delete an asset while any usage item exists.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | asset | `T#<t>#MEDIA` | `<assetId>` |
//! | usage of an asset by content | `T#<t>#MEDIAUSE#<assetId>` | `<contentId>` |

use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Put, StoreError, Write};
use nudge_core::tenancy::TenantId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The table's `entity` tag of an asset item.
pub(crate) const ASSET_ENTITY: &str = "MediaAsset";
/// The label of the check that a referenced asset is still ready (see [`no_longer_ready`]).
const ASSET_READY: &str = "media asset";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Image,
    Video,
    Audio,
    Document,
}

impl MediaType {
    pub(crate) const ALL: [Self; 4] = [Self::Image, Self::Video, Self::Audio, Self::Document];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// Seed 002's lifecycle: `processing` until the upload is verified, then `ready` or `failed`;
/// `delete_pending` while objects are being removed, `delete_failed` when that must be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    Processing,
    Ready,
    Failed,
    DeletePending,
    DeleteFailed,
}

impl MediaStatus {
    pub(crate) const ALL: [Self; 5] =
        [Self::Processing, Self::Ready, Self::Failed, Self::DeletePending, Self::DeleteFailed];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::DeletePending => "delete_pending",
            Self::DeleteFailed => "delete_failed",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// The tenant's asset partition (one item per asset; the plain list reads it).
pub(crate) fn assets_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MEDIA")
}

pub fn asset_key(tenant: &TenantId, asset: Uuid) -> Key {
    Key::tenant(tenant, "MEDIA", asset.to_string())
}

/// Where an asset's uploaded original is in the media bucket (`tenants/<t>/media/<id>/original`), for a
/// domain that reads the file (the module builder).
pub fn original_object(tenant: &TenantId, asset: Uuid) -> nudge_core::objects::ObjectKey {
    crate::model::original_key(tenant, asset)
}

/// Where the usages of one asset live: one Query tells whether anything uses it.
pub(crate) fn usage_partition(tenant: &TenantId, asset: Uuid) -> String {
    tenant_partition(tenant, &format!("MEDIAUSE#{asset}"))
}

fn usage_key(tenant: &TenantId, asset: Uuid, content: Uuid) -> Key {
    Key { pk: usage_partition(tenant, asset), sk: content.to_string() }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Usage {
    asset_id: Uuid,
    content_id: Uuid,
}

/// The writes that move a content item's reference from `old` to `new` (either may be none): a usage item
/// for the new asset with a check that it is still ready, and the old usage removed. Nothing when the
/// reference did not change.
pub fn repoint(
    tenant: &TenantId,
    content: Uuid,
    old: Option<Uuid>,
    new: Option<Uuid>,
) -> Result<Vec<Write>, StoreError> {
    if old == new {
        return Ok(vec![]);
    }
    let mut writes = Vec::new();
    if let Some(asset) = new {
        let usage = Put::new(
            &usage_key(tenant, asset, content),
            "MediaUsage",
            &Usage { asset_id: asset, content_id: content },
        )?;
        writes.push(Write::upsert(usage));
        writes.push(Write::check(asset_key(tenant, asset), ASSET_READY).if_equals(
            "status",
            MediaStatus::Ready.as_str(),
            ASSET_READY,
        ));
    }
    if let Some(asset) = old {
        writes.push(Write::delete(usage_key(tenant, asset, content)));
    }
    Ok(writes)
}

/// Whether a write carrying [`repoint`]'s writes failed because the new asset is no longer `ready` (it
/// left `ready` after content checked it): the label of that check stays in this module.
pub fn no_longer_ready(err: &StoreError) -> bool {
    matches!(err, StoreError::Condition(ASSET_READY))
}

/// Why an asset cannot be used where content expects a ready asset of one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unfit {
    #[error("is a {} asset; this content needs a {} asset", .found.as_str(), .wanted.as_str())]
    Kind { found: MediaType, wanted: MediaType },
    #[error("is {}; only a ready asset can be used", .0.as_str())]
    Status(MediaStatus),
}

/// What content needs to know about an asset it references (decoded from the asset item, ignoring the rest).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRef {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: MediaType,
    pub status: MediaStatus,
    #[serde(default)]
    pub metadata: Option<AssetFacts>,
}

/// What ingest read from the file that content takes over.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetFacts {
    pub duration_seconds: Option<f64>,
}

impl AssetRef {
    /// The file's length in whole seconds (rounded), when ingest could read it.
    pub fn duration(&self) -> Option<u32> {
        let seconds = self.metadata.as_ref()?.duration_seconds?;
        // Float to int casts saturate in Rust; anything out of range or not a number is no duration.
        (seconds.is_finite() && seconds >= 0.0 && seconds < f64::from(u32::MAX)).then(|| seconds.round() as u32)
    }

    /// Why this asset cannot be used where `wanted` is expected, if it cannot.
    pub fn unusable_for(&self, wanted: MediaType) -> Option<Unfit> {
        if self.kind != wanted {
            Some(Unfit::Kind { found: self.kind, wanted })
        } else if self.status != MediaStatus::Ready {
            Some(Unfit::Status(self.status))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_usability() {
        for t in MediaType::ALL {
            assert_eq!(MediaType::parse(t.as_str()), Some(t));
        }
        for s in MediaStatus::ALL {
            assert_eq!(MediaStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        let asset = AssetRef { id: Uuid::nil(), kind: MediaType::Image, status: MediaStatus::Ready, metadata: None };
        assert!(asset.unusable_for(MediaType::Image).is_none());
        assert_eq!(
            asset.unusable_for(MediaType::Video).map(|u| u.to_string()).as_deref(),
            Some("is a image asset; this content needs a video asset")
        );
        let processing = AssetRef { status: MediaStatus::Processing, ..asset };
        assert_eq!(
            processing.unusable_for(MediaType::Image).map(|u| u.to_string()).as_deref(),
            Some("is processing; only a ready asset can be used")
        );
    }

    #[test]
    fn repointing_writes_only_what_changed() {
        let t = nudge_core::testing::tenant(0);
        let (c, a, b) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert!(repoint(&t, c, Some(a), Some(a)).unwrap().is_empty());
        assert_eq!(repoint(&t, c, None, Some(a)).unwrap().len(), 2);
        assert_eq!(repoint(&t, c, Some(a), Some(b)).unwrap().len(), 3);
        assert_eq!(repoint(&t, c, Some(a), None).unwrap().len(), 1);
        assert!(no_longer_ready(&StoreError::Condition(ASSET_READY)));
        assert!(!no_longer_ready(&StoreError::Condition("version")));
    }

    #[test]
    fn durations_are_whole_seconds_when_sane() {
        let with = |seconds: f64| AssetRef {
            id: Uuid::nil(),
            kind: MediaType::Audio,
            status: MediaStatus::Ready,
            metadata: Some(AssetFacts { duration_seconds: Some(seconds) }),
        };
        assert_eq!(with(2.5).duration(), Some(3));
        assert_eq!(with(7.499).duration(), Some(7));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e12] {
            assert_eq!(with(bad).duration(), None, "{bad}");
        }
        let decoded: AssetRef = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "type": "video", "status": "ready",
            "metadata": {"format": "mp4", "durationSeconds": 7.5, "width": 1280}
        }))
        .unwrap();
        assert_eq!(decoded.duration(), Some(8));
    }
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let (asset, content) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let k = asset_key(&t, asset);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#MEDIA"), asset.to_string()));
        let u = usage_key(&t, asset, content);
        assert_eq!((u.pk, u.sk), (format!("T#{t}#MEDIAUSE#{asset}"), content.to_string()));
    }
}
