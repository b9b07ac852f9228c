//! A journey's exit rules: when an enrolled worker leaves before the end.

use super::parse::Reader;
use chrono::{DateTime, Utc};
use nudge_core::http::FieldError;
use nudge_segments::rules::Rule;
use nudge_workers::Worker;
use serde_json::Value;

/// A journey's `exitRules`: `{"rule": <segment rule>, "onDeactivation": bool}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExitRules {
    /// A worker this matches leaves the journey.
    pub rule: Option<Rule>,
    /// Whether a deactivated worker leaves the journey.
    pub on_deactivation: bool,
}

/// No rule; deactivated workers leave.
impl Default for ExitRules {
    fn default() -> Self {
        Self { rule: None, on_deactivation: true }
    }
}

impl ExitRules {
    /// Reads the exit rules in `doc` (`null`, for an absent document, is the defaults); `at` is its JSON
    /// pointer in the request, the prefix of every error's pointer.
    pub fn parse(doc: &Value, at: &str) -> Result<ExitRules, Vec<FieldError>> {
        if doc.is_null() {
            return Ok(Self::default());
        }
        let mut r = Reader::default();
        let Some(obj) = r.object(doc, at, "exitRules", &["rule", "onDeactivation"]) else {
            return Err(r.errors);
        };
        let rule = obj.get("rule").map(|v| r.rule(v, &format!("{at}/rule")));
        let on_deactivation = match obj.get("onDeactivation") {
            None => Some(true),
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => r.fail(format!("{at}/onDeactivation"), "must be true or false"),
        };
        match on_deactivation {
            Some(on_deactivation) if r.errors.is_empty() => Ok(ExitRules { rule: rule.flatten(), on_deactivation }),
            _ => Err(r.errors),
        }
    }

    /// Why `worker` leaves the journey at `now` ("deactivated" or "matched the exit rule"); `None` while
    /// they stay.
    pub fn exits(&self, worker: &Worker, now: DateTime<Utc>) -> Option<&'static str> {
        if self.on_deactivation && !worker.fields.is_active {
            return Some("deactivated");
        }
        let matched = self.rule.as_ref().is_some_and(|rule| rule.compile(now).matches(worker));
        matched.then_some("matched the exit rule")
    }
}
