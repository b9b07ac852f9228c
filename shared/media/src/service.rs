//! What the media routes do, below HTTP: declare an upload, serve an asset with its download links, edit its
//! name and text, delete it. Everything here answers [`MediaError`].
//!
//! Deleting: content pins an asset with a usage item written in the same transaction as a check that the
//! asset is `ready`; so the asset first leaves `ready` (`delete_pending`), after which no new usage can
//! appear, and only then are usages looked for. If content uses it, it goes back as it was
//! ([`MediaError::InUse`]); else its objects are deleted, then its record. A failure to delete the objects
//! leaves it `delete_failed`, and a delete runs again from there.

use crate::error::MediaError;
use crate::input::Declared;
use crate::model::{Created, MediaAsset, MediaView, Provider, original_key};
use crate::{MediaStatus, repo};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::objects::Objects;
use nudge_core::store::{Attempt, Store};
use std::time::Duration;
use uuid::Uuid;

/// How long an upload URL works: long enough for a large file on a slow line, short enough that an
/// abandoned one is soon useless.
const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a download URL works: a page showing the asset reads it again.
const DOWNLOAD_TTL: Duration = Duration::from_secs(5 * 60);

/// Records a declared upload by `actor` as a `processing` asset, and presigns the PUT of its file.
pub(crate) async fn declare(
    store: &Store,
    objects: &Objects,
    tenant: &TenantId,
    actor: Uuid,
    declared: Declared,
) -> Result<Created, MediaError> {
    let now = Utc::now();
    let asset = MediaAsset {
        id: Uuid::now_v7(),
        file_name: declared.file_name,
        file_size: declared.size,
        mime_type: declared.mime_type,
        kind: declared.kind,
        status: MediaStatus::Processing,
        provider: Provider::S3,
        alt_text: declared.alt_text,
        metadata: None,
        has_thumbnail: false,
        failure_reason: None,
        uploaded_by_id: Some(actor),
        etag: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    // The record exists before the URL does, so every upload event finds its asset.
    repo::create(store, tenant, &asset).await?;
    let upload =
        objects.presign_put(&original_key(tenant, asset.id), &asset.mime_type, asset.file_size, UPLOAD_TTL).await?;
    tracing::info!(asset_id = %asset.id, media_type = asset.kind.as_str(), size = asset.file_size, "media asset declared");
    Ok(Created { asset, upload_url: upload.url.clone(), upload })
}

/// The asset `id` of this tenant.
pub(crate) async fn find(store: &Store, tenant: &TenantId, id: Uuid) -> Result<MediaAsset, MediaError> {
    repo::get(store, tenant, id).await?.ok_or(MediaError::NotFound)
}

/// The asset with presigned downloads of its file and thumbnail, when it is ready.
pub(crate) async fn view(objects: &Objects, tenant: &TenantId, asset: MediaAsset) -> Result<MediaView, MediaError> {
    if asset.status != MediaStatus::Ready {
        return Ok(MediaView { asset, url: None, thumbnail_url: None, url_expires_at: None });
    }
    let file = objects.presign_get(&asset.original(tenant), DOWNLOAD_TTL, Some(&asset.file_name)).await?;
    let thumbnail = match asset.has_thumbnail {
        true => Some(objects.presign_get(&asset.thumbnail(tenant), DOWNLOAD_TTL, None).await?.url),
        false => None,
    };
    Ok(MediaView { asset, url: Some(file.url), thumbnail_url: thumbnail, url_expires_at: Some(file.expires_at) })
}

/// A presigned download of a ready asset's file (inline: a page shows it), for another domain that shows
/// media to someone without an account (a worker's touchpoint page); `None` when it is not ready or gone.
pub async fn inline_url(
    store: &Store,
    objects: &Objects,
    tenant: &TenantId,
    id: Uuid,
    ttl: std::time::Duration,
) -> Result<Option<String>, Unreadable> {
    let read = repo::get(store, tenant, id).await.map_err(|e| Unreadable(e.to_string()))?;
    let Some(asset) = read.filter(|a| a.status == MediaStatus::Ready) else { return Ok(None) };
    let url = objects.presign_get(&asset.original(tenant), ttl, None).await.map_err(|e| Unreadable(e.to_string()))?;
    Ok(Some(url.url))
}

/// The table or the bucket failed.
#[derive(Debug, thiserror::Error)]
#[error("media could not be read: {0}")]
pub struct Unreadable(String);

/// Gives `current` a new name and alternative text; [`Attempt::Retry`] when another writer changed it since
/// it was read.
pub(crate) async fn edit(
    store: &Store,
    tenant: &TenantId,
    current: MediaAsset,
    file_name: String,
    alt_text: Option<String>,
) -> Result<Attempt<MediaAsset>, MediaError> {
    if file_name == current.file_name && alt_text == current.alt_text {
        return Ok(Attempt::Done(current));
    }
    let next = current.revised(|a| {
        a.file_name = file_name;
        a.alt_text = alt_text;
    });
    match repo::replace(store, tenant, &current, &next).await {
        Ok(()) => Ok(Attempt::Done(next)),
        Err(e) if e.is_version_conflict() => Ok(Attempt::Retry),
        Err(e) => Err(e),
    }
}

/// Deletes asset `id` with its files, unless content uses it (see the module notes); `expected` is the
/// version the caller pinned, if any.
pub(crate) async fn delete(
    store: &Store,
    objects: &Objects,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
) -> Result<(), MediaError> {
    let current = find(store, tenant, id).await?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(MediaError::Stale);
    }
    let pending = current.revised(|a| {
        a.status = MediaStatus::DeletePending;
        a.failure_reason = None;
    });
    repo::replace(store, tenant, &current, &pending).await?;
    if repo::in_use(store, tenant, current.id).await? {
        let back = pending.revised(|a| {
            a.status = current.status;
            a.failure_reason = current.failure_reason.clone();
        });
        repo::replace(store, tenant, &pending, &back).await?;
        return Err(MediaError::InUse);
    }
    let deleted = async {
        objects.delete(&pending.original(tenant)).await?;
        objects.delete(&pending.thumbnail(tenant)).await
    };
    if let Err(source) = deleted.await {
        let failed = pending.revised(|a| {
            a.status = MediaStatus::DeleteFailed;
            a.failure_reason = Some("the stored files could not be deleted; delete again to retry".into());
        });
        repo::replace(store, tenant, &pending, &failed).await?;
        return Err(MediaError::FilesKept { asset: current.id, source });
    }
    repo::delete(store, tenant, &pending).await?;
    tracing::info!(asset_id = %current.id, "media asset deleted");
    Ok(())
}
