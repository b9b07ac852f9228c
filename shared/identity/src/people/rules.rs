//! Who may give which role to whom (pure rules, returning [`IdentityError`]), and the readers and request
//! schemas of roles and scoped grants (edge: their refusals are problems). Pure: no I/O.

use crate::error::{IdentityError, Refusal};
use crate::membership::{Membership, MembershipStatus, ScopedGrant};
use crate::permission::Permission;
use crate::role::{self, Role};
use nudge_core::auth::SystemRole;
use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;
use nudge_core::values::Parse;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// A caller may hand out only permissions they hold themselves: no one escalates past their own rights.
pub(crate) fn may_assign(caller_permissions: &[String], role: &Role) -> Result<(), IdentityError> {
    let missing: Vec<Permission> =
        role.permissions.iter().copied().filter(|p| !caller_permissions.iter().any(|c| c == p.as_str())).collect();
    if !missing.is_empty() {
        return Err(IdentityError::Refused(Refusal::NotHeld(missing)));
    }
    Ok(())
}

/// Where a role stands in a tenant: the seeds' roles in order of authority (owner, super admin, admin, HR,
/// then the working roles). A custom role ranks just below HR; what it grants is also checked permission by
/// permission ([`may_assign`]).
pub(crate) fn rank(role: &str) -> u8 {
    match SystemRole::ALL.into_iter().find(|r| r.name() == role) {
        Some(SystemRole::PlatformAdmin) => 110,
        Some(SystemRole::Owner) => 100,
        Some(SystemRole::SuperAdmin) => 90,
        Some(SystemRole::Admin) => 80,
        Some(SystemRole::Hr) => 70,
        None => 65,
        Some(SystemRole::Manager) => 60,
        Some(SystemRole::Organizer) => 50,
        Some(SystemRole::Contributor) => 40,
        Some(SystemRole::Employee) => 30,
        Some(SystemRole::Client) => 20,
        Some(SystemRole::Viewer) => 10,
    }
}

/// Changing a member's role, status or grants, or removing them, needs a rank above the role they hold
/// now; owners act on owners (the last-owner rule keeps one).
pub(crate) fn may_act_on(caller_role: &str, member_role: &str) -> Result<(), IdentityError> {
    let (mine, theirs) = (rank(caller_role), rank(member_role));
    let owner = rank(SystemRole::Owner.name());
    if mine > theirs || (mine == owner && theirs == owner) {
        Ok(())
    } else {
        Err(IdentityError::Refused(Refusal::Outranked))
    }
}

/// Giving a role needs a rank that reaches it. A tenant without an active owner (`active_owners` 0) may
/// get its first one from a super admin: the platform's support session that onboards it.
pub(crate) fn may_give(caller_role: &str, role: &str, active_owners: usize) -> Result<(), IdentityError> {
    let owner = SystemRole::Owner.name();
    let first_owner = role == owner && active_owners == 0 && caller_role == SystemRole::SuperAdmin.name();
    if rank(caller_role) >= rank(role) || first_owner {
        Ok(())
    } else {
        Err(IdentityError::Refused(Refusal::AboveOwnRank))
    }
}

/// Nobody changes or removes their own membership.
pub(crate) fn not_self(caller: Uuid, member: Uuid) -> Result<(), IdentityError> {
    if caller == member { Err(IdentityError::Refused(Refusal::OwnMembership)) } else { Ok(()) }
}

/// Whether the change from `current` to `next` (`None`: removal) takes an active owner away; another
/// active owner must then remain.
pub(crate) fn stops_owning(current: &Membership, next: Option<&Membership>) -> bool {
    let owner = SystemRole::Owner.name();
    let was = current.role == owner && current.status == MembershipStatus::Active;
    let stays = next.is_some_and(|n| n.role == owner && n.status == MembershipStatus::Active);
    was && !stays
}

/// A scoped grant as written (`grants` of `PATCH /users/{id}`).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ScopedGrantRequest {
    #[schema(value_type = Permission)]
    pub permission: String,
    /// Where the permission holds, such as `{"segments": ["…"]}`: at most 4 KiB as JSON and 4 levels deep
    /// (422 beyond).
    #[schema(value_type = Object)]
    pub scope: Map<String, Value>,
}

/// Most scoped grants a membership holds.
pub(crate) const MAX_GRANTS: usize = 50;
/// A grant's scope: at most this many bytes as JSON, and this deep.
const MAX_SCOPE_BYTES: usize = 4 * 1024;
const MAX_SCOPE_DEPTH: usize = 4;

/// Reads scoped grants: at most [`MAX_GRANTS`], each a catalogue permission with an object scope (400
/// otherwise); a scope too large or too deep breaks a rule the schema cannot state (422). Absent and `null`
/// are no grants.
pub(crate) fn read_grants(f: &mut Fields, name: &str) -> Vec<ScopedGrant> {
    let grants: Option<Vec<ScopedGrantRequest>> = f.optional(name);
    let grants = grants.unwrap_or_default();
    if grants.len() > MAX_GRANTS {
        f.reject(name, format!("must hold at most {MAX_GRANTS} grants"));
    }
    let mut read = Vec::with_capacity(grants.len());
    for (i, g) in grants.into_iter().enumerate() {
        let scope = Value::Object(g.scope);
        if let Err(m) = validate::json_object(&scope, MAX_SCOPE_BYTES, MAX_SCOPE_DEPTH) {
            f.break_rule(name, format!("grant {i}: scope {m}"));
        }
        match Permission::parse(&g.permission) {
            Ok(permission) => read.push(ScopedGrant { permission, scope }),
            Err(message) => f.reject_item(name, i, message),
        }
    }
    read
}

/// `POST /roles`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read_role` reads the body")]
pub(crate) struct RoleRequest {
    /// Letters (taken as lower case), digits, `_` and `-`, starting with a letter; not a system role's name
    /// (422).
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z][A-Za-z0-9_-]{1,63}$")]
    pub name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Only permissions you hold yourself (403 otherwise); repeats count once.
    #[schema(value_type = Vec<Permission>)]
    pub permissions: Vec<String>,
    /// Make it the role of invitations that name none.
    pub is_default: Option<bool>,
}

/// `PATCH /roles/{name}` (a merge patch). A system role takes only `isDefault` (403 for the others).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `read_role` reads the merged document")]
pub(crate) struct RolePatch {
    #[schema(required = false, min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
    /// `null` empties it.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[schema(required = false, value_type = Vec<Permission>)]
    pub permissions: Vec<String>,
    /// `null` is `false`.
    pub is_default: Option<bool>,
}

/// The fields of a role patch that a system role keeps fixed.
const FIXED_OF_SYSTEM_ROLES: [&str; 3] = ["displayName", "description", "permissions"];

/// Reads a patch of a system role (whose default flag is `is_default` now): the patch is read as any role
/// patch's form (400), refused if it touches a fixed field (403), and gives the flag it leaves.
pub(crate) fn read_system_patch(patch: &Value, is_default: bool) -> Result<bool, ApiError> {
    let mut f = Fields::new(patch.clone())?;
    let touched: Vec<&str> = FIXED_OF_SYSTEM_ROLES.into_iter().filter(|k| patch.get(*k).is_some()).collect();
    for name in FIXED_OF_SYSTEM_ROLES {
        let _: Option<Value> = f.optional(name);
    }
    let sent = patch.get("isDefault").is_some();
    let flag: Option<bool> = f.optional("isDefault");
    f.finish()?;
    if !touched.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "system roles are fixed; only isDefault can change, not {}",
            touched.join(", ")
        )));
    }
    Ok(if sent { flag.unwrap_or(false) } else { is_default })
}

/// The writable fields of a custom role.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RoleFields {
    pub display_name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub is_default: bool,
}

/// Reads a custom role's name (on create) and fields; every bad field is named.
pub(crate) fn read_role(body: Value, creating: bool) -> Result<(Option<String>, RoleFields), ApiError> {
    let mut f = Fields::new(body)?;
    let name: Option<String> = if creating { f.required("name") } else { None };
    let name = name.map(|n: String| n.to_ascii_lowercase());
    if let Some(n) = &name {
        if !is_role_name(n) {
            f.reject("name", "must be 2–64 characters: letters, digits, `_` or `-`, starting with a letter");
        } else if is_system_name(n) {
            f.break_rule("name", "is the name of a system role");
        }
    }
    let display_name: Option<String> = f.required("displayName");
    f.check("displayName", &display_name, |v| validate::text(v, 1, 100));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 500));
    let names: Option<Vec<String>> = f.required("permissions");
    let mut permissions = Vec::new();
    for (i, p) in names.iter().flatten().enumerate() {
        match Permission::parse(p) {
            Ok(permission) => permissions.push(permission),
            Err(message) => f.reject_item("permissions", i, message),
        }
    }
    let is_default: Option<bool> = f.optional("isDefault");
    f.finish()?;
    let (Some(display_name), Some(_)) = (display_name, names) else {
        return Err(ApiError::internal("role input incomplete after validation"));
    };
    // In name order, as they were kept when they were strings.
    permissions.sort_by_key(|p| p.as_str());
    permissions.dedup();
    let fields = RoleFields {
        display_name: display_name.trim().to_owned(),
        description: description.unwrap_or_default().trim().to_owned(),
        permissions,
        is_default: is_default.unwrap_or(false),
    };
    Ok((name, fields))
}

/// A custom role's name as sent: [`is_role_name`] once in lower case.
#[cfg(test)] // what the request schema states, checked against `is_role_name` by the contract test
pub(crate) const ROLE_NAME_PATTERN: &str = "^[A-Za-z][A-Za-z0-9_-]{1,63}$";

/// `ROLE_NAME_PATTERN`, on a name already in lower case: 2 to 64 of `a–z`, `0–9`, `_`, `-`, from a letter.
pub(crate) fn is_role_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A system role's name, however spelled (`Super-Admin`, `platform_admin`): no custom role takes one.
fn is_system_name(name: &str) -> bool {
    role::as_system(name).is_some() || SystemRole::PlatformAdmin.name() == name.replace('-', "_")
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
    fn what_a_caller_lacks_is_named() {
        let admin = Role::system(SystemRole::Admin, false);
        let Err(IdentityError::Refused(Refusal::NotHeld(missing))) = may_assign(&perms(SystemRole::Hr), &admin) else {
            panic!("hr made an admin")
        };
        assert!(missing.contains(&Permission::RolesWrite) && !missing.contains(&Permission::UsersWrite));
        let refused = may_give("admin", "owner", 1);
        assert!(matches!(refused, Err(IdentityError::Refused(Refusal::AboveOwnRank))));
        let me = Uuid::now_v7();
        assert!(not_self(me, me).is_err() && not_self(me, Uuid::now_v7()).is_ok());
    }

    #[test]
    fn no_one_grants_past_their_own_rights() {
        let admin = Role::system(SystemRole::Admin, false);
        let owner = Role::system(SystemRole::Owner, false);
        assert!(may_assign(&perms(SystemRole::Hr), &admin).is_err(), "hr cannot make admins");
        assert!(may_assign(&perms(SystemRole::Hr), &Role::system(SystemRole::Employee, false)).is_ok());
        assert!(may_assign(&perms(SystemRole::Admin), &admin).is_ok());
        assert!(may_assign(&perms(SystemRole::Owner), &owner).is_ok());
    }

    #[test]
    fn ranks_decide_who_acts_on_whom_and_what_they_give() {
        let order = ["owner", "super_admin", "admin", "hr", "shift-lead", "manager", "organizer", "contributor"];
        assert!(order.windows(2).all(|w| rank(w[0]) > rank(w[1])), "{order:?}");
        assert!(rank("employee") > rank("client") && rank("client") > rank("viewer"));
        // An admin neither makes a super admin nor touches one; HR cannot suspend an admin.
        assert!(may_give("admin", "super_admin", 1).is_err());
        assert!(may_give("admin", "admin", 1).is_ok());
        assert!(may_act_on("admin", "super_admin").is_err());
        assert!(may_act_on("hr", "admin").is_err() && may_act_on("hr", "employee").is_ok());
        assert!(may_act_on("admin", "admin").is_err(), "peers do not act on each other");
        // Only owners make owners, and act on them; a super admin may make the first one.
        assert!(may_give("super_admin", "owner", 1).is_err());
        assert!(may_give("super_admin", "owner", 0).is_ok());
        assert!(may_give("admin", "owner", 0).is_err());
        assert!(may_give("owner", "owner", 2).is_ok() && may_act_on("owner", "owner").is_ok());
        assert!(may_act_on("super_admin", "owner").is_err());
    }

    fn member(role: &str, status: MembershipStatus) -> Membership {
        let now = Utc::now();
        Membership {
            tenant_id: serde_json::from_value(serde_json::json!(Uuid::now_v7())).unwrap(),
            user_id: Uuid::now_v7(),
            email: Parse::parse("a@b.co").unwrap(),
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
        assert!(stops_owning(&owner, Some(&demoted)));
        assert!(stops_owning(&owner, Some(&suspended)));
        assert!(stops_owning(&owner, None), "removal");
        assert!(!stops_owning(&owner, Some(&owner.revised(Utc::now(), |m| m.name = Some("A".into())))));
        assert!(!stops_owning(&member("admin", MembershipStatus::Active), None));
    }

    #[test]
    fn role_input_names_every_bad_field() {
        let (name, f) = read_role(
            json!({"name": "Shift-Lead", "displayName": "Shift lead", "permissions": ["workers:read", "workers:read"]}),
            true,
        )
        .unwrap();
        assert_eq!(name.as_deref(), Some("shift-lead"));
        assert_eq!(f.permissions, [Permission::WorkersRead]);
        let err = read_role(json!({"name": "admin", "displayName": "", "permissions": ["workers:read", "root"]}), true)
            .unwrap_err();
        let ApiError::Invalid(errors) = err else { panic!() };
        let pointers: Vec<_> = errors.iter().filter_map(|e| e.pointer.clone()).collect();
        assert_eq!(pointers, ["/displayName", "/permissions/1", "/name"], "schema errors first, then rules");
        for bad in [" lead", "lead ", "l", "1lead", "le ad", "\u{212a}elvin", &"a".repeat(65)] {
            let body = json!({"name": bad, "displayName": "Lead", "permissions": []});
            assert!(matches!(read_role(body, true), Err(ApiError::Invalid(_))), "{bad:?}");
        }
        for system in ["Super-Admin", "OWNER", "platform-admin", "s_u_p_e_r_admin"] {
            let body = json!({"name": system, "displayName": "Lead", "permissions": []});
            assert!(matches!(read_role(body, true), Err(ApiError::Rejected(_))), "{system:?}");
        }
    }

    fn grants(body: serde_json::Value) -> Result<Vec<ScopedGrant>, ApiError> {
        let mut f = Fields::new(body)?;
        let grants = read_grants(&mut f, "grants");
        f.finish().map(|()| grants)
    }

    #[test]
    fn grants_name_catalogue_permissions_with_object_scopes() {
        let ok = grants(json!({"grants": [{"permission": "workers:read", "scope": {"segments": ["s1"]}}]})).unwrap();
        assert_eq!(ok, [ScopedGrant { permission: Permission::WorkersRead, scope: json!({"segments": ["s1"]}) }]);
        assert!(grants(json!({"grants": null})).unwrap().is_empty());
        for bad in [
            json!([{"permission": "x:y", "scope": {}}]),
            json!([{"permission": "workers:read", "scope": 1}]),
            json!([{"permission": "workers:read", "scope": null}]),
            json!([{"permission": "workers:read"}]),
            json!([{"permission": "workers:read", "scope": {}, "extra": 1}]),
            json!(vec![json!({"permission": "workers:read", "scope": {}}); MAX_GRANTS + 1]),
        ] {
            assert!(matches!(grants(json!({"grants": bad})), Err(ApiError::Invalid(_))), "{bad}");
        }
        let deep = json!([{"permission": "workers:read", "scope": {"a": {"b": {"c": {"d": {"e": 1}}}}}}]);
        assert!(matches!(grants(json!({"grants": deep})), Err(ApiError::Rejected(_))));
        let big = json!([{"permission": "workers:read", "scope": {"a": "x".repeat(MAX_SCOPE_BYTES)}}]);
        assert!(matches!(grants(json!({"grants": big})), Err(ApiError::Rejected(_))));
    }

    #[test]
    fn a_system_role_patch_changes_only_the_default_flag() {
        assert!(read_system_patch(&json!({}), true).unwrap(), "left as it was");
        assert!(!read_system_patch(&json!({"isDefault": null}), true).unwrap(), "null is false");
        assert!(read_system_patch(&json!({"isDefault": true}), false).unwrap());
        let status = |patch: serde_json::Value| read_system_patch(&patch, false).unwrap_err().status().as_u16();
        assert_eq!(status(json!({"isDefault": "yes"})), 400);
        assert_eq!(status(json!({"color": "red"})), 400);
        assert_eq!(status(json!({"displayName": "Boss"})), 403);
        assert_eq!(status(json!({"description": null, "isDefault": true})), 403);
    }
}
