//! Rule logic end to end: reading documents, gates, branches, exits and due times.

mod due;
mod matching;
mod parse;
mod props;

use super::*;
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use nudge_workers::WorkerFields;
use serde_json::{Value, json};
use uuid::Uuid;

/// The fixed `now` gates, branches and exits are checked at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 12, 0, 0).unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")).with_timezone(&Utc)
}

pub fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

pub const LJUBLJANA: Tz = chrono_tz::Europe::Ljubljana;
pub const NEW_YORK: Tz = chrono_tz::America::New_York;

pub fn logic(doc: Value) -> RuleLogic {
    RuleLogic::parse(&doc, "/ruleLogic").unwrap_or_else(|e| panic!("{doc} should parse: {e:#?}"))
}

pub fn rule(doc: Value) -> Rule {
    Rule::parse(&doc, "").unwrap_or_else(|e| panic!("{doc} should parse: {e:#?}"))
}

/// An active worker with `tags`.
pub fn worker(tags: &[&str]) -> Worker {
    let fields = WorkerFields {
        first_name: "Ana".into(),
        last_name: "Silva".into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        is_active: true,
        ..Default::default()
    };
    Worker::new(Uuid::from_u128(1), fields, utc("2024-01-01T00:00:00Z"))
}

pub fn tagged(tag: &str) -> Value {
    json!({"field": "tags", "op": "contains", "value": tag})
}
