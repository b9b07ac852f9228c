//! all, any and not, nested.

use super::*;

fn team(t: &str) -> Value {
    cond("employment.team", "eq", json!(t))
}

fn dept(d: &str) -> Value {
    cond("employment.department", "eq", json!(d))
}

#[test]
fn all_needs_every_child_and_any_one() {
    let ana = ana();
    assert!(holds(json!({"all": [dept("Sales"), team("B")]}), &ana));
    assert!(!holds(json!({"all": [dept("Sales"), team("C")]}), &ana));
    assert!(holds(json!({"any": [team("C"), team("B")]}), &ana));
    assert!(!holds(json!({"any": [team("C"), team("D")]}), &ana));
    assert!(holds(json!({"all": [team("B")]}), &ana));
    assert!(holds(json!({"any": [team("B")]}), &ana));
}

#[test]
fn not_inverts_its_child() {
    let ana = ana();
    assert!(holds(json!({"not": team("C")}), &ana));
    assert!(!holds(json!({"not": team("B")}), &ana));
    assert!(holds(json!({"not": {"not": team("B")}}), &ana));
    // A missing value fails eq, so its negation holds.
    assert!(holds(json!({"not": team("B")}), &bare()));
}

#[test]
fn nested_groups_combine() {
    // Sales in team B or C, not on leave, and either opted in or with many points.
    let doc = json!({"all": [
        dept("Sales"),
        {"any": [team("B"), team("C")]},
        {"not": cond("employment.employmentStatus", "eq", json!("on_leave"))},
        {"any": [
            cond("contact.whatsappOptInStatus", "eq", json!("opted_in")),
            {"all": [cond("gamification.pointsBalance", "gte", json!(1000)), cond("tags", "contains", json!("vip"))]}
        ]}
    ]});
    let mut w = ana();
    assert!(holds(doc.clone(), &w));
    w.fields.employment.employment_status = EmploymentStatus::OnLeave;
    assert!(!holds(doc.clone(), &w));
    w.fields.employment.employment_status = EmploymentStatus::Active;
    w.fields.contact = None;
    assert!(!holds(doc.clone(), &w));
    w.fields.gamification.points_balance = 1000;
    assert!(holds(doc.clone(), &w));
    w.fields.employment.team = Some("  c ".into());
    assert!(holds(doc.clone(), &w));
    w.fields.employment.team = Some("D".into());
    assert!(!holds(doc, &w));
}

#[test]
fn six_levels_deep_evaluate() {
    // all > any > not > all > not > any: the two nots cancel.
    let doc = json!({"all": [{"any": [team("Z"), {"not": {"all": [{"not": {"any": [team("Y"), team("B")]}}]}}]}]});
    assert!(holds(doc.clone(), &ana()));
    let mut w = ana();
    w.fields.employment.team = Some("Q".into());
    assert!(!holds(doc, &w));
}
