//! What can go wrong below the HTTP handlers. The repository turns the store's condition labels into these
//! variants; only the routes turn them into problems (`impl From<IntegrationError> for ApiError`).

use nudge_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum IntegrationError {
    /// No integration with this id in the tenant (or it went meanwhile).
    #[error("no such integration")]
    NotFound,
    /// A new integration's id is already stored: UUIDv7s do not collide in practice, so this is a replay.
    #[error("integration already exists")]
    IdTaken,
    /// The integration is no longer the version read: a concurrent write, or an If-Match naming another
    /// version.
    #[error("the integration changed since it was read")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}
