//! The notification provider channels against the local cloud: SMS through the emulator's SNS (read back
//! from `/_local/sns/sms`), email through its SES, WhatsApp against the fake Cloud API, each failure
//! classified as the send pipeline will act on it.

use e2e::stack;
use nudge_local::whatsapp::FakeWhatsapp;
use nudge_notifications::channels::{EmailChannel, SmsChannel, SmsType, WhatsappChannel};
use nudge_notifications::{Channel, ChannelKind, Content, Outgoing, SendError};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const TOKEN: &str = "EAAG-test-token";
const PHONE_NUMBER_ID: &str = "106540352242922";

/// A number no other test sends to: `+1555` and seven digits of a fresh UUID.
fn phone() -> String {
    format!("+1555{:07}", Uuid::new_v4().as_u128() % 10_000_000)
}

fn text(to: &str, text: &str) -> Outgoing {
    Outgoing { delivery_id: Uuid::now_v7(), to: to.into(), content: Content::Text { subject: None, text: text.into() } }
}

fn template(to: &str, parameters: &[&str]) -> Outgoing {
    Outgoing {
        delivery_id: Uuid::now_v7(),
        to: to.into(),
        content: Content::WhatsappTemplate {
            name: "shift_reminder".into(),
            language: "en_US".into(),
            parameters: parameters.iter().map(|p| p.to_string()).collect(),
        },
    }
}

fn permanent_code(result: Result<nudge_notifications::Sent, SendError>) -> String {
    match result {
        Err(SendError::Permanent { code: Some(code), .. }) => code,
        other => panic!("not a permanent failure with a code: {other:?}"),
    }
}

async fn sms_sent() -> Vec<Value> {
    let url = format!("{}/_local/sns/sms", stack().endpoint);
    reqwest::get(&url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn sms_goes_through_sns_with_its_segments() {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let sms = SmsChannel::new(aws_sdk_sns::Client::new(&sdk), SmsType::Transactional);
    assert_eq!(sms.kind(), ChannelKind::Sms);
    let to = phone();

    let short = text(&to, "Your shift at Depot #3 starts at 9:00.");
    let sent = sms.send(&short).await.unwrap();
    assert_eq!(sent.segments, Some(1));
    // One character outside GSM 03.38 makes it UCS-2: 100 code units are two 67-unit segments.
    let unicode = format!("Živjo Ana, {} 👍", "ž".repeat(85));
    let long = sms.send(&text(&to, &unicode)).await.unwrap();
    assert_eq!(long.segments, Some(2));

    let published = sms_sent().await;
    let find = |id: &str| published.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("{id} not published"));
    assert_eq!(
        find(&sent.provider_message_id),
        &json!({"id": sent.provider_message_id, "to": to, "message": "Your shift at Depot #3 starts at 9:00."})
    );
    assert_eq!(find(&long.provider_message_id)["message"], unicode.as_str());
    assert_eq!(published.iter().filter(|m| m["to"] == to.as_str()).count(), 2);
}

#[tokio::test]
async fn sms_refusals_are_permanent_and_never_published() {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let sms = SmsChannel::new(aws_sdk_sns::Client::new(&sdk), SmsType::Promotional);
    let to = phone();
    assert_eq!(permanent_code(sms.send(&text(&to, &"a".repeat(1601))).await), "message_too_long");
    assert_eq!(permanent_code(sms.send(&text("040 123 456", "hi")).await), "invalid_recipient");
    assert_eq!(permanent_code(sms.send(&template(&to, &[])).await), "unsupported_content");
    assert!(sms_sent().await.iter().all(|m| m["to"] != to.as_str()));
}

#[tokio::test]
async fn email_goes_through_ses_and_an_unverified_sender_is_refused() {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let email = EmailChannel::new(ses.clone(), nudge_local::server::EMAIL_FROM);
    let to = format!("channel-{}@example.com", Uuid::new_v4().simple());
    let out = Outgoing {
        delivery_id: Uuid::now_v7(),
        to: to.clone(),
        content: Content::Text { subject: Some("Your shift".into()), text: "Starts at 9:00.".into() },
    };
    let sent = Channel::send(&email, &out).await.unwrap();
    assert_eq!(sent.segments, None);
    let mail = s.mailbox.sent().await.unwrap().into_iter().find(|m| m.id == sent.provider_message_id).unwrap();
    assert_eq!(
        (mail.to, mail.subject.as_str(), mail.body.as_str()),
        (vec![to.clone()], "Your shift", "Starts at 9:00.")
    );

    let no_subject = Outgoing { content: Content::Text { subject: None, text: "x".into() }, ..out.clone() };
    assert_eq!(permanent_code(Channel::send(&email, &no_subject).await), "missing_subject");
    // SES refuses a sender that is not a verified identity: permanent, with SES's code.
    let unverified = EmailChannel::new(ses, "nobody@unverified.example");
    assert_eq!(permanent_code(Channel::send(&unverified, &out).await), "MessageRejected");
}

async fn whatsapp() -> (FakeWhatsapp, WhatsappChannel) {
    let fake = FakeWhatsapp::start(TOKEN, PHONE_NUMBER_ID).await.unwrap();
    let channel = WhatsappChannel::new(reqwest::Client::new(), &fake.base_url, TOKEN, PHONE_NUMBER_ID);
    (fake, channel)
}

#[tokio::test]
async fn whatsapp_template_and_text_reach_the_cloud_api_in_its_shape() {
    let (fake, channel) = whatsapp().await;
    assert_eq!(channel.kind(), ChannelKind::Whatsapp);
    let to = phone();
    let digits = &to[1..];

    let reminder = template(&to, &["Ana", "9:00"]);
    let sent = channel.send(&reminder).await.unwrap();
    assert!(sent.provider_message_id.starts_with("wamid."), "{}", sent.provider_message_id);
    assert_eq!(sent.segments, None);
    let reply = text(&to, "See you at the depot.");
    let replied = channel.send(&reply).await.unwrap();

    let recorded = fake.sent();
    assert_eq!(recorded.len(), 2);
    assert_eq!((recorded[0].id.as_str(), recorded[0].to.as_str()), (sent.provider_message_id.as_str(), digits));
    assert_eq!(
        recorded[0].body,
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": digits, "type": "template",
            "template": {"name": "shift_reminder", "language": {"code": "en_US", "policy": "deterministic"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "9:00"}]}]},
            "biz_opaque_callback_data": reminder.delivery_id.to_string(),
        })
    );
    assert_eq!(recorded[1].id, replied.provider_message_id);
    assert_eq!(
        recorded[1].body,
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": digits, "type": "text",
            "text": {"preview_url": false, "body": "See you at the depot."},
            "biz_opaque_callback_data": reply.delivery_id.to_string(),
        })
    );
    // The same record over the fake's control route, as `make dev` users read it.
    let listed: Value = reqwest::get(format!("{}/_fake/messages", fake.root_url)).await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert_eq!(listed[0]["id"], sent.provider_message_id.as_str());
}

#[tokio::test]
async fn whatsapp_failures_are_classified() {
    let (fake, channel) = whatsapp().await;
    let to = phone();

    // Throughput: retryable, and the next attempt goes through.
    fake.fail_next(1, StatusCode::TOO_MANY_REQUESTS, 130429);
    let throttled = channel.send(&template(&to, &["Ana"])).await;
    assert!(matches!(throttled, Err(SendError::Retryable(_))), "{throttled:?}");
    channel.send(&template(&to, &["Ana"])).await.unwrap();

    // Free-form text outside the 24-hour window.
    fake.fail_next(1, StatusCode::BAD_REQUEST, 131047);
    assert_eq!(channel.send(&text(&to, "Are you coming?")).await, Err(SendError::WindowClosed));

    // An outage armed over the fake's control route.
    let http = reqwest::Client::new();
    let arm = http
        .post(format!("{}/_fake/fail", fake.root_url))
        .json(&json!({"count": 2, "status": 503, "code": 131016}))
        .send()
        .await
        .unwrap();
    assert_eq!(arm.status(), StatusCode::NO_CONTENT);
    for _ in 0..2 {
        assert!(channel.send(&text(&to, "x")).await.unwrap_err().is_retryable());
    }

    // A revoked token is the tenant's to fix: permanent, with Graph's code.
    let revoked = WhatsappChannel::new(reqwest::Client::new(), &fake.base_url, "EAAG-revoked", PHONE_NUMBER_ID);
    assert_eq!(permanent_code(revoked.send(&template(&to, &[])).await), "190");
    // A shape the Cloud API refuses (a template name with capitals) is permanent too.
    let mut bad = template(&to, &[]);
    bad.content =
        Content::WhatsappTemplate { name: "Shift Reminder".into(), language: "en".into(), parameters: vec![] };
    assert_eq!(permanent_code(channel.send(&bad).await), "100");

    assert_eq!(fake.sent().len(), 1, "only the send after the throttle was accepted");
}

#[tokio::test]
async fn an_unreachable_whatsapp_is_retryable() {
    // A port nothing listens on: the connection is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let channel =
        WhatsappChannel::new(reqwest::Client::new(), format!("http://{closed}/v21.0"), TOKEN, PHONE_NUMBER_ID);
    let err = channel.send(&text(&phone(), "hello")).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}
