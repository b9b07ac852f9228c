//! Validation: every bad node at once, each at its exact pointer.

use super::*;
use crate::rules::{MAX_CONDITIONS, MAX_DEPTH};

fn errors(doc: Value) -> Vec<(String, String)> {
    match Rule::parse(&doc, "/ruleDefinition") {
        Ok(_) => panic!("{doc} should not parse"),
        Err(errors) => errors.into_iter().map(|e| (e.pointer.unwrap_or_default(), e.message)).collect(),
    }
}

/// The message at `pointer`, which must be reported exactly once.
fn at_pointer<'a>(errors: &'a [(String, String)], pointer: &str) -> &'a str {
    let found: Vec<&(String, String)> = errors.iter().filter(|(p, _)| p == pointer).collect();
    assert_eq!(found.len(), 1, "one error at {pointer} in {errors:#?}");
    &found[0].1
}

#[test]
fn every_bad_node_is_reported_at_once() {
    let doc = json!({"all": [
        cond("employment.department", "eq", json!("Sales")),
        cond("department", "eq", json!("Sales")),
        cond("employment.department", "gt", json!(1)),
        {"any": [cond("gamification.pointsBalance", "in", json!([1, "x", 2.5]))]},
        cond("gender", "eq", json!("robot")),
        {"any": []},
        {"all": [], "any": []},
        {},
        {"field": "employment.team", "op": "eq", "value": "B", "extra": 1, "a/b~": 2},
        {"not": {"field": "tags", "op": "bogus"}},
        "team is B",
        {"all": [cond("customFields.a.b", "eq", json!(1))], "value": 3},
        {"field": "employment.team", "value": "B"},
    ]});
    let e = errors(doc);
    assert!(at_pointer(&e, "/ruleDefinition/all/1/field").starts_with("unknown field \"department\""));
    assert_eq!(
        at_pointer(&e, "/ruleDefinition/all/2/op"),
        "\"gt\" does not apply to employment.department (text); use one of eq, neq, in, notIn, contains, \
         startsWith, exists, missing"
    );
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/3/any/0/value/1"), "must be a whole number");
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/3/any/0/value/2"), "must be a whole number");
    assert_eq!(
        at_pointer(&e, "/ruleDefinition/all/4/value"),
        "must be one of male, female, non_binary, other, prefer_not_say"
    );
    assert!(at_pointer(&e, "/ruleDefinition/all/5/any").starts_with("must not be empty"));
    assert_eq!(
        at_pointer(&e, "/ruleDefinition/all/6"),
        "must have only one of all, any, not and field, not all and any"
    );
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/7"), "must have one of all, any, not or field");
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/8/extra"), "unknown key: a condition has only field, op and value");
    assert!(at_pointer(&e, "/ruleDefinition/all/8/a~1b~0").starts_with("unknown key"));
    assert!(
        at_pointer(&e, "/ruleDefinition/all/9/not/op")
            .starts_with("unknown operator \"bogus\"; operators are eq, neq,")
    );
    assert!(at_pointer(&e, "/ruleDefinition/all/10").starts_with("must be an object"));
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/11/value"), "unknown key: a group has only its \"all\"");
    assert!(at_pointer(&e, "/ruleDefinition/all/11/all/0/field").starts_with("a custom field key must be"));
    assert_eq!(at_pointer(&e, "/ruleDefinition/all/12/op"), "is required");
    assert_eq!(e.len(), 15, "{e:#?}");
}

#[test]
fn value_errors_name_the_value() {
    let cases = [
        (cond("employment.team", "eq", Value::Null), "/ruleDefinition/value", "is required for eq"),
        (cond("employment.team", "exists", json!(true)), "/ruleDefinition/value", "must be omitted for exists"),
        (cond("employment.team", "eq", json!(1)), "/ruleDefinition/value", "must be a string"),
        (cond("isActive", "eq", json!("yes")), "/ruleDefinition/value", "must be true or false"),
        (cond("supervisorId", "in", json!(["x"])), "/ruleDefinition/value/0", "must be a UUID"),
        (cond("dateOfBirth", "between", json!(["2000-01-01"])), "/ruleDefinition/value", "must be [low, high]"),
        (
            cond("dateOfBirth", "between", json!(["2000-01-02", "2000-01-01"])),
            "/ruleDefinition/value",
            "low must not be greater than high",
        ),
        (
            cond("engagement.lastActiveAt", "gt", json!("yesterday")),
            "/ruleDefinition/value",
            "must be an RFC 3339 date-time or a date (YYYY-MM-DD)",
        ),
        (
            cond("engagement.lastActiveAt", "withinLastDays", json!(1.5)),
            "/ruleDefinition/value",
            "must be a whole number of days from 1 to 36500",
        ),
        (
            cond("tags", "hasAny", json!("vip")),
            "/ruleDefinition/value",
            "must be a non-empty array of at most 500 strings",
        ),
        (cond("customFields.x", "eq", json!([1])), "/ruleDefinition/value", "must be a string, number or boolean"),
        (json!({"field": 3, "op": "eq", "value": 1}), "/ruleDefinition/field", "must be a string naming a field"),
        (json!({"field": "employment.team", "op": 3}), "/ruleDefinition/op", "must be a string"),
        (json!({"all": {"field": "employment.team"}}), "/ruleDefinition/all", "must be an array of rules"),
    ];
    for (doc, pointer, message) in cases {
        assert_eq!(errors(doc.clone()), [(pointer.to_owned(), message.to_owned())], "{doc}");
    }
}

#[test]
fn operators_outside_a_type_are_refused_with_the_allowed_ones() {
    let cases = [
        ("engagement.lastActiveAt", "eq", "gt, gte, lt, lte, between, withinLastDays, olderThanDays, exists, missing"),
        ("tags", "eq", "contains, hasAny, hasAll, exists, missing"),
        ("isActive", "in", "eq, neq, exists, missing"),
        ("gender", "contains", "eq, neq, in, notIn, exists, missing"),
        (
            "gamification.pointsBalance",
            "withinLastDays",
            "eq, neq, in, notIn, gt, gte, lt, lte, between, exists, missing",
        ),
    ];
    for (field, op, allowed) in cases {
        let e = errors(cond(field, op, json!(1)));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].1.ends_with(&format!("; use one of {allowed}")), "{e:?}");
    }
}

#[test]
fn groups_nest_at_most_six_deep() {
    let nest = |depth: usize| (0..depth).fold(cond("employment.team", "eq", json!("B")), |doc, _| json!({"not": doc}));
    assert!(Rule::parse(&nest(MAX_DEPTH), "").is_ok());
    let e = errors(nest(MAX_DEPTH + 1));
    let pointer = format!("/ruleDefinition{}", "/not".repeat(MAX_DEPTH));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(at_pointer(&e, &pointer).contains("groups may nest at most 6 deep"));
}

#[test]
fn a_rule_has_at_most_a_hundred_conditions() {
    let many = |n: usize| json!({"any": (0..n).map(|i| cond("employment.team", "eq", json!(format!("T{i}")))).collect::<Vec<_>>()});
    assert_eq!(rule(many(MAX_CONDITIONS)).conditions(), MAX_CONDITIONS);
    let mut doc = many(MAX_CONDITIONS + 1);
    doc["any"][5] = cond("employment.team", "gt", json!(1));
    let e = errors(doc);
    assert_eq!(e[0], ("/ruleDefinition".to_owned(), "has 101 conditions; a rule may have at most 100".to_owned()));
    assert!(at_pointer(&e, "/ruleDefinition/any/5/op").starts_with("\"gt\" does not apply"));
}

#[test]
fn the_root_must_be_a_node() {
    assert_eq!(errors(json!([]))[0].0, "/ruleDefinition");
    assert_eq!(errors(json!(null))[0].0, "/ruleDefinition");
    assert_eq!(
        errors(json!({"not": cond("employment.team", "eq", json!("B")), "field": "x"}))[0].1,
        "must have only one of all, any, not and field, not not and field"
    );
}
