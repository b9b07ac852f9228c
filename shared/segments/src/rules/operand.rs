//! A condition's value, checked against its field's type and operator, and kept typed so compiling never
//! re-parses and serialising writes the rule back in its stored shape.

use super::field::Kind;
use super::op::Op;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use nudge_core::http::FieldError;
use serde::Serialize;
use serde_json::{Number, Value};
use uuid::Uuid;

pub const MAX_LIST: usize = 500;
pub const MAX_STRING: usize = 1024;
pub const MAX_FRAGMENT: usize = 256;
pub const MAX_DAYS: u64 = 36_500;

/// One value. Serialises back to the JSON it was read from (dates as `YYYY-MM-DD`, date-times as RFC 3339
/// in UTC).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Number(Number),
    Bool(bool),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Id(Uuid),
    /// An enum value by its wire name.
    Choice(String),
}

impl Scalar {
    pub fn number(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// Microseconds since the epoch; a date is its midnight UTC.
    pub fn micros(&self) -> Option<i64> {
        match self {
            Self::Date(d) => Some(date_micros(*d)),
            Self::DateTime(t) => Some(t.timestamp_micros()),
            _ => None,
        }
    }
}

/// The value of a condition by operator shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Operand {
    /// exists, missing.
    None,
    /// eq, neq, gt, gte, lt, lte, contains, startsWith.
    One(Scalar),
    /// in, notIn, hasAny, hasAll.
    List(Vec<Scalar>),
    /// between: low and high, inclusive.
    Range(Scalar, Scalar),
    /// withinLastDays, olderThanDays.
    Days(u32),
}

pub fn date_micros(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp_micros()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    // chrono accepts unpadded fields; the API promises exactly YYYY-MM-DD.
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A date (at midnight UTC) or an RFC 3339 date-time, as microseconds since the epoch.
pub fn parse_micros(s: &str) -> Option<i64> {
    match parse_date(s) {
        Some(d) => Some(date_micros(d)),
        None => DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_micros()),
    }
}

fn time_scalar(s: &str) -> Option<Scalar> {
    parse_date(s)
        .map(Scalar::Date)
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|t| Scalar::DateTime(t.with_timezone(&Utc))))
}

fn string(v: &Value) -> Result<&str, String> {
    match v.as_str() {
        Some(s) if s.chars().count() > MAX_STRING => Err(format!("must be at most {MAX_STRING} characters")),
        Some(s) => Ok(s),
        None => Err("must be a string".into()),
    }
}

/// One value for a field of `kind`; `ordered` for the comparisons (gt… between), where a custom field's
/// value is a number or a date.
fn scalar(kind: Kind, ordered: bool, v: &Value) -> Result<Scalar, String> {
    const DATE_TIME: &str = "must be an RFC 3339 date-time or a date (YYYY-MM-DD)";
    match kind {
        Kind::Text | Kind::TextList => string(v).map(|s| Scalar::Text(s.to_owned())),
        Kind::Enum(choice) => match v.as_str() {
            Some(s) if choice.discriminant(s).is_some() => Ok(Scalar::Choice(s.to_owned())),
            _ => Err(format!("must be one of {}", choice.values().join(", "))),
        },
        Kind::Number => v.as_number().map(|n| Scalar::Number(n.clone())).ok_or_else(|| "must be a number".into()),
        Kind::Integer => match v.as_number() {
            Some(n) if n.is_i64() => Ok(Scalar::Number(n.clone())),
            _ => Err("must be a whole number".into()),
        },
        Kind::Boolean => v.as_bool().map(Scalar::Bool).ok_or_else(|| "must be true or false".into()),
        Kind::Id => {
            v.as_str().and_then(|s| Uuid::parse_str(s).ok()).map(Scalar::Id).ok_or_else(|| "must be a UUID".into())
        }
        Kind::Date => {
            v.as_str().and_then(parse_date).map(Scalar::Date).ok_or_else(|| "must be a date (YYYY-MM-DD)".into())
        }
        Kind::DateTime => v.as_str().and_then(time_scalar).ok_or_else(|| DATE_TIME.into()),
        Kind::Custom if ordered => match v {
            Value::Number(n) => Ok(Scalar::Number(n.clone())),
            Value::String(s) => time_scalar(s).ok_or_else(|| format!("{DATE_TIME}, or a number")),
            _ => Err("must be a number, a date (YYYY-MM-DD) or an RFC 3339 date-time".into()),
        },
        Kind::Custom => match v {
            Value::String(_) => string(v).map(|s| Scalar::Text(s.to_owned())),
            Value::Number(n) => Ok(Scalar::Number(n.clone())),
            Value::Bool(b) => Ok(Scalar::Bool(*b)),
            _ => Err("must be a string, number or boolean".into()),
        },
    }
}

/// Collects errors under the pointer of one condition's value.
struct Check<'a> {
    at: String,
    errors: &'a mut Vec<FieldError>,
}

impl Check<'_> {
    fn fail<T>(&mut self, suffix: &str, message: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError::body(format!("{}{suffix}", self.at), message));
        None
    }

    fn one(&mut self, suffix: &str, r: Result<Scalar, String>) -> Option<Scalar> {
        match r {
            Ok(s) => Some(s),
            Err(m) => self.fail(suffix, m),
        }
    }

    /// A non-empty array of at most MAX_LIST values, each checked by `item` and reported by index.
    fn list(&mut self, v: &Value, what: &str, item: impl Fn(&Value) -> Result<Scalar, String>) -> Option<Operand> {
        let items = match v.as_array() {
            Some(items) if !items.is_empty() && items.len() <= MAX_LIST => items,
            _ => return self.fail("", format!("must be a non-empty array of at most {MAX_LIST} {what}")),
        };
        let read: Vec<Option<Scalar>> =
            items.iter().enumerate().map(|(i, v)| self.one(&format!("/{i}"), item(v))).collect();
        read.into_iter().collect::<Option<Vec<_>>>().map(Operand::List)
    }

    fn range(&mut self, kind: Kind, v: &Value) -> Option<Operand> {
        let [lo, hi] = match v.as_array().map(Vec::as_slice) {
            Some([lo, hi]) => [lo, hi],
            _ => return self.fail("", "must be [low, high]"),
        };
        let lo = self.one("/0", scalar(kind, true, lo));
        let hi = self.one("/1", scalar(kind, true, hi));
        let (lo, hi) = (lo?, hi?);
        let ordered = match (lo.number(), hi.number(), lo.micros(), hi.micros()) {
            (Some(a), Some(b), _, _) => a <= b,
            (_, _, Some(a), Some(b)) => a <= b,
            _ => return self.fail("", "low and high must both be numbers or both be dates"),
        };
        if ordered { Some(Operand::Range(lo, hi)) } else { self.fail("", "low must not be greater than high") }
    }
}

/// The operand of `op` on a field of `kind` from `value` (absent or null: none given); errors are reported
/// at `at` (the value's pointer) and below.
pub fn read(kind: Kind, op: Op, value: Option<&Value>, at: String, errors: &mut Vec<FieldError>) -> Option<Operand> {
    let mut c = Check { at, errors };
    let value = value.filter(|v| !v.is_null());
    let Some(v) = value else {
        return if matches!(op, Op::Exists | Op::Missing) {
            Some(Operand::None)
        } else {
            c.fail("", format!("is required for {}", op.name()))
        };
    };
    match op {
        Op::Exists | Op::Missing => c.fail("", format!("must be omitted for {}", op.name())),
        Op::Eq | Op::Neq => c.one("", scalar(kind, false, v)).map(Operand::One),
        Op::In | Op::NotIn => c.list(v, "values", |item| scalar(kind, false, item)),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => c.one("", scalar(kind, true, v)).map(Operand::One),
        Op::Between => c.range(kind, v),
        Op::Contains | Op::StartsWith => match v.as_str() {
            Some(s) if !s.trim().is_empty() && s.chars().count() <= MAX_FRAGMENT => {
                Some(Operand::One(Scalar::Text(s.to_owned())))
            }
            _ => c.fail("", format!("must be a non-blank string of at most {MAX_FRAGMENT} characters")),
        },
        Op::HasAny | Op::HasAll => c.list(v, "strings", |item| string(item).map(|s| Scalar::Text(s.to_owned()))),
        Op::WithinLastDays | Op::OlderThanDays => match v.as_u64() {
            Some(n) if (1..=MAX_DAYS).contains(&n) => u32::try_from(n).ok().map(Operand::Days),
            _ => c.fail("", format!("must be a whole number of days from 1 to {MAX_DAYS}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::field::Choice;
    use serde_json::json;

    fn ok(kind: Kind, op: Op, v: Value) -> Operand {
        let mut errors = Vec::new();
        let out = read(kind, op, Some(&v), "/v".into(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        out.unwrap_or(Operand::None)
    }

    fn bad(kind: Kind, op: Op, v: Option<Value>) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        assert!(read(kind, op, v.as_ref(), "/v".into(), &mut errors).is_none());
        errors.into_iter().map(|e| (e.pointer.unwrap_or_default(), e.message)).collect()
    }

    #[test]
    fn values_serialise_as_they_were_written() {
        let cases = [
            (Kind::DateTime, Op::Gt, json!("2024-05-01")),
            (Kind::DateTime, Op::Gt, json!("2024-05-01T10:30:00Z")),
            (Kind::Integer, Op::In, json!([1, 2, 3])),
            (Kind::Number, Op::Between, json!([0.5, 2])),
            (Kind::Enum(Choice::Gender), Op::Eq, json!("non_binary")),
            (Kind::Id, Op::Eq, json!("0191e0a0-0000-7000-8000-000000000001")),
            (Kind::Custom, Op::In, json!(["a", 1, true])),
            (Kind::Date, Op::WithinLastDays, json!(30)),
        ];
        for (kind, op, v) in cases {
            assert_eq!(serde_json::to_value(ok(kind, op, v.clone())).ok(), Some(v));
        }
        let shifted = ok(Kind::DateTime, Op::Lt, json!("2024-05-01T12:00:00+02:00"));
        assert_eq!(serde_json::to_value(shifted).ok(), Some(json!("2024-05-01T10:00:00Z")));
    }

    #[test]
    fn wrong_values_are_reported_where_they_are() {
        assert_eq!(bad(Kind::Integer, Op::Eq, Some(json!(1.5))), [("/v".into(), "must be a whole number".into())]);
        assert_eq!(
            bad(Kind::Number, Op::In, Some(json!([1, "2", 3, null]))),
            [("/v/1".into(), "must be a number".into()), ("/v/3".into(), "must be a number".into())]
        );
        assert_eq!(bad(Kind::Number, Op::Between, Some(json!([3, 1])))[0].1, "low must not be greater than high");
        assert_eq!(
            bad(Kind::Custom, Op::Between, Some(json!([1, "2024-01-01"])))[0].1,
            "low and high must both be numbers or both be dates"
        );
        assert_eq!(bad(Kind::Date, Op::Gt, Some(json!("2024-1-1")))[0].1, "must be a date (YYYY-MM-DD)");
        assert_eq!(bad(Kind::Text, Op::Eq, None)[0].1, "is required for eq");
        assert_eq!(bad(Kind::Text, Op::Exists, Some(json!("x")))[0].1, "must be omitted for exists");
        assert!(bad(Kind::Text, Op::In, Some(json!([])))[0].1.contains("non-empty array"));
        assert!(bad(Kind::Text, Op::In, Some(json!(vec!["a"; MAX_LIST + 1])))[0].1.contains("at most 500"));
        assert!(bad(Kind::Text, Op::Contains, Some(json!("  ")))[0].1.contains("non-blank"));
        assert!(bad(Kind::Text, Op::Eq, Some(json!("x".repeat(MAX_STRING + 1))))[0].1.contains("at most 1024"));
        assert!(bad(Kind::Date, Op::WithinLastDays, Some(json!(0)))[0].1.contains("1 to 36500"));
        assert!(bad(Kind::Date, Op::OlderThanDays, Some(json!(36_501)))[0].1.contains("1 to 36500"));
        assert_eq!(
            bad(Kind::Enum(Choice::OptInStatus), Op::Eq, Some(json!("yes")))[0].1,
            "must be one of opted_in, opted_out, pending, failed"
        );
        assert_eq!(
            bad(Kind::Custom, Op::Gt, Some(json!(true)))[0].1,
            "must be a number, a date (YYYY-MM-DD) or an RFC 3339 date-time"
        );
        assert_eq!(
            bad(Kind::TextList, Op::HasAll, Some(json!(["a", 2])))[0],
            ("/v/1".into(), "must be a string".into())
        );
    }

    #[test]
    fn exists_accepts_null() {
        let mut errors = Vec::new();
        assert_eq!(read(Kind::Text, Op::Missing, Some(&Value::Null), "/v".into(), &mut errors), Some(Operand::None));
    }

    #[test]
    fn times_are_microseconds_at_midnight_for_dates() {
        assert_eq!(parse_micros("1970-01-02"), Some(86_400_000_000));
        assert_eq!(parse_micros("1970-01-01T00:00:01+00:00"), Some(1_000_000));
        assert_eq!(parse_micros("soon"), None);
    }
}
