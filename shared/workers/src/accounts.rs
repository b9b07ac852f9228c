//! The user accounts a worker may be linked to (`userId`). Accounts and their memberships are identity's,
//! which sits above workers: this crate knows them only through the [`Accounts`] port, which a function's
//! composition root implements with identity's membership, so the dependency points from identity to
//! workers and never back.

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::store::StoreError;
use std::sync::Arc;
use uuid::Uuid;

/// Identity's side: whether `user` is a member of the tenant.
pub trait Accounts: Send + Sync + 'static {
    fn is_member<'a>(&'a self, tenant: &'a TenantId, user: Uuid) -> BoxFuture<'a, Result<bool, StoreError>>;
}

/// The accounts a workers writer checks a new link against, cheap to clone into a router or a consumer.
/// The default knows no account: a writer composed without one (clearing a deleted supervisor, a test)
/// refuses any new link as naming no user, while links it leaves as they are need no check.
#[derive(Clone, Default)]
pub struct Users(Option<Arc<dyn Accounts>>);

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Users").field(&self.0.is_some()).finish()
    }
}

impl Users {
    pub fn of(accounts: impl Accounts) -> Self {
        Self(Some(Arc::new(accounts)))
    }

    pub(crate) async fn is_member(&self, tenant: &TenantId, user: Uuid) -> Result<bool, StoreError> {
        match &self.0 {
            Some(accounts) => accounts.is_member(tenant, user).await,
            None => Ok(false),
        }
    }
}
