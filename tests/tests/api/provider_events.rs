//! SES events end to end: an event published to the stack's email events topic (as SES event publishing
//! does on AWS; the emulator's SES publishes none) reaches the provider-events queue through its SNS
//! subscription, and its consumer moves the email's delivery: delivered, then read on an open; a
//! permanent bounce fails another; a repeat and an event for a message of no delivery change nothing.

use e2e::stack;
use nudge_core::auth::SystemRole;
use serde_json::{Value, json};
use uuid::Uuid;

async fn emailed_worker(token: &str) -> String {
    let email = format!("w-{}@example.com", Uuid::new_v4().simple());
    stack().worker(token, "Eva", json!({"communicationConsent": true, "emailAddress": email})).await.0
}

/// Publishes an SES event (`eventType` and its object) about `message_id` to the email events topic.
async fn publish(event_type: &str, message_id: &str, detail: Value) {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let topic = s.resources.topics.get("EmailEventsTopic").expect("the email events topic");
    let mut event = json!({"eventType": event_type, "mail": {"timestamp": "2026-11-30T05:00:00.000Z",
        "messageId": message_id, "source": "no-reply@nudge.local", "destination": ["w@example.com"],
        "tags": {"send_id": [Uuid::now_v7().to_string()]}}});
    let key = match event_type {
        "Delivery" => "delivery",
        "Open" => "open",
        "Bounce" => "bounce",
        other => panic!("{other}"),
    };
    event[key] = detail;
    aws_sdk_sns::Client::new(&sdk).publish().topic_arn(topic).message(event.to_string()).send().await.unwrap();
}

async fn delivery(token: &str, worker: &str) -> Value {
    stack().get(&format!("/workers/{worker}/deliveries"), token).await.body["items"][0].clone()
}

#[tokio::test]
async fn ses_events_move_email_deliveries_forward_only() {
    let s = stack();
    let admin = s.tenant(s.organization("SES events").await, SystemRole::Admin);
    let (eva, ivo) = (emailed_worker(&admin).await, emailed_worker(&admin).await);
    let body = json!({"channel": "email", "recipients": {"workerIds": [eva, ivo]}, "title": "Rota", "message": "Your rota is out"});
    let id = s.post("/notifications", &admin, &body).await.body["id"].as_str().unwrap().to_owned();
    s.eventually(&format!("/notifications/{id}"), &admin, "is sent", |r| r["counts"]["sent"] == 2).await;
    let eva_id = delivery(&admin, &eva).await["providerMessageId"].as_str().unwrap().to_owned();
    let ivo_id = delivery(&admin, &ivo).await["providerMessageId"].as_str().unwrap().to_owned();

    publish(
        "Delivery",
        &eva_id,
        json!({"timestamp": "2026-11-30T05:00:02.000Z", "processingTimeMillis": 900,
        "recipients": ["w@example.com"], "smtpResponse": "250 ok", "reportingMTA": "a8-70.smtp-out.amazonses.com"}),
    )
    .await;
    let path = format!("/workers/{eva}/deliveries");
    let delivered = s.eventually(&path, &admin, "is delivered", |p| p["items"][0]["state"] == "delivered").await;
    assert_eq!(delivered["items"][0]["deliveredAt"], "2026-11-30T05:00:02Z");
    publish(
        "Open",
        &eva_id,
        json!({"timestamp": "2026-11-30T05:10:00.000Z", "userAgent": "Mozilla/5.0", "ipAddress": "192.0.2.1"}),
    )
    .await;
    s.eventually(&path, &admin, "is read", |p| p["items"][0]["state"] == "read").await;
    // A delivery repeated after the open changes nothing.
    publish("Delivery", &eva_id, json!({"timestamp": "2026-11-30T05:00:02.000Z", "recipients": ["w@example.com"]}))
        .await;

    publish(
        "Bounce",
        &ivo_id,
        json!({"bounceType": "Permanent", "bounceSubType": "General",
        "bouncedRecipients": [{"emailAddress": "w@example.com", "action": "failed", "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        "timestamp": "2026-11-30T05:00:03.000Z", "feedbackId": "0100-abc"}),
    )
    .await;
    let ivo_path = format!("/workers/{ivo}/deliveries");
    let bounced = s.eventually(&ivo_path, &admin, "fails", |p| p["items"][0]["state"] == "failed").await;
    assert_eq!(bounced["items"][0]["reason"], "bounced (permanent): smtp; 550 5.1.1 user unknown");

    let counts = s
        .eventually(&format!("/notifications/{id}"), &admin, "counts", |r| {
            r["counts"]["read"] == 1 && r["counts"]["failed"] == 1
        })
        .await;
    assert_eq!((counts["counts"]["sent"].as_u64(), counts["counts"]["delivered"].as_u64()), (Some(0), Some(0)));
    assert_eq!(delivery(&admin, &eva).await["state"], "read");
}
