//! Properties over random workers and random valid rules.

use super::*;
use crate::rules::MAX_EXPLANATION;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

const DEPARTMENTS: [&str; 4] = ["Sales", " sales ", "Ops", "HR"];
const TEAMS: [&str; 3] = ["B", "c", "Night Shift"];
const TAGS: [&str; 4] = ["VIP", "new", "Night  Shift", "probation"];
const GENDERS: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];
const OPT_INS: [OptInStatus; 3] = [OptInStatus::OptedIn, OptInStatus::Pending, OptInStatus::OptedOut];

fn custom(shape: usize) -> Option<serde_json::Map<String, Value>> {
    let doc = match shape {
        0 => return None,
        1 => json!({"shift": "Night", "level": 3, "remote": true}),
        2 => json!({"shift": 5, "skills": ["Forklift", "first aid"], "certifiedOn": "2024-06-01"}),
        _ => json!({"level": "3", "certifiedOn": "2024-06-14T10:00:00Z", "shift": null, "skills": "forklift"}),
    };
    doc.as_object().cloned()
}

prop_compose! {
    fn worker()(
        (department, team, tags, active_days_ago, contact, opt_in) in (
            option::of(0..DEPARTMENTS.len()),
            option::of(0..TEAMS.len()),
            vec(0..TAGS.len(), 0..3),
            option::of(0i64..60),
            any::<bool>(),
            0..OPT_INS.len(),
        ),
        (performance, points, gender, hired_days_ago, shape, active) in (
            option::of(prop_oneof![Just(50.0), 0.0..100.0f64]),
            0i64..300,
            option::of(0..GENDERS.len()),
            option::of(0u64..800),
            0usize..4,
            any::<bool>(),
        ),
    ) -> Worker {
        let mut w = bare();
        let f = &mut w.fields;
        f.employment.department = department.map(|i| DEPARTMENTS[i].to_owned());
        f.employment.team = team.map(|i| TEAMS[i].to_owned());
        f.tags = tags.into_iter().map(|i| TAGS[i].to_owned()).collect();
        f.engagement.last_active_at = active_days_ago.map(|d| now() - Duration::days(d) + Duration::hours(d % 24));
        f.contact = contact.then(|| Contact {
            location_city: None,
            location_state_province: None,
            location_country: Some("Brazil".into()),
            primary_phone_number: super::value("+5511999990000"),
            whatsapp_opt_in_status: OPT_INS[opt_in],
            preferred_language: super::value("pt-BR"),
            time_zone: None,
            communication_consent: opt_in == 0,
            email_address: None,
        });
        f.performance_metric = performance;
        f.gamification.points_balance = points;
        f.gender = gender.map(|i| GENDERS[i]);
        f.employment.hire_date = hired_days_ago.and_then(|d| now().date_naive().checked_sub_days(chrono::Days::new(d)));
        f.custom_fields = custom(shape);
        f.is_active = active;
        w
    }
}

/// Valid conditions over every type and operator.
fn pool() -> Vec<Value> {
    let n = Value::Null;
    vec![
        cond("employment.department", "eq", json!("sales")),
        cond("employment.department", "neq", json!("Ops")),
        cond("employment.department", "in", json!(["HR", "SALES"])),
        cond("employment.department", "notIn", json!(["ops"])),
        cond("employment.department", "contains", json!("al")),
        cond("employment.team", "startsWith", json!("night s")),
        cond("employment.team", "exists", n.clone()),
        cond("employment.team", "missing", n.clone()),
        cond("fullName", "contains", json!("o l")),
        cond("gender", "eq", json!("female")),
        cond("gender", "notIn", json!(["male", "other"])),
        cond("contact.whatsappOptInStatus", "in", json!(["opted_in", "pending"])),
        cond("contact.whatsappOptInStatus", "neq", json!("opted_out")),
        cond("contact.communicationConsent", "eq", json!(true)),
        cond("contact.locationCountry", "missing", n.clone()),
        cond("isActive", "neq", json!(false)),
        cond("performanceMetric", "gt", json!(50)),
        cond("performanceMetric", "lte", json!(50)),
        cond("performanceMetric", "between", json!([25, 75])),
        cond("performanceMetric", "eq", json!(50)),
        cond("gamification.pointsBalance", "gte", json!(100)),
        cond("gamification.pointsBalance", "in", json!((0..200).step_by(3).collect::<Vec<i64>>())),
        cond("gamification.pointsBalance", "lt", json!(10)),
        cond("employment.hireDate", "withinLastDays", json!(365)),
        cond("employment.hireDate", "olderThanDays", json!(30)),
        cond("employment.hireDate", "eq", json!("2024-06-15")),
        cond("employment.hireDate", "between", json!(["2023-01-01", "2024-01-01"])),
        cond("engagement.lastActiveAt", "withinLastDays", json!(7)),
        cond("engagement.lastActiveAt", "olderThanDays", json!(30)),
        cond("engagement.lastActiveAt", "gte", json!("2024-06-01")),
        cond("engagement.lastActiveAt", "missing", n.clone()),
        cond("tags", "contains", json!("vip")),
        cond("tags", "hasAny", json!(["new", "night shift"])),
        cond("tags", "hasAll", json!(["vip", "new"])),
        cond("tags", "exists", n.clone()),
        cond("supervisorId", "missing", n.clone()),
        cond("customFields.shift", "eq", json!("night")),
        cond("customFields.shift", "neq", json!(5)),
        cond("customFields.shift", "in", json!(["day", 5])),
        cond("customFields.level", "gt", json!(2)),
        cond("customFields.level", "eq", json!("3")),
        cond("customFields.skills", "contains", json!("forklift")),
        cond("customFields.skills", "hasAll", json!(["forklift", "first aid"])),
        cond("customFields.certifiedOn", "withinLastDays", json!(7)),
        cond("customFields.certifiedOn", "lt", json!("2024-06-10")),
        cond("customFields.remote", "exists", n.clone()),
        cond("customFields.shift", "missing", n),
    ]
}

/// Rules of up to 4 nested groups of 1 to 3 children: at most 81 conditions, within the limits.
fn rule_doc() -> impl Strategy<Value = Value> {
    let pool = pool();
    let leaf = (0..pool.len()).prop_map(move |i| pool[i].clone());
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 1..4).prop_map(|c| json!({"all": c})),
            vec(inner.clone(), 1..4).prop_map(|c| json!({"any": c})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

/// The operator that holds exactly when `op` does not.
fn dual(op: &str) -> Option<&'static str> {
    match op {
        "eq" => Some("neq"),
        "neq" => Some("eq"),
        "in" => Some("notIn"),
        "notIn" => Some("in"),
        "exists" => Some("missing"),
        "missing" => Some("exists"),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn explains_exactly_when_it_matches(doc in rule_doc(), workers in vec(worker(), 1..8)) {
        let r = rule(doc);
        let c = r.compile(now());
        for w in &workers {
            let why = c.explain(w);
            prop_assert_eq!(why.is_some(), c.matches(w));
            if let Some(why) = why {
                prop_assert!(!why.is_empty() && why.chars().count() <= MAX_EXPLANATION);
            }
        }
    }

    #[test]
    fn a_rule_round_trips_and_not_inverts_it(doc in rule_doc(), w in worker()) {
        let r = rule(doc.clone());
        let written = serde_json::to_value(&r).unwrap();
        prop_assert_eq!(rule(written.clone()), r.clone());
        prop_assert_eq!(serde_json::to_value(rule(written)).unwrap(), serde_json::to_value(&r).unwrap());
        let inverted = compiled(json!({"not": doc}));
        prop_assert_eq!(inverted.matches(&w), !r.compile(now()).matches(&w));
    }

    #[test]
    fn negative_operators_are_exact_complements(i in 0..pool().len(), w in worker()) {
        let doc = pool()[i].clone();
        if let Some(op) = doc["op"].as_str().and_then(dual) {
            let mut other = doc.clone();
            other["op"] = json!(op);
            prop_assert_eq!(compiled(other).matches(&w), !compiled(doc).matches(&w));
        }
    }
}
