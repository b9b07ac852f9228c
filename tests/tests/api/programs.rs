//! The whole story on WhatsApp: a two-phase journey with a send time in the workers' own zone
//! (the tenant's quiet hours around it), a gate, and a wait-for with a reminder; published, put in a
//! program and enrolled through a live segment of a few hundred workers; four weeks of the clock run
//! through the engine's tick. Every message reaches the fake Cloud API once, redelivered work included;
//! workers answer on their page (one in Chromium) and by a button reply; a worker who leaves the segment
//! exits and one who joins is enrolled on the journey's new version, while running enrolments keep theirs;
//! the progress figures are exact.

use crate::journeys::{ENGINE, journey, page, published, quiz, token_in};
use e2e::stack;
use nudge_core::auth::SystemRole;
use nudge_local::whatsapp::{FakeMessage, FakeWhatsapp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

const TOKEN: &str = "EAAG-programs";
const NUMBER: &str = "107700000000001";
const APP_SECRET: &str = "programs-app-secret";
/// Workers in the live segment.
const WORKERS: usize = 200;
const DAY: i64 = 86_400;

/// Moves the clock by `seconds`, then runs what the schedules run: the outbox sweep (a deferred send's
/// release) and the journey tick, until the engine's queue is still; then waits until every message the
/// program sent has reached the fake Cloud API.
async fn advance(admin: &str, program: &str, fake: &FakeWhatsapp, seconds: i64) {
    advance_engine(seconds).await;
    crate::journeys::delivered(admin, program, || async { fake.sent().len() }).await;
}

async fn advance_engine(seconds: i64) {
    let s = stack();
    if seconds > 0 {
        let moved = s.public("/_local/clock", &json!({"advanceSeconds": seconds})).await;
        assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    }
    s.public("/_local/outbox/sweep", &json!({})).await;
    s.journeys_tick().await;
    s.drained(&ENGINE).await;
    // Live segments are looked at on the tick: a second one sees what the first set going.
    s.journeys_tick().await;
    s.drained(&ENGINE).await;
}

/// The clock moved on to the next 10:30 in Ljubljana, so each day's tick comes at that local time.
async fn to_half_past_ten(token: &str) {
    let now: Value = stack().get("/_local/clock", token).await.body;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap().with_timezone(&chrono::Utc);
    let zone: chrono_tz::Tz = "Europe/Ljubljana".parse().unwrap();
    let local = now.with_timezone(&zone);
    let mut target = local.date_naive().and_hms_opt(10, 30, 0).unwrap();
    if target <= local.naive_local() {
        target += chrono::Duration::days(1);
    }
    let target = chrono::TimeZone::from_local_datetime(&zone, &target).earliest().unwrap().with_timezone(&chrono::Utc);
    advance_engine((target - now).num_seconds() + 1).await;
}

/// What the fake took for each worker (digits), as (template title parameter) in order.
fn titles(sent: &[FakeMessage]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for m in sent {
        let title = m.body["template"]["components"][0]["parameters"][0]["text"].as_str().unwrap_or("?").to_owned();
        out.entry(m.to.clone()).or_default().push(title);
    }
    out
}

fn link_of(m: &FakeMessage) -> String {
    m.body["template"]["components"][0]["parameters"][1]["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_live_program_runs_four_weeks_on_whatsapp() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Live program").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let fake = FakeWhatsapp::start(TOKEN, NUMBER).await.unwrap();
    let config = json!({"baseUrl": fake.base_url, "phoneNumberId": NUMBER, "accessToken": TOKEN,
        "appSecret": APP_SECRET, "verifyToken": "v"});
    let integration =
        s.post("/integrations", &admin, &json!({"type": "whatsapp", "status": "active", "config": config})).await;
    assert_eq!(integration.status, StatusCode::CREATED, "{:?}", integration.body);
    fake.post_webhooks_to(
        format!("{}/webhooks/whatsapp/{}", s.base, integration.body["id"].as_str().unwrap()),
        APP_SECRET,
    );
    let org = s.patch("/organization", &admin, &json!({"timeZone": "Europe/Ljubljana"}), None).await;
    assert_eq!(org.status, StatusCode::OK, "{:?}", org.body);
    let quiet = s
        .call(
            reqwest::Method::PUT,
            "/notifications/settings",
            Some(&admin),
            Some(&json!({"quietHours": {"start": "22:00", "end": "06:00"}})),
            &[],
        )
        .await;
    assert_eq!(quiet.status, StatusCode::OK, "{:?}", quiet.body);

    // A few hundred depot workers, every other one on the practice track.
    let mut workers: Vec<(String, String)> = Vec::new();
    for i in 0..WORKERS {
        let phone = e2e::unique_phone();
        let mut body = json!({"firstName": format!("W{i}"), "lastName": "Depot",
            "employment": {"department": "Depot"},
            "contact": {"primaryPhoneNumber": phone, "communicationConsent": true, "whatsappOptInStatus": "opted_in",
                        "preferredLanguage": if i == 1 { "sl" } else { "en" }}});
        if i % 2 == 0 {
            body["tags"] = json!(["practice"]);
        }
        let created = s.post("/workers", &admin, &body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        workers.push((created.body["id"].as_str().unwrap().to_owned(), phone.trim_start_matches('+').to_owned()));
    }
    let rule = json!({"field": "employment.department", "op": "eq", "value": "Depot"});
    let segment =
        s.post("/segments", &admin, &json!({"name": "Depot", "type": "rule_based", "ruleDefinition": rule})).await;
    assert_eq!(segment.status, StatusCode::CREATED, "{:?}", segment.body);
    let segment = segment.body["id"].as_str().unwrap().to_owned();
    s.eventually(&format!("/segments/{segment}"), &admin, "is synced", |b| b["workerCount"] == WORKERS).await;

    // The content, and the approved WhatsApp template that carries each touchpoint's link.
    let template = published(
        &admin,
        &json!({"type": "template", "title": "journey_step", "template": {
            "templateText": "{{title}}: {{link}}", "channel": "whatsapp", "approvalStatus": "approved",
            "variables": [{"name": "title"}, {"name": "link"}]}}),
    )
    .await;
    let welcome = published(&admin, &json!({"type": "text", "title": "Welcome", "text": {"text": "Hello!"}})).await;
    let safety = published(&admin, &json!({"type": "quiz", "title": "Safety quiz", "quiz": quiz()})).await;
    let reflect = published(
        &admin,
        &json!({"type": "reflection", "title": "Reflect", "reflection": {"promptText": "What will you do differently?"}}),
    )
    .await;
    let wrap = published(&admin, &json!({"type": "text", "title": "Wrap-up", "text": {"text": "Well done."}})).await;
    let touch = |content: &str, logic: Value| json!({"contentId": content, "channel": "whatsapp", "templateId": template, "ruleLogic": logic});
    let design = json!({
        "title": "Safety habits", "purpose": "Safer depots",
        "exitRules": {"onDeactivation": true},
        "phases": [
            {"name": "Learn", "touchpoints": [
                touch(&welcome, json!({"sendTime": {"at": "10:00"}})),
                touch(&safety, json!({"delay": {"after": "previous", "days": 2}, "sendTime": {"at": "09:00"}}))
            ]},
            {"name": "Practice", "touchpoints": [
                touch(&reflect, json!({
                    "waitFor": {"event": "completed", "timeout": {"days": 3}, "onTimeout": "remind"},
                    "gate": {"field": "tags", "op": "contains", "value": "practice"}})),
                touch(&wrap, json!({"delay": {"after": "phaseStart", "days": 7}, "sendTime": {"at": "10:00"}}))
            ]}
        ]
    });
    let j = journey(&admin, &design).await;
    let journey_id = j["id"].as_str().unwrap().to_owned();
    let program = crate::journeys::program(&admin, "Safety 2026", &[&journey_id], json!({})).await;

    to_half_past_ten(&admin).await;
    let job = crate::journeys::enrol(&admin, &program, &json!({"segmentId": segment, "mode": "live"})).await;
    assert_eq!((job["status"].as_str(), job["enrolled"].as_u64()), (Some("completed"), Some(WORKERS as u64)), "{job}");
    advance(&admin, &program, &fake, 0).await;
    // 10:30 is past today's 10:00: nothing goes before tomorrow's.
    assert!(fake.sent().is_empty(), "{:?}", fake.sent().first());

    // A worker leaves the depot before anything was sent: they exit at the next tick.
    let (leaver, leaver_phone) = workers.pop().unwrap();
    let moved =
        s.patch(&format!("/workers/{leaver}"), &admin, &json!({"employment": {"department": "Office"}}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    s.eventually(&format!("/segments/{segment}"), &admin, "loses the leaver", |b| b["workerCount"] == WORKERS - 1)
        .await;
    advance(&admin, &program, &fake, 0).await;
    let left = s.get(&format!("/programs/{program}/enrolments/{leaver}"), &admin).await.body;
    assert_eq!(
        (left["status"].as_str(), left["reason"].as_str()),
        (Some("exited"), Some("left the segment")),
        "{left}"
    );

    // Day 1: the welcome, once each, at 10:30 local (outside the quiet hours).
    advance(&admin, &program, &fake, DAY).await;
    let by_worker = titles(&fake.sent());
    assert_eq!(by_worker.len(), WORKERS - 1);
    assert!(by_worker.values().all(|t| t == &["Welcome"]), "{by_worker:?}");
    assert!(!by_worker.contains_key(&leaver_phone));
    // Ten workers tap "Done" under it.
    for (_, phone) in &workers[30..40] {
        let message = fake.sent().into_iter().find(|m| &m.to == phone).unwrap();
        let tap = json!({"from": format!("+{phone}"), "text": "Done", "replyTo": message.id, "button": true});
        let reply: Value = reqwest::Client::new()
            .post(format!("{}/_fake/inbound", fake.root_url))
            .json(&tap)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(reply["webhookStatus"], 200, "{reply}");
    }

    // The draft changes and is published again: running enrolments keep version 1.
    let mut changed = j.clone();
    for key in [
        "id",
        "publishedVersion",
        "publishedAt",
        "draftChanged",
        "createdBy",
        "updatedBy",
        "createdAt",
        "updatedAt",
        "version",
    ] {
        changed.as_object_mut().unwrap().remove(key);
    }
    for phase in changed["phases"].as_array_mut().unwrap() {
        phase.as_object_mut().unwrap().remove("sequenceOrder");
        phase.as_object_mut().unwrap().remove("journeyBlueprintId");
        for t in phase["touchpoints"].as_array_mut().unwrap() {
            for key in ["createdAt", "updatedAt", "phaseId"] {
                t.as_object_mut().unwrap().remove(key);
            }
        }
    }
    changed["title"] = json!("Safety habits, second edition");
    let put = s.call(reqwest::Method::PUT, &format!("/journeys/{journey_id}"), Some(&admin), Some(&changed), &[]).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert_eq!(put.body["draftChanged"], true);
    let v2 = s.post(&format!("/journeys/{journey_id}/publish"), &admin, &json!({})).await;
    assert_eq!((v2.status, v2.body["versionNumber"].as_u64()), (StatusCode::CREATED, Some(2)), "{:?}", v2.body);

    // Days 2–4: the quiz goes out on day 4 at 10:30 (two days after the welcome, then the next 09:00).
    for _ in 0..3 {
        advance(&admin, &program, &fake, DAY).await;
    }
    let by_worker = titles(&fake.sent());
    assert!(by_worker.values().all(|t| t == &["Welcome", "Safety quiz"]), "{by_worker:?}");
    let running = s.get(&format!("/programs/{program}/enrolments/{}", workers[0].0), &admin).await.body;
    assert_eq!(running["journeyVersion"], 1, "{running}");

    // Twenty workers pass the quiz on their page; one of them in Chromium, in Slovenian.
    let quiz_link = |phone: &str| link_of(fake.sent().iter().filter(|m| m.to == phone).nth(1).unwrap());
    for (_, phone) in &workers[..20] {
        let token = token_in(&quiz_link(phone));
        if phone == &workers[1].1 {
            let url = format!("{}/t/{token}", s.base);
            let seen = browser(&url, &json!({"answers": {"q1": ["b"], "q2": ["true"]}})).await;
            assert_eq!((seen["lang"].as_str(), seen["completed"].as_bool()), (Some("sl"), Some(true)), "{seen}");
            assert_eq!(seen["completedAfterReload"], true, "{seen}");
            assert!(seen["score"].as_str().unwrap().contains('3'), "{seen}");
            continue;
        }
        let (status, html) = page(&token, Some("action=answer&q.q1=b&q.q2=true")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
    }
    // Those who passed and practise get the reflection at the next tick; the others are gated out.
    advance(&admin, &program, &fake, 0).await;
    let by_worker = titles(&fake.sent());
    for (i, (_, phone)) in workers.iter().enumerate() {
        let expected: &[&str] =
            if i < 20 && i % 2 == 0 { &["Welcome", "Safety quiz", "Reflect"] } else { &["Welcome", "Safety quiz"] };
        assert_eq!(by_worker[phone], expected, "worker {i}");
    }
    // A practising worker answers the reflection prompt on the page, in Chromium.
    let reflect_link = link_of(fake.sent().iter().filter(|m| m.to == workers[0].1).nth(2).unwrap());
    let seen = browser(&reflect_link, &json!({"feedback": "Wear gloves before lifting."})).await;
    assert_eq!(seen["completed"], true, "{seen}");

    // A new depot worker joins: enrolled at the next tick, on version 2.
    let joiner = s
        .post(
            "/workers",
            &admin,
            &json!({"firstName": "New", "lastName": "Joiner", "employment": {"department": "Depot"},
                "contact": {"primaryPhoneNumber": e2e::unique_phone(), "communicationConsent": true,
                            "whatsappOptInStatus": "opted_in"}}),
        )
        .await;
    let joiner = joiner.body["id"].as_str().unwrap().to_owned();
    s.eventually(&format!("/segments/{segment}"), &admin, "gains the joiner", |b| b["workerCount"] == WORKERS).await;
    advance(&admin, &program, &fake, 0).await;
    let joined = s.get(&format!("/programs/{program}/enrolments/{joiner}"), &admin).await.body;
    assert_eq!((joined["status"].as_str(), joined["journeyVersion"].as_u64()), (Some("active"), Some(2)), "{joined}");

    // The rest of four weeks, a day at a time; then redelivered ticks and steps change nothing.
    for _ in 0..24 {
        advance(&admin, &program, &fake, DAY).await;
    }
    let sent_before = fake.sent().len();
    let enrolments = s.all_pages(&format!("/programs/{program}/enrolments"), &admin, 100).await;
    let refs: Vec<Value> =
        enrolments.iter().map(|e| json!({"programId": e["programId"], "workerId": e["workerId"]})).collect();
    for chunk in refs.chunks(25) {
        // The envelope names the tenant, as the engine's own messages do.
        s.send_raw("JourneysQueue", &json!({"tenantId": tenant, "type": "advance", "enrolments": chunk})).await;
    }
    advance(&admin, &program, &fake, 0).await;
    advance(&admin, &program, &fake, 60).await;
    // A second sent twice would reach the fake within moments of its step: give it those moments.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(fake.sent().len(), sent_before, "redelivered work sent again");

    // Who got what, exactly once each.
    let by_worker = titles(&fake.sent());
    for (i, (_, phone)) in workers.iter().enumerate() {
        let expected: Vec<&str> = if i < 20 {
            let mut e = vec!["Welcome", "Safety quiz"];
            if i % 2 == 0 {
                e.push("Reflect");
            }
            e.push("Wrap-up");
            e
        } else {
            // No answer: reminded of the quiz after three days, skipped after six.
            vec!["Welcome", "Safety quiz", "Safety quiz", "Wrap-up"]
        };
        assert_eq!(by_worker[phone], expected, "worker {i}");
    }
    assert_eq!(by_worker.get(&leaver_phone), None);

    // The figures are exact.
    let progress = s.get(&format!("/programs/{program}/progress"), &admin).await.body;
    let n = WORKERS as i64 - 1;
    assert_eq!(
        (progress["enrolled"].as_i64(), progress["exited"].as_i64(), progress["completed"].as_i64()),
        (Some(n + 2), Some(1), Some(n + 1)),
        "{progress}"
    );
    let phases = &progress["journeys"][0]["phases"];
    let t = |p: usize, i: usize| phases[p]["touchpoints"][i].clone();
    // The joiner is counted too (its touchpoints have the same ids in version 2).
    assert_eq!((t(0, 0)["sent"].as_i64(), t(0, 0)["completed"].as_i64()), (Some(n + 1), Some(10)), "{}", t(0, 0));
    assert_eq!(
        (
            t(0, 1)["sent"].as_i64(),
            t(0, 1)["completed"].as_i64(),
            t(0, 1)["passed"].as_i64(),
            t(0, 1)["reminded"].as_i64()
        ),
        (Some(n + 1), Some(20), Some(20), Some(n + 1 - 20)),
        "{}",
        t(0, 1)
    );
    assert_eq!(
        (
            t(1, 0)["sent"].as_i64(),
            t(1, 0)["skipped"].as_i64(),
            t(1, 0)["completed"].as_i64(),
            t(1, 0)["timedOut"].as_i64()
        ),
        (Some(10), Some(n + 1 - 10), Some(1), Some(n + 1 - 20)),
        "{}",
        t(1, 0)
    );
    assert_eq!(t(1, 1)["sent"].as_i64(), Some(n + 1));
    assert_eq!(t(0, 1)["dropOff"]["count"].as_i64(), Some(0));
    assert_eq!(progress["journeys"][0]["phases"][0]["touchpoints"][1]["averageScore"], 3.0);
}

/// Runs tests/browser/touchpoint.mjs on `url` with `plan`; what it saw.
async fn browser(url: &str, plan: &Value) -> Value {
    let seen = e2e::chromium("touchpoint.mjs", &[url, &plan.to_string()]).await;
    serde_json::from_str(&seen).unwrap_or_else(|e| panic!("{e}: {seen}"))
}
