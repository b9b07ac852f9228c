//! Groups of learners (seed 002 Group, UserGroup, ModuleGroup): users of the organization gathered under a
//! name and a colour, and modules assigned to a group with a deadline (`deadlineDays`, counted for each
//! member from when they joined or the assignment began, whichever is later) and whether they are
//! mandatory.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | group | `T#<t>#GROUPS` | `<groupId>` |
//! | member (UserGroup) | `T#<t>#GROUP#<groupId>` | `MEMBER#<userId>` |
//! | a user's group | `T#<t>#USER-GROUPS#<userId>` | `<groupId>` |
//! | assignment (ModuleGroup) | `T#<t>#GROUP#<groupId>` | `MODULE#<moduleId>` |
//!
//! A membership is written twice in one transaction (the group's list, the user's), so both reads agree.

mod service;

pub use service::{GroupError, Groups};

use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Seed 002 Group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// Seed 002 UserGroup: a member and when they joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupMember {
    pub group_id: Uuid,
    pub user_id: Uuid,
    pub joined_at: DateTime<Utc>,
}

/// Seed 002 ModuleGroup: a module assigned to a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleAssignment {
    pub group_id: Uuid,
    pub module_id: Uuid,
    /// Days each member has, from the later of joining and this assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    pub is_mandatory: bool,
    pub assigned_at: DateTime<Utc>,
    pub version: u64,
}

pub fn groups_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "GROUPS")
}

pub fn group_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "GROUPS", id.to_string())
}

pub fn group_partition(tenant: &TenantId, group: Uuid) -> String {
    tenant_partition(tenant, &format!("GROUP#{group}"))
}

pub fn member_key(tenant: &TenantId, group: Uuid, user: Uuid) -> Key {
    Key { pk: group_partition(tenant, group), sk: format!("MEMBER#{user}") }
}

pub fn user_groups_partition(tenant: &TenantId, user: Uuid) -> String {
    tenant_partition(tenant, &format!("USER-GROUPS#{user}"))
}

pub fn user_group_key(tenant: &TenantId, user: Uuid, group: Uuid) -> Key {
    Key { pk: user_groups_partition(tenant, user), sk: group.to_string() }
}

pub fn assignment_key(tenant: &TenantId, group: Uuid, module: Uuid) -> Key {
    Key { pk: group_partition(tenant, group), sk: format!("MODULE#{module}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_group_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (g, u, m) = (Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        assert_eq!(group_key(&t, g).pk, format!("T#{tenant}#GROUPS"));
        assert_eq!(
            (member_key(&t, g, u).pk, member_key(&t, g, u).sk),
            (format!("T#{tenant}#GROUP#{g}"), format!("MEMBER#{u}"))
        );
        assert_eq!(user_group_key(&t, u, g).pk, format!("T#{tenant}#USER-GROUPS#{u}"));
        assert_eq!(assignment_key(&t, g, m).sk, format!("MODULE#{m}"));
    }
}
