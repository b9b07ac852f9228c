//! Where media assets live in the table (see [`crate::asset`] for the asset and usage keys).
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | asset | `T#<t>#MEDIA` | `<id>` | `T#<t>#MEDIA#STATUS#<status>` / `<type>#<id>` | `T#<t>#MEDIA#TYPE#<type>` / `<id>` |
//!
//! | access pattern | operation | key condition | index |
//! |---|---|---|---|
//! | by id | GetItem | `pk = T#<t>#MEDIA`, `sk = <id>` | table |
//! | all, oldest first | Query | `pk = T#<t>#MEDIA` | table |
//! | by status (by type, then oldest first) | Query | `gsi1pk = T#<t>#MEDIA#STATUS#<status>` | gsi1 |
//! | by status and type | Query | `gsi1pk = …#STATUS#<status>`, `begins_with(gsi1sk, "<type>#")` | gsi1 |
//! | by type | Query | `gsi2pk = T#<t>#MEDIA#TYPE#<type>` | gsi2 |
//! | is it used by content | Query, limit 1 | `pk = T#<t>#MEDIAUSE#<id>` | table |

use crate::asset::{self as media, ASSET_ENTITY, MediaStatus, MediaType};
use crate::error::MediaError;
use crate::input::Filter;
use crate::model::MediaAsset;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::tenant_partition;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Write};
use serde::Deserialize;
use uuid::Uuid;

fn status_partition(tenant: &TenantId, status: MediaStatus) -> String {
    tenant_partition(tenant, &format!("MEDIA#STATUS#{}", status.as_str()))
}

fn type_partition(tenant: &TenantId, kind: MediaType) -> String {
    tenant_partition(tenant, &format!("MEDIA#TYPE#{}", kind.as_str()))
}

fn put(tenant: &TenantId, asset: &MediaAsset) -> Result<Put, StoreError> {
    let (kind, id) = (asset.kind, asset.id);
    Ok(Put::new(&media::asset_key(tenant, id), ASSET_ENTITY, asset)?
        .index(Index::Gsi1, status_partition(tenant, asset.status), format!("{}#{id}", kind.as_str()))
        .index(Index::Gsi2, type_partition(tenant, kind), id.to_string()))
}

pub(crate) async fn create(store: &Store, tenant: &TenantId, asset: &MediaAsset) -> Result<(), MediaError> {
    Ok(store.write(Write::create(put(tenant, asset)?, "media asset")).await?)
}

pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<MediaAsset>, MediaError> {
    Ok(store.get(&media::asset_key(tenant, id)).await?)
}

/// Writes `next` over `current` if nobody changed it since (else a version conflict).
pub(crate) async fn replace(
    store: &Store,
    tenant: &TenantId,
    current: &MediaAsset,
    next: &MediaAsset,
) -> Result<(), MediaError> {
    Ok(store.write(Write::replace(put(tenant, next)?, current.version)).await?)
}

/// Deletes the record if it is still the version read.
pub(crate) async fn delete(store: &Store, tenant: &TenantId, current: &MediaAsset) -> Result<(), MediaError> {
    Ok(store.write(Write::delete(media::asset_key(tenant, current.id)).if_version(current.version)).await?)
}

#[derive(Deserialize)]
struct Usage {}

/// Whether any content references the asset (strongly consistent: read after the asset left `ready`).
pub(crate) async fn in_use(store: &Store, tenant: &TenantId, id: Uuid) -> Result<bool, MediaError> {
    let page: Page<Usage> =
        store.page("internal", &Query::partition(media::usage_partition(tenant, id)).consistent(), 1, None).await?;
    Ok(!page.items.is_empty())
}

pub(crate) async fn list(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    filter: &Filter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<MediaAsset>, MediaError> {
    let query = match (filter.status, filter.kind) {
        (None, None) => Query::partition(media::assets_partition(tenant)),
        (Some(status), kind) => Query {
            sort_prefix: kind.map(|k| format!("{}#", k.as_str())),
            ..Query::partition(status_partition(tenant, status)).on(Index::Gsi1)
        },
        (None, Some(kind)) => Query::partition(type_partition(tenant, kind)).on(Index::Gsi2),
    };
    Ok(store.page(scope, &query, limit, cursor).await?)
}
