//! Where organizations live in the table. The slug guard's condition label is read here only, and becomes
//! [`OrganizationError::SlugTaken`].
//!
//! | item | pk | sk | gsi1pk / gsi1sk |
//! |---|---|---|---|
//! | organization | `T#<orgId>#ORG` | `ORG` | `P#ORGS` (or `P#ORGS#DELETED`) / `<orgId>` (UUIDv7: creation order) |
//! | slug guard | `P#SLUG#<slug>` | `SLUG` | — |

use crate::error::OrganizationError;
use crate::model::Organization;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::{Key, platform_partition};
use nudge_core::standing;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Tx, Write};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const TYPE: &str = "Organization";
const SLUG_TAKEN: &str = "slug";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlugGuard {
    org_id: Uuid,
}

fn key(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "ORG", "ORG")
}

fn slug_key(slug: &str) -> Key {
    Key::platform(&format!("SLUG#{slug}"), "SLUG")
}

fn list_partition(deleted: bool) -> String {
    platform_partition(if deleted { "ORGS#DELETED" } else { "ORGS" })
}

fn put(tenant: &TenantId, org: &Organization) -> Result<Put, StoreError> {
    Ok(Put::new(&key(tenant), TYPE, org)?.index(Index::Gsi1, list_partition(org.is_deleted()), org.id.to_string()))
}

fn guard(slug: &str, org: Uuid) -> Result<Put, StoreError> {
    Put::new(&slug_key(slug), "SlugGuard", &SlugGuard { org_id: org })
}

/// A failed write, typed: the slug guard's label is a taken slug; anything else stays the store's.
fn typed(err: StoreError) -> OrganizationError {
    match err {
        StoreError::Condition(SLUG_TAKEN) => OrganizationError::SlugTaken,
        other => other.into(),
    }
}

/// The tenant's standing as the organization says, written with every change of it, so the two never
/// disagree (see `nudge_core::standing`).
fn standing(tenant: &TenantId, org: &Organization) -> Result<Write, StoreError> {
    Ok(Write::upsert(standing::put(tenant, org.standing())?))
}

/// Creates the organization, claims its slug and sets its tenant's standing, atomically.
pub(crate) async fn create(store: &Store, tenant: &TenantId, org: &Organization) -> Result<(), OrganizationError> {
    let tx = Tx::new()
        .with(Write::create(put(tenant, org)?, "organization"))
        .with(Write::create(guard(&org.fields.slug, org.id)?, SLUG_TAKEN))
        .with(standing(tenant, org)?);
    store.transact(tx).await.map_err(typed)
}

pub(crate) async fn get(store: &Store, tenant: &TenantId) -> Result<Option<Organization>, OrganizationError> {
    Ok(store.get(&key(tenant)).await?)
}

/// Writes `next` over `current` if nobody changed it since (else a version conflict, see
/// [`OrganizationError::is_version_conflict`]), with its tenant's standing, and moving the slug guard in
/// the same transaction when the slug changes.
pub(crate) async fn replace(
    store: &Store,
    tenant: &TenantId,
    current: &Organization,
    next: &Organization,
) -> Result<(), OrganizationError> {
    let mut tx = Tx::new().with(Write::replace(put(tenant, next)?, current.version)).with(standing(tenant, next)?);
    if current.fields.slug != next.fields.slug {
        let owner = current.id.to_string();
        tx = tx
            .with(Write::delete(slug_key(&current.fields.slug)).if_equals("orgId", &owner, "slug guard"))
            .with(Write::create(guard(&next.fields.slug, next.id)?, SLUG_TAKEN));
    }
    store.transact(tx).await.map_err(typed)
}

/// Lists organizations, newest first; deleted ones live in their own partition of the index.
pub(crate) async fn list(
    store: &Store,
    scope: &str,
    deleted: bool,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Organization>, OrganizationError> {
    let query = Query::partition(list_partition(deleted)).on(Index::Gsi1).newest_first();
    Ok(store.page(scope, &query, limit, cursor).await?)
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let k = key(&t);
        assert_eq!((k.pk.as_str(), k.sk.as_str()), (format!("T#{t}#ORG").as_str(), "ORG"));
        let g = slug_key("acme");
        assert_eq!((g.pk.as_str(), g.sk.as_str()), ("P#SLUG#acme", "SLUG"));
        assert_eq!((list_partition(false), list_partition(true)), ("P#ORGS".to_owned(), "P#ORGS#DELETED".to_owned()));
    }

    #[test]
    fn the_slug_label_is_a_taken_slug_and_nothing_else_is() {
        assert!(matches!(typed(StoreError::Condition(SLUG_TAKEN)), OrganizationError::SlugTaken));
        assert!(matches!(typed(StoreError::Condition("slug guard")), OrganizationError::Store(_)));
        assert!(typed(StoreError::Condition("version")).is_version_conflict());
    }
}
