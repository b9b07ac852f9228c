//! Sending end to end, through the API, the notifications queue (fan-out, then deliveries), the emulator's
//! SNS and SES and the inbox: a segment broadcast by SMS with consent refusals and a missing variable, the
//! counts and the per-worker history, a duplicate request and a redelivered message sending once, users
//! reached in-app and by email, a scheduled send released by the clock, a cancelled one sending nothing,
//! bad input named by pointer and other tenants seeing nothing.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A worker with a phone unique across the run; `extra` adds top-level fields.
async fn worker(token: &str, first: &str, consent: bool, extra: Value) -> (String, String) {
    let (id, phone) =
        stack().worker(token, first, json!({"preferredLanguage": "en", "communicationConsent": consent})).await;
    if extra.as_object().is_some_and(|e| !e.is_empty()) {
        let patched = stack().patch(&format!("/workers/{id}"), token, &extra, None).await;
        assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    }
    (id, phone)
}

/// The request once no delivery is pending.
async fn settled(token: &str, id: &str) -> Value {
    stack()
        .eventually(&format!("/notifications/{id}"), token, "settles", |r| {
            r["status"] == "fanned_out" && r["counts"]["queued"] == 0 && r["counts"]["deferred"] == 0
        })
        .await
}

#[tokio::test]
async fn a_segment_broadcast_respects_consent_and_counts_every_outcome() {
    let s = stack();
    let tenant = s.organization("Broadcast").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (ana, ana_phone) = worker(&admin, "Ana", true, json!({})).await;
    let (bo, bo_phone) = worker(&admin, "Bo", true, json!({})).await;
    let (cy, cy_phone) = worker(&admin, "Cy", false, json!({})).await;
    let segment = s.post("/segments", &admin, &json!({"name": "Night shift", "type": "static"})).await;
    let segment = segment.body["id"].as_str().unwrap().to_owned();
    let added = s.post(&format!("/segments/{segment}/members"), &admin, &json!({"workerIds": [ana, bo, cy]})).await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);

    let body = json!({"channel": "sms", "recipients": {"segmentId": segment, "workerIds": [ana]},
                      "message": "Hi {{firstName}}, the night shift starts at {{time}}.", "variables": {"time": "22:00"},
                      "dedupKey": format!("night-{segment}")});
    let sent = s.post("/notifications", &admin, &body).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    assert_eq!(sent.header("location"), Some(format!("/notifications/{id}").as_str()));

    // The same dedup key answers the first request and sends nothing more.
    let again = s.post("/notifications", &admin, &body).await;
    assert_eq!((again.status, again.body["id"].as_str()), (StatusCode::ACCEPTED, Some(id.as_str())));
    assert_eq!(again.header("deduplicated"), Some("true"));

    let done = settled(&admin, &id).await;
    let counts = &done["counts"];
    assert_eq!(
        (counts["total"].as_u64(), counts["sent"].as_u64(), counts["refused"].as_u64()),
        (Some(3), Some(2), Some(1)),
        "{done}"
    );
    assert_eq!(stack().sms_to(&ana_phone).await, ["Hi Ana, the night shift starts at 22:00."]);
    assert_eq!(stack().sms_to(&bo_phone).await.len(), 1);
    assert!(stack().sms_to(&cy_phone).await.is_empty(), "no consent, no SMS");

    let deliveries = s.get(&format!("/notifications/{id}/deliveries"), &admin).await;
    let items = deliveries.body["items"].as_array().unwrap();
    let of = |w: &str| items.iter().find(|d| d["recipient"]["id"] == w).unwrap().clone();
    assert_eq!(
        (of(&cy)["state"].as_str(), of(&cy)["reason"].as_str()),
        (Some("refused"), Some("no communication consent"))
    );
    assert_eq!(of(&ana)["state"], "sent");
    assert!(of(&ana)["providerMessageId"].is_string() && of(&ana)["segments"] == 1, "{}", of(&ana));
    let history = s.get(&format!("/workers/{ana}/deliveries"), &admin).await;
    assert_eq!(history.body["items"][0]["requestId"], id.as_str());

    // A redelivered Deliver message sends nothing twice.
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let queue = nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["NotificationsQueue"].url.clone(),
    );
    let org = s.keys.verifier().unwrap().verify(&admin).unwrap().tenant().unwrap();
    let recipient = json!({"type": "worker", "id": ana});
    queue.send_for(&org, &json!({"type": "deliver", "requestId": id, "recipients": [recipient]})).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(stack().sms_to(&ana_phone).await.len(), 1, "sent once");

    // Another tenant sees none of it.
    let other = s.tenant(s.organization("Broadcast elsewhere").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/notifications/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/notifications/{id}/deliveries"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/workers/{ana}/deliveries"), &other).await.status, StatusCode::NOT_FOUND);
    let foreign = s
        .post("/notifications", &other, &json!({"channel": "sms", "recipients": {"workerIds": [ana]}, "message": "x"}))
        .await;
    assert_eq!(
        (foreign.status, foreign.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/recipients/workerIds/0".to_owned()])
    );
}

#[tokio::test]
async fn a_missing_variable_refuses_the_recipient_never_sends_a_blank() {
    let s = stack();
    let admin = s.tenant(s.organization("Missing variable").await, SystemRole::Admin);
    let (ana, ana_phone) = worker(&admin, "Ana", true, json!({"customFields": {"site": "Porto"}})).await;
    let (bo, bo_phone) = worker(&admin, "Bo", true, json!({})).await;
    let body = json!({"channel": "sms", "recipients": {"workerIds": [ana, bo]}, "message": "{{firstName}}, report to {{custom.site}}."});
    let id = s.post("/notifications", &admin, &body).await.body["id"].as_str().unwrap().to_owned();
    let done = settled(&admin, &id).await;
    assert_eq!((done["counts"]["sent"].as_u64(), done["counts"]["refused"].as_u64()), (Some(1), Some(1)), "{done}");
    assert_eq!(stack().sms_to(&ana_phone).await, ["Ana, report to Porto."]);
    assert!(stack().sms_to(&bo_phone).await.is_empty());
    let items = s.get(&format!("/notifications/{id}/deliveries"), &admin).await.body["items"].clone();
    let bo_delivery = items.as_array().unwrap().iter().find(|d| d["recipient"]["id"] == bo).unwrap().clone();
    assert_eq!(bo_delivery["reason"], "missing variables: custom.site");
}

#[tokio::test]
async fn users_are_reached_in_app_and_by_email() {
    let s = stack();
    let tenant = s.organization("User sends").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let member = s.member(tenant, "viewer").await;
    let in_app = json!({"channel": "in_app", "recipients": {"userIds": [member.id]}, "type": "DEADLINE_REMINDER",
                        "title": "Due Friday", "message": "{{firstName}}, finish the safety module.", "link": "/modules/safety",
                        "variables": {"firstName": "colleague"}});
    let id = s.post("/notifications", &admin, &in_app).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(settled(&admin, &id).await["counts"]["sent"], 1);
    let inbox = s.get("/me/notifications", &member.access).await;
    let first = &inbox.body["items"][0];
    assert_eq!(
        (first["title"].as_str(), first["type"].as_str(), first["link"].as_str()),
        (Some("Due Friday"), Some("DEADLINE_REMINDER"), Some("/modules/safety"))
    );
    assert_eq!(first["message"], "colleague, finish the safety module.");

    let email = json!({"channel": "email", "recipients": {"userIds": [member.id]}, "title": "Safety week", "message": "See you there."});
    let id = s.post("/notifications", &admin, &email).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(settled(&admin, &id).await["counts"]["sent"], 1);
    let mailed = s.mailbox.sent().await.unwrap();
    assert!(mailed.iter().any(|m| m.to.contains(&member.email.to_lowercase())
        && m.subject == "Safety week"
        && m.body == "See you there."));
    // In-app goes to users only, SMS to workers only: named, not attempted.
    let bad = s
        .post(
            "/notifications",
            &admin,
            &json!({"channel": "sms", "recipients": {"userIds": [member.id]}, "message": "x"}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/recipients/userIds".to_owned()])
    );
}

#[tokio::test]
async fn a_scheduled_send_waits_for_the_clock_and_a_cancelled_one_sends_nothing() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let admin = s.tenant(s.organization("Scheduled sends").await, SystemRole::Admin);
    let (ana, ana_phone) = worker(&admin, "Ana", true, json!({})).await;
    let now: Value = s.get("/_local/clock", &admin).await.body;
    let at = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap() + chrono::Duration::hours(1);
    let body = |text: &str| json!({"channel": "sms", "recipients": {"workerIds": [ana]}, "message": text, "scheduledFor": at.to_rfc3339()});
    let later = s.post("/notifications", &admin, &body("Later")).await;
    assert_eq!((later.status, later.body["status"].as_str()), (StatusCode::ACCEPTED, Some("scheduled")));
    let later = later.body["id"].as_str().unwrap().to_owned();
    let never = s.post("/notifications", &admin, &body("Never")).await.body["id"].as_str().unwrap().to_owned();
    let cancelled = s.delete(&format!("/notifications/{never}"), &admin).await;
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    assert_eq!(s.delete(&format!("/notifications/{never}"), &admin).await.status, StatusCode::CONFLICT);

    assert_eq!(s.public("/_local/outbox/sweep", &json!({})).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(stack().sms_to(&ana_phone).await.is_empty(), "not before its time");
    s.public("/_local/clock", &json!({"advanceSeconds": 3700})).await;
    s.public("/_local/outbox/sweep", &json!({})).await;
    let done = settled(&admin, &later).await;
    assert_eq!(done["counts"]["sent"], 1);
    assert_eq!(stack().sms_to(&ana_phone).await, ["Later"]);
    let never = s.get(&format!("/notifications/{never}"), &admin).await;
    assert_eq!((never.body["status"].as_str(), never.body["counts"]["total"].as_u64()), (Some("cancelled"), Some(0)));
}

#[tokio::test]
async fn bad_requests_name_every_field_and_write_nothing() {
    let s = stack();
    let admin = s.tenant(s.organization("Bad sends").await, SystemRole::Admin);
    let viewer = s.tenant(s.organization("Bad sends viewer").await, SystemRole::Viewer);
    let bad = s
        .post(
            "/notifications",
            &admin,
            &json!({"channel": "fax", "recipients": {"workerIds": ["nope"]}, "dedupKey": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
    for p in ["/channel", "/recipients/workerIds/0", "/dedupKey"] {
        assert!(bad.pointers().contains(&p.to_owned()), "{p}: {:?}", bad.pointers());
    }
    let unknown = s
        .post(
            "/notifications",
            &admin,
            &json!({"channel": "sms", "recipients": {"segmentId": Uuid::now_v7()}, "templateId": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", unknown.body);
    assert_eq!(unknown.pointers(), ["/recipients/segmentId", "/templateId"]);
    assert!(s.get("/notifications", &admin).await.body["items"].as_array().unwrap().is_empty(), "nothing written");
    let denied = s
        .post(
            "/notifications",
            &viewer,
            &json!({"channel": "sms", "recipients": {"workerIds": [Uuid::now_v7()]}, "message": "x"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_are_reached_as_their_type_choices_then_preferences_then_the_organization_say() {
    let s = stack();
    let tenant = s.organization("Preference order").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (fresh, own, saved) =
        (s.member(tenant, "employee").await, s.member(tenant, "employee").await, s.member(tenant, "employee").await);
    let prefs = |body: Value, token: String| async move {
        let reply = s.call(reqwest::Method::PUT, "/me/preferences", Some(&token), Some(&body), &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    };
    prefs(json!({"byType": {"XP_EARNED": {"inApp": false}}}), own.access.clone()).await;
    prefs(json!({"email": {"reminders": false}}), saved.access.clone()).await;
    let bad = s
        .call(reqwest::Method::PUT, "/me/preferences", Some(&saved.access), Some(&json!({"byType": {"NOPE": {}}})), &[])
        .await;
    assert_eq!((bad.status, bad.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/byType/NOPE".to_owned()]));
    let policy = json!({"typeDefaults": {"XP_EARNED": {"inApp": false}}});
    let put = s.call(reqwest::Method::PUT, "/notifications/settings", Some(&admin), Some(&policy), &[]).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);

    let send = |channel: &str, kind: &str| {
        json!({"channel": channel, "type": kind, "recipients": {"userIds": [fresh.id, own.id, saved.id]},
            "title": "Heads up", "message": "Something happened"})
    };
    let outcome = |deliveries: &Value, user: uuid::Uuid| -> (String, String) {
        let d = deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["recipient"]["id"] == user.to_string().as_str())
            .unwrap();
        (d["state"].as_str().unwrap().to_owned(), d["reason"].as_str().unwrap_or_default().to_owned())
    };
    let xp =
        s.post("/notifications", &admin, &send("in_app", "XP_EARNED")).await.body["id"].as_str().unwrap().to_owned();
    settled(&admin, &xp).await;
    let d = s.get(&format!("/notifications/{xp}/deliveries"), &admin).await.body;
    assert_eq!(outcome(&d, fresh.id), ("refused".into(), "the organization turned in_app off for XP_EARNED".into()));
    assert_eq!(outcome(&d, own.id), ("refused".into(), "the user turned in_app off for XP_EARNED".into()));
    assert_eq!(outcome(&d, saved.id).0, "sent", "saved preferences beat the organization's default");

    let reminder = s.post("/notifications", &admin, &send("email", "DEADLINE_REMINDER")).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&admin, &reminder).await;
    let d = s.get(&format!("/notifications/{reminder}/deliveries"), &admin).await.body;
    assert_eq!(
        outcome(&d, saved.id),
        ("refused".into(), "the user's email preferences turned email off for DEADLINE_REMINDER".into())
    );
    assert_eq!((outcome(&d, fresh.id).0.as_str(), outcome(&d, own.id).0.as_str()), ("sent", "sent"));
}
