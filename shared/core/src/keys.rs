//! Table keys. Every tenant-scoped partition key (table or GSI) is `T#<tenantId>#…` and is built here from a
//! [`TenantId`]; platform-level partitions (the organization index, global guards) are `P#…`. Tenant ids are
//! fixed-length UUIDs, so no tenant's prefix is a prefix of another's.

use crate::tenancy::TenantId;
use serde::{Deserialize, Serialize};

/// Primary key of one item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    /// An item in a tenant's partition `T#<tenant>#<partition>`.
    pub fn tenant(tenant: &TenantId, partition: &str, sk: impl Into<String>) -> Self {
        Self { pk: tenant_partition(tenant, partition), sk: sk.into() }
    }

    /// A platform-level item (not owned by any one tenant), `P#<partition>`.
    pub fn platform(partition: &str, sk: impl Into<String>) -> Self {
        Self { pk: platform_partition(partition), sk: sk.into() }
    }
}

/// `T#<tenant>#<partition>`: the only way to name a tenant partition, for the table or a GSI.
pub fn tenant_partition(tenant: &TenantId, partition: &str) -> String {
    format!("T#{tenant}#{partition}")
}

/// `P#<partition>`: a platform partition.
pub fn platform_partition(partition: &str) -> String {
    format!("P#{partition}")
}

/// The prefix every key of this tenant starts with.
pub fn tenant_prefix(tenant: &TenantId) -> String {
    format!("T#{tenant}#")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    #[test]
    fn tenant_keys_carry_the_tenant_prefix() {
        let t = TenantId::new(Uuid::nil());
        let key = Key::tenant(&t, "ORG", "ORG");
        assert_eq!(key.pk, "T#00000000-0000-0000-0000-000000000000#ORG");
        assert!(key.pk.starts_with(&tenant_prefix(&t)));
        assert_eq!(Key::platform("ORGS", "x").pk, "P#ORGS");
    }

    proptest! {
        #[test]
        fn no_tenant_prefix_matches_another_tenant(a in any::<u128>(), b in any::<u128>(), part in "[A-Z#]{0,12}") {
            prop_assume!(a != b);
            let (ta, tb) = (TenantId::new(Uuid::from_u128(a)), TenantId::new(Uuid::from_u128(b)));
            prop_assert!(!tenant_partition(&ta, &part).starts_with(&tenant_prefix(&tb)));
        }
    }
}
