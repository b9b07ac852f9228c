//! The learning groups a leaderboard may be narrowed to, through a port: the learning domain keeps them
//! and depends on this crate (its completions earn XP), so the dependency cannot point back. The
//! composition roots answer it with learning's groups.

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::store::StoreError;
use uuid::Uuid;

pub trait GroupMembers: Send + Sync + 'static {
    /// The users in `group`; none when the organization has no such group.
    fn members<'a>(&'a self, tenant: &'a TenantId, group: Uuid)
    -> BoxFuture<'a, Result<Option<Vec<Uuid>>, StoreError>>;
}
