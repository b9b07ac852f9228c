//! Permissions (`resource:action`) and the system roles that grant them. Seed 002's tenant roles and seed
//! 004's roles are both system roles here; custom roles (a later issue) grant any subset of the catalogue.

use std::fmt;
use std::str::FromStr;

pub const ORGANIZATION_READ: &str = "organization:read";
pub const ORGANIZATION_WRITE: &str = "organization:write";
/// The caller's own account, preferences and MFA.
pub const PROFILE_READ: &str = "profile:read";
pub const PROFILE_WRITE: &str = "profile:write";

/// Every permission a tenant role can hold.
pub const CATALOGUE: &[&str] = &[
    ORGANIZATION_READ,
    ORGANIZATION_WRITE,
    PROFILE_READ,
    PROFILE_WRITE,
    "users:read",
    "users:write",
    "roles:read",
    "roles:write",
    "workers:read",
    "workers:write",
    "segments:read",
    "segments:write",
    "segments:sync",
    "content:read",
    "content:write",
    "content:approve",
    "content:publish",
    "media:read",
    "media:write",
    "integrations:read",
    "integrations:write",
    "audit:read",
    "notifications:read",
    "notifications:send",
    "journeys:read",
    "journeys:write",
    "programs:read",
    "programs:write",
    "programs:enrol",
    "experiments:read",
    "experiments:write",
    // Seed 002: MANAGE_ALL_MODULES is `modules:write`; MANAGE_OWN_MODULES is `modules:write-own` (the
    // modules one created or mentors).
    "modules:read",
    "modules:write",
    "modules:write-own",
    // Taking modules as a learner: every tenant role.
    "modules:learn",
    // Seed 002 MANAGE_GROUPS.
    "groups:read",
    "groups:write",
    // Seed 002 OVERRIDE_PROGRESS.
    "progress:override",
    // Seed 002 VIEW_ALL_PROGRESS and VIEW_ANALYTICS (learning insight of the whole organization).
    "progress:read",
    // Seed 002 VIEW_GROUP_PROGRESS: insight of the groups the caller is a member of.
    "progress:read-group",
    // Seed 002 EXPORT_REPORTS.
    "reports:export",
    // Others' XP balances and ledgers (one's own and the leaderboard need only `profile:read`).
    "xp:read",
    // Manual XP awards and corrections, and the XP per source.
    "xp:manage",
    // Seed 002 MANAGE_REWARDS: the rewards catalogue and reviewing redemptions.
    "rewards:manage",
    // Seed 002 MANAGE_SUGGESTIONS: reviewing knowledge suggestions (status, conversion).
    "suggestions:manage",
    // Approving, rejecting and pinning mentor radar posts; moderating chat and comments.
    "community:moderate",
];

/// The built-in roles. `PlatformAdmin` is not a tenant role: its tokens carry no tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemRole {
    Owner,
    SuperAdmin,
    Admin,
    Hr,
    Employee,
    Viewer,
    Organizer,
    Manager,
    Contributor,
    Client,
    PlatformAdmin,
}

impl SystemRole {
    pub const ALL: [SystemRole; 11] = [
        Self::Owner,
        Self::SuperAdmin,
        Self::Admin,
        Self::Hr,
        Self::Employee,
        Self::Viewer,
        Self::Organizer,
        Self::Manager,
        Self::Contributor,
        Self::Client,
        Self::PlatformAdmin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::SuperAdmin => "super_admin",
            Self::Admin => "admin",
            Self::Hr => "hr",
            Self::Employee => "employee",
            Self::Viewer => "viewer",
            Self::Organizer => "organizer",
            Self::Manager => "manager",
            Self::Contributor => "contributor",
            Self::Client => "client",
            Self::PlatformAdmin => "platform_admin",
        }
    }

    /// The permissions the role grants within its tenant.
    pub fn permissions(self) -> Vec<&'static str> {
        let all = || CATALOGUE.to_vec();
        let reads = || CATALOGUE.iter().copied().filter(|p| p.ends_with(":read") && *p != "audit:read").collect();
        let mut grants: Vec<&'static str> = match self {
            Self::Owner | Self::SuperAdmin | Self::Admin | Self::Organizer => all(),
            Self::Hr => vec![
                ORGANIZATION_READ,
                "users:read",
                "users:write",
                "workers:read",
                "workers:write",
                "segments:read",
                "content:read",
                "media:read",
                "audit:read",
                "notifications:read",
                "notifications:send",
                "programs:read",
                "programs:enrol",
                "modules:read",
                "modules:learn",
                "groups:read",
                "groups:write",
                "progress:read",
                "reports:export",
                "xp:read",
                "rewards:manage",
            ],
            Self::Manager => vec![
                ORGANIZATION_READ,
                "modules:read",
                "modules:write",
                "modules:learn",
                "groups:read",
                "groups:write",
                "progress:override",
                "progress:read-group",
                "xp:read",
                "suggestions:manage",
                "community:moderate",
                "experiments:read",
                "experiments:write",
                "journeys:read",
                "journeys:write",
                "programs:read",
                "programs:write",
                "programs:enrol",
                "workers:read",
                "workers:write",
                "segments:read",
                "segments:write",
                "segments:sync",
                "content:read",
                "content:write",
                "media:read",
                "media:write",
                "notifications:read",
                "notifications:send",
            ],
            Self::Contributor => vec![
                ORGANIZATION_READ,
                "workers:read",
                "content:read",
                "content:write",
                "media:read",
                "media:write",
                "modules:read",
                "modules:write-own",
                "modules:learn",
            ],
            Self::Viewer => {
                let mut grants: Vec<&'static str> = reads();
                grants.push("modules:learn");
                grants
            }
            Self::Employee | Self::Client => vec![ORGANIZATION_READ, "content:read", "media:read", "modules:learn"],
            Self::PlatformAdmin => return vec![],
        };
        // Every tenant member manages their own profile.
        for own in [PROFILE_READ, PROFILE_WRITE] {
            if !grants.contains(&own) {
                grants.push(own);
            }
        }
        grants
    }
}

impl fmt::Display for SystemRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

/// Role names are case-insensitive, and `-`, `_` and spaces are the same (`SUPER_ADMIN`, `super-admin`).
impl FromStr for SystemRole {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        let norm: String = s.trim().to_ascii_lowercase().chars().filter(|c| !matches!(c, '_' | '-' | ' ')).collect();
        Self::ALL.into_iter().find(|r| r.name().replace('_', "") == norm).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_case_insensitive() {
        assert_eq!("SUPER_ADMIN".parse(), Ok(SystemRole::SuperAdmin));
        assert_eq!("Organizer".parse(), Ok(SystemRole::Organizer));
        assert_eq!("platform-admin".parse(), Ok(SystemRole::PlatformAdmin));
        assert!("root".parse::<SystemRole>().is_err());
    }

    #[test]
    fn grants_come_from_the_catalogue() {
        for role in SystemRole::ALL {
            for p in role.permissions() {
                assert!(CATALOGUE.contains(&p), "{role} grants unknown {p}");
            }
        }
        assert!(SystemRole::Admin.permissions().contains(&ORGANIZATION_WRITE));
        assert!(!SystemRole::Viewer.permissions().contains(&ORGANIZATION_WRITE));
        assert!(SystemRole::Viewer.permissions().contains(&ORGANIZATION_READ));
    }
}
