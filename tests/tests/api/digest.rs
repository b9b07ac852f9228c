//! The unread digest end to end: a user who chose a daily digest gets, once the clock passes 08:00 in
//! their zone and the hourly tick runs, one email listing their unread low-priority notifications (not
//! the normal ones, not the read ones), and a tick again sends nothing twice.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The hourly tick, as EventBridge sends it to the notifications queue.
async fn tick() {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let queue = &s.resources.queues["NotificationsQueue"].url;
    let body = json!({"type": "digest_tick"}).to_string();
    aws_sdk_sqs::Client::new(&sdk).send_message().queue_url(queue).message_body(body).send().await.unwrap();
}

async fn digests_to(to: &str) -> Vec<nudge_local::mailbox::Sent> {
    let sent = stack().mailbox.sent().await.unwrap();
    sent.into_iter().filter(|m| m.to.iter().any(|t| t == to) && m.subject.contains("unread notification")).collect()
}

#[tokio::test]
async fn a_daily_digest_lists_unread_low_priority_notifications_once() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Digests").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let member = s.member(tenant, "employee").await;
    let prefs = json!({"timezone": "Asia/Tokyo", "email": {"frequency": "daily"}});
    let saved = s.call(Method::PUT, "/me/preferences", Some(&member.access), Some(&prefs), &[]).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);

    let send = |title: &'static str, priority: &'static str| {
        let body = json!({"channel": "in_app", "recipients": {"userIds": [member.id]}, "title": title,
            "message": format!("{title} is ready"), "priority": priority});
        let admin = admin.clone();
        async move {
            let id = s.post("/notifications", &admin, &body).await.body["id"].as_str().unwrap().to_owned();
            s.eventually(&format!("/notifications/{id}"), &admin, "is sent", |r| r["counts"]["sent"] == 1).await;
        }
    };
    send("Forklift basics", "low").await;
    send("Fire drill", "normal").await;
    send("Safety quiz", "low").await;
    send("Old news", "low").await;
    // Read one of the low ones: a digest lists what is still unread.
    let inbox = s.get("/me/notifications", &member.access).await.body;
    let old = inbox["items"].as_array().unwrap().iter().find(|n| n["title"] == "Old news").unwrap()["id"].clone();
    let read = s.post(&format!("/me/notifications/{}/read", old.as_str().unwrap()), &member.access, &json!({})).await;
    assert_eq!(read.status, StatusCode::OK);

    // Before 08:00 Tokyo time comes round nothing is due; a day on, it is.
    s.public("/_local/clock", &json!({"advanceSeconds": 25 * 3600})).await;
    tick().await;
    let mail = e2e::until("the digest", || async {
        let found = digests_to(&member.email).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "You have 2 unread notifications");
    assert!(mail[0].body.contains("- Safety quiz: Safety quiz is ready"), "{}", mail[0].body);
    assert!(mail[0].body.contains("- Forklift basics: Forklift basics is ready"));
    assert!(!mail[0].body.contains("Fire drill") && !mail[0].body.contains("Old news"));

    // The tick again, and the same digest message again, send nothing more.
    tick().await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(digests_to(&member.email).await.len(), 1);
}
