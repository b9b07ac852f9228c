//! Pinned modules (seed 002 UserPinnedModule, CompanyPinnedModule): a learner's own, and the
//! organization's, which every learner sees marked. Pinning again changes nothing.

use crate::keys;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pin {
    pub module_id: Uuid,
    /// Who pinned it for the organization (a company pin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_by: Option<Uuid>,
    pub pinned_at: DateTime<Utc>,
}

/// Pins `module` for `user` (kept as first pinned when already).
pub async fn pin_for_user(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    module: Uuid,
    now: DateTime<Utc>,
) -> Result<Pin, StoreError> {
    let key = keys::user_pin(tenant, user, module);
    if let Some(p) = store.get::<Pin>(&key).await? {
        return Ok(p);
    }
    let pin = Pin { module_id: module, pinned_by: None, pinned_at: now };
    store.write(Write::upsert(Put::new(&key, "UserPinnedModule", &pin)?)).await?;
    Ok(pin)
}

pub async fn unpin_for_user(store: &Store, tenant: &TenantId, user: Uuid, module: Uuid) -> Result<(), StoreError> {
    store.write(Write::delete(keys::user_pin(tenant, user, module))).await
}

pub async fn user_pins(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Vec<Pin>, StoreError> {
    let query = Query { sort_prefix: Some("PIN#".into()), ..Query::partition(keys::learner_partition(tenant, user)) };
    store.all(&query).await
}

/// Pins `module` for the organization.
pub async fn pin_for_company(
    store: &Store,
    tenant: &TenantId,
    module: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Pin, StoreError> {
    let key = keys::company_pin(tenant, module);
    if let Some(p) = store.get::<Pin>(&key).await? {
        return Ok(p);
    }
    let pin = Pin { module_id: module, pinned_by: Some(by), pinned_at: now };
    store.write(Write::upsert(Put::new(&key, "CompanyPinnedModule", &pin)?)).await?;
    Ok(pin)
}

pub async fn unpin_for_company(store: &Store, tenant: &TenantId, module: Uuid) -> Result<(), StoreError> {
    store.write(Write::delete(keys::company_pin(tenant, module))).await
}

pub async fn company_pins(store: &Store, tenant: &TenantId) -> Result<Vec<Pin>, StoreError> {
    let mut all: Vec<Pin> = store.all(&Query::partition(keys::company_pins_partition(tenant))).await?;
    all.sort_by_key(|p| p.pinned_at);
    Ok(all)
}
