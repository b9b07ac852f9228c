//! The worker model, merged from seed 000 (Worker with its contact, employment, engagement, wellbeing and
//! gamification records) and seed 003 (WORKER: full_name, phone_number, well_being_score,
//! performance_metric). Seed 003's columns map onto seed 000's fields: `fullName` is read-only (first and
//! last name), `phone_number` is `contact.primaryPhoneNumber`, `well_being_score` is
//! `wellbeing.overallWellbeingScore`, and `performanceMetric` is a core field.

use crate::phone::Phone;
use chrono::{DateTime, NaiveDate, Utc};
use nudge_core::values::{Email, Locale, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// Lowest and highest scores for `overallWellbeingScore` and `performanceMetric` (a percentage scale, as
/// WHO-5 reports wellbeing).
pub(crate) const SCORE_RANGE: (f64, f64) = (0.0, 100.0);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    NonBinary,
    Other,
    PreferNotSay,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OptInStatus {
    OptedIn,
    OptedOut,
    #[default]
    Pending,
    Failed,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    #[default]
    Active,
    Inactive,
    OnLeave,
    Terminated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    FullTime,
    PartTime,
    Contractor,
    Temporary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeactivationReason {
    VoluntaryResignation,
    PerformanceIssues,
    PolicyViolation,
    Redundancy,
    Retirement,
    EndOfContract,
    Other,
}

/// An enum value as the API and the keys spell it (its serde name).
pub fn wire<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// How a worker is reached (seed 000 WorkerContact).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_state_province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_country: Option<String>,
    /// E.164, e.g. `+14155552671`; unique per tenant.
    #[schema(value_type = String)]
    pub primary_phone_number: Phone,
    #[serde(default)]
    pub whatsapp_opt_in_status: OptInStatus,
    /// BCP 47, e.g. `en` or `pt-BR`.
    #[schema(value_type = String)]
    pub preferred_language: Locale,
    /// IANA; the organization's time zone when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<TimeZone>,
    #[serde(default)]
    pub communication_consent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub email_address: Option<Email>,
}

/// Seed 000 WorkerEmployment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Employment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hire_date: Option<NaiveDate>,
    #[serde(default)]
    pub employment_status: EmploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<EmploymentType>,
}

/// Seed 000 WorkerEngagement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_interaction_date: Option<DateTime<Utc>>,
}

/// Seed 000 WorkerWellbeing (seed 003 well_being_score).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Wellbeing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_wellbeing_assessment_date: Option<DateTime<Utc>>,
    /// 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_wellbeing_score: Option<f64>,
}

/// Seed 000 WorkerGamification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gamification {
    #[serde(default)]
    pub points_balance: i64,
    #[serde(default)]
    pub badges_earned_count: i64,
}

/// Everything a client writes about a worker (the merge-patch document), checked by [`super::input`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkerFields {
    /// The worker's id in the tenant's own systems; unique per tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Free-form JSON object, at most 8 KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Required while the worker is inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivation_reason: Option<DeactivationReason>,
    /// Another worker of the same tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// The user account of the same person in this organization, so their learning and their engagement
    /// as a worker meet; at most one worker per user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// 0–100 (seed 003 performance_metric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance_metric: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub employment: Employment,
    #[serde(default)]
    pub engagement: Engagement,
    #[serde(default)]
    pub wellbeing: Wellbeing,
    #[serde(default)]
    pub gamification: Gamification,
}

fn yes() -> bool {
    true
}

impl WorkerFields {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// When a sub-record was created and last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stamps {
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The sub-records of a worker, each stored as its own item in the worker's partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Record {
    Contact,
    Employment,
    Engagement,
    Wellbeing,
    Gamification,
}

impl Record {
    pub(crate) const ALL: [Record; 5] =
        [Self::Contact, Self::Employment, Self::Engagement, Self::Wellbeing, Self::Gamification];

    /// The sort-key suffix and the item's entity tag.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Contact => "CONTACT",
            Self::Employment => "EMPLOYMENT",
            Self::Engagement => "ENGAGEMENT",
            Self::Wellbeing => "WELLBEING",
            Self::Gamification => "GAMIFICATION",
        }
    }

    pub(crate) fn entity(self) -> &'static str {
        match self {
            Self::Contact => "WorkerContact",
            Self::Employment => "WorkerEmployment",
            Self::Engagement => "WorkerEngagement",
            Self::Wellbeing => "WorkerWellbeing",
            Self::Gamification => "WorkerGamification",
        }
    }

    pub(crate) fn from_entity(entity: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.entity() == entity)
    }

    /// This record of `fields` as JSON (`None`: the worker has no such record).
    pub(crate) fn data(self, fields: &WorkerFields) -> Option<Value> {
        let value = match self {
            Self::Contact => serde_json::to_value(fields.contact.as_ref()?),
            Self::Employment => serde_json::to_value(&fields.employment),
            Self::Engagement => serde_json::to_value(&fields.engagement),
            Self::Wellbeing => serde_json::to_value(&fields.wellbeing),
            Self::Gamification => serde_json::to_value(&fields.gamification),
        };
        value.ok()
    }
}

/// Which import row last wrote the worker and what it did, so a redelivered chunk counts each row once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportMark {
    pub job_id: Uuid,
    pub row: u64,
    pub outcome: RowOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
}

/// A stored worker: its fields, version and times, and its records' times.
#[derive(Clone, Debug, PartialEq)]
pub struct Worker {
    pub id: Uuid,
    pub fields: WorkerFields,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub stamps: std::collections::BTreeMap<Record, Stamps>,
    pub last_import: Option<ImportMark>,
}

impl Worker {
    pub fn new(id: Uuid, fields: WorkerFields, now: DateTime<Utc>) -> Self {
        let stamps = Record::ALL
            .into_iter()
            .filter(|r| r.data(&fields).is_some())
            .map(|r| (r, Stamps { created_at: now, updated_at: now }))
            .collect();
        Self { id, fields, version: 1, created_at: now, updated_at: now, stamps, last_import: None }
    }

    /// The next version with `fields`: records that changed get a new `updatedAt`, new ones a `createdAt`.
    pub(crate) fn revised(&self, fields: WorkerFields, now: DateTime<Utc>) -> Self {
        let stamps = Record::ALL
            .into_iter()
            .filter_map(|r| {
                let next = r.data(&fields)?;
                let stamp = match self.stamps.get(&r) {
                    Some(s) if r.data(&self.fields).as_ref() == Some(&next) => *s,
                    Some(s) => Stamps { created_at: s.created_at, updated_at: now },
                    None => Stamps { created_at: now, updated_at: now },
                };
                Some((r, stamp))
            })
            .collect();
        Self {
            id: self.id,
            fields,
            version: self.version + 1,
            created_at: self.created_at,
            updated_at: now,
            stamps,
            last_import: None,
        }
    }

    pub(crate) fn view(&self) -> WorkerView {
        let stamp = |r: Record| self.stamps.get(&r).copied();
        let f = &self.fields;
        WorkerView {
            id: self.id,
            full_name: f.full_name(),
            external_id: f.external_id.clone(),
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            date_of_birth: f.date_of_birth,
            gender: f.gender,
            tags: f.tags.clone(),
            custom_fields: f.custom_fields.clone(),
            is_active: f.is_active,
            deactivation_reason: f.deactivation_reason,
            supervisor_id: f.supervisor_id,
            user_id: f.user_id,
            performance_metric: f.performance_metric,
            contact: f.contact.clone().map(|data| ContactView { data, stamps: stamp(Record::Contact) }),
            employment: EmploymentView { data: f.employment.clone(), stamps: stamp(Record::Employment) },
            engagement: EngagementView { data: f.engagement.clone(), stamps: stamp(Record::Engagement) },
            wellbeing: WellbeingView { data: f.wellbeing.clone(), stamps: stamp(Record::Wellbeing) },
            gamification: GamificationView { data: f.gamification.clone(), stamps: stamp(Record::Gamification) },
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

macro_rules! record_view {
    ($name:ident, $data:ty) => {
        /// The record with its times.
        #[derive(Clone, Debug, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub(crate) struct $name {
            #[serde(flatten)]
            pub data: $data,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            pub stamps: Option<Stamps>,
        }
    };
}
record_view!(ContactView, Contact);
record_view!(EmploymentView, Employment);
record_view!(EngagementView, Engagement);
record_view!(WellbeingView, Wellbeing);
record_view!(GamificationView, Gamification);

/// A worker as the API answers it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkerView {
    pub id: Uuid,
    /// First and last name (seed 003 full_name); read-only.
    pub full_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    pub is_active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivation_reason: Option<DeactivationReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// The user account of the same person in this organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_metric: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    pub employment: EmploymentView,
    pub engagement: EngagementView,
    pub wellbeing: WellbeingView,
    pub gamification: GamificationView,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WorkerView {
    pub(crate) fn version(&self) -> u64 {
        self.version
    }
}
