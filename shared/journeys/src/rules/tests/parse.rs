//! Reading `ruleLogic` and `exitRules`: every bad field at once, each at its exact pointer.

use super::*;
use chrono::Weekday;

fn errors(doc: Value) -> Vec<(String, String)> {
    match RuleLogic::parse(&doc, "/ruleLogic") {
        Ok(parsed) => panic!("{doc} should not parse, but read {parsed:?}"),
        Err(errors) => errors.into_iter().map(|e| (e.pointer.unwrap_or_default(), e.message)).collect(),
    }
}

/// The message at `pointer`, which must be reported exactly once.
fn at_pointer<'a>(errors: &'a [(String, String)], pointer: &str) -> &'a str {
    let found: Vec<&(String, String)> = errors.iter().filter(|(p, _)| p == pointer).collect();
    assert_eq!(found.len(), 1, "one error at {pointer} in {errors:#?}");
    &found[0].1
}

/// The only error `doc` has, as (pointer, message).
fn only_error(doc: Value) -> (String, String) {
    let mut e = errors(doc);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.remove(0)
}

fn example() -> Value {
    let (_, rest) = RULE_LOGIC_DOC.split_once("```json").unwrap();
    let (example, _) = rest.split_once("```").unwrap();
    serde_json::from_str(example).unwrap()
}

#[test]
fn an_empty_document_sends_at_once_to_everyone() {
    assert_eq!(logic(json!({})), RuleLogic::default());
    let empty = RuleLogic::default();
    assert!(empty.delay.is_none() && empty.send_time.is_none() && empty.gate.is_none());
    assert!(empty.wait_for.is_none() && empty.branch.is_empty());
}

#[test]
fn the_documented_example_reads_into_every_part() {
    let read = logic(example());
    assert_eq!(
        read,
        RuleLogic {
            delay: Some(Delay { after: Anchor::Previous, duration: Duration::days(2) }),
            send_time: Some(SendTime {
                at: hm("09:30"),
                weekdays: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            }),
            gate: Some(rule(json!({"field": "contact.whatsappOptInStatus", "op": "eq", "value": "opted_in"}))),
            wait_for: Some(WaitFor {
                event: WaitEvent::Completed,
                timeout: Duration::days(3),
                on_timeout: OnTimeout::Remind,
            }),
            branch: vec![Branch { when: When::Rule(rule(tagged("night shift"))), go_to: GoTo::Phase(2) }],
        }
    );
}

#[test]
fn the_grammar_description_is_short_enough_for_the_openapi_document() {
    assert!(RULE_LOGIC_DOC.chars().count() <= 1500, "{} characters", RULE_LOGIC_DOC.chars().count());
    for key in ["delay", "sendTime", "gate", "waitFor", "branch", "onTimeout", "goTo", "weekdays"] {
        assert!(RULE_LOGIC_DOC.contains(&format!("`{key}`")) || RULE_LOGIC_DOC.contains(&format!("\"{key}\"")));
    }
}

#[test]
fn durations_add_up_days_hours_and_minutes() {
    let read = logic(json!({
        "delay": {"after": "enrolment", "days": 1, "hours": 2, "minutes": 3},
        "waitFor": {"event": "replied", "timeout": {"minutes": 59}, "onTimeout": "skip"},
    }));
    assert_eq!(read.delay.unwrap().duration, Duration::days(1) + Duration::hours(2) + Duration::minutes(3));
    assert_eq!(read.wait_for.unwrap().timeout, Duration::minutes(59));
    let longest = logic(json!({"delay": {"after": "phaseStart", "days": 365, "hours": 23, "minutes": 59}}));
    assert_eq!(longest.delay.unwrap().duration, Duration::days(366) - Duration::minutes(1));
}

#[test]
fn a_zero_delay_is_allowed_but_a_zero_timeout_is_not() {
    let read = logic(json!({"delay": {"after": "previous", "minutes": 0}}));
    assert_eq!(read.delay, Some(Delay { after: Anchor::Previous, duration: Duration::zero() }));
    let wait = json!({"waitFor": {"event": "passed", "timeout": {"days": 0, "hours": 0}, "onTimeout": "exit"}});
    assert_eq!(
        only_error(wait),
        ("/ruleLogic/waitFor/timeout".into(), "must be longer than zero: give days, hours or minutes".into())
    );
    let empty = json!({"waitFor": {"event": "passed", "timeout": {}, "onTimeout": "exit"}});
    assert_eq!(only_error(empty).0, "/ruleLogic/waitFor/timeout");
}

#[test]
fn weekdays_are_kept_in_week_order() {
    let read = logic(json!({"sendTime": {"at": "00:00", "weekdays": ["sun", "wed", "mon"]}}));
    let send = read.send_time.unwrap();
    assert_eq!(send.at, NaiveTime::MIN);
    assert_eq!(send.weekdays, vec![Weekday::Mon, Weekday::Wed, Weekday::Sun]);
    let every_day = logic(json!({"sendTime": {"at": "23:59"}})).send_time.unwrap();
    assert_eq!((every_day.at, every_day.weekdays), (hm("23:59"), vec![]));
}

#[test]
fn every_wire_name_reads_back_to_its_value() {
    for a in Anchor::ALL {
        assert_eq!(logic(json!({"delay": {"after": a.as_str(), "hours": 1}})).delay.unwrap().after, a);
    }
    for (event, on_timeout) in WaitEvent::ALL.into_iter().zip(OnTimeout::ALL) {
        let doc =
            json!({"waitFor": {"event": event.as_str(), "timeout": {"hours": 1}, "onTimeout": on_timeout.as_str()}});
        let wait = logic(doc).wait_for.unwrap();
        assert_eq!((wait.event, wait.on_timeout), (event, on_timeout));
    }
    assert_eq!(
        [Anchor::PhaseStart.as_str(), WaitEvent::Passed.as_str(), OnTimeout::Remind.as_str()],
        ["phaseStart", "passed", "remind"]
    );
}

#[test]
fn branches_go_to_a_phase_or_the_end_in_order() {
    let read = logic(json!({"branch": [
        {"when": tagged("a"), "goTo": 0},
        {"goTo": "end", "when": tagged("b")},
        {"when": tagged("c"), "goTo": 4_294_967_295_u64},
    ]}));
    let go: Vec<GoTo> = read.branch.iter().map(|b| b.go_to).collect();
    assert_eq!(go, vec![GoTo::Phase(0), GoTo::End, GoTo::Phase(u32::MAX)]);
    assert_eq!(read.branch[1].when, When::Rule(rule(tagged("b"))));
    assert!(logic(json!({"branch": []})).branch.is_empty());
    let ten: Vec<Value> = (0..10).map(|i| json!({"when": tagged("x"), "goTo": i})).collect();
    assert_eq!(logic(json!({"branch": ten})).branch.len(), MAX_BRANCHES);
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let e = errors(json!({
        "delay": {"after": "yesterday", "days": 1.5, "hours": "1", "minutes": -1, "weeks": 1},
        "sendTime": {"at": "9:30", "weekdays": ["mon", "Tuesday", "mon"]},
        "gate": {"field": "nope", "op": "eq", "value": 1},
        "waitFor": {"event": "opened", "timeout": {"days": 366}},
        "branch": [
            {"when": tagged("a"), "goTo": -1},
            {"when": {"all": []}, "goTo": "start"},
            {"goTo": 1.0, "else": 2},
            {"variant": " ", "goTo": 1},
            {"variant": "B", "when": tagged("a"), "goTo": 1},
        ],
        "a/b~": true,
    }));
    let expect = [
        ("/ruleLogic/a~1b~0", "unknown key: ruleLogic has only delay, sendTime, gate, waitFor and branch"),
        ("/ruleLogic/delay/weeks", "unknown key: a delay has only after, days, hours and minutes"),
        ("/ruleLogic/delay/after", "must be one of enrolment, phaseStart, previous"),
        ("/ruleLogic/delay/days", "must be an integer from 0 to 365"),
        ("/ruleLogic/delay/hours", "must be an integer from 0 to 23"),
        ("/ruleLogic/delay/minutes", "must be an integer from 0 to 59"),
        ("/ruleLogic/sendTime/at", "must be a local time \"HH:MM\" from 00:00 to 23:59"),
        ("/ruleLogic/sendTime/weekdays/1", "must be one of mon, tue, wed, thu, fri, sat, sun"),
        ("/ruleLogic/sendTime/weekdays/2", "repeats \"mon\""),
        ("/ruleLogic/waitFor/event", "must be one of completed, replied, passed"),
        ("/ruleLogic/waitFor/timeout/days", "must be an integer from 0 to 365"),
        ("/ruleLogic/waitFor/onTimeout", "is required: one of skip, remind, exit"),
        ("/ruleLogic/branch/0/goTo", "must be a phase's sequenceOrder (an integer, 0 or more) or \"end\""),
        ("/ruleLogic/branch/1/when/all", "must not be empty: a group needs at least one rule"),
        ("/ruleLogic/branch/1/goTo", "must be a phase's sequenceOrder (an integer, 0 or more) or \"end\""),
        ("/ruleLogic/branch/2/else", "unknown key: a branch has only when, variant and goTo"),
        ("/ruleLogic/branch/2/when", "is required: a segment rule (or give variant: a variant's name)"),
        ("/ruleLogic/branch/3/variant", "must be the name of a variant of the touchpoint's experiment"),
        ("/ruleLogic/branch/4/variant", "give when or variant, not both"),
        ("/ruleLogic/branch/2/goTo", "must be a phase's sequenceOrder (an integer, 0 or more) or \"end\""),
    ];
    for (pointer, message) in expect {
        assert_eq!(at_pointer(&e, pointer), message, "at {pointer}");
    }
    assert!(at_pointer(&e, "/ruleLogic/gate/field").starts_with("unknown field \"nope\""));
    assert_eq!(e.len(), expect.len() + 1, "{e:#?}");
}

#[test]
fn integers_must_be_json_integers_in_range() {
    for bad in [json!(1.5), json!(1.0), json!("1"), json!(-1), json!(366), json!(null), json!(true), json!([1])] {
        let (pointer, message) = only_error(json!({"delay": {"after": "enrolment", "days": bad}}));
        assert_eq!((pointer.as_str(), message.as_str()), ("/ruleLogic/delay/days", "must be an integer from 0 to 365"));
    }
    assert_eq!(only_error(json!({"delay": {"after": "enrolment", "hours": 24}})).0, "/ruleLogic/delay/hours");
    assert_eq!(only_error(json!({"delay": {"after": "enrolment", "minutes": 60}})).0, "/ruleLogic/delay/minutes");
}

#[test]
fn a_delay_needs_an_anchor_and_a_length() {
    assert_eq!(
        only_error(json!({"delay": {"after": "enrolment"}})),
        ("/ruleLogic/delay".into(), "needs at least one of days, hours and minutes".into())
    );
    assert_eq!(
        only_error(json!({"delay": {"days": 1}})),
        ("/ruleLogic/delay/after".into(), "is required: one of enrolment, phaseStart, previous".into())
    );
    assert_eq!(
        only_error(json!({"delay": {"after": "Enrolment", "days": 1}})).1,
        "must be one of enrolment, phaseStart, previous"
    );
    assert_eq!(
        only_error(json!({"delay": "2 days"})),
        ("/ruleLogic/delay".into(), "must be an object: {\"after\", \"days\", \"hours\", \"minutes\"}".into())
    );
}

#[test]
fn send_times_are_five_character_24_hour_times() {
    for good in ["00:00", "07:05", "12:30", "23:59"] {
        assert_eq!(logic(json!({"sendTime": {"at": good}})).send_time.unwrap().at, hm(good));
    }
    for bad in [json!("24:00"), json!("09:60"), json!("9:30"), json!("09:3"), json!("09.30"), json!("09:30:00")] {
        assert_eq!(only_error(json!({"sendTime": {"at": bad}})).0, "/ruleLogic/sendTime/at", "{bad}");
    }
    for bad in [json!("+9:30"), json!("0a:30"), json!(" 9:30"), json!(930), json!(null)] {
        assert_eq!(only_error(json!({"sendTime": {"at": bad}})).0, "/ruleLogic/sendTime/at", "{bad}");
    }
    assert_eq!(
        only_error(json!({"sendTime": {"weekdays": ["mon"]}})),
        ("/ruleLogic/sendTime/at".into(), "is required: a local time \"HH:MM\"".into())
    );
}

#[test]
fn weekdays_must_be_known_distinct_and_not_empty() {
    let send = |days: Value| json!({"sendTime": {"at": "09:00", "weekdays": days}});
    assert_eq!(
        only_error(send(json!([]))),
        ("/ruleLogic/sendTime/weekdays".into(), "must not be empty: leave weekdays out to send on any day".into())
    );
    assert_eq!(only_error(send(json!("mon"))).1, "must be an array of weekdays: mon, tue, wed, thu, fri, sat, sun");
    let e = errors(send(json!(["fri", "MON", 1, "fri", "sun", "sun"])));
    assert_eq!(at_pointer(&e, "/ruleLogic/sendTime/weekdays/1"), "must be one of mon, tue, wed, thu, fri, sat, sun");
    assert_eq!(at_pointer(&e, "/ruleLogic/sendTime/weekdays/2"), "must be one of mon, tue, wed, thu, fri, sat, sun");
    assert_eq!(at_pointer(&e, "/ruleLogic/sendTime/weekdays/3"), "repeats \"fri\"");
    assert_eq!(at_pointer(&e, "/ruleLogic/sendTime/weekdays/5"), "repeats \"sun\"");
    assert_eq!(e.len(), 4);
}

#[test]
fn a_wait_needs_an_event_a_timeout_and_what_to_do_then() {
    let e = errors(json!({"waitFor": {}}));
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/event"), "is required: one of completed, replied, passed");
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/timeout"), "is required: {\"days\", \"hours\", \"minutes\"}");
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/onTimeout"), "is required: one of skip, remind, exit");
    assert_eq!(e.len(), 3);
    let e = errors(json!({"waitFor": {"event": "completed", "timeout": 3, "onTimeout": "retry"}}));
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/timeout"), "must be an object: {\"days\", \"hours\", \"minutes\"}");
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/onTimeout"), "must be one of skip, remind, exit");
    let e = errors(json!({"waitFor": {"event": "completed", "timeout": {"weeks": 1}, "onTimeout": "skip"}}));
    assert_eq!(
        at_pointer(&e, "/ruleLogic/waitFor/timeout/weeks"),
        "unknown key: a timeout has only days, hours and minutes"
    );
    assert_eq!(at_pointer(&e, "/ruleLogic/waitFor/timeout"), "must be longer than zero: give days, hours or minutes");
}

#[test]
fn at_most_ten_branches_and_each_is_still_checked() {
    let mut many: Vec<Value> = (0..11).map(|i| json!({"when": tagged("x"), "goTo": i})).collect();
    many[10] = json!({"when": tagged("x"), "goTo": "later"});
    let e = errors(json!({"branch": many}));
    assert_eq!(at_pointer(&e, "/ruleLogic/branch"), "has 11 branches; a touchpoint may have at most 10");
    assert_eq!(
        at_pointer(&e, "/ruleLogic/branch/10/goTo"),
        "must be a phase's sequenceOrder (an integer, 0 or more) or \"end\""
    );
    assert_eq!(e.len(), 2);
    assert_eq!(
        only_error(json!({"branch": {"when": tagged("x"), "goTo": 1}})),
        ("/ruleLogic/branch".into(), "must be an array of {\"when\", \"goTo\"}".into())
    );
    assert_eq!(
        only_error(json!({"branch": [{"when": tagged("x"), "goTo": 4_294_967_296_u64}]})).0,
        "/ruleLogic/branch/0/goTo"
    );
    assert_eq!(
        only_error(json!({"branch": [{"when": tagged("x")}]})).1,
        "is required: a phase's sequenceOrder or \"end\""
    );
    assert_eq!(only_error(json!({"branch": ["end"]})).0, "/ruleLogic/branch/0");
}

#[test]
fn segment_rules_report_their_errors_under_their_own_pointer() {
    let e = errors(json!({
        "gate": {"all": [tagged("a"), {"field": "tags", "op": "gt", "value": 1}]},
        "branch": [{"when": {"not": {"field": "employment.team", "op": "eq"}}, "goTo": 1}],
    }));
    assert!(at_pointer(&e, "/ruleLogic/gate/all/1/op").starts_with("\"gt\" does not apply to tags"), "{e:#?}");
    assert!(!at_pointer(&e, "/ruleLogic/branch/0/when/not/value").is_empty());
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!(only_error(json!({"gate": "everyone"})).0, "/ruleLogic/gate");
}

#[test]
fn a_document_that_is_not_an_object_is_refused_at_its_own_pointer() {
    for bad in [json!(null), json!([]), json!("{}"), json!(1)] {
        let e = RuleLogic::parse(&bad, "/phases/0/touchpoints/3/ruleLogic").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].pointer.as_deref(), Some("/phases/0/touchpoints/3/ruleLogic"));
        assert_eq!(e[0].message, "must be an object: {\"delay\", \"sendTime\", \"gate\", \"waitFor\", \"branch\"}");
    }
    // At the root of a document, pointers start at the key.
    let e = RuleLogic::parse(&json!({"dealy": {}}), "").unwrap_err();
    assert_eq!(e[0].pointer.as_deref(), Some("/dealy"));
}

#[test]
fn exit_rules_default_to_leaving_on_deactivation() {
    let read = |doc: Value| ExitRules::parse(&doc, "/exitRules");
    assert_eq!(read(json!(null)), Ok(ExitRules::default()));
    assert_eq!(read(json!({})), Ok(ExitRules { rule: None, on_deactivation: true }));
    assert_eq!(
        read(json!({"rule": tagged("done"), "onDeactivation": false})),
        Ok(ExitRules { rule: Some(rule(tagged("done"))), on_deactivation: false })
    );
}

#[test]
fn exit_rules_report_every_bad_field() {
    let e: Vec<(String, String)> =
        ExitRules::parse(&json!({"rule": {"field": "tags"}, "onDeactivation": "yes", "when": 1}), "/exitRules")
            .unwrap_err()
            .into_iter()
            .map(|e| (e.pointer.unwrap_or_default(), e.message))
            .collect();
    assert_eq!(at_pointer(&e, "/exitRules/when"), "unknown key: exitRules has only rule and onDeactivation");
    assert_eq!(at_pointer(&e, "/exitRules/onDeactivation"), "must be true or false");
    assert_eq!(at_pointer(&e, "/exitRules/rule/op"), "is required");
    assert_eq!(e.len(), 3, "{e:#?}");
    let e = ExitRules::parse(&json!([]), "/exitRules").unwrap_err();
    assert_eq!(e[0].pointer.as_deref(), Some("/exitRules"));
    assert_eq!(e[0].message, "must be an object: {\"rule\", \"onDeactivation\"}");
}
