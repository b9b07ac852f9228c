//! Reading one field of a worker: a `match` from the compiled field straight to the struct, borrowing, so
//! evaluating a condition neither serialises nor allocates.

use super::field::Attr;
use super::operand::date_micros;
use super::text::Text;
use chrono::{DateTime, NaiveDate, Utc};
use nudge_workers::Worker;
use serde_json::Value;
use uuid::Uuid;

/// A worker's value of a field.
#[derive(Clone, Copy, Debug)]
pub enum Val<'w> {
    /// Not set: an absent optional, a field of a missing contact record, no tags, a null custom field.
    Missing,
    Text(Text<'w>),
    /// An enum value by its discriminant.
    Choice(u8),
    Number(f64),
    Bool(bool),
    Id(Uuid),
    /// Microseconds since the epoch; a date is its midnight UTC.
    Time(i64),
    Tags(&'w [String]),
    Json(&'w Value),
}

fn text(s: Option<&str>) -> Val<'_> {
    s.map_or(Val::Missing, |s| Val::Text(Text::one(s)))
}

fn date(d: Option<NaiveDate>) -> Val<'static> {
    d.map_or(Val::Missing, |d| Val::Time(date_micros(d)))
}

fn time(t: Option<DateTime<Utc>>) -> Val<'static> {
    t.map_or(Val::Missing, |t| Val::Time(t.timestamp_micros()))
}

pub fn attr(a: Attr, w: &Worker) -> Val<'_> {
    let f = &w.fields;
    let contact = f.contact.as_ref();
    let (employment, engagement) = (&f.employment, &f.engagement);
    match a {
        Attr::ExternalId => text(f.external_id.as_deref()),
        Attr::FirstName => Val::Text(Text::one(&f.first_name)),
        Attr::LastName => Val::Text(Text::one(&f.last_name)),
        Attr::FullName => Val::Text(Text::two(&f.first_name, &f.last_name)),
        Attr::DateOfBirth => date(f.date_of_birth),
        Attr::Gender => f.gender.map_or(Val::Missing, |g| Val::Choice(g as u8)),
        Attr::Tags if f.tags.is_empty() => Val::Missing,
        Attr::Tags => Val::Tags(&f.tags),
        Attr::IsActive => Val::Bool(f.is_active),
        Attr::DeactivationReason => f.deactivation_reason.map_or(Val::Missing, |r| Val::Choice(r as u8)),
        Attr::SupervisorId => f.supervisor_id.map_or(Val::Missing, Val::Id),
        Attr::PerformanceMetric => f.performance_metric.map_or(Val::Missing, Val::Number),
        Attr::CreatedAt => Val::Time(w.created_at.timestamp_micros()),
        Attr::UpdatedAt => Val::Time(w.updated_at.timestamp_micros()),
        Attr::LocationCity => text(contact.and_then(|c| c.location_city.as_deref())),
        Attr::LocationStateProvince => text(contact.and_then(|c| c.location_state_province.as_deref())),
        Attr::LocationCountry => text(contact.and_then(|c| c.location_country.as_deref())),
        Attr::PrimaryPhoneNumber => text(contact.map(|c| c.primary_phone_number.as_str())),
        Attr::PreferredLanguage => text(contact.map(|c| c.preferred_language.as_str())),
        Attr::EmailAddress => text(contact.and_then(|c| c.email_address.as_deref())),
        Attr::WhatsappOptInStatus => contact.map_or(Val::Missing, |c| Val::Choice(c.whatsapp_opt_in_status as u8)),
        Attr::CommunicationConsent => contact.map_or(Val::Missing, |c| Val::Bool(c.communication_consent)),
        Attr::JobTitle => text(employment.job_title.as_deref()),
        Attr::Department => text(employment.department.as_deref()),
        Attr::Team => text(employment.team.as_deref()),
        Attr::HireDate => date(employment.hire_date),
        Attr::EmploymentStatus => Val::Choice(employment.employment_status as u8),
        Attr::EmploymentType => employment.employment_type.map_or(Val::Missing, |t| Val::Choice(t as u8)),
        Attr::LastActiveAt => time(engagement.last_active_at),
        Attr::LastInteractionDate => time(engagement.last_interaction_date),
        Attr::LastWellbeingAssessmentDate => time(f.wellbeing.last_wellbeing_assessment_date),
        Attr::OverallWellbeingScore => f.wellbeing.overall_wellbeing_score.map_or(Val::Missing, Val::Number),
        // Exact below 2^53 points, far beyond any balance.
        Attr::PointsBalance => Val::Number(f.gamification.points_balance as f64),
        Attr::BadgesEarnedCount => Val::Number(f.gamification.badges_earned_count as f64),
    }
}

/// A custom field by key; null counts as missing.
pub fn custom<'w>(key: &str, w: &'w Worker) -> Val<'w> {
    match w.fields.custom_fields.as_ref().and_then(|m| m.get(key)) {
        None | Some(Value::Null) => Val::Missing,
        Some(v) => Val::Json(v),
    }
}
