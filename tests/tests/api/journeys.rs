//! Journeys and programs end to end: designing and publishing a journey, running it in a program for
//! enrolled workers as the shared clock moves (its tick sent as EventBridge would), sends through the
//! notifications path, workers answering on their page, waits, reminders, skips and exits, and the
//! progress figures. The tests that move the clock hold `e2e::clock_lock`.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// The engine's queue: only the tests that hold the clock lock put work on it, so it goes still once
/// their work is done (the notifications queue serves every test at once: see [`delivered`]).
pub const ENGINE: [&str; 1] = ["JourneysQueue"];

/// Waits until the provider holds every message `program`'s steps sent (each touchpoint's `sent` and
/// `reminded`), `observed` counting what it holds for this test's workers.
pub async fn delivered<F, Fut>(token: &str, program: &str, observed: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let s = stack();
    let progress = s.get(&format!("/programs/{program}/progress"), token).await.body;
    let expected: i64 = progress["journeys"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|j| j["phases"].as_array().into_iter().flatten())
        .flat_map(|p| p["touchpoints"].as_array().into_iter().flatten())
        .map(|t| t["sent"].as_i64().unwrap_or(0) + t["reminded"].as_i64().unwrap_or(0))
        .sum();
    e2e::until(&format!("{expected} messages reach the provider"), || async {
        (observed().await as i64 >= expected).then_some(())
    })
    .await;
}

/// What the emulator's SNS took for `phones`, in all.
pub async fn texts(phones: &[&str]) -> usize {
    let mut n = 0;
    for phone in phones {
        n += stack().sms_to(phone).await.len();
    }
    n
}

/// A content item taken through the workflow to `published`; its id.
pub async fn published(token: &str, body: &Value) -> String {
    let s = stack();
    let created = s.post("/contents", token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    for to in ["review", "approved", "published"] {
        let moved = s.post(&format!("/contents/{id}/status"), token, &json!({"status": to})).await;
        assert_eq!(moved.status, StatusCode::OK, "{to}: {:?}", moved.body);
    }
    id
}

pub fn quiz() -> Value {
    json!({"questions": [
        {"id": "q1", "type": "single_choice", "text": "Where is the fire exit?",
         "options": [{"id": "a", "text": "Left"}, {"id": "b", "text": "Right"}], "correctAnswers": ["b"], "points": 2},
        {"id": "q2", "type": "true_false", "text": "Report near misses.", "correctAnswers": ["true"]}
    ], "scoringType": "pass_fail", "passingScore": 3, "maxAttempts": 2})
}

/// Creates and publishes a journey; answers it as published.
pub async fn journey(token: &str, body: &Value) -> Value {
    let s = stack();
    let created = s.post("/journeys", token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let publish = s.post(&format!("/journeys/{id}/publish"), token, &json!({})).await;
    assert_eq!(publish.status, StatusCode::CREATED, "{:?}", publish.body);
    s.get(&format!("/journeys/{id}"), token).await.body
}

/// An active program running `journeys` in order; its id.
pub async fn program(token: &str, name: &str, journeys: &[&str], extra: Value) -> String {
    let mut body = json!({"name": name, "journeyIds": journeys, "status": "active"});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let created = stack().post("/programs", token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

/// Enrols `audience` and waits for the job to finish; answers it.
pub async fn enrol(token: &str, program: &str, audience: &Value) -> Value {
    let s = stack();
    let job = s.post(&format!("/programs/{program}/enrolments"), token, audience).await;
    assert_eq!(job.status, StatusCode::ACCEPTED, "{:?}", job.body);
    let at = job.header("location").unwrap().to_owned();
    s.eventually(&at, token, "finishes", |j| j["status"] == "completed" || j["status"] == "failed").await
}

/// The signed link's token in a message's text.
pub fn token_in(text: &str) -> String {
    let at = text.find("/t/").unwrap_or_else(|| panic!("no link in {text:?}"));
    text[at + 3..].split_whitespace().next().unwrap().to_owned()
}

/// The touchpoint page of `token` (GET, or POST of a form).
pub async fn page(token: &str, form: Option<&str>) -> (StatusCode, String) {
    let s = stack();
    let client = reqwest::Client::new();
    let url = format!("{}/t/{token}", s.base);
    let response = match form {
        None => client.get(url).send().await.unwrap(),
        Some(f) => client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.to_owned())
            .send()
            .await
            .unwrap(),
    };
    (response.status(), response.text().await.unwrap())
}

/// Moves the shared clock, runs the engine's tick until its work is done, and waits until what
/// `program` sent by SMS to `phones` has reached the emulator's SNS.
pub async fn advance(token: &str, program: &str, phones: &[&str], seconds: i64) {
    let s = stack();
    if seconds > 0 {
        let moved = s.public("/_local/clock", &json!({"advanceSeconds": seconds})).await;
        assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    }
    s.journeys_tick().await;
    s.drained(&ENGINE).await;
    delivered(token, program, || texts(phones)).await;
}

fn figures(progress: &Value, touchpoint: &str) -> Value {
    progress["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|j| j["phases"].as_array().unwrap().iter())
        .flat_map(|p| p["touchpoints"].as_array().unwrap().iter())
        .find(|t| t["touchpointId"] == touchpoint)
        .cloned()
        .unwrap_or_else(|| panic!("no touchpoint {touchpoint} in {progress}"))
}

fn tp(journey: &Value, phase: usize, index: usize) -> String {
    journey["phases"][phase]["touchpoints"][index]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_journey_reaches_workers_by_sms_and_waits_for_their_answers() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Journeys by SMS").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let consent = json!({"communicationConsent": true});
    let mut workers = Vec::new();
    for name in ["Ana", "Bo", "Cy"] {
        workers.push(s.worker(&admin, name, consent.clone()).await);
    }
    let welcome =
        published(&admin, &json!({"type": "text", "title": "Welcome aboard", "text": {"text": "Glad you are here."}}))
            .await;
    let safety = published(&admin, &json!({"type": "quiz", "title": "Safety check", "quiz": quiz()})).await;
    let wrap =
        published(&admin, &json!({"type": "text", "title": "Well done", "text": {"text": "On to practice."}})).await;
    let design = json!({
        "title": "Onboarding", "purpose": "First week on the floor",
        "phases": [
            {"name": "Welcome", "touchpoints": [
                {"contentId": welcome, "channel": "sms"},
                {"contentId": safety, "channel": "sms", "ruleLogic": {"delay": {"after": "previous", "days": 1}}}
            ]},
            {"name": "Practice", "touchpoints": [
                {"contentId": wrap, "channel": "sms",
                 "ruleLogic": {"waitFor": {"event": "passed", "timeout": {"days": 2}, "onTimeout": "skip"}}}
            ]}
        ]
    });
    let j = journey(&admin, &design).await;
    assert_eq!(j["publishedVersion"], 1, "{j}");
    // Seed 003's parents: each phase names its journey, each touchpoint its phase.
    assert_eq!(j["phases"][1]["journeyBlueprintId"], j["id"]);
    assert_eq!(j["phases"][1]["touchpoints"][0]["phaseId"], j["phases"][1]["id"]);
    assert_eq!(j["phases"][1]["sequenceOrder"], 2);
    let program = program(&admin, "Onboarding 2026", &[j["id"].as_str().unwrap()], json!({})).await;
    let ids: Vec<&str> = workers.iter().map(|(id, _)| id.as_str()).collect();
    let job = enrol(&admin, &program, &json!({"workerIds": ids})).await;
    assert_eq!((job["status"].as_str(), job["enrolled"].as_u64()), (Some("completed"), Some(3)), "{job}");
    let phones: Vec<&str> = workers.iter().map(|(_, p)| p.as_str()).collect();
    advance(&admin, &program, &phones, 0).await;

    // The first touchpoint went out at once, once each, with the worker's own link.
    for (_, phone) in &workers {
        let texts = s.sms_to(phone).await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].starts_with("Welcome aboard\n"), "{texts:?}");
    }
    // A day later, the quiz.
    advance(&admin, &program, &phones, 86_400 + 60).await;
    let mut links = Vec::new();
    for (_, phone) in &workers {
        let texts = s.sms_to(phone).await;
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[1].starts_with("Safety check\n"), "{texts:?}");
        links.push(token_in(&texts[1]));
    }
    // Ana passes on her page; Bo answers wrong (and may try again); Cy never opens it.
    let (status, html) = page(&links[0], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Where is the fire exit?"), "{html}");
    let (status, html) = page(&links[0], Some("action=answer&q.q1=b&q.q2=true")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("data-testid=\"score\""), "{html}");
    let (status, _) = page(&links[1], Some("action=answer&q.q1=a&q.q2=false")).await;
    assert_eq!(status, StatusCode::OK);
    // A form that leaves a question out is refused on the page, and counts no attempt.
    let (status, html) = page(&links[1], Some("action=answer&q.q1=a")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");

    // Ana waited on a pass: the next tick sends her the last touchpoint; the others still wait.
    advance(&admin, &program, &phones, 0).await;
    assert_eq!(s.sms_to(&workers[0].1).await.len(), 3);
    assert_eq!(s.sms_to(&workers[1].1).await.len(), 2);
    // Two days on, the others' wait times out: skipped, and their enrolment is complete.
    advance(&admin, &program, &phones, 2 * 86_400 + 60).await;
    for (id, phone) in &workers[1..] {
        assert_eq!(s.sms_to(phone).await.len(), 2);
        let e = s.get(&format!("/programs/{program}/enrolments/{id}"), &admin).await.body;
        assert_eq!(e["status"], "completed", "{e}");
    }
    // Redelivered work changes nothing: ticks and a duplicate step send nothing more (given the moments a
    // second send would take to reach the emulator).
    advance(&admin, &program, &phones, 0).await;
    advance(&admin, &program, &phones, 60).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    for (i, (_, phone)) in workers.iter().enumerate() {
        assert_eq!(s.sms_to(phone).await.len(), if i == 0 { 3 } else { 2 });
    }

    let progress = s.get(&format!("/programs/{program}/progress"), &admin).await.body;
    assert_eq!(
        (progress["enrolled"].as_i64(), progress["completed"].as_i64(), progress["active"].as_i64()),
        (Some(3), Some(3), Some(0)),
        "{progress}"
    );
    let quiz_figures = figures(&progress, &tp(&j, 0, 1));
    assert_eq!(
        (quiz_figures["sent"].as_i64(), quiz_figures["started"].as_i64(), quiz_figures["completed"].as_i64()),
        (Some(3), Some(2), Some(2)),
        "{quiz_figures}"
    );
    assert_eq!(quiz_figures["passed"], 1);
    let last = figures(&progress, &tp(&j, 1, 0));
    assert_eq!(
        (last["sent"].as_i64(), last["skipped"].as_i64(), last["timedOut"].as_i64()),
        (Some(1), Some(2), Some(2))
    );

    // Each worker's programs show every touchpoint's state.
    let ana = s.get(&format!("/workers/{}/programs", workers[0].0), &admin).await.body;
    let states: Vec<&str> =
        ana["items"][0]["touchpoints"].as_array().unwrap().iter().map(|t| t["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["sent", "completed", "sent"], "{ana}");
    // Completing a touchpoint earned the worker the tenant's TOUCHPOINT_COMPLETED XP, once: Ana and Bo
    // completed the quiz (Bo's refused second form counted nothing), Cy nothing.
    for (i, (id, _)) in workers.iter().enumerate() {
        let xp = s.get(&format!("/xp/worker/{id}"), &admin).await.body;
        assert_eq!(xp["totalXp"], if i < 2 { 10 } else { 0 }, "{xp}");
        let doc = s.get(&format!("/workers/{id}"), &admin).await.body;
        assert_eq!(doc["gamification"]["pointsBalance"], if i < 2 { 10 } else { 0 }, "{doc}");
    }
    // Another tenant sees none of it.
    let other = s.tenant(s.organization("Other").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/programs/{program}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/journeys/{}", j["id"].as_str().unwrap()), &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn journeys_and_programs_name_every_bad_field_and_stay_in_their_tenant() {
    let s = stack();
    let tenant = s.organization("Journey input").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    // Schema errors: every one at its pointer, nothing written.
    let bad = json!({"title": " ", "phases": [{"name": "P", "touchpoints": [
        {"contentId": "nope", "channel": "fax", "ruleLogic": {"delay": {"after": "lunch", "days": 1}, "colour": 1}}]}]});
    let reply = s.post("/journeys", &admin, &bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    for pointer in [
        "/title",
        "/phases/0/touchpoints/0/contentId",
        "/phases/0/touchpoints/0/channel",
        "/phases/0/touchpoints/0/ruleLogic/delay/after",
        "/phases/0/touchpoints/0/ruleLogic/colour",
    ] {
        assert!(reply.pointers().contains(&pointer.to_owned()), "{pointer} in {:?}", reply.body);
    }
    assert_eq!(s.get("/journeys", &admin).await.body["items"], json!([]));
    // Rules the schema cannot state: a wait before anything was sent, a branch that goes back.
    let text = published(&admin, &json!({"type": "text", "title": "Hi", "text": {"text": "Hi"}})).await;
    let rules = json!({"title": "Loops", "phases": [
        {"name": "One", "touchpoints": [{"contentId": text, "channel": "sms",
            "ruleLogic": {"waitFor": {"event": "completed", "timeout": {"days": 1}, "onTimeout": "skip"}}}]},
        {"name": "Two", "touchpoints": [{"contentId": text, "channel": "sms",
            "ruleLogic": {"branch": [{"when": {"field": "tags", "op": "contains", "value": "x"}, "goTo": 1}]}}]}]});
    let reply = s.post("/journeys", &admin, &rules).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", reply.body);
    assert_eq!(
        reply.pointers(),
        ["/phases/0/touchpoints/0/ruleLogic/waitFor", "/phases/1/touchpoints/0/ruleLogic/branch/0/goTo"]
    );
    // Publishing needs published content that fits its channel.
    let draft =
        s.post("/contents", &admin, &json!({"type": "text", "title": "Draft", "text": {"text": "Not yet"}})).await.body
            ["id"]
            .clone();
    let sms_template = published(
        &admin,
        &json!({"type": "template", "title": "sms_step", "template": {"templateText": "Hi", "channel": "sms",
            "approvalStatus": "approved", "variables": []}}),
    )
    .await;
    let unfit = json!({"title": "Unfit", "phases": [{"name": "P", "touchpoints": [
        {"contentId": draft, "channel": "sms"},
        {"contentId": sms_template, "channel": "email"},
        {"contentId": text, "channel": "whatsapp", "templateId": sms_template}]}]});
    let created = s.post("/journeys", &admin, &unfit).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let refused = s.post(&format!("/journeys/{id}/publish"), &admin, &json!({})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", refused.body);
    assert_eq!(
        refused.pointers(),
        [
            "/phases/0/touchpoints/0/contentId",
            "/phases/0/touchpoints/1/contentId",
            "/phases/0/touchpoints/2/templateId"
        ]
    );
    // A draft replaced with a stale ETag, or naming a touchpoint it does not have.
    let stale = s
        .call(
            reqwest::Method::PUT,
            &format!("/journeys/{id}"),
            Some(&admin),
            Some(&json!({"title": "Again"})),
            &[("if-match", "\"7\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let stranger = json!({"title": "Again", "phases": [{"name": "P", "touchpoints": [
        {"id": uuid::Uuid::now_v7(), "contentId": text, "channel": "sms"}]}]});
    let reply = s.call(reqwest::Method::PUT, &format!("/journeys/{id}"), Some(&admin), Some(&stranger), &[]).await;
    assert_eq!(
        (reply.status, reply.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/phases/0/touchpoints/0/id".to_owned()])
    );

    // Programs: journeys of the tenant, published before activation, moves the status allows.
    let unknown = s.post("/programs", &admin, &json!({"name": "P", "journeyIds": [id, Uuid::now_v7()]})).await;
    assert_eq!(
        (unknown.status, unknown.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/journeyIds/1".to_owned()])
    );
    let unpublished = s.post("/programs", &admin, &json!({"name": "P", "journeyIds": [id], "status": "active"})).await;
    assert_eq!(unpublished.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", unpublished.body);
    assert_eq!(unpublished.pointers(), ["/journeyIds/0"]);
    let draft_program = s.post("/programs", &admin, &json!({"name": "P", "journeyIds": [id]})).await;
    assert_eq!(draft_program.status, StatusCode::CREATED);
    let program = draft_program.body["id"].as_str().unwrap().to_owned();
    let jump = s.patch(&format!("/programs/{program}"), &admin, &json!({"status": "paused"}), None).await;
    assert_eq!(jump.status, StatusCode::CONFLICT, "{:?}", jump.body);
    let dates = s
        .patch(
            &format!("/programs/{program}"),
            &admin,
            &json!({"startDate": "2027-02-01", "endDate": "2027-01-01"}),
            None,
        )
        .await;
    assert_eq!((dates.status, dates.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/endDate".to_owned()]));
    let closed =
        s.post(&format!("/programs/{program}/enrolments"), &admin, &json!({"workerIds": [Uuid::now_v7()]})).await;
    assert_eq!(closed.status, StatusCode::CONFLICT, "{:?}", closed.body);
    let both = s
        .post(
            &format!("/programs/{program}/enrolments"),
            &admin,
            &json!({"workerIds": [], "segmentId": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", both.body);

    // Another tenant reaches none of it.
    let other = s.tenant(s.organization("Journey outsider").await, SystemRole::Admin);
    for path in [format!("/journeys/{id}"), format!("/programs/{program}"), format!("/programs/{program}/progress")] {
        assert_eq!(s.get(&path, &other).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(s.post(&format!("/journeys/{id}/publish"), &other, &json!({})).await.status, StatusCode::NOT_FOUND);
    let enrol_there =
        s.post(&format!("/programs/{program}/enrolments"), &other, &json!({"workerIds": [Uuid::now_v7()]})).await;
    assert_eq!(enrol_there.status, StatusCode::NOT_FOUND);
    // A link nobody signed is a page saying so.
    let (status, html) = page("bm90LWEtdG9rZW4", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<!DOCTYPE html>"), "{html}");
}

#[tokio::test]
async fn pausing_resuming_and_withdrawing_hold_and_release_the_engine() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Journey pauses").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let consent = json!({"communicationConsent": true});
    let (ana, ana_phone) = s.worker(&admin, "Ana", consent.clone()).await;
    let (bo, bo_phone) = s.worker(&admin, "Bo", consent).await;
    let one = published(&admin, &json!({"type": "text", "title": "Day one", "text": {"text": "1"}})).await;
    let two = published(&admin, &json!({"type": "text", "title": "Day two", "text": {"text": "2"}})).await;
    let three = published(&admin, &json!({"type": "text", "title": "Day three", "text": {"text": "3"}})).await;
    let four = published(&admin, &json!({"type": "text", "title": "Day four", "text": {"text": "4"}})).await;
    let day = json!({"delay": {"after": "previous", "days": 1}});
    let j = journey(
        &admin,
        &json!({"title": "Daily", "phases": [{"name": "Days", "touchpoints": [
            {"contentId": one, "channel": "sms"}, {"contentId": two, "channel": "sms", "ruleLogic": day},
            {"contentId": three, "channel": "sms", "ruleLogic": day},
            {"contentId": four, "channel": "sms", "ruleLogic": day}]}]}),
    )
    .await;
    let program = program(&admin, "Daily", &[j["id"].as_str().unwrap()], json!({"reentry": "after_end"})).await;
    enrol(&admin, &program, &json!({"workerIds": [ana, bo]})).await;
    advance(&admin, &program, &[&ana_phone, &bo_phone], 0).await;
    assert_eq!((s.sms_to(&ana_phone).await.len(), s.sms_to(&bo_phone).await.len()), (1, 1));

    // Ana is paused: her second day does not come until she is resumed.
    let paused = s.post(&format!("/programs/{program}/enrolments/{ana}/pause"), &admin, &json!({})).await;
    assert_eq!((paused.status, paused.body["status"].as_str()), (StatusCode::OK, Some("paused")), "{:?}", paused.body);
    advance(&admin, &program, &[&ana_phone, &bo_phone], 86_400 + 60).await;
    assert_eq!((s.sms_to(&ana_phone).await.len(), s.sms_to(&bo_phone).await.len()), (1, 2));
    let resumed = s.post(&format!("/programs/{program}/enrolments/{ana}/resume"), &admin, &json!({})).await;
    assert_eq!(resumed.body["status"], "active", "{:?}", resumed.body);
    advance(&admin, &program, &[&ana_phone, &bo_phone], 0).await;
    assert_eq!(s.sms_to(&ana_phone).await.len(), 2);

    // The whole program paused: nothing goes out; resumed, what came due goes.
    let paused = s.patch(&format!("/programs/{program}"), &admin, &json!({"status": "paused"}), None).await;
    assert_eq!(paused.status, StatusCode::OK, "{:?}", paused.body);
    advance(&admin, &program, &[&ana_phone, &bo_phone], 86_400 + 60).await;
    assert_eq!((s.sms_to(&ana_phone).await.len(), s.sms_to(&bo_phone).await.len()), (2, 2));
    let closed = s.post(&format!("/programs/{program}/enrolments"), &admin, &json!({"workerIds": [ana]})).await;
    assert_eq!(closed.status, StatusCode::CONFLICT, "a paused program admits no one");
    let active = s.patch(&format!("/programs/{program}"), &admin, &json!({"status": "active"}), None).await;
    assert_eq!(active.status, StatusCode::OK);
    advance(&admin, &program, &[&ana_phone, &bo_phone], 0).await;
    assert_eq!((s.sms_to(&ana_phone).await.len(), s.sms_to(&bo_phone).await.len()), (3, 3));

    // Everyone withdrawn before their fourth day; re-entry is allowed, so enrolling again starts a second
    // attempt.
    let link = token_in(&s.sms_to(&bo_phone).await[0]);
    let withdraw = s.post(&format!("/programs/{program}/withdraw"), &admin, &json!({})).await;
    assert_eq!(withdraw.status, StatusCode::ACCEPTED);
    s.drained(&ENGINE).await;
    let list = s.get(&format!("/programs/{program}/enrolments?status=withdrawn"), &admin).await.body;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let again = enrol(&admin, &program, &json!({"workerIds": [bo]})).await;
    assert_eq!(again["enrolled"], 1, "{again}");
    let bo_now = s.get(&format!("/programs/{program}/enrolments/{bo}"), &admin).await.body;
    assert_eq!((bo_now["attempt"].as_u64(), bo_now["status"].as_str()), (Some(2), Some("active")), "{bo_now}");
    let progress = s.get(&format!("/programs/{program}/progress"), &admin).await.body;
    assert_eq!(
        (progress["enrolled"].as_i64(), progress["withdrawn"].as_i64(), progress["active"].as_i64()),
        (Some(3), Some(1), Some(1)),
        "{progress}"
    );
    // A month on, the first link has expired.
    advance(&admin, &program, &[&ana_phone, &bo_phone], 31 * 86_400).await;
    let (status, html) = page(&link, None).await;
    assert_eq!(status, StatusCode::GONE, "{html}");
}
