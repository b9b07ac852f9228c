//! A fake WhatsApp Cloud API for the tests and `make dev`: it checks every request as strictly as the real
//! one refuses it (bearer token, path, body shape: a Graph error 100 otherwise), records what it accepts,
//! answers a `wamid`, and fails the next requests on demand, for retry and outage tests.
//!
//! - `POST /{version}/{phone-number-id}/messages`: the Cloud API's send;
//! - `GET /_fake/messages`: what it accepted, oldest first;
//! - `POST /_fake/fail` `{"count": n, "status": 429, "code": 130429}`: the next `n` valid sends fail so;
//! - `POST /_fake/inbound` `{"from": "+5511…", "text": "STOP", "timestamp"?: unix seconds,
//!   "replyTo"?: "wamid…", "button"?: true}`: a worker's message, posted to the webhook; with `replyTo`
//!   it answers that message of ours, and with `button` it is a tap on its quick-reply button `text`.
//!
//! Given a webhook ([`FakeWhatsapp::post_webhooks_to`]: our `/webhooks/whatsapp/{id}` and the app
//! secret), it calls back as Meta does, signed: `sent` then `delivered` for each message it accepts, and
//! the inbound messages asked for on `/_fake/inbound`.
//!
//! [`status_payload`] and [`inbound_payload`] build the webhook bodies Meta would post back, for tests to
//! sign with `nudge_notifications::providers::whatsapp::signature` and post to the webhook route.

use crate::LocalError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, PoisonError};

/// One message the fake accepted: its id and the request body as sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FakeMessage {
    pub id: String,
    pub to: String,
    pub body: Value,
}

#[derive(Clone, Copy, Debug)]
struct Failure {
    remaining: u32,
    status: StatusCode,
    code: i64,
}

struct Fake {
    token: String,
    phone_number_id: String,
    sent: Mutex<Vec<FakeMessage>>,
    failure: Mutex<Option<Failure>>,
    /// Where and with which app secret to post webhooks, once told.
    webhook: Mutex<Option<Webhook>>,
    http: reqwest::Client,
}

#[derive(Clone)]
struct Webhook {
    url: String,
    app_secret: String,
}

impl Fake {
    fn webhook(&self) -> Option<Webhook> {
        self.webhook.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Posts one signed webhook body; what the receiver answers is logged, not retried.
    async fn post(&self, hook: &Webhook, body: &Value) -> Option<StatusCode> {
        let bytes = body.to_string();
        let signature = nudge_notifications::providers::whatsapp::signature(&hook.app_secret, bytes.as_bytes());
        let sent = self
            .http
            .post(&hook.url)
            .header("content-type", "application/json")
            .header(nudge_notifications::providers::whatsapp::SIGNATURE_HEADER, signature)
            .body(bytes)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Some(r.status()),
            Ok(r) => {
                tracing::warn!(status = %r.status(), "the webhook refused the fake's callback");
                Some(r.status())
            }
            Err(e) => {
                tracing::warn!(error = %e, "the fake could not reach the webhook");
                None
            }
        }
    }

    fn sent(&self) -> Vec<FakeMessage> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn fail_next(&self, count: u32, status: StatusCode, code: i64) {
        let failure = (count > 0).then_some(Failure { remaining: count, status, code });
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = failure;
    }

    /// The injected failure for this request, if one is armed; counts it down.
    fn take_failure(&self) -> Option<Failure> {
        let mut armed = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        let failure = (*armed)?;
        *armed = (failure.remaining > 1).then_some(Failure { remaining: failure.remaining - 1, ..failure });
        Some(failure)
    }
}

/// A running fake; it stops when dropped.
pub struct FakeWhatsapp {
    /// What a channel takes as its base URL: `http://127.0.0.1:<port>/<version>`.
    pub base_url: String,
    /// `http://127.0.0.1:<port>`, under which the `/_fake/...` control routes are.
    pub root_url: String,
    pub phone_number_id: String,
    fake: Arc<Fake>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWhatsapp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeWhatsapp {
    /// Serves a fake for one business number on a free loopback port, accepting only `token`.
    pub async fn start(token: impl Into<String>, phone_number_id: impl Into<String>) -> Result<Self, LocalError> {
        let phone_number_id = phone_number_id.into();
        let fake = Arc::new(Fake {
            token: token.into(),
            phone_number_id: phone_number_id.clone(),
            sent: Mutex::default(),
            failure: Mutex::default(),
            webhook: Mutex::default(),
            http: reqwest::Client::new(),
        });
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(LocalError::io("binding the fake WhatsApp"))?;
        let addr = listener.local_addr().map_err(LocalError::io("fake WhatsApp address"))?;
        let app = router(fake.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "fake WhatsApp stopped");
            }
        });
        // The version the real channel's default base URL names, so both speak the same API.
        let version = nudge_notifications::channels::whatsapp::GRAPH_API.rsplit('/').next().unwrap_or("v21.0");
        let root_url = format!("http://{addr}");
        Ok(Self { base_url: format!("{root_url}/{version}"), root_url, phone_number_id, fake, task })
    }

    /// Every message accepted so far, oldest first.
    pub fn sent(&self) -> Vec<FakeMessage> {
        self.fake.sent()
    }

    /// From now on, calls back `url` (a WhatsApp webhook of ours) signed with `app_secret`: statuses of
    /// what it accepts, and inbound messages asked for on `/_fake/inbound`.
    pub fn post_webhooks_to(&self, url: impl Into<String>, app_secret: impl Into<String>) {
        let hook = Webhook { url: url.into(), app_secret: app_secret.into() };
        *self.fake.webhook.lock().unwrap_or_else(PoisonError::into_inner) = Some(hook);
    }

    /// The next `count` valid sends answer `status` with Graph error `code` (and are not recorded).
    pub fn fail_next(&self, count: u32, status: StatusCode, code: i64) {
        self.fake.fail_next(count, status, code);
    }
}

fn router(fake: Arc<Fake>) -> Router {
    Router::new()
        .route("/{version}/{phone_number_id}/messages", post(send))
        .route("/_fake/messages", get(messages))
        .route("/_fake/fail", post(fail))
        .route("/_fake/inbound", post(inbound))
        .with_state(fake)
}

/// A Graph API error answer, as the Cloud API gives it.
fn graph_error(status: StatusCode, code: i64, message: &str) -> Response {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let body = json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": trace}});
    (status, axum::Json(body)).into_response()
}

async fn send(
    State(fake): State<Arc<Fake>>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if bearer.and_then(|v| v.strip_prefix("Bearer ")) != Some(fake.token.as_str()) {
        return graph_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    if !is_version(&version) || phone_number_id != fake.phone_number_id {
        let message = format!("Unsupported post request. Object with ID '{phone_number_id}' does not exist");
        return graph_error(StatusCode::BAD_REQUEST, 100, &message);
    }
    let (request, to) = match check(&body) {
        Ok(checked) => checked,
        Err(message) => return graph_error(StatusCode::BAD_REQUEST, 100, &format!("(#100) {message}")),
    };
    if let Some(failure) = fake.take_failure() {
        return graph_error(failure.status, failure.code, &format!("(#{}) Injected failure", failure.code));
    }
    let id = format!("wamid.{}", uuid::Uuid::new_v4().simple());
    fake.sent.lock().unwrap_or_else(PoisonError::into_inner).push(FakeMessage {
        id: id.clone(),
        to: to.clone(),
        body: request,
    });
    if let Some(hook) = fake.webhook() {
        let (fake, id, to) = (fake.clone(), id.clone(), to.clone());
        // After the answer, as Meta does: the sender records the wamid before its statuses arrive.
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            for status in ["sent", "delivered"] {
                let now = chrono::Utc::now().timestamp();
                fake.post(&hook, &status_payload(&fake.phone_number_id, &id, status, now, &to)).await;
            }
        });
    }
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": id}],
    }))
    .into_response()
}

async fn messages(State(fake): State<Arc<Fake>>) -> axum::Json<Vec<FakeMessage>> {
    axum::Json(fake.sent())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRequest {
    count: u32,
    status: u16,
    code: i64,
}

async fn fail(State(fake): State<Arc<Fake>>, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<FailRequest>(&body).map_err(|e| e.to_string()).and_then(|r| {
        let status = StatusCode::from_u16(r.status).map_err(|e| e.to_string())?;
        Ok((r.count, status, r.code))
    });
    match parsed {
        Ok((count, status, code)) => {
            fake.fail_next(count, status, code);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, axum::Json(json!({"detail": e}))).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InboundRequest {
    from: String,
    text: String,
    /// Unix seconds; now when absent (a test on a moved clock gives its own).
    #[serde(default)]
    timestamp: Option<i64>,
    /// The wamid of our message this answers.
    #[serde(default)]
    reply_to: Option<String>,
    /// A tap on the quick-reply button `text` under that message.
    #[serde(default)]
    button: bool,
}

/// A worker's message to the business number, posted to the webhook as Meta would.
async fn inbound(State(fake): State<Arc<Fake>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<InboundRequest>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"detail": "send {\"from\": \"+<E.164>\", \"text\": \"…\"}"})),
        )
            .into_response();
    };
    let Some(hook) = fake.webhook() else {
        return (StatusCode::CONFLICT, axum::Json(json!({"detail": "no webhook to post to"}))).into_response();
    };
    let wamid = format!("wamid.{}", uuid::Uuid::new_v4().simple());
    let from = request.from.trim_start_matches('+');
    let at = request.timestamp.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let payload = match (&request.reply_to, request.button) {
        (Some(to), true) => button_payload(&fake.phone_number_id, from, &wamid, to, &request.text, at),
        (Some(to), false) => reply_payload(&fake.phone_number_id, from, &wamid, to, &request.text, at),
        (None, _) => inbound_payload(&fake.phone_number_id, from, &wamid, &request.text, at),
    };
    match fake.post(&hook, &payload).await {
        Some(status) => {
            (StatusCode::OK, axum::Json(json!({"wamid": wamid, "webhookStatus": status.as_u16()}))).into_response()
        }
        None => {
            (StatusCode::BAD_GATEWAY, axum::Json(json!({"detail": "the webhook could not be reached"}))).into_response()
        }
    }
}

/// `v21.0` and the like.
fn is_version(version: &str) -> bool {
    version.strip_prefix('v').and_then(|v| v.split_once('.')).is_some_and(|(major, minor)| {
        [major, minor].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    messaging_product: String,
    recipient_type: Option<String>,
    to: String,
    #[serde(rename = "type")]
    kind: String,
    template: Option<Template>,
    text: Option<Text>,
    biz_opaque_callback_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    name: String,
    language: Language,
    components: Option<Vec<Component>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Language {
    code: String,
    policy: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Component {
    #[serde(rename = "type")]
    kind: String,
    parameters: Vec<Parameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Parameter {
    #[serde(rename = "type")]
    kind: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    body: String,
    /// Either value is valid: read only so an unknown key still fails.
    #[serde(rename = "preview_url")]
    _preview_url: Option<bool>,
}

/// The request body, if it is a send the Cloud API takes: the body as JSON and its recipient.
fn check(body: &[u8]) -> Result<(Value, String), String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let request: Request = serde_json::from_value(value.clone()).map_err(|e| format!("invalid parameter: {e}"))?;
    if request.messaging_product != "whatsapp" {
        return Err("messaging_product must be \"whatsapp\"".into());
    }
    if request.recipient_type.as_deref().is_some_and(|t| t != "individual") {
        return Err("recipient_type must be \"individual\"".into());
    }
    if request.to.is_empty() || request.to.len() > 15 || !request.to.bytes().all(|b| b.is_ascii_digit()) {
        return Err("to must be the recipient's number in digits only".into());
    }
    if request.biz_opaque_callback_data.as_ref().is_some_and(|d| d.chars().count() > 512) {
        return Err("biz_opaque_callback_data is longer than 512 characters".into());
    }
    match (request.kind.as_str(), &request.template, &request.text) {
        ("template", Some(template), None) => check_template(template)?,
        ("text", None, Some(text)) => check_text(text)?,
        (kind, _, _) => return Err(format!("type {kind:?} needs exactly its own object (template or text)")),
    }
    Ok((value, request.to))
}

fn check_template(template: &Template) -> Result<(), String> {
    let name_ok = !template.name.is_empty()
        && template.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        return Err("template.name must be lowercase letters, digits and underscores".into());
    }
    if template.language.code.is_empty() {
        return Err("template.language.code is required".into());
    }
    if template.language.policy.as_deref().is_some_and(|p| p != "deterministic") {
        return Err("template.language.policy must be \"deterministic\"".into());
    }
    for component in template.components.iter().flatten() {
        if component.kind != "body" {
            return Err(format!("component type {:?} is not supported here", component.kind));
        }
        if component.parameters.is_empty() {
            return Err("a body component needs parameters".into());
        }
        if component.parameters.iter().any(|p| p.kind != "text" || p.text.is_empty()) {
            return Err("body parameters must be non-empty text".into());
        }
    }
    Ok(())
}

fn check_text(text: &Text) -> Result<(), String> {
    if text.body.is_empty() || text.body.chars().count() > 4096 {
        return Err("text.body must be 1 to 4096 characters".into());
    }
    Ok(())
}

/// The business account (`entry[].id`) and display number the webhook bodies below name: Meta sends
/// both, and the receiver reads neither.
const FAKE_WABA_ID: &str = "102290129340398";
const FAKE_DISPLAY_NUMBER: &str = "15550783881";

/// A `messages` webhook body as Meta posts it: one entry, one change, `value` for the business number.
fn webhook(phone_number_id: &str, mut value: Value) -> Value {
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({"display_phone_number": FAKE_DISPLAY_NUMBER, "phone_number_id": phone_number_id});
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": FAKE_WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    })
}

/// A status webhook for one message of ours: `status` is `sent`, `delivered`, `read` or `failed` (which
/// carries Meta's 131026, message undeliverable); `recipient` is the worker's number, digits only.
pub fn status_payload(phone_number_id: &str, wamid: &str, status: &str, timestamp: i64, recipient: &str) -> Value {
    // Meta sends every timestamp as a string of unix seconds.
    let mut entry =
        json!({"id": wamid, "status": status, "timestamp": timestamp.to_string(), "recipient_id": recipient});
    if status == "failed" {
        entry["errors"] = json!([{
            "code": 131026,
            "title": "Message undeliverable",
            "message": "Message undeliverable",
            "error_data": {"details": "Message Undeliverable."},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }]);
    }
    webhook(phone_number_id, json!({"statuses": [entry]}))
}

/// A webhook for a text message a worker (`from`, digits only) wrote to the business number, with the
/// contact card Meta sends along.
pub fn inbound_payload(phone_number_id: &str, from: &str, wamid: &str, text: &str, timestamp: i64) -> Value {
    webhook(
        phone_number_id,
        json!({
            "contacts": [{"profile": {"name": "Fake Worker"}, "wa_id": from}],
            "messages": [{"from": from, "id": wamid, "timestamp": timestamp.to_string(), "type": "text",
                "text": {"body": text}}],
        }),
    )
}

/// A webhook for a text a worker wrote in reply to our message `context`.
pub fn reply_payload(
    phone_number_id: &str,
    from: &str,
    wamid: &str,
    context: &str,
    text: &str,
    timestamp: i64,
) -> Value {
    webhook(
        phone_number_id,
        json!({
            "contacts": [{"profile": {"name": "Fake Worker"}, "wa_id": from}],
            "messages": [{"context": {"from": phone_number_id, "id": context}, "from": from, "id": wamid,
                "timestamp": timestamp.to_string(), "type": "text", "text": {"body": text}}],
        }),
    )
}

/// A webhook for a tap on the quick-reply button `text` under our template message `context`.
pub fn button_payload(
    phone_number_id: &str,
    from: &str,
    wamid: &str,
    context: &str,
    text: &str,
    timestamp: i64,
) -> Value {
    webhook(
        phone_number_id,
        json!({
            "contacts": [{"profile": {"name": "Fake Worker"}, "wa_id": from}],
            "messages": [{"context": {"from": phone_number_id, "id": context}, "from": from, "id": wamid,
                "timestamp": timestamp.to_string(), "type": "button", "button": {"payload": text, "text": text}}],
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: Value) -> String {
        check(body.to_string().as_bytes()).map(|(_, to)| to).unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    fn refused(body: Value) -> String {
        check(body.to_string().as_bytes()).err().unwrap_or_else(|| panic!("accepted: {body}"))
    }

    fn template() -> Value {
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "38640123456", "type": "template",
            "template": {"name": "shift_reminder", "language": {"code": "en_US", "policy": "deterministic"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]},
            "biz_opaque_callback_data": "d1",
        })
    }

    fn text() -> Value {
        json!({"messaging_product": "whatsapp", "to": "38640123456", "type": "text",
            "text": {"preview_url": false, "body": "Hi"}})
    }

    #[test]
    fn sends_of_the_documented_shape_pass() {
        assert_eq!(ok(template()), "38640123456");
        assert_eq!(ok(text()), "38640123456");
        let mut bare = template();
        bare["template"].as_object_mut().unwrap().remove("components");
        ok(bare);
    }

    #[test]
    fn other_shapes_are_refused() {
        let mut plus = text();
        plus["to"] = json!("+38640123456");
        assert!(refused(plus).contains("digits only"));
        let mut product = text();
        product["messaging_product"] = json!("sms");
        assert!(refused(product).contains("messaging_product"));
        let mut extra = text();
        extra["priority"] = json!("high");
        assert!(refused(extra).contains("unknown field"));
        let mut mixed = text();
        mixed["template"] = template()["template"].clone();
        assert!(refused(mixed).contains("exactly its own object"));
        let mut name = template();
        name["template"]["name"] = json!("Shift Reminder");
        assert!(refused(name).contains("template.name"));
        let mut policy = template();
        policy["template"]["language"]["policy"] = json!("fallback");
        assert!(refused(policy).contains("policy"));
        let mut header = template();
        header["template"]["components"][0]["type"] = json!("header");
        assert!(refused(header).contains("header"));
        let mut empty = text();
        empty["text"]["body"] = json!("");
        assert!(refused(empty).contains("text.body"));
        assert!(check(b"not json").is_err());
    }

    #[test]
    fn versions() {
        assert!(is_version("v21.0"));
        assert!(is_version("v9.12"));
        for bad in ["21.0", "v21", "v.0", "vx.1", "v21.0.1"] {
            assert!(!is_version(bad), "{bad}");
        }
    }

    #[test]
    fn injected_failures_count_down() {
        let fake = Fake {
            token: "t".into(),
            phone_number_id: "1".into(),
            sent: Mutex::default(),
            failure: Mutex::default(),
            webhook: Mutex::default(),
            http: reqwest::Client::new(),
        };
        assert!(fake.take_failure().is_none());
        fake.fail_next(2, StatusCode::TOO_MANY_REQUESTS, 130429);
        assert_eq!(fake.take_failure().map(|f| (f.status, f.code)), Some((StatusCode::TOO_MANY_REQUESTS, 130429)));
        assert!(fake.take_failure().is_some());
        assert!(fake.take_failure().is_none());
    }

    #[test]
    fn webhook_bodies_parse_as_meta_s() {
        use nudge_notifications::providers::{Progress, whatsapp};
        let status = status_payload("1065", "wamid.A", "failed", 1_750_000_000, "38640123456").to_string();
        let header = whatsapp::signature("secret", status.as_bytes());
        assert!(whatsapp::verify_signature("secret", status.as_bytes(), Some(&header)));
        match whatsapp::parse(status.as_bytes()).unwrap().as_slice() {
            [whatsapp::Event::Status { phone_number_id, event }] => {
                assert_eq!(phone_number_id, "1065");
                assert_eq!(event.provider_message_id, "wamid.A");
                assert!(matches!(&event.progress, Progress::Failed { reason } if reason.starts_with("131026: ")));
                assert_eq!(event.at.timestamp(), 1_750_000_000);
            }
            other => panic!("{other:?}"),
        }
        let inbound = inbound_payload("1065", "38640123456", "wamid.B", "STOP", 1_750_000_001).to_string();
        match whatsapp::parse(inbound.as_bytes()).unwrap().as_slice() {
            [whatsapp::Event::Inbound(message)] => {
                assert_eq!((message.from.as_str(), message.wamid.as_str()), ("38640123456", "wamid.B"));
                assert_eq!(message.keyword, Some(whatsapp::Keyword::OptOut));
            }
            other => panic!("{other:?}"),
        }
    }
}
