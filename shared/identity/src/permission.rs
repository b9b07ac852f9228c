//! A permission of the catalogue (`resource:action`) as a type. The catalogue itself is the core's
//! (`nudge_core::auth::permissions::CATALOGUE`, what tokens carry); this enum is the same list, checked by a
//! test, so a role or a grant holds only permissions that exist.

use nudge_core::auth::permissions::CATALOGUE;
use nudge_core::values::Parse;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    OrganizationRead,
    OrganizationWrite,
    ProfileRead,
    ProfileWrite,
    UsersRead,
    UsersWrite,
    RolesRead,
    RolesWrite,
    WorkersRead,
    WorkersWrite,
    SegmentsRead,
    SegmentsWrite,
    SegmentsSync,
    ContentRead,
    ContentWrite,
    ContentApprove,
    ContentPublish,
    MediaRead,
    MediaWrite,
    IntegrationsRead,
    IntegrationsWrite,
    AuditRead,
    NotificationsRead,
    NotificationsSend,
    JourneysRead,
    JourneysWrite,
    ProgramsRead,
    ProgramsWrite,
    ProgramsEnrol,
    ExperimentsRead,
    ExperimentsWrite,
    ModulesRead,
    ModulesWrite,
    ModulesWriteOwn,
    ModulesLearn,
    GroupsRead,
    GroupsWrite,
    ProgressOverride,
    ProgressRead,
    ProgressReadGroup,
    ReportsExport,
    XpRead,
    XpManage,
    RewardsManage,
    SuggestionsManage,
    CommunityModerate,
}

impl Permission {
    /// Every permission, in the catalogue's order.
    pub(crate) const ALL: [Permission; 46] = [
        Self::OrganizationRead,
        Self::OrganizationWrite,
        Self::ProfileRead,
        Self::ProfileWrite,
        Self::UsersRead,
        Self::UsersWrite,
        Self::RolesRead,
        Self::RolesWrite,
        Self::WorkersRead,
        Self::WorkersWrite,
        Self::SegmentsRead,
        Self::SegmentsWrite,
        Self::SegmentsSync,
        Self::ContentRead,
        Self::ContentWrite,
        Self::ContentApprove,
        Self::ContentPublish,
        Self::MediaRead,
        Self::MediaWrite,
        Self::IntegrationsRead,
        Self::IntegrationsWrite,
        Self::AuditRead,
        Self::NotificationsRead,
        Self::NotificationsSend,
        Self::JourneysRead,
        Self::JourneysWrite,
        Self::ProgramsRead,
        Self::ProgramsWrite,
        Self::ProgramsEnrol,
        Self::ExperimentsRead,
        Self::ExperimentsWrite,
        Self::ModulesRead,
        Self::ModulesWrite,
        Self::ModulesWriteOwn,
        Self::ModulesLearn,
        Self::GroupsRead,
        Self::GroupsWrite,
        Self::ProgressOverride,
        Self::ProgressRead,
        Self::ProgressReadGroup,
        Self::ReportsExport,
        Self::XpRead,
        Self::XpManage,
        Self::RewardsManage,
        Self::SuggestionsManage,
        Self::CommunityModerate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationRead => "organization:read",
            Self::OrganizationWrite => "organization:write",
            Self::ProfileRead => "profile:read",
            Self::ProfileWrite => "profile:write",
            Self::UsersRead => "users:read",
            Self::UsersWrite => "users:write",
            Self::RolesRead => "roles:read",
            Self::RolesWrite => "roles:write",
            Self::WorkersRead => "workers:read",
            Self::WorkersWrite => "workers:write",
            Self::SegmentsRead => "segments:read",
            Self::SegmentsWrite => "segments:write",
            Self::SegmentsSync => "segments:sync",
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::ContentApprove => "content:approve",
            Self::ContentPublish => "content:publish",
            Self::MediaRead => "media:read",
            Self::MediaWrite => "media:write",
            Self::IntegrationsRead => "integrations:read",
            Self::IntegrationsWrite => "integrations:write",
            Self::AuditRead => "audit:read",
            Self::NotificationsRead => "notifications:read",
            Self::NotificationsSend => "notifications:send",
            Self::JourneysRead => "journeys:read",
            Self::JourneysWrite => "journeys:write",
            Self::ProgramsRead => "programs:read",
            Self::ProgramsWrite => "programs:write",
            Self::ProgramsEnrol => "programs:enrol",
            Self::ExperimentsRead => "experiments:read",
            Self::ExperimentsWrite => "experiments:write",
            Self::ModulesRead => "modules:read",
            Self::ModulesWrite => "modules:write",
            Self::ModulesWriteOwn => "modules:write-own",
            Self::ModulesLearn => "modules:learn",
            Self::GroupsRead => "groups:read",
            Self::GroupsWrite => "groups:write",
            Self::ProgressOverride => "progress:override",
            Self::ProgressRead => "progress:read",
            Self::ProgressReadGroup => "progress:read-group",
            Self::ReportsExport => "reports:export",
            Self::XpRead => "xp:read",
            Self::XpManage => "xp:manage",
            Self::RewardsManage => "rewards:manage",
            Self::SuggestionsManage => "suggestions:manage",
            Self::CommunityModerate => "community:moderate",
        }
    }

    /// The permission a catalogue name denotes (exactly as written).
    pub(crate) fn of(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl Parse for Permission {
    fn parse(text: &str) -> Result<Self, String> {
        Self::of(text).ok_or_else(|| format!("`{text}` is not a permission"))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its catalogue name, so stored items and answers hold the same text as before it was a type.
impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Reads a stored list of permissions, dropping names the catalogue no longer has: a permission taken out of
/// it grants nothing, and must not make the item holding it unreadable.
pub(crate) fn known<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Permission>, D::Error> {
    let names: Vec<String> = Vec::deserialize(deserializer)?;
    Ok(names.iter().filter_map(|n| Permission::of(n)).collect())
}

/// The request schemas name a permission as an enum of the catalogue.
impl utoipa::PartialSchema for Permission {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CATALOGUE.iter().copied()))
            .description(Some("A permission of the catalogue (`resource:action`)"))
            .into()
    }
}

impl utoipa::ToSchema for Permission {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Permission")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enum_is_the_catalogue() {
        let names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names, CATALOGUE);
    }

    #[test]
    fn parses_catalogue_names_only_and_says_why_not() {
        assert_eq!(Permission::parse("workers:read"), Ok(Permission::WorkersRead));
        assert_eq!(Permission::parse("root"), Err("`root` is not a permission".into()));
        assert!(Permission::parse("Workers:Read").is_err(), "names are exact");
        assert!(Permission::parse(" workers:read").is_err());
    }

    #[test]
    fn serializes_as_its_name_and_reads_stored_lists_leniently() {
        assert_eq!(serde_json::to_value(Permission::AuditRead).ok(), Some(serde_json::json!("audit:read")));
        #[derive(Deserialize)]
        struct Stored {
            #[serde(deserialize_with = "known")]
            permissions: Vec<Permission>,
        }
        let stored: Stored =
            serde_json::from_value(serde_json::json!({"permissions": ["media:read", "retired:thing"]})).unwrap();
        assert_eq!(stored.permissions, [Permission::MediaRead]);
    }
}
