//! A tenant's sending policy end to end: quiet hours in each worker's own time zone defer a send until
//! they end (released by the clock through the outbox), a `high` priority send passes them, the daily cap
//! refuses what is beyond it, and the settings document names every bad field. The tests that move the
//! shared clock, or need it still, hold `e2e::clock_lock`.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

async fn worker(token: &str, zone: Option<&str>) -> (String, String) {
    let mut contact = json!({"communicationConsent": true});
    if let Some(zone) = zone {
        contact["timeZone"] = json!(zone);
    }
    stack().worker(token, "Ana", contact).await
}

async fn put_settings(token: &str, body: &Value) -> e2e::Reply {
    stack().call(Method::PUT, "/notifications/settings", Some(token), Some(body), &[]).await
}

async fn send(token: &str, worker: &str, text: &str, priority: &str) -> String {
    let body = json!({"channel": "sms", "recipients": {"workerIds": [worker]}, "message": text, "priority": priority});
    let reply = stack().post("/notifications", token, &body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// The request once none of its deliveries is queued (deferred ones wait).
async fn handled(token: &str, id: &str) -> Value {
    stack()
        .eventually(&format!("/notifications/{id}"), token, "is handled", |r| {
            r["status"] == "fanned_out" && r["counts"]["queued"] == 0
        })
        .await
}

fn hh_mm(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

#[tokio::test]
async fn quiet_hours_defer_in_the_worker_s_own_zone_until_the_clock_opens_them() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let admin = s.tenant(s.organization("Quiet hours").await, SystemRole::Admin);
    let now: Value = s.get("/_local/clock", &admin).await.body;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    // Quiet from an hour ago to six hours ahead in UTC (wide, as other tests move the shared clock too).
    let (start, end) = (hh_mm(now - chrono::Duration::hours(1)), hh_mm(now + chrono::Duration::hours(6)));
    let saved = put_settings(&admin, &json!({"quietHours": {"start": start, "end": end}})).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(
        (saved.body["quietHours"]["start"].as_str(), saved.body["version"].as_u64()),
        (Some(start.as_str()), Some(1))
    );
    assert_eq!(saved.header("etag"), Some("\"1\""));

    // In UTC the worker is inside the window; twelve hours east the other is not.
    let (here, here_phone) = worker(&admin, Some("UTC")).await;
    let (away, away_phone) = worker(&admin, Some("Etc/GMT-12")).await;
    let body = json!({"channel": "sms", "recipients": {"workerIds": [here, away]}, "message": "Shift swap open"});
    let id = s.post("/notifications", &admin, &body).await.body["id"].as_str().unwrap().to_owned();
    let counts = handled(&admin, &id).await["counts"].clone();
    assert_eq!((counts["deferred"].as_u64(), counts["sent"].as_u64()), (Some(1), Some(1)), "{counts}");
    assert_eq!(stack().sms_to(&away_phone).await, ["Shift swap open"]);
    assert!(stack().sms_to(&here_phone).await.is_empty(), "not inside quiet hours");
    let deliveries = s.get(&format!("/notifications/{id}/deliveries"), &admin).await.body;
    let waiting = deliveries["items"].as_array().unwrap().iter().find(|d| d["state"] == "deferred").unwrap().clone();
    assert_eq!(waiting["recipient"]["id"], here.as_str());
    assert!(waiting["reason"].as_str().unwrap().starts_with(&format!("quiet hours until {end} UTC")), "{waiting}");
    assert!(waiting["deferredUntil"].is_string());

    // High priority passes quiet hours.
    let urgent = send(&admin, &here, "Site closed today", "high").await;
    assert_eq!(handled(&admin, &urgent).await["counts"]["sent"], 1);
    assert_eq!(stack().sms_to(&here_phone).await, ["Site closed today"]);

    // The window ends: the release waits in the outbox, dated then.
    s.public("/_local/clock", &json!({"advanceSeconds": 7 * 3600})).await;
    assert_eq!(s.public("/_local/outbox/sweep", &json!({})).await.status, StatusCode::OK);
    let done =
        s.eventually(&format!("/notifications/{id}"), &admin, "releases", |r| r["counts"]["deferred"] == 0).await;
    assert_eq!(done["counts"]["sent"], 2, "{done}");
    assert_eq!(stack().sms_to(&here_phone).await, ["Site closed today", "Shift swap open"]);
}

#[tokio::test]
async fn the_daily_cap_refuses_beyond_it_across_requests() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let admin = s.tenant(s.organization("Daily cap").await, SystemRole::Admin);
    assert_eq!(put_settings(&admin, &json!({"dailyCap": 2})).await.status, StatusCode::OK);
    let (ana, phone) = worker(&admin, None).await;
    for text in ["One", "Two"] {
        let id = send(&admin, &ana, text, "normal").await;
        assert_eq!(handled(&admin, &id).await["counts"]["sent"], 1);
    }
    let third = send(&admin, &ana, "Three", "normal").await;
    assert_eq!(handled(&admin, &third).await["counts"]["refused"], 1);
    let refused = s.get(&format!("/notifications/{third}/deliveries"), &admin).await.body["items"][0].clone();
    assert!(refused["reason"].as_str().unwrap().starts_with("the daily cap of 2 messages is reached"), "{refused}");
    // Urgent messages are not capped.
    let urgent = send(&admin, &ana, "Evacuate", "high").await;
    assert_eq!(handled(&admin, &urgent).await["counts"]["sent"], 1);
    assert_eq!(stack().sms_to(&phone).await, ["One", "Two", "Evacuate"]);
}

#[tokio::test]
async fn settings_name_every_bad_field_and_follow_if_match() {
    let s = stack();
    let tenant = s.organization("Policy input").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let defaults = s.get("/notifications/settings", &admin).await;
    assert_eq!(defaults.status, StatusCode::OK);
    assert_eq!(
        defaults.body,
        json!({"quietHours": null, "dailyCap": null, "whatsappPerSecond": 80, "typeDefaults": {}, "version": 0})
    );
    let bad = put_settings(&admin, &json!({"quietHours": {"start": "7pm"}, "dailyCap": 0, "extra": true})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let mut named = bad.pointers();
    named.sort();
    assert_eq!(named, ["/dailyCap", "/extra", "/quietHours/end", "/quietHours/start"]);
    let empty = put_settings(&admin, &json!({"quietHours": {"start": "08:00", "end": "08:00"}})).await;
    assert_eq!(
        (empty.status, empty.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/quietHours/end".to_owned()])
    );
    assert_eq!(s.get("/notifications/settings", &admin).await.body["version"], 0, "nothing written");

    let first = put_settings(&admin, &json!({"dailyCap": 5})).await;
    assert_eq!(first.body["version"], 1);
    let stale = s
        .call(
            Method::PUT,
            "/notifications/settings",
            Some(&admin),
            Some(&json!({"dailyCap": 6})),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let viewer = s.tenant(tenant, SystemRole::Viewer);
    assert_eq!(put_settings(&viewer, &json!({})).await.status, StatusCode::FORBIDDEN);
    // Another tenant has its own document.
    let other = s.tenant(s.organization("Other policy").await, SystemRole::Admin);
    assert_eq!(s.get("/notifications/settings", &other).await.body["version"], 0);

    // A worker's zone must be one the tz database knows.
    let phone = format!("+551197{:07}", Uuid::new_v4().as_u128() % 10_000_000);
    let mars = json!({"firstName": "A", "lastName": "B", "contact": {"primaryPhoneNumber": phone, "timeZone": "Mars/Olympus_Mons"}});
    let refused = s.post("/workers", &admin, &mars).await;
    assert_eq!(
        (refused.status, refused.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/contact/timeZone".to_owned()])
    );
    let zone = s.patch("/organization", &admin, &json!({"timeZone": "Europe/Ljubljana"}), None).await;
    assert_eq!(
        (zone.status, zone.body["timeZone"].as_str()),
        (StatusCode::OK, Some("Europe/Ljubljana")),
        "{:?}",
        zone.body
    );
}
