//! What can be done to an organization, and who may: create, read (a deleted one is gone for its own
//! tenant), revise (some fields are a platform admin's only), soft-delete. Callers pass what the edge
//! resolved (an [`Access`], read fields); errors are [`OrganizationError`].

use crate::error::OrganizationError;
use crate::model::{Organization, OrganizationFields};
use crate::repo;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::standing::Standing;
use nudge_core::store::{Attempt, Store};

/// How the caller reaches an organization: any of them as platform admin, or only its own tenant.
pub(crate) enum Access {
    Platform(TenantId),
    Own(TenantId),
}

impl Access {
    pub(crate) fn tenant(&self) -> TenantId {
        match self {
            Self::Platform(t) | Self::Own(t) => *t,
        }
    }
}

/// Creates the organization of `tenant` (its id is the tenant's).
pub(crate) async fn create(
    store: &Store,
    tenant: &TenantId,
    fields: OrganizationFields,
) -> Result<Organization, OrganizationError> {
    let org = Organization::new(tenant.as_uuid(), fields, Utc::now());
    repo::create(store, tenant, &org).await?;
    tracing::info!(organization_id = %org.id, "organization created");
    Ok(org)
}

/// The organization as the caller may see it: deleted ones stay visible to platform admins, and are gone for
/// their tenant.
pub(crate) async fn load(store: &Store, access: &Access) -> Result<Organization, OrganizationError> {
    let org = repo::get(store, &access.tenant()).await?.ok_or(OrganizationError::NotFound)?;
    match access {
        Access::Own(_) if org.is_deleted() => Err(OrganizationError::NotFound),
        _ => Ok(org),
    }
}

/// The organization if it is not deleted: what can still change.
pub(crate) async fn live(store: &Store, access: &Access) -> Result<Organization, OrganizationError> {
    let org = load(store, access).await?;
    if org.is_deleted() { Err(OrganizationError::NotFound) } else { Ok(org) }
}

/// An organization as another domain reads it (identity: its name for an invitation, whether a platform
/// admin may enter it), deleted or not; `None` when there is none.
pub async fn find(store: &Store, tenant: &TenantId) -> Result<Option<Organization>, OrganizationError> {
    repo::get(store, tenant).await
}

/// Fields only a platform admin may change.
pub(crate) fn platform_only_changes(before: &OrganizationFields, after: &OrganizationFields) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if before.slug != after.slug {
        changed.push("slug");
    }
    if before.kind != after.kind {
        changed.push("type");
    }
    if before.subscription_tier != after.subscription_tier {
        changed.push("subscriptionTier");
    }
    changed
}

/// Writes `fields` over `current` with the version read: done with the organization as it now is (the same
/// one when nothing changed), or [`Attempt::Retry`] when another writer got there first.
pub(crate) async fn revise(
    store: &Store,
    access: &Access,
    current: Organization,
    fields: OrganizationFields,
) -> Result<Attempt<Organization>, OrganizationError> {
    if let Access::Own(_) = access {
        let locked = platform_only_changes(&current.fields, &fields);
        if !locked.is_empty() {
            return Err(OrganizationError::PlatformOnly(locked));
        }
    }
    if fields == current.fields {
        return Ok(Attempt::Done(current));
    }
    let next = current.revised(fields, Utc::now());
    match repo::replace(store, &access.tenant(), &current, &next).await {
        Ok(()) => Ok(Attempt::Done(next)),
        Err(e) if e.is_version_conflict() => Ok(Attempt::Retry),
        Err(e) => Err(e),
    }
}

/// Soft-deletes `current` (read at the version the caller checked): its tenant is no longer served.
pub(crate) async fn delete(store: &Store, tenant: &TenantId, current: &Organization) -> Result<(), OrganizationError> {
    repo::replace(store, tenant, current, &current.deleted(Utc::now())).await?;
    tracing::info!(organization_id = %current.id, "organization soft-deleted");
    Ok(())
}

/// What a platform admin does to an organization's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Suspend,
    Restore,
}

/// Suspends a live organization, or restores a suspended or deleted one, at the version read; the
/// organization as it now is. Asking for what already holds changes nothing.
pub(crate) async fn change_standing(
    store: &Store,
    tenant: &TenantId,
    current: Organization,
    change: Change,
) -> Result<Organization, OrganizationError> {
    let now = Utc::now();
    let next = match (change, current.standing()) {
        (Change::Suspend, Standing::Deleted) => return Err(OrganizationError::NotFound),
        (Change::Suspend, Standing::Suspended) | (Change::Restore, Standing::Active) => return Ok(current),
        (Change::Suspend, Standing::Active) => current.suspended(now),
        (Change::Restore, _) => current.restored(now),
    };
    repo::replace(store, tenant, &current, &next).await?;
    tracing::info!(organization_id = %current.id, status = ?next.standing(), "organization standing changed");
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SubscriptionTier;
    use nudge_core::values::{Parse, Slug};
    use serde_json::json;

    #[test]
    fn platform_only_fields() {
        let Ok(a) = crate::input::read(json!({"name": "Acme", "type": "client"}), true) else { panic!("refused") };
        let mut b = a.clone();
        b.slug = Slug::parse("acme-2").unwrap();
        b.subscription_tier = SubscriptionTier::Pro;
        b.name = "Acme 2".into();
        assert_eq!(platform_only_changes(&a, &b), vec!["slug", "subscriptionTier"]);
    }
}
