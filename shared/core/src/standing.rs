//! A tenant's standing: whether the platform serves it. The organizations domain writes it in the same
//! transaction as the organization it describes (created, suspended, deleted, restored); the session gate,
//! sign-in, refresh, tenant switches and every background job read it, so a suspended or deleted
//! organization is refused everywhere at once, and restoring it lets its people sign in again.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | standing | `T#<tenantId>#STANDING` | `STANDING` |
//!
//! A tenant without the item is active: organizations made before standing was kept, and operator tokens
//! minted for a tenant in tests.

use crate::TenantId;
use crate::keys::Key;
use crate::store::{Put, Store, StoreError};
use serde::{Deserialize, Serialize};

const ENTITY: &str = "Standing";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    #[default]
    Active,
    /// Paused by a platform admin: nobody acts in it and its jobs stop, until it is restored.
    Suspended,
    /// Deleted (softly, restorable by a platform admin): as suspended, and hidden from its own tenant.
    Deleted,
}

impl Standing {
    /// Whether the tenant's people and jobs may act in it.
    pub fn is_served(self) -> bool {
        self == Self::Active
    }

    /// Why a request or a job in this tenant is refused, in words for the client or the job's record.
    pub fn refusal(self) -> &'static str {
        match self {
            Self::Active => "the organization is active",
            Self::Suspended => "the organization is suspended",
            Self::Deleted => "the organization was deleted",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Item {
    standing: Standing,
}

fn key(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "STANDING", "STANDING")
}

/// The write that sets a tenant's standing, for the organization's own transaction.
pub fn put(tenant: &TenantId, standing: Standing) -> Result<Put, StoreError> {
    Put::new(&key(tenant), ENTITY, &Item { standing })
}

/// The tenant's standing now (a strongly consistent read).
pub async fn load(store: &Store, tenant: &TenantId) -> Result<Standing, StoreError> {
    let item: Option<Item> = store.get(&key(tenant)).await?;
    Ok(item.map(|i| i.standing).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_as_documented_and_only_active_is_served() {
        let t = crate::testing::tenant(0xA);
        let k = key(&t);
        assert_eq!((k.pk.as_str(), k.sk.as_str()), (format!("T#{t}#STANDING").as_str(), "STANDING"));
        assert!(Standing::Active.is_served());
        assert!(!Standing::Suspended.is_served() && !Standing::Deleted.is_served());
        assert_eq!(serde_json::to_value(Standing::Suspended).ok(), Some(serde_json::json!("suspended")));
        assert_eq!(Standing::default(), Standing::Active);
    }
}
