//! Roles of a tenant: the system roles (seed 002's tenant roles and seed 004's) and the tenant's custom
//! roles, each a named set of permissions from the catalogue. One role per tenant is the default for
//! invitations that name none.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | custom role | `T#<tid>#ROLES` | `ROLE#<name>` |
//! | default role | `T#<tid>#ROLES` | `DEFAULT` |

use crate::error::{Conflict, IdentityError};
use crate::permission::{self, Permission};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::auth::SystemRole;
use nudge_core::http::ApiResult;
use nudge_core::http::update::Patchable;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Put, Query, Store, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The default role of a tenant that never chose one.
pub(crate) const FALLBACK_DEFAULT: SystemRole = SystemRole::Employee;

/// A role as the API shows it, system or custom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Role {
    pub name: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_system: bool,
    #[serde(deserialize_with = "permission::known")]
    #[schema(value_type = Vec<String>)]
    pub permissions: Vec<Permission>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

/// A custom role's PATCH edits these; a system role takes only `isDefault`.
impl Patchable for Role {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<serde_json::Value> {
        Ok(serde_json::json!({
            "displayName": self.display_name, "description": self.description,
            "permissions": self.permissions, "isDefault": self.is_default,
        }))
    }
}

impl Role {
    pub(crate) fn system(role: SystemRole, is_default: bool) -> Self {
        let (display_name, description) = describe(role);
        Self {
            name: role.name().to_owned(),
            display_name: display_name.to_owned(),
            description: description.to_owned(),
            is_default,
            is_system: true,
            permissions: grants(role),
            created_at: None,
            updated_at: None,
            version: 0,
        }
    }
}

/// What a system role grants, as permissions (its names are the catalogue's).
fn grants(role: SystemRole) -> Vec<Permission> {
    role.permissions().into_iter().filter_map(Permission::of).collect()
}

fn describe(role: SystemRole) -> (&'static str, &'static str) {
    match role {
        SystemRole::Owner => ("Owner", "Owns the organization: everything, including other owners"),
        SystemRole::SuperAdmin => ("Super admin", "Everything within the organization"),
        SystemRole::Admin => ("Admin", "Manages the organization, its people, workers and content"),
        SystemRole::Hr => ("HR", "Manages people and workers; reads the audit log"),
        SystemRole::Employee => ("Employee", "Reads the organization and its content"),
        SystemRole::Viewer => ("Viewer", "Reads everything except the audit log"),
        SystemRole::Organizer => ("Organizer", "Full access (internal)"),
        SystemRole::Manager => ("Manager", "Manages teams, workers, segments and content"),
        SystemRole::Contributor => ("Contributor", "Works on content and reads workers"),
        SystemRole::Client => ("Client", "Portal access: reads content (external)"),
        SystemRole::PlatformAdmin => ("Platform admin", "Operates the platform"),
    }
}

/// The system roles a tenant member can hold (every one but the platform's own).
pub(crate) fn system_roles() -> impl Iterator<Item = SystemRole> {
    SystemRole::ALL.into_iter().filter(|r| *r != SystemRole::PlatformAdmin)
}

/// The system role a name denotes, if any (names are case-insensitive).
pub(crate) fn as_system(name: &str) -> Option<SystemRole> {
    name.parse().ok().filter(|r| *r != SystemRole::PlatformAdmin)
}

#[derive(Serialize, Deserialize)]
struct DefaultRole {
    name: String,
}

fn key(tenant: &TenantId, name: &str) -> Key {
    Key::tenant(tenant, "ROLES", format!("ROLE#{name}"))
}

fn default_key(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "ROLES", "DEFAULT")
}

/// Label of a custom role name already in use.
const NAME_TAKEN: &str = "role";

/// What a failed condition labelled here means.
pub(crate) fn failed(label: &str) -> Option<IdentityError> {
    (label == NAME_TAKEN).then_some(IdentityError::Conflict(Conflict::RoleNameTaken))
}

pub(crate) fn create(tenant: &TenantId, role: &Role) -> Result<Write, IdentityError> {
    Ok(Write::create(Put::new(&key(tenant, &role.name), "Role", role)?, NAME_TAKEN))
}

pub(crate) fn replace(tenant: &TenantId, current: &Role, next: &Role) -> Result<Write, IdentityError> {
    Ok(Write::replace(Put::new(&key(tenant, &next.name), "Role", next)?, current.version))
}

pub(crate) fn delete(tenant: &TenantId, name: &str) -> Write {
    Write::delete(key(tenant, name))
}

/// The write making `name` the tenant's default role.
pub(crate) fn set_default(tenant: &TenantId, name: &str) -> Result<Write, IdentityError> {
    let pointer = DefaultRole { name: name.to_owned() };
    Ok(Write::upsert(Put::new(&default_key(tenant), "DefaultRole", &pointer)?))
}

/// The tenant's default role name.
pub(crate) async fn default_name(store: &Store, tenant: &TenantId) -> Result<String, IdentityError> {
    Ok(store
        .get::<DefaultRole>(&default_key(tenant))
        .await?
        .map(|d| d.name)
        .unwrap_or_else(|| FALLBACK_DEFAULT.name().into()))
}

/// A custom role as stored.
async fn load_custom(store: &Store, tenant: &TenantId, name: &str) -> Result<Option<Role>, IdentityError> {
    Ok(store.get(&key(tenant, name)).await?)
}

/// Every custom role of a tenant (a handful).
pub(crate) async fn custom(store: &Store, tenant: &TenantId) -> Result<Vec<Role>, IdentityError> {
    let query = Query { sort_prefix: Some("ROLE#".into()), ..Query::partition(tenant_partition(tenant, "ROLES")) };
    Ok(store.all(&query).await?)
}

/// Resolves a role name in a tenant to the role (system or custom), marking the default.
pub(crate) async fn resolve(store: &Store, tenant: &TenantId, name: &str) -> Result<Option<Role>, IdentityError> {
    let default = default_name(store, tenant).await?;
    if let Some(system) = as_system(name) {
        return Ok(Some(Role::system(system, system.name() == default)));
    }
    Ok(load_custom(store, tenant, &name.to_lowercase()).await?.map(|mut r| {
        r.is_default = r.name == default;
        r
    }))
}

/// The permissions a role name grants in a tenant; an unknown role (deleted meanwhile) grants nothing.
pub(crate) async fn permissions(
    store: &Store,
    tenant: &TenantId,
    name: &str,
) -> Result<Vec<Permission>, IdentityError> {
    if let Some(system) = as_system(name) {
        return Ok(grants(system));
    }
    Ok(load_custom(store, tenant, &name.to_lowercase()).await?.map(|r| r.permissions).unwrap_or_default())
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let k = key(&t, "coach");
        assert_eq!((k.pk, k.sk.as_str()), (format!("T#{t}#ROLES"), "ROLE#coach"));
        let d = default_key(&t);
        assert_eq!((d.pk, d.sk.as_str()), (format!("T#{t}#ROLES"), "DEFAULT"));
    }

    #[test]
    fn system_roles_grant_every_permission_the_core_names() {
        for role in system_roles() {
            let names: Vec<&str> = grants(role).into_iter().map(Permission::as_str).collect();
            assert_eq!(names, role.permissions(), "{role}");
        }
    }
}
