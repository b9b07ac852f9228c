//! WhatsApp end to end against the fake Cloud API and the public webhook: the subscription check, free
//! text refused outside the 24-hour window and sent once the worker wrote, status callbacks out of order
//! and repeated converging on the right state, a bad signature refused, and STOP opting the worker out.

use e2e::stack;
use nudge_core::auth::SystemRole;
use nudge_local::whatsapp::{FakeWhatsapp, inbound_payload, status_payload};
use nudge_notifications::providers::whatsapp::signature;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const TOKEN: &str = "EAAG-webhook-test";
const NUMBER: &str = "109876543210";
const APP_SECRET: &str = "app-secret-for-tests";
const VERIFY: &str = "verify-me";

/// Posts a webhook batch signed with `secret`.
async fn hook(integration: &str, body: &Value, secret: &str) -> e2e::Reply {
    let bytes = body.to_string();
    let signed = signature(secret, bytes.as_bytes());
    let path = format!("/webhooks/whatsapp/{integration}");
    stack().call(Method::POST, &path, None, Some(body), &[("x-hub-signature-256", &signed)]).await
}

/// An organization with an active WhatsApp integration on a fresh fake Cloud API: its admin token, the
/// fake and the integration's id.
async fn whatsapp_tenant(name: &str) -> (Uuid, String, FakeWhatsapp, String) {
    let s = stack();
    let tenant = s.organization(name).await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let fake = FakeWhatsapp::start(TOKEN, NUMBER).await.unwrap();
    let config = json!({"baseUrl": fake.base_url, "phoneNumberId": NUMBER, "accessToken": TOKEN,
        "appSecret": APP_SECRET, "verifyToken": VERIFY});
    let created =
        s.post("/integrations", &admin, &json!({"type": "whatsapp", "status": "active", "config": config})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let integration = created.body["id"].as_str().unwrap().to_owned();
    (tenant, admin, fake, integration)
}

fn opted_in() -> Value {
    json!({"communicationConsent": true, "whatsappOptInStatus": "opted_in"})
}

async fn now_secs(token: &str) -> i64 {
    let now: Value = stack().get("/_local/clock", token).await.body;
    chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap().timestamp()
}

async fn send_text(token: &str, worker: &str, text: &str) -> Value {
    let body = json!({"channel": "whatsapp", "recipients": {"workerIds": [worker]}, "message": text});
    let id = stack().post("/notifications", token, &body).await.body["id"].as_str().unwrap().to_owned();
    stack()
        .eventually(&format!("/notifications/{id}"), token, "settles", |r| {
            r["status"] == "fanned_out" && r["counts"]["queued"] == 0
        })
        .await;
    stack().get(&format!("/notifications/{id}/deliveries"), token).await.body["items"][0].clone()
}

#[tokio::test]
async fn the_webhook_opens_the_window_converges_statuses_and_honours_stop() {
    // The 24-hour window is measured on the shared clock: no other test may move it meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let (_, admin, fake, integration) = whatsapp_tenant("WhatsApp webhook").await;

    // The subscription check answers the challenge only to the verify token.
    let check = |token: &str| {
        format!("/webhooks/whatsapp/{integration}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444")
    };
    let ok = reqwest::get(format!("{}{}", s.base, check(VERIFY))).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    assert_eq!(reqwest::get(format!("{}{}", s.base, check("guess"))).await.unwrap().status(), StatusCode::FORBIDDEN);
    // An id that names no integration is refused as a wrong token is: nothing tells which ids exist.
    let nowhere = format!(
        "{}/webhooks/whatsapp/{}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1",
        s.base,
        Uuid::now_v7()
    );
    assert_eq!(reqwest::get(nowhere).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(hook(&Uuid::now_v7().to_string(), &json!({}), APP_SECRET).await.status, StatusCode::UNAUTHORIZED);

    let (worker, phone) = s.worker(&admin, "Ana", opted_in()).await;

    // No message from the worker yet: free text is refused, the provider never asked.
    let closed = send_text(&admin, &worker, "Hi Ana").await;
    assert_eq!(closed["state"], "refused");
    assert!(closed["reason"].as_str().unwrap().contains("24-hour window"), "{closed}");
    assert!(fake.sent().is_empty());

    // The worker writes: the window opens and their engagement is recorded.
    let t = now_secs(&admin).await;
    let wa_id = phone.trim_start_matches('+');
    let hello = inbound_payload(NUMBER, wa_id, "wamid.in1", "Hello!", t);
    assert_eq!(hook(&integration, &hello, "wrong-secret").await.status, StatusCode::UNAUTHORIZED);
    let received = hook(&integration, &hello, APP_SECRET).await;
    assert_eq!((received.status, received.body["messages"].as_u64()), (StatusCode::OK, Some(1)), "{:?}", received.body);
    let ana = s.get(&format!("/workers/{worker}"), &admin).await.body;
    assert!(ana["engagement"]["lastInteractionDate"].is_string(), "{ana}");

    let sent = send_text(&admin, &worker, "Thanks, see you at 9").await;
    assert_eq!(sent["state"], "sent", "{sent}");
    let wamid = sent["providerMessageId"].as_str().unwrap().to_owned();
    assert_eq!(fake.sent().iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [wamid.as_str()]);

    // Statuses arrive out of order and twice: read, delivered, read, sent.
    for (status, at) in [("read", t + 20), ("delivered", t + 10), ("read", t + 20), ("sent", t + 1)] {
        let reply = hook(&integration, &status_payload(NUMBER, &wamid, status, at, wa_id), APP_SECRET).await;
        assert_eq!(reply.status, StatusCode::OK, "{status}: {:?}", reply.body);
    }
    let history = s.get(&format!("/workers/{worker}/deliveries"), &admin).await.body;
    let read =
        history["items"].as_array().unwrap().iter().find(|d| d["providerMessageId"] == wamid.as_str()).unwrap().clone();
    assert_eq!(read["state"], "read", "{read}");
    let stamp = |secs: i64| chrono::DateTime::from_timestamp(secs, 0).unwrap();
    let field = |name: &str| chrono::DateTime::parse_from_rfc3339(read[name].as_str().unwrap()).unwrap();
    assert_eq!((field("deliveredAt"), field("readAt")), (stamp(t + 10).into(), stamp(t + 20).into()));

    // STOP opts the worker out; what follows is refused.
    let stop = inbound_payload(NUMBER, wa_id, "wamid.in2", "  Stop ", t + 30);
    assert_eq!(hook(&integration, &stop, APP_SECRET).await.status, StatusCode::OK);
    let ana = s.get(&format!("/workers/{worker}"), &admin).await.body;
    assert_eq!(ana["contact"]["whatsappOptInStatus"], "opted_out", "{ana}");
    let after = send_text(&admin, &worker, "Are you there?").await;
    assert_eq!(
        (after["state"].as_str(), after["reason"].as_str()),
        (Some("refused"), Some("not opted in to WhatsApp"))
    );
    assert_eq!(fake.sent().len(), 1);

    // Another tenant's integration id cannot report on this tenant's messages.
    let other = s.tenant(s.organization("Other webhook").await, SystemRole::Admin);
    let theirs = s
        .post(
            "/integrations",
            &other,
            &json!({"type": "whatsapp", "status": "active", "config": {
            "phoneNumberId": "1", "accessToken": "x", "appSecret": "theirs"}}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let forged = hook(&theirs, &status_payload("1", &wamid, "failed", t + 40, wa_id), "theirs").await;
    assert_eq!(forged.status, StatusCode::OK);
    let still = s.get(&format!("/workers/{worker}/deliveries"), &admin).await.body;
    assert!(
        still["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["providerMessageId"] == wamid.as_str() && d["state"] == "read")
    );
}

#[tokio::test]
async fn the_fake_provider_calls_back_as_meta_does() {
    // The 24-hour window is measured on the shared clock: no other test may move it meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let (_, admin, fake, integration) = whatsapp_tenant("WhatsApp callbacks").await;
    fake.post_webhooks_to(format!("{}/webhooks/whatsapp/{integration}", s.base), APP_SECRET);
    let (worker, phone) = s.worker(&admin, "Bo", opted_in()).await;
    let wrote = reqwest::Client::new()
        .post(format!("{}/_fake/inbound", fake.root_url))
        .json(&json!({"from": phone, "text": "Hi, what time tomorrow?", "timestamp": now_secs(&admin).await}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrote.status(), StatusCode::OK);
    assert_eq!(wrote.json::<Value>().await.unwrap()["webhookStatus"], 200);

    let sent = send_text(&admin, &worker, "9:00 at Depot 3").await;
    assert_eq!(sent["state"], "sent", "{sent}");
    let path = format!("/workers/{worker}/deliveries");
    let delivered = s.eventually(&path, &admin, "is delivered", |page| page["items"][0]["state"] == "delivered").await;
    assert!(delivered["items"][0]["deliveredAt"].is_string());
}

/// A queue like the template's notifications queue but with a one-second visibility timeout, so five
/// receives take seconds, and its dead-letter queue; their URLs.
async fn fast_queue(sqs: &aws_sdk_sqs::Client) -> (String, String, String) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let dlq = sqs.create_queue().queue_name(format!("dlq-{}", Uuid::new_v4().simple())).send().await.unwrap();
    let dlq = dlq.queue_url().unwrap().to_owned();
    let arn = sqs.get_queue_attributes().queue_url(&dlq).attribute_names(A::QueueArn).send().await.unwrap();
    let arn = arn.attributes().unwrap()[&A::QueueArn].clone();
    let queue = sqs
        .create_queue()
        .queue_name(format!("q-{}", Uuid::new_v4().simple()))
        .attributes(A::VisibilityTimeout, "1")
        .attributes(A::RedrivePolicy, json!({"deadLetterTargetArn": arn, "maxReceiveCount": 5}).to_string())
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap().to_owned();
    let queue_arn = sqs.get_queue_attributes().queue_url(&url).attribute_names(A::QueueArn).send().await.unwrap();
    (url, queue_arn.attributes().unwrap()[&A::QueueArn].clone(), dlq)
}

#[tokio::test]
async fn an_outage_is_retried_dead_lettered_with_its_delivery_marked_and_sent_when_redriven() {
    let s = stack();
    let (tenant, admin, fake, integration) = whatsapp_tenant("WhatsApp outage").await;
    let (worker, phone) = s.worker(&admin, "Oto", opted_in()).await;
    let hello = inbound_payload(NUMBER, phone.trim_start_matches('+'), "wamid.in9", "Hi", now_secs(&admin).await);
    assert_eq!(hook(&integration, &hello, APP_SECRET).await.status, StatusCode::OK);

    // The provider is down: the stack's consumer tries once and leaves the message to SQS's retries.
    fake.fail_next(1000, StatusCode::SERVICE_UNAVAILABLE, 2);
    let send = json!({"channel": "whatsapp", "recipients": {"workerIds": [worker]}, "message": "Shift moved to 10:00"});
    let request = s.post("/notifications", &admin, &send).await.body["id"].as_str().unwrap().to_owned();
    let path = format!("/notifications/{request}/deliveries");
    s.eventually(&path, &admin, "is tried", |p| p["items"][0]["attempts"].as_u64() >= Some(1)).await;

    // The same message on a queue that retries every second: five receives, then the dead-letter queue.
    let sqs = aws_sdk_sqs::Client::new(&nudge_local::emulator::sdk_config(&s.endpoint).await);
    let (url, arn, dlq) = fast_queue(&sqs).await;
    let message = json!({"tenantId": tenant, "type": "deliver", "requestId": request,
        "recipients": [{"type": "worker", "id": worker}]})
    .to_string();
    sqs.send_message().queue_url(&url).message_body(&message).send().await.unwrap();
    let consumer = notifications::deliver(&s.env("notification-delivery").await).unwrap();
    let poller = nudge_local::queues::Poller {
        sqs: sqs.clone(),
        queue_url: url.clone(),
        queue_arn: arn,
        batch_size: 10,
        handler: consumer,
    };
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(poller.run(stop_rx));
    let failed = s.eventually(&path, &admin, "fails", |p| p["items"][0]["state"] == "failed").await;
    assert!(failed["items"][0]["reason"].as_str().unwrap().starts_with("the provider kept failing"), "{failed}");
    assert_eq!(failed["items"][0]["outage"], true);
    let dead = e2e::until("the dead-letter queue", || async {
        let got = sqs.receive_message().queue_url(&dlq).wait_time_seconds(1).send().await.unwrap();
        got.messages.filter(|m| !m.is_empty())
    })
    .await;
    assert_eq!(dead[0].body(), Some(message.as_str()));
    assert!(fake.sent().is_empty());

    // The provider is back; the dead letter is redriven and the delivery goes out, once.
    fake.fail_next(0, StatusCode::SERVICE_UNAVAILABLE, 2);
    sqs.send_message().queue_url(&url).message_body(&message).send().await.unwrap();
    let sent = s.eventually(&path, &admin, "is sent", |p| p["items"][0]["state"] == "sent").await;
    assert!(sent["items"][0].get("outage").is_none(), "{sent}");
    assert_eq!(fake.sent().len(), 1);
    let counts = s.get(&format!("/notifications/{request}"), &admin).await.body["counts"].clone();
    assert_eq!((counts["sent"].as_u64(), counts["failed"].as_u64()), (Some(1), Some(0)));
    let _ = stop.send(true);
    let _ = task.await;
}

/// An integration saved before integrations kept their registry entry is found again once saved anew.
#[tokio::test]
async fn an_integration_without_its_registry_entry_gets_it_on_its_next_save() {
    let s = stack();
    let (_, admin, _fake, integration) = whatsapp_tenant("WhatsApp registry").await;
    let registry = nudge_core::keys::Key::platform(&format!("INTEGRATION#{integration}"), "tenant");
    s.ctx().await.store.write(nudge_core::store::Write::delete(registry)).await.unwrap();
    let challenge = format!(
        "{}/webhooks/whatsapp/{integration}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=42",
        s.base
    );
    assert_eq!(reqwest::get(&challenge).await.unwrap().status(), StatusCode::FORBIDDEN, "not found without it");
    let saved = s.patch(&format!("/integrations/{integration}"), &admin, &json!({"name": "Main line"}), None).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let ok = reqwest::get(&challenge).await.unwrap();
    assert_eq!((ok.status(), ok.text().await.unwrap()), (StatusCode::OK, "42".to_owned()));
}
