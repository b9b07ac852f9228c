//! Gates, branches and exits against workers.

use super::*;

#[test]
fn without_a_gate_everyone_is_admitted() {
    assert!(RuleLogic::default().admits(&worker(&[]), now()));
}

#[test]
fn a_gate_admits_only_the_workers_it_matches() {
    let gated = logic(json!({"gate": tagged("night shift")}));
    assert!(gated.admits(&worker(&["Night  Shift"]), now()));
    assert!(!gated.admits(&worker(&["day shift"]), now()));
    assert!(!gated.admits(&worker(&[]), now()));
}

#[test]
fn a_gate_relative_to_now_is_checked_at_the_given_now() {
    let gated = logic(json!({"gate": {"field": "engagement.lastActiveAt", "op": "withinLastDays", "value": 7}}));
    let mut w = worker(&[]);
    w.fields.engagement.last_active_at = Some(now() - Duration::days(5));
    assert!(gated.admits(&w, now()));
    assert!(!gated.admits(&w, now() + Duration::days(3)));
}

#[test]
fn the_first_matching_branch_decides_where_the_worker_goes() {
    let read = logic(json!({"branch": [
        {"when": tagged("a"), "goTo": 3},
        {"when": tagged("b"), "goTo": "end"},
        {"when": {"any": [tagged("a"), tagged("b")]}, "goTo": 1},
    ]}));
    assert_eq!(read.branch_for(&worker(&["a", "b"]), now(), None), Some(GoTo::Phase(3)));
    assert_eq!(read.branch_for(&worker(&["b"]), now(), None), Some(GoTo::End));
    assert_eq!(read.branch_for(&worker(&["c"]), now(), None), None);
    assert_eq!(RuleLogic::default().branch_for(&worker(&["a"]), now(), None), None);
}

#[test]
fn a_variant_branch_matches_the_variant_the_worker_was_sent() {
    let read = logic(json!({"branch": [
        {"variant": "Story", "goTo": 2},
        {"when": tagged("a"), "goTo": "end"},
    ]}));
    assert_eq!(read.branch_for(&worker(&[]), now(), Some("Story")), Some(GoTo::Phase(2)));
    assert_eq!(read.branch_for(&worker(&["a"]), now(), Some("Tip")), Some(GoTo::End));
    assert_eq!(read.branch_for(&worker(&[]), now(), None), None);
    assert_eq!(read.variants().collect::<Vec<_>>(), vec![(0, "Story")]);
}

#[test]
fn a_deactivated_worker_exits_unless_the_journey_keeps_them() {
    let mut gone = worker(&[]);
    gone.fields.is_active = false;
    assert_eq!(ExitRules::default().exits(&gone, now()), Some("deactivated"));
    assert_eq!(ExitRules::default().exits(&worker(&[]), now()), None);
    let keeps = ExitRules { rule: None, on_deactivation: false };
    assert_eq!(keeps.exits(&gone, now()), None);
}

#[test]
fn a_worker_the_exit_rule_matches_exits() {
    let rules = ExitRules { rule: Some(rule(tagged("done"))), on_deactivation: false };
    assert_eq!(rules.exits(&worker(&["done"]), now()), Some("matched the exit rule"));
    assert_eq!(rules.exits(&worker(&["busy"]), now()), None);
    let mut gone = worker(&["done"]);
    gone.fields.is_active = false;
    assert_eq!(rules.exits(&gone, now()), Some("matched the exit rule"));
    // Deactivation is named first when both hold.
    let both = ExitRules { on_deactivation: true, ..rules };
    assert_eq!(both.exits(&gone, now()), Some("deactivated"));
}
