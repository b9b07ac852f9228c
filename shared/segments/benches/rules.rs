//! The segment rule hot path: a sync tests every worker of a tenant against a compiled rule. Throughput is
//! in condition evaluations (workers × conditions) per second, so rules of different sizes compare.
//!
//! `cargo bench -p nudge-segments --bench rules -- --warm-up-time 1 --measurement-time 3`

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nudge_core::values::{Locale, Parse};
use nudge_segments::rules::{Compiled, Rule};
use nudge_workers::Worker;
use nudge_workers::model::{Contact, EmploymentStatus, EmploymentType, Gender, OptInStatus, Wellbeing, WorkerFields};
use serde_json::{Value, json};
use std::hint::black_box;
use uuid::Uuid;

const WORKERS: usize = 1_000;
const DEPARTMENTS: [&str; 6] = ["Sales", "Operations", "Warehouse", "Customer Support", "Finance", "Logistics"];
const TEAMS: [&str; 5] = ["A", "B", "C", "Night Shift", "Weekend"];
const CITIES: [&str; 4] = ["São Paulo", "Lisbon", "Austin", "Nairobi"];
const TAGS: [&str; 6] = ["vip", "new-hire", "forklift", "first-aid", "probation", "mentor"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 15, 12, 0, 0).single().unwrap_or_default()
}

/// A small deterministic generator, so every run measures the same workers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn worker(i: usize, rng: &mut Rng) -> Worker {
    let mut f = WorkerFields {
        first_name: format!("First{i}"),
        last_name: format!("Last {}", rng.below(500)),
        is_active: rng.chance(90),
        ..Default::default()
    };
    f.external_id = rng.chance(70).then(|| format!("EMP-{i:05}"));
    f.date_of_birth =
        NaiveDate::from_ymd_opt(1960 + rng.below(45) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
    f.gender = [Some(Gender::Female), Some(Gender::Male), Some(Gender::NonBinary), None][rng.below(4)];
    f.tags = TAGS.iter().filter(|_| rng.chance(25)).map(|t| t.to_string()).collect();
    f.performance_metric = rng.chance(80).then(|| rng.below(1001) as f64 / 10.0);
    if rng.chance(50) {
        let mut custom = serde_json::Map::new();
        custom.insert("shift".into(), json!(["day", "night", "swing"][rng.below(3)]));
        custom.insert("level".into(), json!(rng.below(5)));
        custom.insert("certifiedOn".into(), json!(format!("2024-0{}-1{}", 1 + rng.below(6), rng.below(10))));
        f.custom_fields = Some(custom);
    }
    // Numbers and a language of the right form: parsing them fails nothing, and draws nothing from `rng`.
    let phone = nudge_workers::phone::normalize(&format!("+55119{i:08}")).ok();
    let language = Locale::parse("pt-BR").ok();
    if rng.chance(85)
        && let (Some(primary_phone_number), Some(preferred_language)) = (phone, language)
    {
        f.contact = Some(Contact {
            location_city: Some(rng.pick(&CITIES).into()),
            location_state_province: None,
            location_country: Some("Brazil".into()),
            primary_phone_number,
            whatsapp_opt_in_status: [OptInStatus::OptedIn, OptInStatus::OptedOut, OptInStatus::Pending][rng.below(3)],
            preferred_language,
            time_zone: None,
            communication_consent: rng.chance(60),
            email_address: None,
        });
    }
    let e = &mut f.employment;
    e.job_title = Some(["Picker", "Driver", "Agent", "Analyst"][rng.below(4)].into());
    e.department = rng.chance(95).then(|| rng.pick(&DEPARTMENTS).into());
    e.team = rng.chance(90).then(|| rng.pick(&TEAMS).into());
    e.hire_date = now().date_naive().checked_sub_days(chrono::Days::new(rng.below(3000) as u64));
    e.employment_status =
        [EmploymentStatus::Active, EmploymentStatus::OnLeave, EmploymentStatus::Inactive][rng.below(3)];
    e.employment_type = rng.chance(80).then_some(EmploymentType::FullTime);
    f.engagement.last_active_at = rng.chance(90).then(|| now() - Duration::minutes(rng.below(60 * 24 * 90) as i64));
    f.wellbeing = Wellbeing {
        last_wellbeing_assessment_date: rng.chance(60).then(|| now() - Duration::days(rng.below(200) as i64)),
        overall_wellbeing_score: rng.chance(60).then(|| rng.below(101) as f64),
    };
    f.gamification.points_balance = rng.below(1000) as i64;
    f.gamification.badges_earned_count = rng.below(20) as i64;
    Worker::new(Uuid::from_u128(i as u128 + 1), f, now() - Duration::days(rng.below(700) as i64))
}

fn cond(field: &str, op: &str, value: Value) -> Value {
    if value.is_null() { json!({"field": field, "op": op}) } else { json!({"field": field, "op": op, "value": value}) }
}

fn rule_3() -> Value {
    json!({"all": [
        cond("employment.department", "in", json!(["Sales", "Operations"])),
        cond("contact.whatsappOptInStatus", "eq", json!("opted_in")),
        cond("gamification.pointsBalance", "gte", json!(100)),
    ]})
}

fn rule_10() -> Value {
    json!({"all": [
        cond("isActive", "eq", json!(true)),
        {"any": [
            cond("employment.team", "eq", json!("night shift")),
            cond("tags", "hasAny", json!(["vip", "mentor"])),
            cond("customFields.shift", "eq", json!("night")),
        ]},
        {"not": cond("employment.employmentStatus", "in", json!(["on_leave", "terminated"]))},
        cond("engagement.lastActiveAt", "withinLastDays", json!(60)),
        cond("contact.locationCity", "startsWith", json!("são")),
        {"any": [
            cond("wellbeing.overallWellbeingScore", "between", json!([20, 80])),
            cond("performanceMetric", "gt", json!(50)),
        ]},
        cond("employment.hireDate", "olderThanDays", json!(90)),
    ]})
}

fn rule_30() -> Value {
    let many: Vec<String> = (0..199).map(|i| format!("Dept {i}")).chain(["Warehouse".to_string()]).collect();
    json!({"any": [
        {"all": [
            cond("employment.department", "in", json!(many)),
            cond("contact.whatsappOptInStatus", "neq", json!("opted_out")),
            cond("gamification.badgesEarnedCount", "gte", json!(3)),
            {"not": cond("tags", "contains", json!("probation"))},
            cond("fullName", "contains", json!("last 1")),
            cond("engagement.lastActiveAt", "withinLastDays", json!(30)),
            cond("customFields.level", "between", json!([1, 3])),
            cond("dateOfBirth", "lt", json!("1995-01-01")),
        ]},
        {"all": [
            cond("employment.department", "eq", json!("Customer Support")),
            {"any": [
                cond("employment.team", "in", json!(["A", "B"])),
                cond("employment.jobTitle", "contains", json!("agent")),
                cond("customFields.shift", "in", json!(["night", "swing"])),
            ]},
            cond("wellbeing.lastWellbeingAssessmentDate", "olderThanDays", json!(90)),
            cond("contact.communicationConsent", "eq", json!(true)),
            {"not": {"all": [
                cond("performanceMetric", "lt", json!(20)),
                cond("wellbeing.overallWellbeingScore", "lt", json!(30)),
            ]}},
        ]},
        {"all": [
            cond("tags", "hasAll", json!(["forklift", "first-aid"])),
            cond("employment.employmentType", "eq", json!("full_time")),
            cond("employment.hireDate", "between", json!(["2018-01-01", "2023-12-31"])),
            cond("externalId", "startsWith", json!("emp-0")),
            cond("gender", "in", json!(["female", "non_binary"])),
            cond("customFields.certifiedOn", "withinLastDays", json!(120)),
        ]},
        {"all": [
            cond("isActive", "neq", json!(true)),
            cond("supervisorId", "missing", Value::Null),
            cond("createdAt", "gt", json!("2023-01-01")),
            cond("contact.locationCountry", "eq", json!("brazil")),
            cond("engagement.lastActiveAt", "olderThanDays", json!(45)),
            cond("gamification.pointsBalance", "lt", json!(200)),
            {"any": [
                cond("customFields.shift", "missing", Value::Null),
                cond("contact.preferredLanguage", "eq", json!("pt-br")),
            ]},
        ]},
    ]})
}

fn rules() -> Vec<(&'static str, Rule)> {
    [("3 conditions", rule_3()), ("10 conditions", rule_10()), ("30 conditions", rule_30())]
        .into_iter()
        .map(|(name, doc)| match Rule::parse(&doc, "") {
            Ok(rule) => (name, rule),
            Err(errors) => panic!("the {name} rule is invalid: {errors:?}"),
        })
        .collect()
}

fn count(c: &Compiled, workers: &[Worker]) -> usize {
    workers.iter().filter(|w| c.matches(black_box(w))).count()
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let workers: Vec<Worker> = (0..WORKERS).map(|i| worker(i, &mut rng)).collect();
    let rules = rules();

    let mut group = c.benchmark_group("rules/matches");
    for (name, rule) in &rules {
        let compiled = rule.compile(now());
        println!("{name}: {} of {WORKERS} workers match", count(&compiled, &workers));
        group.throughput(Throughput::Elements((WORKERS * rule.conditions()) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &compiled, |b, compiled| {
            b.iter(|| count(compiled, &workers))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("rules/explain");
    for (name, rule) in &rules {
        let compiled = rule.compile(now());
        let matching: Vec<&Worker> = workers.iter().filter(|w| compiled.matches(w)).collect();
        group.throughput(Throughput::Elements(matching.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &compiled, |b, compiled| {
            b.iter(|| matching.iter().filter_map(|w| compiled.explain(black_box(w))).map(|s| s.len()).sum::<usize>())
        });
    }
    group.finish();

    c.bench_function("rules/compile/30 conditions", |b| b.iter(|| black_box(&rules[2].1).compile(now())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
