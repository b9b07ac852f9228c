//! What the routes ask of the domain, on fields already read and sealed (see input): no HTTP, every error an
//! [`IntegrationError`].

use crate::error::IntegrationError;
use crate::model::{Integration, IntegrationFields};
use crate::repo;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::store::Store;
use uuid::Uuid;

/// Stores a new integration under `id`, the id its secrets were sealed for.
pub(crate) async fn create(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    fields: IntegrationFields,
) -> Result<Integration, IntegrationError> {
    let item = Integration::new(id, fields, Utc::now());
    repo::create(store, tenant, &item).await?;
    tracing::info!(integration_id = %id, integration_type = %item.fields.kind, "integration created");
    Ok(item)
}

pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Integration, IntegrationError> {
    repo::get(store, tenant, id).await?.ok_or(IntegrationError::NotFound)
}

/// `current` with new fields, written only if it is still the version read ([`IntegrationError::Changed`]
/// otherwise). The same fields write nothing.
pub(crate) async fn revise(
    store: &Store,
    tenant: &TenantId,
    current: Integration,
    fields: IntegrationFields,
) -> Result<Integration, IntegrationError> {
    if fields == current.fields {
        return Ok(current);
    }
    let next = current.revised(fields, Utc::now());
    repo::replace(store, tenant, &current, &next).await?;
    Ok(next)
}

/// Deletes the integration; with `expected` (If-Match) only while it is that version.
pub(crate) async fn delete(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
) -> Result<(), IntegrationError> {
    match expected {
        // Without a precondition one conditional delete does it.
        None => repo::delete(store, tenant, id).await?,
        Some(version) => {
            let current = get(store, tenant, id).await?;
            if current.version != version {
                return Err(IntegrationError::Changed);
            }
            repo::delete_version(store, tenant, &current).await?;
        }
    }
    tracing::info!(integration_id = %id, "integration deleted");
    Ok(())
}
