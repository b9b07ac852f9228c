//! Learning end to end (authoring so far): a module with a cover, categories, tags and a mentor; sections
//! added, sanitised, reordered and removed with a dense order; an attachment through the media pipeline;
//! prerequisites that refuse a cycle by name; publication with its changelog; own-module rights; tenant
//! isolation.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

async fn module(token: &str, body: Value) -> Value {
    let created = stack().post("/modules", token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

async fn section(token: &str, module: &str, body: Value) -> Value {
    let created = stack().post(&format!("/modules/{module}/sections"), token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

fn orders(sections: &Value) -> Vec<(String, u64)> {
    sections
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["title"].as_str().unwrap().to_owned(), s["sortOrder"].as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_module_is_authored_with_ordered_clean_sections_and_published_with_its_changelog() {
    let s = stack();
    let tenant = s.organization("Learning authoring").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mentor = s.member(tenant, "manager").await;
    let cover = s.upload(&admin, "image", "image/png", "cover.png", e2e::png(8, 8)).await;
    let pdf = s.upload(&admin, "document", "application/pdf", "guide.pdf", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
    let category = s.post("/module-categories", &admin, &json!({"name": "Safety"})).await.body;
    let tag = s.post("/tags", &admin, &json!({"name": "Forklift"})).await.body;

    // Every bad reference named at once.
    let stranger = uuid::Uuid::now_v7();
    let bad = s
        .post(
            "/modules",
            &admin,
            &json!({"title": "Lifting", "coverImage": id(&pdf), "categoryId": stranger,
                "tagIds": [id(&tag), stranger], "mentorIds": [stranger], "prerequisiteIds": [stranger]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", bad.body);
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/categoryId", "/coverImage", "/mentorIds/0", "/prerequisiteIds/0", "/tagIds/1"]);

    let m = module(
        &admin,
        json!({"title": "Safe lifting", "description": "Backs last a lifetime", "difficulty": "BEGINNER",
            "coverImage": id(&cover), "categoryId": id(&category), "tagIds": [id(&tag)],
            "mentorIds": [mentor.id], "validityMonths": 12}),
    )
    .await;
    let mid = id(&m);
    assert_eq!((m["status"].as_str(), m["publishedVersion"].as_u64()), (Some("DRAFT"), Some(0)));

    // Sections: HTML kept to the allow-list, placed where asked, renumbered densely.
    let intro = section(
        &admin,
        &mid,
        json!({"title": "Intro", "content": "<p onclick=\"x()\">Bend <b>knees</b><script>alert(1)</script></p>"}),
    )
    .await;
    assert_eq!(intro["content"], "<p>Bend <b>knees</b></p>");
    let guide = section(
        &admin,
        &mid,
        json!({"title": "Guide", "type": "ATTACHMENT",
            "attachments": [{"fileName": "guide.pdf", "assetId": id(&pdf), "fileType": "PDF"}]}),
    )
    .await;
    section(&admin, &mid, json!({"title": "Warm-up", "position": 0})).await;
    let listed = s.get(&format!("/modules/{mid}/sections"), &admin).await.body;
    assert_eq!(orders(&listed), [("Warm-up".into(), 1), ("Intro".into(), 2), ("Guide".into(), 3)]);
    let ids: Vec<String> = listed.as_array().unwrap().iter().map(id).collect();
    let reordered = s
        .call(
            Method::PUT,
            &format!("/modules/{mid}/section-order"),
            Some(&admin),
            Some(&json!({"sectionIds": [ids[2], ids[0], ids[1]]})),
            &[],
        )
        .await;
    assert_eq!(reordered.status, StatusCode::OK, "{:?}", reordered.body);
    assert_eq!(orders(&reordered.body), [("Guide".into(), 1), ("Warm-up".into(), 2), ("Intro".into(), 3)]);
    let missing = s
        .call(
            Method::PUT,
            &format!("/modules/{mid}/section-order"),
            Some(&admin),
            Some(&json!({"sectionIds": [ids[0]]})),
            &[],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", missing.body);
    assert_eq!(s.delete(&format!("/modules/{mid}/sections/{}", ids[0]), &admin).await.status, StatusCode::NO_CONTENT);
    let body = s.get(&format!("/modules/{mid}"), &admin).await.body;
    assert_eq!(orders(&body["sections"]), [("Guide".into(), 1), ("Intro".into(), 2)]);
    assert_eq!(body["sections"][0]["attachments"][0]["assetId"], guide["attachments"][0]["assetId"]);
    // An asset a section shows cannot be deleted.
    let gone = s.delete(&format!("/media-assets/{}", id(&pdf)), &admin).await;
    assert!(gone.status.is_client_error(), "{:?}", gone.body);

    // Publication: version 1, then a change asks for a summary, version 2 records it.
    let first = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["module"]["publishedVersion"], 1);
    let edited = s.patch(&format!("/modules/{mid}"), &admin, &json!({"title": "Safe lifting, revised"}), None).await;
    assert_eq!(edited.body["draftChanged"], true, "{:?}", edited.body);
    let silent = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({})).await;
    assert_eq!(
        (silent.status, silent.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/changeSummary".to_owned()])
    );
    let second = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({"changeSummary": "A new title"})).await;
    assert_eq!(second.body["module"]["publishedVersion"], 2, "{:?}", second.body);
    let log = s.get(&format!("/modules/{mid}/changelog"), &admin).await.body;
    let summaries: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["changeSummary"].as_str().unwrap()).collect();
    assert_eq!(summaries, ["A new title", "First publication"]);

    // Another organization sees none of it.
    let other = s.tenant(s.organization("Learning outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/modules/{mid}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/modules/{mid}/sections"), &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn prerequisites_never_close_a_cycle_and_contributors_change_only_their_own_modules() {
    let s = stack();
    let tenant = s.organization("Learning graph").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let a = id(&module(&admin, json!({"title": "A"})).await);
    let b = id(&module(&admin, json!({"title": "B", "prerequisiteIds": [a]})).await);
    let c = id(&module(&admin, json!({"title": "C", "prerequisiteIds": [b]})).await);
    let cycle = s.patch(&format!("/modules/{a}"), &admin, &json!({"prerequisiteIds": [c]}), None).await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", cycle.body);
    assert_eq!(cycle.pointers(), ["/prerequisiteIds/0"]);
    assert!(cycle.body.to_string().contains("A → C → B → A"), "{:?}", cycle.body);
    let itself = s.patch(&format!("/modules/{a}"), &admin, &json!({"prerequisiteIds": [a]}), None).await;
    assert_eq!(itself.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A contributor writes the modules they created, not the others.
    let contributor = s.member(tenant, "contributor").await;
    let own = module(&contributor.access, json!({"title": "Mine"})).await;
    let renamed =
        s.patch(&format!("/modules/{}", id(&own)), &contributor.access, &json!({"title": "Still mine"}), None).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let theirs = s.patch(&format!("/modules/{a}"), &contributor.access, &json!({"title": "Not mine"}), None).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{:?}", theirs.body);
    let viewer = s.member(tenant, "viewer").await;
    assert_eq!(s.get(&format!("/modules/{a}"), &viewer.access).await.status, StatusCode::OK);
    let refused = s.post("/modules", &viewer.access, &json!({"title": "No"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A published module of `sections` text sections and, with `quiz`, that quiz; its id, its sections' ids
/// and the quiz as stored (with its answer key).
async fn published_module(
    token: &str,
    title: &str,
    sections: usize,
    quiz: Option<Value>,
) -> (String, Vec<String>, Value) {
    let s = stack();
    let m = id(&module(token, json!({"title": title, "validityMonths": 12})).await);
    let mut ids = Vec::new();
    for i in 0..sections {
        ids.push(id(&section(token, &m, json!({"title": format!("Part {i}"), "content": "<p>Read me</p>"})).await));
    }
    let stored = match quiz {
        Some(q) => {
            let created = s.post(&format!("/modules/{m}/quizzes"), token, &q).await;
            assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
            created.body
        }
        None => Value::Null,
    };
    let published = s.post(&format!("/modules/{m}/publish"), token, &json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
    (m, ids, stored)
}

/// The answers that pass (`right`) or fail `quiz`.
fn answers(quiz: &Value, right: bool) -> Value {
    let mut out = serde_json::Map::new();
    for q in quiz["questions"].as_array().unwrap() {
        let chosen: Vec<&Value> = q["options"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["correct"] == json!(right))
            .map(|o| &o["id"])
            .take(1)
            .collect();
        out.insert(q["id"].as_str().unwrap().to_owned(), json!(chosen));
    }
    Value::Object(out)
}

#[tokio::test]
async fn a_learner_fails_a_timed_attempt_passes_the_next_and_holds_a_certificate_anyone_can_verify() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Learning learner").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let quiz = json!({"title": "Check", "passingScore": 100, "maxAttempts": 2, "timeLimitMinutes": 10,
        "questions": [
            {"questionType": "SINGLE_CHOICE", "text": "Bend what?", "points": 1,
             "options": [{"text": "Knees", "correct": true}, {"text": "Back", "correct": false}]},
            {"questionType": "TRUE_FALSE", "text": "Twist while lifting?", "points": 1,
             "options": [{"text": "True", "correct": false}, {"text": "False", "correct": true}]}]});
    // A quiz that breaks its rules is refused with every problem named.
    let (m, sections, stored) = published_module(&admin, "Lifting", 2, Some(quiz)).await;
    let bad = s
        .post(
            &format!("/modules/{m}/quizzes"),
            &admin,
            &json!({"title": "Bad", "passingScore": 50, "questions": [
            {"questionType": "SINGLE_CHOICE", "text": "?", "points": 1,
             "options": [{"text": "A", "correct": true}, {"text": "B", "correct": true}]}]}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/questions/0/options".to_owned()])
    );
    let quiz_id = id(&stored);
    let learner = s.member(tenant, "employee").await;
    let me = learner.access.as_str();

    let mine = s.get(&format!("/me/modules/{m}"), me).await.body;
    assert_eq!(mine["quizzes"][0]["questions"], 2, "{mine}");
    assert!(!mine.to_string().contains("correct"), "the answer key is not the learner's: {mine}");
    for section in &sections {
        let done = s.post(&format!("/me/modules/{m}/sections/{section}/complete"), me, &json!({})).await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    }
    let again = s.post(&format!("/me/modules/{m}/sections/{}/complete", sections[0]), me, &json!({})).await;
    assert_eq!(again.body["sections"].as_object().unwrap().len(), 2);

    // Attempt 1: wrong answers saved, right ones sent after the time ran out: never on time.
    let attempts = format!("/me/modules/{m}/quizzes/{quiz_id}/attempts");
    let first = s.post(&attempts, me, &json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert!(!first.body.to_string().contains("correct"), "{:?}", first.body);
    let resumed = s.post(&attempts, me, &json!({})).await;
    assert_eq!((resumed.status, &resumed.body["number"]), (StatusCode::OK, &json!(1)));
    let saved = s
        .call(
            Method::PUT,
            &format!("{attempts}/1/answers"),
            Some(me),
            Some(&json!({"answers": answers(&stored, false)})),
            &[],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let moved = s.public("/_local/clock", &json!({"advanceSeconds": 11 * 60})).await;
    assert_eq!(moved.status, StatusCode::OK);
    let late = s.post(&format!("{attempts}/1/submit"), me, &json!({"answers": answers(&stored, true)})).await;
    assert_eq!(late.status, StatusCode::OK, "{:?}", late.body);
    assert_eq!((late.body["state"].as_str(), late.body["passed"].as_bool()), (Some("overdue_submitted"), Some(false)));
    assert_eq!(late.body["score"], 0.0);

    // Attempt 2 passes; the module completes and its certificate is issued.
    let second = s.post(&attempts, me, &json!({})).await;
    assert_eq!((second.status, &second.body["number"]), (StatusCode::CREATED, &json!(2)), "{:?}", second.body);
    let passed = s.post(&format!("{attempts}/2/submit"), me, &json!({"answers": answers(&stored, true)})).await;
    assert_eq!((passed.body["state"].as_str(), passed.body["passed"].as_bool()), (Some("submitted"), Some(true)));
    let none_left = s.post(&attempts, me, &json!({})).await;
    assert_eq!(none_left.status, StatusCode::CONFLICT, "{:?}", none_left.body);
    let certificates = s.get("/me/certificates", me).await.body;
    assert_eq!(certificates.as_array().unwrap().len(), 1, "{certificates}");
    let code = certificates[0]["uniqueCode"].as_str().unwrap().to_owned();
    // The full marks earned QUIZ_HIGH_SCORE, and the completion MODULE_COMPLETED: one balance write for both.
    let earned = s.get("/me/xp/transactions", me).await.body;
    let mut sources: Vec<&str> =
        earned["items"].as_array().unwrap().iter().map(|e| e["sourceType"].as_str().unwrap()).collect();
    sources.sort();
    assert_eq!(sources, ["MODULE_COMPLETED", "QUIZ_HIGH_SCORE"], "{earned}");
    assert_eq!(s.get("/me/xp", me).await.body["balance"]["lifetimeXp"], 150);

    // Anyone verifies it: JSON, and a page; nothing else of the organization.
    let verified = s.call(Method::GET, &format!("/certificates/verify/{code}"), None, None, &[]).await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    assert_eq!(verified.body["status"], "valid");
    assert_eq!(verified.body["moduleTitle"], "Lifting");
    let mut keys: Vec<&String> = verified.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "expiresAt", "holderName", "issuedAt", "moduleTitle", "status"]);
    let lower = code.to_lowercase().replace('-', "");
    let page =
        s.call(Method::GET, &format!("/certificates/verify/{lower}"), None, None, &[("accept", "text/html")]).await;
    assert_eq!(page.status, StatusCode::OK);
    let unknown = s.call(Method::GET, "/certificates/verify/0000-0000-0000", None, None, &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // As a person sees it, in a real browser: the page, in their language, holding nothing else.
    let url = format!("{}/certificates/verify/{code}", s.base);
    let seen: Value = serde_json::from_str(&e2e::chromium("certificate.mjs", &[&url, "sl-SI"]).await).unwrap();
    assert_eq!(seen["status"], "Veljaven", "{seen}");
    assert_eq!(
        (&seen["httpStatus"], &seen["lang"], &seen["statusKey"]),
        (&json!(200), &json!("sl"), &json!("valid")),
        "{seen}"
    );
    assert_eq!(
        (&seen["code"], &seen["module"], &seen["scripts"]),
        (&json!(code), &json!("Lifting"), &json!(0)),
        "{seen}"
    );
    assert!(seen["contentType"].as_str().unwrap().starts_with("text/html"), "{seen}");
    assert!(seen["csp"].as_str().unwrap().contains("default-src 'none'"), "{seen}");
    let holder = verified.body["holderName"].as_str().unwrap();
    assert_eq!(seen["holder"], holder);
    assert!(!seen["text"].as_str().unwrap().contains("@example.com") || holder.contains('…'), "{seen}");
    let missing = format!("{}/certificates/verify/0000-0000-0000", s.base);
    let gone: Value = serde_json::from_str(&e2e::chromium("certificate.mjs", &[&missing, "en"]).await).unwrap();
    assert_eq!(gone["httpStatus"], 404, "{gone}");
    assert!(gone["notFound"].is_string(), "{gone}");
    let learning = s.get("/me/learning", me).await.body;
    assert_eq!(learning["modules"][0]["state"], "completed", "{learning}");
}

#[tokio::test]
async fn concurrent_completions_issue_one_certificate_and_parallel_starts_keep_to_max_attempts() {
    let s = stack();
    let tenant = s.organization("Learning races").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (m, sections, _) = published_module(&admin, "One part", 1, None).await;
    let learner = s.member(tenant, "employee").await;
    let me = learner.access.as_str();
    let path = format!("/me/modules/{m}/sections/{}/complete", sections[0]);
    let empty = json!({});
    let racing = (0..6).map(|_| s.post(&path, me, &empty));
    for reply in futures_util::future::join_all(racing).await {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }
    assert_eq!(s.get("/me/certificates", me).await.body.as_array().unwrap().len(), 1);

    let quiz = json!({"title": "Q", "passingScore": 100, "maxAttempts": 2, "questions": [
        {"questionType": "TRUE_FALSE", "text": "Safe?", "points": 1,
         "options": [{"text": "True", "correct": true}, {"text": "False", "correct": false}]}]});
    let (m, _, stored) = published_module(&admin, "Quizzed", 1, Some(quiz)).await;
    let attempts = format!("/me/modules/{m}/quizzes/{}/attempts", id(&stored));
    for round in 1..=2 {
        let starts = (0..6).map(|_| s.post(&attempts, me, &empty));
        let replies = futures_util::future::join_all(starts).await;
        let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(created, 1, "{:?}", replies.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
        assert!(replies.iter().all(|r| r.body["number"] == json!(round)), "round {round}");
        let done =
            s.post(&format!("{attempts}/{round}/submit"), me, &json!({"answers": answers(&stored, false)})).await;
        assert_eq!(done.body["passed"], false, "{:?}", done.body);
    }
    let starts = (0..4).map(|_| s.post(&attempts, me, &empty));
    assert!(futures_util::future::join_all(starts).await.iter().all(|r| r.status == StatusCode::CONFLICT));
}

#[tokio::test]
async fn a_group_assignment_gives_each_member_a_due_date_from_when_they_joined() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Learning groups").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (m, sections, _) = published_module(&admin, "Forklift basics", 1, None).await;
    let learner = s.member(tenant, "employee").await;
    let group = s.post("/groups", &admin, &json!({"name": "Night shift", "color": "#1A2B3C"})).await;
    assert_eq!((group.status, &group.body["color"]), (StatusCode::CREATED, &json!("#1a2b3c")), "{:?}", group.body);
    let g = id(&group.body);
    let stranger = uuid::Uuid::now_v7();
    let bad = s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [learner.id, stranger]})).await;
    assert_eq!((bad.status, bad.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/userIds/1".to_owned()]));
    let joined = s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [learner.id]})).await;
    assert_eq!(joined.body.as_array().map(Vec::len), Some(1), "{:?}", joined.body);
    let assigned = s
        .call(
            Method::PUT,
            &format!("/groups/{g}/modules/{m}"),
            Some(&admin),
            Some(&json!({"deadlineDays": 14, "isMandatory": true})),
            &[],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);

    let mine = s.get("/me/learning", &learner.access).await.body;
    let item = &mine["modules"][0];
    assert_eq!((&item["moduleId"], &item["assigned"], &item["isMandatory"]), (&json!(m), &json!(true), &json!(true)));
    // The assignment came after joining: its days count from it.
    let assigned_at = chrono::DateTime::parse_from_rfc3339(assigned.body["assignedAt"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(item["dueAt"].as_str().unwrap()).unwrap();
    assert_eq!(due - assigned_at, chrono::Duration::days(14));
    assert_eq!(item["overdue"], false);

    // Fifteen days on it is overdue, until completed.
    let moved = s.public("/_local/clock", &json!({"advanceSeconds": 15 * 86_400})).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(s.get("/me/learning", &learner.access).await.body["modules"][0]["overdue"], true);
    s.post(&format!("/me/modules/{m}/sections/{}/complete", sections[0]), &learner.access, &json!({})).await;
    let done = s.get("/me/learning", &learner.access).await.body;
    assert_eq!((&done["modules"][0]["overdue"], &done["modules"][0]["state"]), (&json!(false), &json!("completed")));

    // Another organization sees none of it.
    let other = s.tenant(s.organization("Groups outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/groups/{g}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/groups/{g}/members"), &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn overrides_are_audited_self_assessments_kept_and_pins_shown() {
    let s = stack();
    let tenant = s.organization("Learning overrides").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (m, _, _) = published_module(&admin, "Ladders", 2, None).await;
    let (other, _, _) = published_module(&admin, "Gloves", 1, None).await;
    let learner = s.member(tenant, "employee").await;
    let me = learner.access.as_str();

    // A learner rates themselves; only 1–5.
    let rated = s
        .call(
            Method::PUT,
            &format!("/me/modules/{m}/self-assessment"),
            Some(me),
            Some(&json!({"rating": 4, "note": "Mostly"})),
            &[],
        )
        .await;
    assert_eq!(
        (rated.status, &rated.body["selfAssessment"]["rating"]),
        (StatusCode::OK, &json!(4)),
        "{:?}",
        rated.body
    );
    let bad = s
        .call(Method::PUT, &format!("/me/modules/{m}/self-assessment"), Some(me), Some(&json!({"rating": 6})), &[])
        .await;
    assert_eq!((bad.status, bad.pointers()), (StatusCode::BAD_REQUEST, vec!["/rating".to_owned()]));

    // An override needs the permission and a reason; it completes the module with a certificate and is audited.
    let path = format!("/modules/{m}/learners/{}/override", learner.id);
    let refused = s.post(&path, me, &json!({"reason": "I say so"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let manager = s.member(tenant, "manager").await;
    let done = s.post(&path, &manager.access, &json!({"reason": "Trained on site", "allowCertificate": true})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["progressOverride"]["reason"], "Trained on site");
    assert!(done.body["certificateId"].is_string(), "{:?}", done.body);
    let twice = s.post(&path, &manager.access, &json!({"reason": "Again"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(s.get("/me/certificates", me).await.body.as_array().map(Vec::len), Some(1));
    let log = s.get(&format!("/audit-log?entityType=module&entityId={m}"), &admin).await.body;
    let entry = log["items"].as_array().unwrap().iter().find(|e| e["action"] == "learning.progress_overridden");
    assert_eq!(entry.map(|e| e["metadata"]["reason"].clone()), Some(json!("Trained on site")), "{log}");

    // Pins: the learner's own and the organization's.
    assert_eq!(
        s.call(Method::PUT, &format!("/me/pinned-modules/{other}"), Some(me), None, &[]).await.status,
        StatusCode::OK
    );
    let company = s.call(Method::PUT, &format!("/pinned-modules/{m}"), Some(&admin), None, &[]).await;
    assert_eq!(company.status, StatusCode::OK, "{:?}", company.body);
    let learning = s.get("/me/learning", me).await.body;
    let flags: Vec<(String, bool, bool)> = learning["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["title"].as_str().unwrap().to_owned(), i["pinned"] == json!(true), i["companyPinned"] == json!(true))
        })
        .collect();
    assert_eq!(flags, [("Gloves".to_owned(), true, false), ("Ladders".to_owned(), false, true)]);
    assert_eq!(s.delete(&format!("/me/pinned-modules/{other}"), me).await.status, StatusCode::NO_CONTENT);
}

/// The learning schedule's tick as EventBridge sends it, run to completion with the sends it made.
async fn learning_tick() {
    let s = stack();
    s.send_raw("LearningQueue", &json!({"type": "tick"})).await;
    s.drained(&["LearningQueue", "NotificationsQueue"]).await;
}

async fn advance(seconds: i64) {
    let moved = stack().public("/_local/clock", &json!({"advanceSeconds": seconds})).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
}

async fn clock_now() -> chrono::DateTime<chrono::Utc> {
    let s = stack();
    let reply = s.call(Method::GET, "/_local/clock", None, None, &[]).await;
    reply.body["now"].as_str().unwrap().parse().unwrap()
}

/// The titles and messages of a kind in the learner's inbox.
async fn notices(token: &str, kind: &str) -> Vec<String> {
    let listed = stack().get(&format!("/me/notifications?type={kind}"), token).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{} | {}", n["title"].as_str().unwrap_or(""), n["message"].as_str().unwrap_or("")))
        .collect()
}

#[tokio::test]
async fn the_schedule_reminds_once_of_deadlines_and_expiry_and_an_expired_mandatory_module_is_due_again() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Learning schedule").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let m = id(&module(&admin, json!({"title": "Hot work permit", "validityMonths": 4})).await);
    let part = id(&section(&admin, &m, json!({"title": "Permit", "content": "<p>Fill it in</p>"})).await);
    assert_eq!(s.post(&format!("/modules/{m}/publish"), &admin, &json!({})).await.status, StatusCode::OK);
    let learner = s.member(tenant, "employee").await;
    let me = learner.access.as_str();
    let g = id(&s.post("/groups", &admin, &json!({"name": "Welders"})).await.body);
    s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [learner.id]})).await;
    let assigned = s
        .call(
            Method::PUT,
            &format!("/groups/{g}/modules/{m}"),
            Some(&admin),
            Some(&json!({"deadlineDays": 10, "isMandatory": true})),
            &[],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);

    // Ten days to go: nothing yet, however often the schedule ticks.
    learning_tick().await;
    learning_tick().await;
    assert!(notices(me, "DEADLINE_REMINDER").await.is_empty());

    // Three days before the deadline, one reminder; the next tick sends nothing more.
    advance(7 * 86_400 + 3_600).await;
    learning_tick().await;
    learning_tick().await;
    let reminders = notices(me, "DEADLINE_REMINDER").await;
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert!(reminders[0].starts_with("Due soon: Hot work permit | Hot work permit is due on"), "{reminders:?}");

    // Completed: a certificate valid four months.
    let done = s.post(&format!("/me/modules/{m}/sections/{part}/complete"), me, &json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let certificates = s.get("/me/certificates", me).await.body;
    let certificate = certificates.as_array().unwrap().last().unwrap().clone();
    let expires: chrono::DateTime<chrono::Utc> = certificate["expiresAt"].as_str().unwrap().parse().unwrap();
    let code = certificate["uniqueCode"].as_str().unwrap().to_owned();

    // The clock moves to 30 days before expiry: one reminder (the 90- and 60-day ones passed unseen), once.
    let to = expires - chrono::Duration::days(30) + chrono::Duration::hours(1);
    advance((to - clock_now().await).num_seconds()).await;
    learning_tick().await;
    learning_tick().await;
    let expiring = notices(me, "MODULE_EXPIRING").await;
    assert_eq!(expiring.len(), 1, "{expiring:?}");
    assert!(expiring[0].contains("in 30 days or less"), "{expiring:?}");
    assert!(notices(me, "MODULE_EXPIRED").await.is_empty());

    // After expiry: expired, told once, and the mandatory module is due again, counted from the expiry.
    advance(31 * 86_400).await;
    learning_tick().await;
    learning_tick().await;
    let expired = notices(me, "MODULE_EXPIRED").await;
    assert_eq!(expired.len(), 1, "{expired:?}");
    assert!(expired[0].contains("on your list again"), "{expired:?}");
    assert_eq!(notices(me, "MODULE_EXPIRING").await.len(), 1);
    let verified = s.call(Method::GET, &format!("/certificates/verify/{code}"), None, None, &[]).await;
    assert_eq!(verified.body["status"], "expired", "{:?}", verified.body);
    let mine = s.get("/me/learning", me).await.body;
    let item = mine["modules"].as_array().unwrap().iter().find(|i| i["moduleId"] == json!(m)).unwrap().clone();
    assert_ne!(item["state"], "completed", "{item}");
    assert!(item.get("completedAt").is_none_or(Value::is_null), "{item}");
    let due: chrono::DateTime<chrono::Utc> = item["dueAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, expires + chrono::Duration::days(10));

    // Recertified: a new certificate, valid again.
    let again = s.post(&format!("/me/modules/{m}/sections/{part}/complete"), me, &json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let certificates = s.get("/me/certificates", me).await.body;
    assert_eq!(certificates.as_array().map(Vec::len), Some(2), "{certificates}");
    let renewed = s.get("/me/learning", me).await.body;
    let item = renewed["modules"].as_array().unwrap().iter().find(|i| i["moduleId"] == json!(m)).unwrap().clone();
    assert_eq!(item["state"], "completed", "{item}");
}

/// The caller's calendar as served: its content type and text.
async fn calendar(token: &str) -> (String, String) {
    let s = stack();
    let response = reqwest::Client::new()
        .get(format!("{}/me/live-events/calendar", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (kind, response.text().await.unwrap())
}

#[tokio::test]
async fn a_live_event_is_announced_moved_reminded_and_cancelled_to_its_groups_once_each() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Learning live events").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mentor = s.member(tenant, "manager").await;
    let learner = s.member(tenant, "employee").await;
    let outsider = s.member(tenant, "employee").await;
    let me = learner.access.as_str();
    let g = id(&s.post("/groups", &admin, &json!({"name": "Forklift crew"})).await.body);
    s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [learner.id]})).await;
    let now = clock_now().await;
    let starts = now + chrono::Duration::days(3);

    // Every bad field named: a start in the past, a host and a group not of the organization.
    let past = s
        .post(
            "/live-events",
            &admin,
            &json!({"title": "Q&A", "startsAt": now - chrono::Duration::hours(1), "meetUrl": "https://meet.example/qa", "groupIds": [g]}),
        )
        .await;
    assert_eq!((past.status, past.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/startsAt".to_owned()]));
    let stranger = uuid::Uuid::now_v7();
    let bad = s
        .post(
            "/live-events",
            &admin,
            &json!({"title": "Q&A", "startsAt": starts, "meetUrl": "https://meet.example/qa", "hostId": stranger, "groupIds": [g, stranger]}),
        )
        .await;
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(
        (bad.status, pointers),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/groupIds/1".to_owned(), "/hostId".to_owned()])
    );

    let created = s
        .post(
            "/live-events",
            &admin,
            &json!({"title": "Forklift Q&A", "description": "Bring questions", "startsAt": starts,
                "durationMinutes": 45, "meetUrl": "https://meet.example/qa", "hostId": mentor.id, "groupIds": [g]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let e = id(&created.body);
    learning_tick().await;
    learning_tick().await;
    let told = notices(me, "LIVE_EVENT").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].starts_with("Live event: Forklift Q&A | "), "{told:?}");
    assert!(notices(&outsider.access, "LIVE_EVENT").await.is_empty());
    let mine = s.get("/me/live-events", me).await.body;
    assert_eq!(mine.as_array().map(|a| a.iter().map(id).collect::<Vec<_>>()), Some(vec![e.clone()]));
    assert_eq!(s.get("/me/live-events", &outsider.access).await.body, json!([]));
    let (kind, text) = calendar(me).await;
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(text.contains(&format!("UID:{e}@live-events.nudge")) && text.contains("SUMMARY:Forklift Q&A"), "{text}");
    assert!(text.contains("SEQUENCE:1") && text.contains("STATUS:CONFIRMED"), "{text}");

    // Moved a day later: announced again at the new time, once.
    let moved = s
        .call(
            Method::PATCH,
            &format!("/live-events/{e}"),
            Some(&admin),
            Some(&json!({"startsAt": starts + chrono::Duration::days(1)})),
            &[("content-type", "application/merge-patch+json")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    learning_tick().await;
    learning_tick().await;
    assert_eq!(notices(me, "LIVE_EVENT").await.len(), 2);

    // A day before it starts: the reminder, once.
    advance(3 * 86_400 + 3_600).await;
    learning_tick().await;
    learning_tick().await;
    let told = notices(me, "LIVE_EVENT").await;
    assert_eq!(told.len(), 3, "{told:?}");
    assert!(told.iter().any(|t| t.starts_with("Tomorrow: Forklift Q&A")), "{told:?}");

    // Cancelled: told once, and the calendar marks it so calendars drop it.
    let cancelled = s.post(&format!("/live-events/{e}/cancel"), &admin, &json!({})).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (StatusCode::OK, &json!("cancelled")));
    learning_tick().await;
    learning_tick().await;
    let told = notices(me, "LIVE_EVENT").await;
    assert_eq!(told.len(), 4, "{told:?}");
    assert!(told.iter().any(|t| t.starts_with("Cancelled: Forklift Q&A")), "{told:?}");
    let (_, text) = calendar(me).await;
    assert!(text.contains("STATUS:CANCELLED") && text.contains("SEQUENCE:3"), "{text}");
    let again =
        s.call(Method::PATCH, &format!("/live-events/{e}"), Some(&admin), Some(&json!({"title": "x"})), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Another organization sees none of it.
    let other = s.tenant(s.organization("Live events outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/live-events/{e}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/live-events", &other).await.body, json!([]));
}

/// `learner` takes one attempt at `quiz` of `module` with the right or wrong answers.
async fn attempt(token: &str, module: &str, quiz: &Value, right: bool) {
    let s = stack();
    let attempts = format!("/me/modules/{module}/quizzes/{}/attempts", id(quiz));
    let started = s.post(&attempts, token, &json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{:?}", started.body);
    let n = started.body["number"].as_u64().unwrap();
    let done = s.post(&format!("{attempts}/{n}/submit"), token, &json!({"answers": answers(quiz, right)})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn insight_counts_assigned_started_completed_and_overdue_and_finds_the_hard_question() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Learning insight").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let quiz = json!({"title": "Check", "passingScore": 50, "questions": [
        {"questionType": "SINGLE_CHOICE", "text": "Bend what?", "points": 1,
         "options": [{"text": "Knees", "correct": true}, {"text": "Back", "correct": false}]},
        {"questionType": "TRUE_FALSE", "text": "Twist while lifting?", "points": 1,
         "options": [{"text": "True", "correct": false}, {"text": "False", "correct": true}]}]});
    let (m, sections, stored) = published_module(&admin, "Lifting", 1, Some(quiz)).await;
    let (a, b, c) =
        (s.member(tenant, "employee").await, s.member(tenant, "employee").await, s.member(tenant, "employee").await);
    let lead = s.member(tenant, "manager").await;
    let g = id(&s.post("/groups", &admin, &json!({"name": "Loaders"})).await.body);
    s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [a.id, b.id, c.id]})).await;
    let assigned = s
        .call(
            Method::PUT,
            &format!("/groups/{g}/modules/{m}"),
            Some(&admin),
            Some(&json!({"deadlineDays": 5, "isMandatory": true})),
            &[],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);

    // A completes with everything right; B reads and answers everything wrong; C does nothing.
    s.post(&format!("/me/modules/{m}/sections/{}/complete", sections[0]), &a.access, &json!({})).await;
    attempt(&a.access, &m, &stored, true).await;
    s.post(&format!("/me/modules/{m}/sections/{}/complete", sections[0]), &b.access, &json!({})).await;
    attempt(&b.access, &m, &stored, false).await;
    advance(6 * 86_400).await;

    let insight = s.get(&format!("/modules/{m}/insight"), &admin).await;
    assert_eq!(insight.status, StatusCode::OK, "{:?}", insight.body);
    let f = &insight.body["figures"];
    assert_eq!(
        (&f["assigned"], &f["started"], &f["completed"], &f["overdue"]),
        (&json!(3), &json!(2), &json!(1), &json!(2)),
        "{f}"
    );
    assert_eq!(f["averageScore"], 50.0);
    let q = &insight.body["quizzes"][0];
    assert_eq!((&q["attempted"], &q["passed"], &q["passRate"]), (&json!(2), &json!(1), &json!(0.5)), "{q}");
    let rates: Vec<&Value> = q["questions"].as_array().unwrap().iter().map(|x| &x["correctRate"]).collect();
    assert_eq!(rates, [&json!(0.5), &json!(0.5)]);
    assert_eq!(insight.body["learners"].as_array().map(Vec::len), Some(3));

    // A team lead sees the groups they are in, not the others, and not the whole organization.
    assert_eq!(s.get(&format!("/groups/{g}/insight"), &lead.access).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get(&format!("/modules/{m}/insight"), &lead.access).await.status, StatusCode::FORBIDDEN);
    s.post(&format!("/groups/{g}/members"), &admin, &json!({"userIds": [lead.id]})).await;
    let group = s.get(&format!("/groups/{g}/insight"), &lead.access).await;
    assert_eq!(group.status, StatusCode::OK, "{:?}", group.body);
    assert_eq!(group.body["members"], 4);
    let gf = &group.body["modules"][0]["figures"];
    // The lead joined today: their days count from now, so they are not overdue.
    assert_eq!((&gf["assigned"], &gf["completed"], &gf["overdue"]), (&json!(4), &json!(1), &json!(2)), "{gf}");

    // A's worker record is linked to their account: their learning names it.
    let worker = s.post("/workers", &admin, &json!({"firstName": "Ana", "lastName": "Loader", "userId": a.id})).await;
    assert_eq!(worker.status, StatusCode::CREATED, "{:?}", worker.body);
    let learner = s.get(&format!("/learners/{}/insight", a.id), &lead.access).await;
    assert_eq!(learner.status, StatusCode::OK, "{:?}", learner.body);
    assert_eq!(learner.body["workerId"], worker.body["id"]);
    let row = &learner.body["modules"][0];
    assert_eq!(
        (&row["moduleId"], &row["bestScore"], &row["certificateStatus"]),
        (&json!(m), &json!(100.0), &json!("valid")),
        "{row}"
    );
    assert_eq!(row["attemptsUsed"], 1);

    // The report: one CSV line per learner and module, made in the background, downloaded once ready.
    let asked = s.post("/learning-reports", &admin, &json!({})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
    let location = asked.header("location").unwrap().to_owned();
    let report = e2e::until("the learning report", || async {
        let r = s.get(&location, &admin).await.body;
        (r["status"] == "completed").then_some(r)
    })
    .await;
    // The three learners and the lead, all members now.
    assert_eq!(report["rowCount"], 4, "{report}");
    let csv = reqwest::get(report["downloadUrl"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("moduleId,moduleTitle,userId,learnerName,assigned"), "{csv}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(rows.iter().any(|r| r.contains(&a.id.to_string()) && r.ends_with(",false,100.0,completed")), "{csv}");
    assert!(rows.iter().any(|r| r.contains(&c.id.to_string()) && r.ends_with(",true,,not_started")), "{csv}");
    assert_eq!(s.post("/learning-reports", &c.access, &json!({})).await.status, StatusCode::FORBIDDEN);

    // A learner reads no one's insight; another organization finds nothing.
    assert_eq!(s.get(&format!("/learners/{}/insight", b.id), &c.access).await.status, StatusCode::FORBIDDEN);
    let other = s.tenant(s.organization("Insight outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/modules/{m}/insight"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/groups/{g}/insight"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/learners/{}/insight", a.id), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&location, &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_organization_finds_none_of_a_modules_quizzes_attempts_pins_or_learners() {
    let s = stack();
    let tenant = s.organization("Learning isolation").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let quiz = json!({"title": "Check", "passingScore": 50, "questions": [
        {"questionType": "TRUE_FALSE", "text": "Gloves on?", "points": 1,
         "options": [{"text": "True", "correct": true}, {"text": "False", "correct": false}]}]});
    let (m, sections, stored) = published_module(&admin, "Gloves", 1, Some(quiz)).await;
    let q = id(&stored);
    let learner = s.member(tenant, "employee").await;
    let started = s.post(&format!("/me/modules/{m}/quizzes/{q}/attempts"), &learner.access, &json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{:?}", started.body);
    let g = id(&s.post("/groups", &admin, &json!({"name": "Crew"})).await.body);

    let other_tenant = s.organization("Learning isolation outsider").await;
    let other = s.tenant(other_tenant, SystemRole::Admin);
    let outsider = s.member(other_tenant, "employee").await;
    let their_group = id(&s.post("/groups", &other, &json!({"name": "Theirs"})).await.body);
    let section = &sections[0];
    let user = learner.id;
    let admin_calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/modules/{m}"), None),
        (Method::GET, format!("/modules/{m}/quizzes"), None),
        (Method::GET, format!("/modules/{m}/quizzes/{q}"), None),
        (
            Method::PUT,
            format!("/modules/{m}/quizzes/{q}"),
            Some(json!({"title": "Mine", "passingScore": 1, "questions": stored["questions"]})),
        ),
        (Method::DELETE, format!("/modules/{m}/quizzes/{q}"), None),
        (Method::GET, format!("/modules/{m}/sections"), None),
        (Method::DELETE, format!("/modules/{m}/sections/{section}"), None),
        (Method::POST, format!("/modules/{m}/learners/{user}/override"), Some(json!({"reason": "mine now"}))),
        (Method::PUT, format!("/pinned-modules/{m}"), Some(json!({}))),
        (Method::PUT, format!("/groups/{their_group}/modules/{m}"), Some(json!({"isMandatory": true}))),
        (Method::POST, format!("/groups/{g}/members"), Some(json!({"userIds": [outsider.id]}))),
        (Method::GET, format!("/modules/{m}/insight"), None),
    ];
    for (method, path, body) in admin_calls {
        let reply = s.call(method.clone(), &path, Some(&other), body.as_ref(), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}: {:?}", reply.body);
    }
    let learner_calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/me/modules/{m}"), None),
        (Method::POST, format!("/me/modules/{m}/sections/{section}/complete"), Some(json!({}))),
        (Method::POST, format!("/me/modules/{m}/quizzes/{q}/attempts"), Some(json!({}))),
        (Method::GET, format!("/me/modules/{m}/quizzes/{q}/attempts/1"), None),
        (Method::PUT, format!("/me/modules/{m}/quizzes/{q}/attempts/1/answers"), Some(json!({"answers": {}}))),
        (Method::POST, format!("/me/modules/{m}/quizzes/{q}/attempts/1/submit"), Some(json!({"answers": {}}))),
        (Method::PUT, format!("/me/modules/{m}/self-assessment"), Some(json!({"rating": 3}))),
        (Method::PUT, format!("/me/pinned-modules/{m}"), Some(json!({}))),
        (Method::POST, format!("/me/modules/{m}/review"), Some(json!({}))),
    ];
    for (method, path, body) in learner_calls {
        let reply = s.call(method.clone(), &path, Some(&outsider.access), body.as_ref(), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}: {:?}", reply.body);
    }
    // Nothing of theirs was touched: the learner's attempt is still open and the quiz theirs.
    let mine = s.get(&format!("/me/modules/{m}/quizzes/{q}/attempts/1"), &learner.access).await;
    assert_eq!((mine.status, &mine.body["state"]), (StatusCode::OK, &json!("in_progress")), "{:?}", mine.body);
    assert_eq!(s.get(&format!("/modules/{m}/quizzes/{q}"), &admin).await.body["title"], "Check");
}
