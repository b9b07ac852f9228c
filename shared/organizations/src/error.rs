//! What can go wrong with an organization, below HTTP: the handlers turn it into a problem
//! (`impl From<OrganizationError> for ApiError` in `routes`).

use nudge_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    /// No such organization, or one its own tenant may no longer see (soft-deleted).
    #[error("no such organization")]
    NotFound,
    /// Another organization holds the slug (its guard item exists).
    #[error("the slug is taken by another organization")]
    SlugTaken,
    /// A tenant changed fields only a platform admin may change (`slug`, `type`, `subscriptionTier`).
    #[error("changing {} needs a platform admin", .0.join(", "))]
    PlatformOnly(Vec<&'static str>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OrganizationError {
    /// The write lost a race: the version read is no longer the stored one.
    pub(crate) fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}
