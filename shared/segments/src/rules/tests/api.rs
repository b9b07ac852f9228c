//! The rule as stored and inspected: JSON round trip, counts, fields.

use super::*;
use std::collections::BTreeSet;

fn sample() -> Value {
    json!({"all": [
        {"field": "employment.department", "op": "in", "value": ["Sales", "Ops"]},
        {"any": [
            {"field": "contact.whatsappOptInStatus", "op": "eq", "value": "opted_in"},
            {"field": "gamification.pointsBalance", "op": "between", "value": [100, 500]},
            {"field": "performanceMetric", "op": "gte", "value": 72.5},
        ]},
        {"not": {"field": "tags", "op": "hasAny", "value": ["on-leave", "Probation"]}},
        {"field": "engagement.lastActiveAt", "op": "withinLastDays", "value": 30},
        {"field": "engagement.lastInteractionDate", "op": "lt", "value": "2024-05-01"},
        {"field": "wellbeing.lastWellbeingAssessmentDate", "op": "gt", "value": "2024-05-01T08:30:00Z"},
        {"field": "supervisorId", "op": "neq", "value": SUPERVISOR},
        {"field": "customFields.shift", "op": "notIn", "value": ["day", 2, false]},
        {"field": "employment.team", "op": "missing"},
        {"field": "isActive", "op": "eq", "value": true},
    ]})
}

#[test]
fn a_rule_serialises_to_the_json_it_was_read_from() {
    let r = rule(sample());
    let written = serde_json::to_value(&r).unwrap();
    assert_eq!(written, sample());
    assert_eq!(rule(written), r);
}

#[test]
fn null_values_and_offsets_normalise_on_the_way_back() {
    let r = rule(json!({"any": [
        {"field": "employment.team", "op": "exists", "value": null},
        {"field": "createdAt", "op": "gte", "value": "2024-01-01T02:00:00+02:00"},
    ]}));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"any": [
            {"field": "employment.team", "op": "exists"},
            {"field": "createdAt", "op": "gte", "value": "2024-01-01T00:00:00Z"},
        ]})
    );
}

#[test]
fn stored_rules_deserialise_through_the_checks() {
    let r: Rule = serde_json::from_value(sample()).unwrap();
    assert_eq!(r, rule(sample()));
    let bad = serde_json::from_value::<Rule>(json!({"all": [{"field": "nope", "op": "eq", "value": 1}]}));
    let message = bad.unwrap_err().to_string();
    assert!(message.contains("/all/0/field: unknown field \"nope\""), "{message}");
}

#[test]
fn counts_fields_and_time_relativity() {
    let r = rule(sample());
    assert_eq!(r.conditions(), 12);
    let fields: BTreeSet<String> = [
        "contact.whatsappOptInStatus",
        "customFields.shift",
        "employment.department",
        "employment.team",
        "engagement.lastActiveAt",
        "engagement.lastInteractionDate",
        "gamification.pointsBalance",
        "isActive",
        "performanceMetric",
        "supervisorId",
        "tags",
        "wellbeing.lastWellbeingAssessmentDate",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(r.fields(), fields);
    assert!(r.is_time_relative());
    let plain = rule(cond("employment.team", "eq", json!("B")));
    assert_eq!((plain.conditions(), plain.is_time_relative()), (1, false));
}

#[test]
fn compiled_rules_are_shareable_across_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Compiled>();
    shareable::<Rule>();
}
