//! The media asset: seed 000's MediaAsset (fileName, fileSize, mimeType, type, url, thumbnailUrl, altText,
//! metadata, uploadedBy) merged with seed 002's (status, provider). Objects live in the media bucket under
//! `tenants/<t>/media/<id>/`; `url` and `thumbnailUrl` are short-lived presigned downloads, made per read.

use crate::{MediaStatus, MediaType};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::objects::{ObjectKey, Presigned};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where the bytes are. Seed 002 names Cloudflare Stream and Vercel Blob; this deployment stores in S3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Provider {
    #[default]
    S3,
}

/// What ingest learned from the file itself. Best effort: a value the file's headers do not state (or
/// state unreadably) is absent, and the asset is ready all the same.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metadata {
    /// The format found in the file's first bytes (`png`, `mp4`, `pdf`, …).
    pub format: String,
    /// Pixels: an image's, or a video's first video track's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Seconds of audio or video, to the millisecond, as the container states it (an MP3 without a frame
    /// count is estimated from its bitrate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 12.5)]
    pub duration_seconds: Option<f64>,
    /// Pages of a PDF, slides of a presentation, sheets of a workbook, pages of a word document as its
    /// editor last counted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_count: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MediaAsset {
    pub id: Uuid,
    pub file_name: String,
    /// Bytes: as declared until the upload is verified, then as stored.
    pub file_size: u64,
    pub mime_type: String,
    #[serde(rename = "type")]
    pub kind: MediaType,
    pub status: MediaStatus,
    pub provider: Provider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Whether a thumbnail was made (images only).
    #[serde(default)]
    pub has_thumbnail: bool,
    /// Why the upload was refused (`failed`) or the objects could not be deleted (`delete_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_by_id: Option<Uuid>,
    /// The stored object's ETag once verified: an overwrite of a ready asset is verified again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub etag: Option<String>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MediaAsset {
    pub(crate) fn original(&self, tenant: &TenantId) -> ObjectKey {
        original_key(tenant, self.id)
    }

    pub(crate) fn thumbnail(&self, tenant: &TenantId) -> ObjectKey {
        ObjectKey::tenant(tenant, &format!("media/{}/thumbnail.png", self.id))
    }

    /// The next version, as `change` leaves it.
    pub(crate) fn revised(&self, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.version = self.version + 1;
        next.updated_at = Utc::now();
        next
    }
}

/// The key of an asset's uploaded original; the upload notification fires for this suffix only.
pub(crate) fn original_key(tenant: &TenantId, asset: Uuid) -> ObjectKey {
    ObjectKey::tenant(tenant, &format!("media/{asset}/original"))
}

/// The asset named by the rest of an object key (`media/<id>/original`), if it names one.
pub(crate) fn asset_of(rest: &str) -> Option<Uuid> {
    let id = rest.strip_prefix("media/")?.strip_suffix("/original")?;
    Uuid::parse_str(id).ok().filter(|u| u.hyphenated().to_string() == id)
}

/// An asset as served: with short-lived download links when it is ready.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MediaView {
    #[serde(flatten)]
    pub asset: MediaAsset,
    /// A presigned download of the file (single reads of a ready asset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_expires_at: Option<DateTime<Utc>>,
}

/// A created asset and where to upload its file.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Created {
    #[serde(flatten)]
    pub asset: MediaAsset,
    /// PUT the file here, with exactly the headers in `upload.headers`.
    pub upload_url: String,
    pub upload: Presigned,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_originals_name_an_asset() {
        let id = Uuid::now_v7();
        assert_eq!(asset_of(&format!("media/{id}/original")), Some(id));
        assert_eq!(asset_of(&format!("media/{id}/thumbnail.png")), None);
        assert_eq!(asset_of(&format!("media/{}/original", id.simple())), None);
        assert_eq!(asset_of("imports/x/rows"), None);
    }
}
