//! The fields a rule may test: their paths, types, labels for explanations and notes for the catalogue.

use nudge_workers::model::{DeactivationReason, EmploymentStatus, EmploymentType, Gender, OptInStatus, wire};
use serde::Serialize;

/// What kind of value a field holds, which decides its operators and value shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Enum(Choice),
    Number,
    Integer,
    Boolean,
    Date,
    DateTime,
    TextList,
    Id,
    Custom,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Enum(_) => "enum",
            Self::Number => "number",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::TextList => "textList",
            Self::Id => "id",
            Self::Custom => "custom",
        }
    }
}

/// The model enums a field may hold. Values are their serde names, and a worker's value is read by its
/// discriminant (`as u8`), so compiled rules compare small integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Gender,
    DeactivationReason,
    OptInStatus,
    EmploymentStatus,
    EmploymentType,
}

const GENDERS: [Gender; 5] = [Gender::Male, Gender::Female, Gender::NonBinary, Gender::Other, Gender::PreferNotSay];
const REASONS: [DeactivationReason; 7] = [
    DeactivationReason::VoluntaryResignation,
    DeactivationReason::PerformanceIssues,
    DeactivationReason::PolicyViolation,
    DeactivationReason::Redundancy,
    DeactivationReason::Retirement,
    DeactivationReason::EndOfContract,
    DeactivationReason::Other,
];
const OPT_INS: [OptInStatus; 4] =
    [OptInStatus::OptedIn, OptInStatus::OptedOut, OptInStatus::Pending, OptInStatus::Failed];
const STATUSES: [EmploymentStatus; 4] =
    [EmploymentStatus::Active, EmploymentStatus::Inactive, EmploymentStatus::OnLeave, EmploymentStatus::Terminated];
const TYPES: [EmploymentType; 4] =
    [EmploymentType::FullTime, EmploymentType::PartTime, EmploymentType::Contractor, EmploymentType::Temporary];

fn named<T: Copy + Serialize>(all: &[T], index: impl Fn(T) -> u8) -> Vec<(String, u8)> {
    all.iter().map(|v| (wire(*v), index(*v))).collect()
}

impl Choice {
    /// Each value's wire name and discriminant.
    pub fn variants(self) -> Vec<(String, u8)> {
        match self {
            Self::Gender => named(&GENDERS, |v| v as u8),
            Self::DeactivationReason => named(&REASONS, |v| v as u8),
            Self::OptInStatus => named(&OPT_INS, |v| v as u8),
            Self::EmploymentStatus => named(&STATUSES, |v| v as u8),
            Self::EmploymentType => named(&TYPES, |v| v as u8),
        }
    }

    pub fn values(self) -> Vec<String> {
        self.variants().into_iter().map(|(name, _)| name).collect()
    }

    pub fn discriminant(self, value: &str) -> Option<u8> {
        self.variants().into_iter().find(|(name, _)| name == value).map(|(_, d)| d)
    }
}

/// A built-in field of the worker model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attr {
    ExternalId,
    FirstName,
    LastName,
    FullName,
    DateOfBirth,
    Gender,
    Tags,
    IsActive,
    DeactivationReason,
    SupervisorId,
    PerformanceMetric,
    CreatedAt,
    UpdatedAt,
    LocationCity,
    LocationStateProvince,
    LocationCountry,
    PrimaryPhoneNumber,
    PreferredLanguage,
    EmailAddress,
    WhatsappOptInStatus,
    CommunicationConsent,
    JobTitle,
    Department,
    Team,
    HireDate,
    EmploymentStatus,
    EmploymentType,
    LastActiveAt,
    LastInteractionDate,
    LastWellbeingAssessmentDate,
    OverallWellbeingScore,
    PointsBalance,
    BadgesEarnedCount,
}

/// How the catalogue and explanations present a field.
pub struct Spec {
    pub path: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub note: &'static str,
}

const NO_CONTACT: &str = "missing without a contact record";

impl Attr {
    pub const ALL: [Attr; 33] = [
        Self::ExternalId,
        Self::FirstName,
        Self::LastName,
        Self::FullName,
        Self::DateOfBirth,
        Self::Gender,
        Self::Tags,
        Self::IsActive,
        Self::DeactivationReason,
        Self::SupervisorId,
        Self::PerformanceMetric,
        Self::CreatedAt,
        Self::UpdatedAt,
        Self::LocationCity,
        Self::LocationStateProvince,
        Self::LocationCountry,
        Self::PrimaryPhoneNumber,
        Self::PreferredLanguage,
        Self::EmailAddress,
        Self::WhatsappOptInStatus,
        Self::CommunicationConsent,
        Self::JobTitle,
        Self::Department,
        Self::Team,
        Self::HireDate,
        Self::EmploymentStatus,
        Self::EmploymentType,
        Self::LastActiveAt,
        Self::LastInteractionDate,
        Self::LastWellbeingAssessmentDate,
        Self::OverallWellbeingScore,
        Self::PointsBalance,
        Self::BadgesEarnedCount,
    ];

    pub fn spec(self) -> Spec {
        use Kind::*;
        let s = |path, label, kind, note| Spec { path, label, kind, note };
        match self {
            Self::ExternalId => s("externalId", "external ID", Text, "the worker's id in your own systems"),
            Self::FirstName => s("firstName", "first name", Text, "always set"),
            Self::LastName => s("lastName", "last name", Text, "always set"),
            Self::FullName => s("fullName", "full name", Text, "first and last name"),
            Self::DateOfBirth => s("dateOfBirth", "date of birth", Date, "YYYY-MM-DD"),
            Self::Gender => s("gender", "gender", Enum(Choice::Gender), "missing when not given"),
            Self::Tags => s("tags", "tags", TextList, "exists: at least one tag; missing: none"),
            Self::IsActive => s("isActive", "active", Boolean, "false once deactivated"),
            Self::DeactivationReason => {
                s("deactivationReason", "deactivation reason", Enum(Choice::DeactivationReason), "set while inactive")
            }
            Self::SupervisorId => s("supervisorId", "supervisor", Id, "a worker id (UUID)"),
            Self::PerformanceMetric => s("performanceMetric", "performance metric", Number, "0–100"),
            Self::CreatedAt => s("createdAt", "creation date", DateTime, "RFC 3339; when the worker was added"),
            Self::UpdatedAt => s("updatedAt", "last update", DateTime, "RFC 3339; when the worker last changed"),
            Self::LocationCity => s("contact.locationCity", "city", Text, NO_CONTACT),
            Self::LocationStateProvince => s("contact.locationStateProvince", "state or province", Text, NO_CONTACT),
            Self::LocationCountry => s("contact.locationCountry", "country", Text, NO_CONTACT),
            Self::PrimaryPhoneNumber => s(
                "contact.primaryPhoneNumber",
                "phone number",
                Text,
                "E.164, e.g. +14155552671; missing without a contact record",
            ),
            Self::PreferredLanguage => s(
                "contact.preferredLanguage",
                "preferred language",
                Text,
                "BCP 47, e.g. en; missing without a contact record",
            ),
            Self::EmailAddress => s("contact.emailAddress", "email address", Text, NO_CONTACT),
            Self::WhatsappOptInStatus => {
                s("contact.whatsappOptInStatus", "WhatsApp opt-in status", Enum(Choice::OptInStatus), NO_CONTACT)
            }
            Self::CommunicationConsent => {
                s("contact.communicationConsent", "communication consent", Boolean, NO_CONTACT)
            }
            Self::JobTitle => s("employment.jobTitle", "job title", Text, "missing when not given"),
            Self::Department => s("employment.department", "department", Text, "missing when not given"),
            Self::Team => s("employment.team", "team", Text, "missing when not given"),
            Self::HireDate => s("employment.hireDate", "hire date", Date, "YYYY-MM-DD"),
            Self::EmploymentStatus => s(
                "employment.employmentStatus",
                "employment status",
                Enum(Choice::EmploymentStatus),
                "active unless changed",
            ),
            Self::EmploymentType => s(
                "employment.employmentType",
                "employment type",
                Enum(Choice::EmploymentType),
                "missing when not given",
            ),
            Self::LastActiveAt => {
                s("engagement.lastActiveAt", "last active", DateTime, "RFC 3339; missing until first active")
            }
            Self::LastInteractionDate => s(
                "engagement.lastInteractionDate",
                "last interaction",
                DateTime,
                "RFC 3339; missing until the first interaction",
            ),
            Self::LastWellbeingAssessmentDate => s(
                "wellbeing.lastWellbeingAssessmentDate",
                "last wellbeing assessment",
                DateTime,
                "RFC 3339; missing until assessed",
            ),
            Self::OverallWellbeingScore => {
                s("wellbeing.overallWellbeingScore", "wellbeing score", Number, "0–100; missing until assessed")
            }
            Self::PointsBalance => {
                s("gamification.pointsBalance", "points balance", Integer, "whole points, 0 or more")
            }
            Self::BadgesEarnedCount => s("gamification.badgesEarnedCount", "badges earned", Integer, "0 or more"),
        }
    }
}

/// The prefix of custom field paths.
pub const CUSTOM: &str = "customFields.";
const CUSTOM_KEY_MAX: usize = 64;

/// A field a condition tests: a built-in one, or one key of the worker's custom fields.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Attr(Attr),
    Custom(Box<str>),
}

impl Field {
    /// The field at `path`, or why there is none.
    pub fn parse(path: &str) -> Result<Self, String> {
        if let Some(key) = path.strip_prefix(CUSTOM) {
            let valid = (1..=CUSTOM_KEY_MAX).contains(&key.len())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            return if valid {
                Ok(Self::Custom(key.into()))
            } else {
                Err(format!("a custom field key must be 1 to {CUSTOM_KEY_MAX} letters, digits, _ or -"))
            };
        }
        Attr::ALL
            .into_iter()
            .find(|a| a.spec().path == path)
            .map(Self::Attr)
            .ok_or_else(|| format!("unknown field \"{path}\"; GET /segments/fields lists the fields"))
    }

    pub fn path(&self) -> String {
        match self {
            Self::Attr(a) => a.spec().path.to_owned(),
            Self::Custom(key) => format!("{CUSTOM}{key}"),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Self::Attr(a) => a.spec().kind,
            Self::Custom(_) => Kind::Custom,
        }
    }

    /// The field as a tenant admin reads it in an explanation.
    pub fn label(&self) -> String {
        match self {
            Self::Attr(a) => a.spec().label.to_owned(),
            Self::Custom(key) => format!("custom field \"{key}\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Fails to compile when a model enum gains a variant, so the value lists above are revisited.
    #[allow(dead_code)]
    fn every_variant_is_listed(
        g: Gender,
        r: DeactivationReason,
        o: OptInStatus,
        s: EmploymentStatus,
        t: EmploymentType,
    ) {
        use DeactivationReason as R;
        match g {
            Gender::Male | Gender::Female | Gender::NonBinary | Gender::Other | Gender::PreferNotSay => {}
        }
        match r {
            R::VoluntaryResignation
            | R::PerformanceIssues
            | R::PolicyViolation
            | R::Redundancy
            | R::Retirement
            | R::EndOfContract
            | R::Other => {}
        }
        match o {
            OptInStatus::OptedIn | OptInStatus::OptedOut | OptInStatus::Pending | OptInStatus::Failed => {}
        }
        match s {
            EmploymentStatus::Active
            | EmploymentStatus::Inactive
            | EmploymentStatus::OnLeave
            | EmploymentStatus::Terminated => {}
        }
        match t {
            EmploymentType::FullTime
            | EmploymentType::PartTime
            | EmploymentType::Contractor
            | EmploymentType::Temporary => {}
        }
    }

    #[test]
    fn choices_use_wire_names_and_distinct_discriminants() {
        assert_eq!(Choice::OptInStatus.values(), ["opted_in", "opted_out", "pending", "failed"]);
        assert_eq!(Choice::EmploymentStatus.discriminant("on_leave"), Some(EmploymentStatus::OnLeave as u8));
        assert_eq!(Choice::Gender.discriminant("Male"), None);
        for c in [
            Choice::Gender,
            Choice::DeactivationReason,
            Choice::OptInStatus,
            Choice::EmploymentStatus,
            Choice::EmploymentType,
        ] {
            let ds: BTreeSet<u8> = c.variants().iter().map(|(_, d)| *d).collect();
            assert_eq!(ds.len(), c.variants().len());
            assert!(ds.iter().all(|d| *d < 32), "discriminants fit a u32 mask");
        }
    }

    #[test]
    fn paths_parse_back_to_their_field() {
        let paths: BTreeSet<&str> = Attr::ALL.iter().map(|a| a.spec().path).collect();
        assert_eq!(paths.len(), Attr::ALL.len());
        for a in Attr::ALL {
            assert_eq!(Field::parse(a.spec().path), Ok(Field::Attr(a)));
        }
        assert_eq!(Field::parse("customFields.shift_2-b"), Ok(Field::Custom("shift_2-b".into())));
        assert!(Field::parse("customFields.").is_err());
        assert!(Field::parse("customFields.a.b").is_err());
        assert!(Field::parse(&format!("customFields.{}", "k".repeat(65))).is_err());
        assert!(Field::parse("department").unwrap_err().contains("unknown field \"department\""));
    }
}
