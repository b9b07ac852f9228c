//! Behaviour of the rule language end to end: parse, compile, match, explain.

mod api;
mod explain;
mod groups;
mod ops;
mod props;
mod time;
mod validate;

use super::{Compiled, Rule};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use nudge_workers::Worker;
use nudge_workers::model::*;
use serde_json::{Value, json};
use uuid::Uuid;

/// The fixed `now` every test compiles with.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 12, 0, 0).unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A value type (a phone number, a language, an email address) from text the test knows is one.
pub fn value<T: nudge_core::values::Parse>(text: &str) -> T {
    T::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub const SUPERVISOR: &str = "0191e0a0-1234-7000-8000-00000000abcd";

/// A worker with every field set.
pub fn ana() -> Worker {
    let fields = WorkerFields {
        external_id: Some("E-1".into()),
        first_name: "Ana".into(),
        last_name: "Silva".into(),
        date_of_birth: Some(day("1990-04-02")),
        gender: Some(Gender::Female),
        tags: vec!["VIP".into(), "Night Shift".into()],
        custom_fields: json!({
            "shift": "Night",
            "level": 3,
            "remote": true,
            "skills": ["Forklift", "First Aid"],
            "certifiedOn": "2024-06-01",
            "empty": null,
        })
        .as_object()
        .cloned(),
        is_active: true,
        deactivation_reason: None,
        supervisor_id: Some(Uuid::parse_str(SUPERVISOR).unwrap()),
        user_id: Some(Uuid::from_u128(0x5e1f)),
        performance_metric: Some(72.5),
        contact: Some(Contact {
            location_city: Some("São Paulo".into()),
            location_state_province: Some("SP".into()),
            location_country: Some("Brazil".into()),
            primary_phone_number: value("+14155552671"),
            whatsapp_opt_in_status: OptInStatus::OptedIn,
            preferred_language: value("pt-BR"),
            time_zone: None,
            communication_consent: true,
            email_address: Some(value("ana@example.com")),
        }),
        employment: Employment {
            job_title: Some("Picker".into()),
            department: Some("Sales".into()),
            team: Some("B".into()),
            hire_date: Some(day("2020-01-15")),
            employment_status: EmploymentStatus::Active,
            employment_type: Some(EmploymentType::FullTime),
        },
        engagement: Engagement {
            last_active_at: Some(now() - Duration::days(3)),
            last_interaction_date: Some(at("2024-05-01T08:00:00Z")),
        },
        wellbeing: Wellbeing {
            last_wellbeing_assessment_date: Some(at("2024-06-10T09:00:00Z")),
            overall_wellbeing_score: Some(64.0),
        },
        gamification: Gamification { points_balance: 150, badges_earned_count: 4 },
    };
    Worker::new(Uuid::from_u128(1), fields, at("2023-01-01T00:00:00Z"))
}

/// A worker with only a name: no contact record, no tags, no optional field.
pub fn bare() -> Worker {
    let fields =
        WorkerFields { first_name: "Bo".into(), last_name: "Lee".into(), is_active: true, ..Default::default() };
    Worker::new(Uuid::from_u128(2), fields, at("2024-06-01T00:00:00Z"))
}

pub fn rule(doc: Value) -> Rule {
    Rule::parse(&doc, "").unwrap_or_else(|e| panic!("{doc} should parse: {e:?}"))
}

pub fn compiled(doc: Value) -> Compiled {
    rule(doc).compile(now())
}

pub fn cond(field: &str, op: &str, value: Value) -> Value {
    if value.is_null() { json!({"field": field, "op": op}) } else { json!({"field": field, "op": op, "value": value}) }
}

/// Whether the rule matches; also checks that it explains exactly when it matches.
pub fn holds(doc: Value, w: &Worker) -> bool {
    let c = compiled(doc.clone());
    let m = c.matches(w);
    assert_eq!(c.explain(w).is_some(), m, "explain disagrees with matches for {doc}");
    m
}

pub fn explain(doc: Value, w: &Worker) -> Option<String> {
    compiled(doc).explain(w)
}
