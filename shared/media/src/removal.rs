//! Deleting an asset. Content pins an asset with a usage item written in the same transaction as a check
//! that the asset is `ready`; so the asset first leaves `ready` (`delete_pending`), after which no new usage
//! can appear, and only then are usages looked for. If content uses it, it goes back as it was (409); else
//! its objects are deleted, then its record. A failure to delete the objects leaves it `delete_failed`, and
//! DELETE runs again from there.

use crate::MediaStatus;
use crate::model::MediaAsset;
use crate::repo;
use nudge_core::TenantId;
use nudge_core::http::ApiError;
use nudge_core::objects::Objects;
use nudge_core::store::Store;

pub async fn remove(store: &Store, objects: &Objects, tenant: &TenantId, current: MediaAsset) -> Result<(), ApiError> {
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
        return Err(ApiError::Conflict("content uses this media asset; change that content first".into(), vec![]));
    }
    let deleted = async {
        objects.delete(&pending.original(tenant)).await?;
        objects.delete(&pending.thumbnail(tenant)).await
    };
    if let Err(err) = deleted.await {
        let failed = pending.revised(|a| {
            a.status = MediaStatus::DeleteFailed;
            a.failure_reason = Some("the stored files could not be deleted; delete again to retry".into());
        });
        repo::replace(store, tenant, &pending, &failed).await?;
        return Err(ApiError::internal(format!("deleting the objects of asset {}: {err}", current.id)));
    }
    repo::delete(store, tenant, &pending).await?;
    tracing::info!(asset_id = %current.id, "media asset deleted");
    Ok(())
}
