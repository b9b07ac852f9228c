//! Explanations: the conditions that matched, in words.

use super::*;
use crate::rules::MAX_EXPLANATION;

fn team(t: &str) -> Value {
    cond("employment.team", "eq", json!(t))
}

fn dept(d: &str) -> Value {
    cond("employment.department", "eq", json!(d))
}

fn says(doc: Value, w: &Worker) -> String {
    explain(doc.clone(), w).unwrap_or_else(|| panic!("{doc} should match"))
}

#[test]
fn all_names_every_condition() {
    let doc = json!({"all": [
        dept("Sales"),
        cond("contact.whatsappOptInStatus", "eq", json!("opted_in")),
        cond("gamification.pointsBalance", "gte", json!(100)),
    ]});
    assert_eq!(
        says(doc, &ana()),
        "department is \"Sales\" and WhatsApp opt-in status is opted in and points balance is at least 100"
    );
}

#[test]
fn any_names_only_the_children_that_matched() {
    assert_eq!(says(json!({"any": [team("B"), team("C")]}), &ana()), "team is \"B\"");
    assert_eq!(says(json!({"any": [team("C"), team("B")]}), &ana()), "team is \"B\"");
    assert_eq!(
        says(json!({"any": [dept("Sales"), team("C"), team("B")]}), &ana()),
        "department is \"Sales\" and team is \"B\""
    );
    assert_eq!(explain(json!({"any": [team("C"), team("D")]}), &ana()), None);
}

#[test]
fn not_uses_the_negated_wording() {
    let w = ana();
    assert_eq!(says(json!({"not": team("C")}), &w), "team is not \"C\"");
    assert_eq!(
        says(json!({"not": {"all": [dept("Sales"), team("C")]}}), &w),
        "not (department is \"Sales\" and team is \"C\")"
    );
    assert_eq!(says(json!({"not": {"any": [team("C"), team("D")]}}), &w), "not (team is \"C\" or team is \"D\")");
    assert_eq!(
        says(json!({"not": {"all": [{"any": [team("C"), team("D")]}, dept("Ops")]}}), &w),
        "not ((team is \"C\" or team is \"D\") and department is \"Ops\")"
    );
    assert_eq!(says(json!({"not": {"all": [team("C")]}}), &w), "team is not \"C\"");
    assert_eq!(says(json!({"not": {"not": team("B")}}), &w), "team is \"B\"");
    assert_eq!(says(json!({"not": {"not": {"not": team("C")}}}), &w), "team is not \"C\"");
    assert_eq!(explain(json!({"not": team("B")}), &w), None);
}

#[test]
fn every_operator_reads_as_a_sentence() {
    let (a, b) = (ana(), bare());
    let cases: Vec<(Value, &Worker, &str)> = vec![
        (cond("employment.department", "neq", json!("Ops")), &a, "department is not \"Ops\""),
        (cond("employment.department", "neq", json!("Ops")), &b, "department is not \"Ops\""),
        (cond("employment.department", "in", json!(["Sales", "Ops"])), &a, "department is one of \"Sales\", \"Ops\""),
        (cond("employment.department", "in", json!(["Sales"])), &a, "department is \"Sales\""),
        (cond("employment.department", "notIn", json!(["Ops", "HR"])), &a, "department is none of \"Ops\", \"HR\""),
        (cond("employment.jobTitle", "contains", json!("ick")), &a, "job title contains \"ick\""),
        (cond("employment.jobTitle", "startsWith", json!("Pi")), &a, "job title starts with \"Pi\""),
        (cond("employment.jobTitle", "exists", Value::Null), &a, "job title is set"),
        (cond("employment.jobTitle", "missing", Value::Null), &b, "job title is not set"),
        (cond("gender", "eq", json!("female")), &a, "gender is female"),
        (cond("employment.employmentType", "eq", json!("full_time")), &a, "employment type is full time"),
        (cond("performanceMetric", "gt", json!(70)), &a, "performance metric is more than 70"),
        (cond("performanceMetric", "lt", json!(80)), &a, "performance metric is less than 80"),
        (cond("performanceMetric", "lte", json!(72.5)), &a, "performance metric is at most 72.5"),
        (
            cond("wellbeing.overallWellbeingScore", "between", json!([50, 70])),
            &a,
            "wellbeing score is between 50 and 70",
        ),
        (cond("isActive", "eq", json!(true)), &a, "is active"),
        (cond("isActive", "neq", json!(false)), &a, "is active"),
        (cond("contact.communicationConsent", "eq", json!(true)), &a, "has communication consent"),
        (cond("contact.communicationConsent", "neq", json!(true)), &b, "has no communication consent"),
        (cond("supervisorId", "eq", json!(SUPERVISOR)), &a, "supervisor is 0191e0a0-1234-7000-8000-00000000abcd"),
        (cond("dateOfBirth", "lt", json!("2000-01-01")), &a, "date of birth is before 2000-01-01"),
        (cond("dateOfBirth", "gte", json!("1990-04-02")), &a, "date of birth is on or after 1990-04-02"),
        (cond("engagement.lastInteractionDate", "gt", json!("2024-05-01")), &a, "last interaction is after 2024-05-01"),
        (
            cond("engagement.lastInteractionDate", "lte", json!("2024-05-01T10:00:00+02:00")),
            &a,
            "last interaction is on or before 2024-05-01 08:00 UTC",
        ),
        (cond("engagement.lastActiveAt", "withinLastDays", json!(7)), &a, "last active is within the last 7 days"),
        (cond("employment.hireDate", "olderThanDays", json!(1)), &a, "hire date is more than 1 day ago"),
        (cond("tags", "contains", json!("VIP")), &a, "has tag \"VIP\""),
        (cond("tags", "hasAny", json!(["new", "vip"])), &a, "has any of the tags \"new\", \"vip\""),
        (cond("tags", "hasAll", json!(["vip"])), &a, "has all of the tags \"vip\""),
        (cond("tags", "exists", Value::Null), &a, "has tags"),
        (cond("tags", "missing", Value::Null), &b, "has no tags"),
        (cond("customFields.shift", "eq", json!("night")), &a, "custom field \"shift\" is \"night\""),
        (
            cond("customFields.skills", "hasAny", json!(["forklift"])),
            &a,
            "custom field \"skills\" includes any of \"forklift\"",
        ),
        (cond("customFields.level", "gte", json!(3)), &a, "custom field \"level\" is at least 3"),
        (
            cond("customFields.certifiedOn", "gt", json!("2024-01-01")),
            &a,
            "custom field \"certifiedOn\" is after 2024-01-01",
        ),
    ];
    for (doc, w, expected) in cases {
        assert_eq!(says(doc.clone(), w), expected, "{doc}");
    }
}

#[test]
fn negated_wording_of_each_kind() {
    let w = ana();
    let cases = [
        (cond("performanceMetric", "gte", json!(90)), "performance metric is less than 90"),
        (cond("dateOfBirth", "gt", json!("2000-01-01")), "date of birth is on or before 2000-01-01"),
        (cond("engagement.lastActiveAt", "olderThanDays", json!(30)), "last active is not more than 30 days ago"),
        (cond("tags", "contains", json!("new")), "does not have tag \"new\""),
        (cond("tags", "hasAll", json!(["vip", "new"])), "does not have all of the tags \"vip\", \"new\""),
        (cond("isActive", "eq", json!(false)), "is active"),
        (cond("employment.department", "in", json!(["Ops", "HR"])), "department is none of \"Ops\", \"HR\""),
        (cond("employment.department", "missing", Value::Null), "department is set"),
    ];
    for (doc, expected) in cases {
        assert_eq!(says(json!({"not": doc}), &w), expected, "{doc}");
    }
}

#[test]
fn long_lists_are_summarised() {
    let mut names: Vec<String> = (0..199).map(|i| format!("D{i}")).collect();
    names.insert(0, "Sales".into());
    let text = says(cond("employment.department", "in", json!(names)), &ana());
    assert!(text.starts_with("department is one of \"Sales\", \"D0\","), "{text}");
    assert!(text.ends_with("\"D8\" and 190 more"), "{text}");
}

#[test]
fn explanations_are_bounded_at_a_word() {
    let long = "x".repeat(40);
    let conditions: Vec<Value> =
        (0..60).map(|i| cond("employment.department", "neq", json!(format!("{long} {i}")))).collect();
    let text = says(json!({"all": conditions}), &ana());
    assert!(text.chars().count() <= MAX_EXPLANATION, "{}", text.chars().count());
    assert!(text.ends_with('…'));
    assert!(!text.ends_with(" …"));
}
