//! Where integrations live in the table. A tenant has a handful, so one partition holds them all; each
//! filter of the list is a key condition, never a filter over what was read.
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | integration | `T#<t>#INTEGRATIONS` | `<id>` | `T#<t>#INTEGRATIONS#STATUS#<status>` / `<type>#<id>` | `T#<t>#INTEGRATIONS#TYPE#<type>` / `<id>` |
//! | registry (id → tenant) | `P#INTEGRATION#<id>` | `tenant` | | |
//!
//! | access pattern | operation | key condition | index |
//! |---|---|---|---|
//! | by id | GetItem | `pk = T#<t>#INTEGRATIONS`, `sk = <id>` | table |
//! | all, oldest first | Query | `pk = T#<t>#INTEGRATIONS` | table |
//! | by status (by type, then oldest first) | Query | `gsi1pk = T#<t>#INTEGRATIONS#STATUS#<status>` | gsi1 |
//! | by status and type, oldest first | Query | `gsi1pk = …#STATUS#<status>`, `begins_with(gsi1sk, "<type>#")` | gsi1 |
//! | by type, oldest first | Query | `gsi2pk = T#<t>#INTEGRATIONS#TYPE#<type>` | gsi2 |
//!
//! Ids are UUIDv7, so id order is creation order. `#` cannot occur in a type, so the `<type>#` prefix matches
//! that type exactly. Index reads are eventually consistent: a list right after a write may lag it briefly.

use crate::error::IntegrationError;
use crate::input::Filter;
use crate::model::{Integration, IntegrationStatus, IntegrationType};
use nudge_core::http::Page;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Index, Put, Query, Store, StoreError, Tx, Write};
use nudge_core::{TenantId, TenantRef};
use uuid::Uuid;

const ENTITY: &str = "Integration";
/// The condition label of a create (the id is free) and of a delete (the item is an integration).
const EXISTS: &str = "integration";

fn partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "INTEGRATIONS")
}

fn status_partition(tenant: &TenantId, status: IntegrationStatus) -> String {
    tenant_partition(tenant, &format!("INTEGRATIONS#STATUS#{}", status.as_str()))
}

fn type_partition(tenant: &TenantId, kind: &IntegrationType) -> String {
    tenant_partition(tenant, &format!("INTEGRATIONS#TYPE#{kind}"))
}

fn key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "INTEGRATIONS", id.to_string())
}

fn put(tenant: &TenantId, item: &Integration) -> Result<Put, StoreError> {
    let (kind, id) = (&item.fields.kind, item.id);
    Ok(Put::new(&key(tenant, id), ENTITY, item)?
        .index(Index::Gsi1, status_partition(tenant, item.fields.status), format!("{kind}#{id}"))
        .index(Index::Gsi2, type_partition(tenant, kind), id.to_string()))
}

/// The platform's pointer from an integration id to its tenant, for callbacks that name only the
/// integration (a provider's webhook URL): `P#INTEGRATION#<id>` / `tenant`.
fn registry_key(id: Uuid) -> Key {
    Key::platform(&format!("INTEGRATION#{id}"), "tenant")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Registered {
    tenant: TenantRef,
}

/// The tenant an integration id belongs to, if it exists.
pub(crate) async fn tenant_of(store: &Store, id: Uuid) -> Result<Option<TenantId>, IntegrationError> {
    let found: Option<Registered> = store.get(&registry_key(id)).await?;
    Ok(found.map(|r| r.tenant.tenant()))
}

/// A moved version is [`IntegrationError::Changed`]; other store errors stay what they are.
fn changed(err: StoreError) -> IntegrationError {
    if err.is_version_conflict() { IntegrationError::Changed } else { err.into() }
}

/// Writes a new integration; [`IntegrationError::IdTaken`] if its id is stored already.
pub(crate) async fn create(store: &Store, tenant: &TenantId, item: &Integration) -> Result<(), IntegrationError> {
    let registered = Put::new(&registry_key(item.id), "IntegrationRegistry", &Registered { tenant: tenant.into() })?;
    let tx = Tx::new().with(Write::create(put(tenant, item)?, EXISTS)).with(Write::create(registered, EXISTS));
    store.transact(tx).await.map_err(|e| match e {
        StoreError::Condition(EXISTS) => IntegrationError::IdTaken,
        other => other.into(),
    })
}

pub(crate) async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Integration>, IntegrationError> {
    Ok(store.get(&key(tenant, id)).await?)
}

/// Writes `next` over `current` if nobody changed it since, else [`IntegrationError::Changed`].
pub(crate) async fn replace(
    store: &Store,
    tenant: &TenantId,
    current: &Integration,
    next: &Integration,
) -> Result<(), IntegrationError> {
    // With the registry entry, so an integration made before the registry existed gets one on its next save.
    let registered = Put::new(&registry_key(next.id), "IntegrationRegistry", &Registered { tenant: tenant.into() })?;
    let tx = Tx::new().with(Write::replace(put(tenant, next)?, current.version)).with(Write::upsert(registered));
    store.transact(tx).await.map_err(changed)
}

/// Deletes the integration; [`IntegrationError::NotFound`] if there is none.
pub(crate) async fn delete(store: &Store, tenant: &TenantId, id: Uuid) -> Result<(), IntegrationError> {
    let write = Write::delete(key(tenant, id)).if_equals("entity", ENTITY, EXISTS);
    store.transact(Tx::new().with(write).with(Write::delete(registry_key(id)))).await.map_err(|e| match e {
        StoreError::Condition(EXISTS) => IntegrationError::NotFound,
        other => other.into(),
    })
}

/// Deletes `current` only if it is still the version read (If-Match); [`IntegrationError::Changed`] if it
/// changed or went meanwhile.
pub(crate) async fn delete_version(
    store: &Store,
    tenant: &TenantId,
    current: &Integration,
) -> Result<(), IntegrationError> {
    let write = Write::delete(key(tenant, current.id)).if_version(current.version);
    store.transact(Tx::new().with(write).with(Write::delete(registry_key(current.id)))).await.map_err(changed)
}

/// One page of the tenant's integrations; `scope` binds the cursor to the caller and the query to its filter.
pub(crate) async fn list(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    filter: &Filter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Integration>, IntegrationError> {
    let query = match filter {
        Filter::All => Query::partition(partition(tenant)),
        Filter::Status(status) => Query::partition(status_partition(tenant, *status)).on(Index::Gsi1),
        Filter::Type(kind) => Query::partition(type_partition(tenant, kind)).on(Index::Gsi2),
        Filter::StatusAndType(status, kind) => Query {
            sort_prefix: Some(format!("{kind}#")),
            ..Query::partition(status_partition(tenant, *status)).on(Index::Gsi1)
        },
    };
    Ok(store.page(scope, &query, limit, cursor).await?)
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let id = Uuid::from_u128(7);
        let k = key(&t, id);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#INTEGRATIONS"), id.to_string()));
    }
}
