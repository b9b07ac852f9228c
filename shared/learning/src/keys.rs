//! The key layout of learning (pinned by the test below).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | module | `T#<t>#MODULES` | `<moduleId>` |
//! | section | `T#<t>#MODULE#<moduleId>` | `SECTION#<sectionId>` |
//! | changelog entry | `T#<t>#MODULE#<moduleId>` | `CHANGELOG#<version, 6 digits>` |
//! | category | `T#<t>#MODULE-CATEGORIES` | `<categoryId>` |
//! | prerequisite graph guard | `T#<t>#MODULE-GRAPH` | `GRAPH` |
//!
//! A module's sections share its partition, so one query reads the module's whole body; the graph guard's
//! version moves with every prerequisite change, so two concurrent edges cannot close a cycle neither saw.

use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use uuid::Uuid;

pub fn modules_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULES")
}

pub fn module(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "MODULES", id.to_string())
}

pub fn module_partition(tenant: &TenantId, module: Uuid) -> String {
    tenant_partition(tenant, &format!("MODULE#{module}"))
}

pub fn section(tenant: &TenantId, module: Uuid, section: Uuid) -> Key {
    Key { pk: module_partition(tenant, module), sk: format!("SECTION#{section}") }
}

pub fn changelog(tenant: &TenantId, module: Uuid, version: u32) -> Key {
    Key { pk: module_partition(tenant, module), sk: format!("CHANGELOG#{version:06}") }
}

pub fn categories_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULE-CATEGORIES")
}

pub fn category(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "MODULE-CATEGORIES", id.to_string())
}

pub fn graph(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "MODULE-GRAPH", "GRAPH")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_learning_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (m, s) = (Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(module(&t, m).pk, format!("T#{tenant}#MODULES"));
        assert_eq!(section(&t, m, s).pk, format!("T#{tenant}#MODULE#{m}"));
        assert_eq!(section(&t, m, s).sk, format!("SECTION#{s}"));
        assert_eq!(changelog(&t, m, 3).sk, "CHANGELOG#000003");
        assert_eq!(graph(&t).pk, format!("T#{tenant}#MODULE-GRAPH"));
    }
}
