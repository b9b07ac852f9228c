//! Who may give which role to whom, and the rules of roles themselves. Pure: no I/O.

use crate::membership::{Membership, MembershipStatus, ScopedGrant};
use crate::role::{self, Role};
use nudge_core::auth::SystemRole;
use nudge_core::auth::permissions::CATALOGUE;
use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;
use serde_json::Value;

/// A caller may hand out only permissions they hold themselves, and only owners (and super admins) make
/// owners: no one escalates past their own rights.
pub fn may_assign(caller_role: &str, caller_permissions: &[String], role: &Role) -> Result<(), ApiError> {
    let missing: Vec<&str> =
        role.permissions.iter().filter(|p| !caller_permissions.contains(p)).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "you cannot grant permissions you do not hold: {}",
            missing.join(", ")
        )));
    }
    let owner = SystemRole::Owner.name();
    let makers = [owner, SystemRole::SuperAdmin.name()];
    if role.name == owner && !makers.contains(&caller_role) {
        return Err(ApiError::Forbidden("only an owner or super admin can make an owner".into()));
    }
    Ok(())
}

/// Whether `next` would leave the tenant without an active owner (`owners`: the active owners now).
pub fn strands_owners(current: &Membership, next: Option<&Membership>, owners: usize) -> bool {
    let owner = SystemRole::Owner.name();
    let was = current.role == owner && current.status == MembershipStatus::Active;
    let stays = next.is_some_and(|n| n.role == owner && n.status == MembershipStatus::Active);
    was && !stays && owners <= 1
}

/// Scoped grants: permissions from the catalogue, each with a JSON object scope.
pub fn check_grants(grants: &[ScopedGrant]) -> Result<(), String> {
    if grants.len() > 50 {
        return Err("at most 50 grants".into());
    }
    for (i, g) in grants.iter().enumerate() {
        if !CATALOGUE.contains(&g.permission.as_str()) {
            return Err(format!("grant {i}: unknown permission `{}`", g.permission));
        }
        if !g.scope.is_object() {
            return Err(format!("grant {i}: scope must be an object such as {{\"segments\": [...]}}"));
        }
        validate::json_object(&g.scope, 4 * 1024, 4).map_err(|m| format!("grant {i}: scope {m}"))?;
    }
    Ok(())
}

/// The writable fields of a custom role.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleFields {
    pub display_name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub is_default: bool,
}

/// Reads a custom role's name (on create) and fields; every bad field is named.
pub fn read_role(body: Value, creating: bool) -> Result<(Option<String>, RoleFields), ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = if creating { f.required("name") } else { None };
    let name = name.map(|n: String| n.trim().to_lowercase());
    f.check("name", &name, |n| check_role_name(n));
    let display_name: Option<String> = f.required("displayName");
    f.check("displayName", &display_name, |v| validate::text(v, 1, 100));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 500));
    let permissions: Option<Vec<String>> = f.required("permissions");
    for (i, p) in permissions.iter().flatten().enumerate() {
        if !CATALOGUE.contains(&p.as_str()) {
            f.reject_item("permissions", i, format!("`{p}` is not a permission"));
        }
    }
    let is_default: Option<bool> = f.optional("isDefault");
    f.finish()?;
    let (Some(display_name), Some(mut permissions)) = (display_name, permissions) else {
        return Err(ApiError::internal("role input incomplete after validation"));
    };
    permissions.sort();
    permissions.dedup();
    let fields = RoleFields {
        display_name: display_name.trim().to_owned(),
        description: description.unwrap_or_default().trim().to_owned(),
        permissions,
        is_default: is_default.unwrap_or(false),
    };
    Ok((name, fields))
}

fn check_role_name(name: &str) -> Result<(), String> {
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        return Err("must be 2–64 characters: lower-case letters, digits, `_` or `-`, starting with a letter".into());
    }
    if role::as_system(name).is_some() || SystemRole::PlatformAdmin.name() == name.replace('-', "_") {
        return Err("is the name of a system role".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    fn perms(role: SystemRole) -> Vec<String> {
        role.permissions().into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn no_one_grants_past_their_own_rights() {
        let admin = Role::system(SystemRole::Admin, false);
        let owner = Role::system(SystemRole::Owner, false);
        assert!(may_assign("hr", &perms(SystemRole::Hr), &admin).is_err(), "hr cannot make admins");
        assert!(may_assign("hr", &perms(SystemRole::Hr), &Role::system(SystemRole::Employee, false)).is_ok());
        assert!(may_assign("admin", &perms(SystemRole::Admin), &admin).is_ok());
        assert!(may_assign("admin", &perms(SystemRole::Admin), &owner).is_err(), "only owners make owners");
        assert!(may_assign("owner", &perms(SystemRole::Owner), &owner).is_ok());
    }

    fn member(role: &str, status: MembershipStatus) -> Membership {
        let now = Utc::now();
        Membership {
            tenant_id: serde_json::from_value(serde_json::json!(Uuid::now_v7())).unwrap(),
            user_id: Uuid::now_v7(),
            email: "a@b.co".into(),
            name: None,
            role: role.into(),
            status,
            grants: vec![],
            invited_by: None,
            invited_at: None,
            joined_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn the_last_active_owner_stays() {
        let owner = member("owner", MembershipStatus::Active);
        let demoted = owner.revised(Utc::now(), |m| m.role = "admin".into());
        let suspended = owner.revised(Utc::now(), |m| m.status = MembershipStatus::Suspended);
        assert!(strands_owners(&owner, Some(&demoted), 1));
        assert!(strands_owners(&owner, Some(&suspended), 1));
        assert!(strands_owners(&owner, None, 1), "removal");
        assert!(!strands_owners(&owner, None, 2), "another owner remains");
        assert!(!strands_owners(&member("admin", MembershipStatus::Active), None, 1));
    }

    #[test]
    fn role_input_names_every_bad_field() {
        let (name, f) = read_role(
            json!({"name": "Shift-Lead", "displayName": "Shift lead", "permissions": ["workers:read", "workers:read"]}),
            true,
        )
        .unwrap();
        assert_eq!(name.as_deref(), Some("shift-lead"));
        assert_eq!(f.permissions, ["workers:read"]);
        let err = read_role(json!({"name": "admin", "displayName": "", "permissions": ["workers:read", "root"]}), true)
            .unwrap_err();
        let ApiError::Invalid(errors) = err else { panic!() };
        let pointers: Vec<_> = errors.iter().filter_map(|e| e.pointer.clone()).collect();
        assert_eq!(pointers, ["/name", "/displayName", "/permissions/1"]);
    }

    #[test]
    fn grants_name_catalogue_permissions_with_object_scopes() {
        let ok = ScopedGrant { permission: "workers:read".into(), scope: json!({"segments": ["s1"]}) };
        assert!(check_grants(&[ok]).is_ok());
        assert!(check_grants(&[ScopedGrant { permission: "x:y".into(), scope: json!({}) }]).is_err());
        assert!(check_grants(&[ScopedGrant { permission: "workers:read".into(), scope: json!(1) }]).is_err());
    }
}
