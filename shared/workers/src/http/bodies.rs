//! The request bodies of the workers' routes as the OpenAPI document states them. The readers (`input`,
//! `filters`, the import and export routes) check exactly these shapes and constraints and answer 400 for
//! anything else; what no schema states (a date's bounds that move with today, sizes in bytes, a number that
//! is not a number of its country, fields that disagree, an id naming nothing) is a 422. The contract tests
//! hold the two together.
// Schema-only types: utoipa reads their shape and nothing builds them (the readers above check each body field
// by field, to name every bad one).
#![allow(dead_code)]

use crate::export::ExportFormat;
use crate::import::ImportFormat;
use crate::model::{DeactivationReason, EmploymentStatus, EmploymentType, Gender, OptInStatus};
use chrono::{DateTime, NaiveDate, Utc};
use nudge_core::http::shapes::{NonBlank, Sized};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /workers` (and a JSON Lines import row). `customFields` holds at most 8 KiB nested at most 4
/// deep; `dateOfBirth` lies between 1900-01-01 and today and `hireDate` at most a year ahead; a worker that
/// is not active needs a `deactivationReason`; `supervisorId` names a worker of this organization and closes
/// no cycle; `userId` names a user of this organization: those rules are a 422. A user linked to another
/// worker already is a 409.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct WorkerRequest {
    #[schema(max_length = 100, pattern = r"\S")]
    pub external_id: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[schema(max_length = 100, pattern = r"\S")]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// Tags match without regard to case.
    #[schema(inline, max_items = 20)]
    pub tags: Option<Vec<NonBlank<50>>>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    /// Default true.
    pub is_active: Option<bool>,
    pub deactivation_reason: Option<DeactivationReason>,
    pub supervisor_id: Option<Uuid>,
    /// The user account of the same person in this organization, so their learning and their engagement
    /// as a worker meet; at most one worker per user.
    pub user_id: Option<Uuid>,
    #[schema(minimum = 0, maximum = 100)]
    pub performance_metric: Option<f64>,
    pub contact: Option<ContactRequest>,
    pub employment: Option<EmploymentRequest>,
    pub engagement: Option<EngagementRequest>,
    pub wellbeing: Option<WellbeingRequest>,
    pub gamification: Option<GamificationRequest>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ContactRequest {
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_city: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_state_province: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_country: Option<String>,
    /// With its country code; stored in E.164.
    #[schema(max_length = 32, pattern = r"^(\+|00)[0-9 ().-]+$", example = "+14155552671")]
    pub primary_phone_number: String,
    /// Default `pending`.
    pub whatsapp_opt_in_status: Option<OptInStatus>,
    /// BCP 47, default `en`.
    #[schema(max_length = 35, pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub preferred_language: Option<String>,
    /// IANA, e.g. `America/Sao_Paulo`: the worker's local hours for quiet hours and daily caps; the
    /// organization's `timeZone` when absent.
    #[schema(max_length = 64, pattern = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub time_zone: Option<String>,
    pub communication_consent: Option<bool>,
    #[schema(format = Email, max_length = 254)]
    pub email_address: Option<String>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct EmploymentRequest {
    #[schema(max_length = 100, pattern = r"\S")]
    pub job_title: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub department: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub team: Option<String>,
    pub hire_date: Option<NaiveDate>,
    /// Default `active`.
    pub employment_status: Option<EmploymentStatus>,
    pub employment_type: Option<EmploymentType>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct EngagementRequest {
    pub last_active_at: Option<DateTime<Utc>>,
    pub last_interaction_date: Option<DateTime<Utc>>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct WellbeingRequest {
    pub last_wellbeing_assessment_date: Option<DateTime<Utc>>,
    #[schema(minimum = 0, maximum = 100)]
    pub overall_wellbeing_score: Option<f64>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct GamificationRequest {
    /// The worker's XP balance, kept by the XP ledger (`POST /xp/awards`, `/xp/awards/batch`): a write may
    /// only repeat the current value (0 for a new worker); any other is a 422.
    #[schema(minimum = 0, read_only)]
    pub points_balance: Option<i64>,
    #[schema(minimum = 0)]
    pub badges_earned_count: Option<i64>,
}

/// `PATCH /workers/{id}`: JSON Merge Patch (RFC 7396) over the worker and its records as read
/// (`{"employment": {"team": "B"}}`); `null` removes a field, `"contact": null` the contact record. The
/// rules of [`WorkerRequest`] hold for the result; a patch that starts a contact record without a phone
/// number is a 422.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct WorkerPatch {
    #[schema(max_length = 100, pattern = r"\S")]
    pub external_id: Option<String>,
    #[schema(required = false, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[schema(required = false, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// Tags match without regard to case.
    #[schema(inline, max_items = 20)]
    pub tags: Option<Vec<NonBlank<50>>>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    pub is_active: Option<bool>,
    pub deactivation_reason: Option<DeactivationReason>,
    pub supervisor_id: Option<Uuid>,
    /// The user account of the same person in this organization (at most one worker per user); `null`
    /// unlinks the worker, freeing the user for another.
    pub user_id: Option<Uuid>,
    #[schema(minimum = 0, maximum = 100)]
    pub performance_metric: Option<f64>,
    pub contact: Option<ContactPatch>,
    pub employment: Option<EmploymentRequest>,
    pub engagement: Option<EngagementRequest>,
    pub wellbeing: Option<WellbeingRequest>,
    pub gamification: Option<GamificationRequest>,
}

/// The contact record in a merge patch: every field may be left out.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ContactPatch {
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_city: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_state_province: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub location_country: Option<String>,
    #[schema(max_length = 32, pattern = r"^(\+|00)[0-9 ().-]+$", example = "+14155552671")]
    pub primary_phone_number: Option<String>,
    pub whatsapp_opt_in_status: Option<OptInStatus>,
    #[schema(max_length = 35, pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub preferred_language: Option<String>,
    /// IANA, e.g. `America/Sao_Paulo`: the worker's local hours for quiet hours and daily caps; the
    /// organization's `timeZone` when absent.
    #[schema(max_length = 64, pattern = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub time_zone: Option<String>,
    pub communication_consent: Option<bool>,
    #[schema(format = Email, max_length = 254)]
    pub email_address: Option<String>,
}

/// `POST /workers/{id}/deactivate`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Deactivation {
    pub deactivation_reason: DeactivationReason,
}

/// `POST /worker-imports`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ImportRequest {
    /// `csv` (default) or `jsonl`.
    pub format: Option<ImportFormat>,
    #[schema(max_length = 255, pattern = r"\S")]
    pub file_name: Option<String>,
    /// The file's exact size in bytes; the upload must match it.
    #[schema(minimum = 1, maximum = 268435456)]
    pub size: u64,
}

/// The filters of `GET /workers`, as an export takes them.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ExportFilters {
    /// Start of the first or last name (any case).
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// Has this tag (any case).
    #[schema(max_length = 100, pattern = r"\S")]
    pub tag: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub department: Option<String>,
    #[schema(max_length = 100, pattern = r"\S")]
    pub team: Option<String>,
    pub employment_status: Option<EmploymentStatus>,
    pub is_active: Option<bool>,
    /// Reports directly to this worker.
    pub supervisor_id: Option<Uuid>,
    /// Linked to this user account.
    pub user_id: Option<Uuid>,
    pub whatsapp_opt_in_status: Option<OptInStatus>,
}

/// `POST /worker-exports`. `customFieldKeys` is for CSV only and names each key once (a 422 otherwise).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ExportRequest {
    /// `csv` (default) or `jsonl`.
    pub format: Option<ExportFormat>,
    /// None: every worker.
    pub filters: Option<ExportFilters>,
    /// CSV only: the `customFields.<key>` columns, exactly. Without it the export first reads the workers
    /// once for every key they have.
    /// Each key is at most 64 bytes (longer is a 422).
    #[schema(inline, max_items = 500)]
    pub custom_field_keys: Option<Vec<Sized<1, 64>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    /// The document states the very rules the readers apply.
    #[test]
    fn patterns_are_the_readers() {
        let contact = serde_json::to_value(ContactRequest::schema()).unwrap();
        let phone = &contact["properties"]["primaryPhoneNumber"];
        assert_eq!(phone["pattern"], crate::phone::FORM);
        assert_eq!(phone["maxLength"], crate::phone::MAX_CHARS);
        let patch = serde_json::to_value(ContactPatch::schema()).unwrap();
        assert_eq!(patch["properties"]["primaryPhoneNumber"]["pattern"], crate::phone::FORM);
        let worker = serde_json::to_value(WorkerRequest::schema()).unwrap();
        assert_eq!(worker["properties"]["firstName"]["pattern"], nudge_core::validate::NON_BLANK);
        assert_eq!(worker["additionalProperties"], false);
    }
}
