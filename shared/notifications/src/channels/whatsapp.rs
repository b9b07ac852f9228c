//! The WhatsApp channel: the Cloud API (Meta's Graph API), `POST {base}/{phone-number-id}/messages` with a
//! tenant's access token. A template goes at any time; free-form text only inside the 24-hour window after
//! the worker last wrote (131047 otherwise, [`SendError::WindowClosed`]).

use super::{Channel, ChannelKind, Content, Outgoing, SendError, Sent, e164_digits, not_a_phone};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// The Graph API version the bodies below follow.
pub const GRAPH_API: &str = "https://graph.facebook.com/v21.0";

/// Per request, connection included: a stalled provider must not hold the delivery's lease.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Graph codes that clear by themselves: throughput (130429), pair rate (131056), account and app rate
/// limits (80007, 4), and Meta's own failures (1, 2, 131000, 131016, 133004).
const RETRYABLE_CODES: &[i64] = &[130429, 131056, 80007, 4, 1, 2, 131000, 131016, 133004];

/// Re-engagement message: free-form text outside the customer service window.
const WINDOW_CLOSED: i64 = 131047;

#[derive(Clone)]
pub struct WhatsappChannel {
    http: reqwest::Client,
    base_url: String,
    access_token: String,
    phone_number_id: String,
}

/// The token never shows, even in a debug print.
impl std::fmt::Debug for WhatsappChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsappChannel")
            .field("base_url", &self.base_url)
            .field("phone_number_id", &self.phone_number_id)
            .finish_non_exhaustive()
    }
}

impl WhatsappChannel {
    /// `http` is shared by every tenant's channel (one connection pool per instance); `base_url` is
    /// [`GRAPH_API`] except against a fake.
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        access_token: impl Into<String>,
        phone_number_id: impl Into<String>,
    ) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Self { http, base_url, access_token: access_token.into(), phone_number_id: phone_number_id.into() }
    }

    async fn post(&self, body: &Value) -> Result<Sent, SendError> {
        // A Graph id is digits; anything else would change the path the token is sent to.
        if self.phone_number_id.is_empty() || !self.phone_number_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SendError::permanent("invalid_phone_number_id", "the phone number id is not a Graph id"));
        }
        let url = format!("{}/{}/messages", self.base_url, self.phone_number_id);
        let unreachable = |e: reqwest::Error| SendError::Retryable(format!("WhatsApp Cloud API: {}", chain(&e)));
        let response = self
            .http
            .post(&url)
            .bearer_auth(&self.access_token)
            .timeout(TIMEOUT)
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(unreachable)?;
        if !(200..300).contains(&status) {
            return Err(classify(status, &text));
        }
        // Accepted without an id: it may well go out, so it is not sent again; the reason says why.
        let id = message_id(&text).ok_or_else(|| SendError::Permanent {
            code: None,
            reason: format!("WhatsApp accepted the message without a message id: {}", clip(&text)),
        })?;
        Ok(Sent { provider_message_id: id, segments: None })
    }
}

impl Channel for WhatsappChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Whatsapp
    }

    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFuture<'a, Result<Sent, SendError>> {
        async move { self.post(&body(out)?).await }.boxed()
    }
}

/// The Cloud API request for `out`: `to` without its `+`, the delivery id as callback data (it comes back
/// on every status webhook), template body parameters in order.
fn body(out: &Outgoing) -> Result<Value, SendError> {
    let to = e164_digits(&out.to).ok_or_else(not_a_phone)?;
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "biz_opaque_callback_data": out.delivery_id.to_string(),
    });
    match &out.content {
        Content::Text { text, .. } => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        Content::WhatsappTemplate { name, language, parameters } => {
            let mut template = json!({"name": name, "language": {"code": language, "policy": "deterministic"}});
            if !parameters.is_empty() {
                let parameters: Vec<Value> = parameters.iter().map(|p| json!({"type": "text", "text": p})).collect();
                template["components"] = json!([{"type": "body", "parameters": parameters}]);
            }
            body["type"] = json!("template");
            body["template"] = template;
        }
    }
    Ok(body)
}

#[derive(Deserialize)]
struct Accepted {
    messages: Vec<AcceptedMessage>,
}

#[derive(Deserialize)]
struct AcceptedMessage {
    id: String,
}

fn message_id(body: &str) -> Option<String> {
    let accepted: Accepted = serde_json::from_str(body).ok()?;
    accepted.messages.into_iter().next().map(|m| m.id).filter(|id| !id.is_empty())
}

#[derive(Deserialize)]
struct GraphFailure {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    code: Option<i64>,
    error_data: Option<GraphErrorData>,
}

#[derive(Deserialize)]
struct GraphErrorData {
    details: Option<String>,
}

/// What a refused request means, from its HTTP status and Graph error code.
fn classify(status: u16, body: &str) -> SendError {
    let error = serde_json::from_str::<GraphFailure>(body).ok().map(|f| f.error);
    let code = error.as_ref().and_then(|e| e.code);
    let reason = match &error {
        Some(GraphError { message, error_data: Some(GraphErrorData { details: Some(details) }), .. }) => {
            format!("{message}: {details}")
        }
        Some(e) => e.message.clone(),
        None => format!("HTTP {status}: {}", clip(body)),
    };
    match code {
        Some(WINDOW_CLOSED) => SendError::WindowClosed,
        Some(c) if RETRYABLE_CODES.contains(&c) => SendError::Retryable(reason),
        _ if status == 429 || status >= 500 => SendError::Retryable(reason),
        _ => SendError::Permanent {
            code: Some(code.map_or_else(|| format!("http_{status}"), |c| c.to_string())),
            reason,
        },
    }
}

/// A provider's answer, cut short for a reason (an HTML error page can be long).
fn clip(text: &str) -> &str {
    text.char_indices().nth(200).map_or(text, |(i, _)| &text[..i])
}

/// An error with its causes: reqwest's own message only names the URL.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn outgoing(content: Content) -> Outgoing {
        Outgoing { delivery_id: Uuid::nil(), to: "+38640123456".into(), content }
    }

    #[test]
    fn template_body() {
        let out = outgoing(Content::WhatsappTemplate {
            name: "shift_reminder".into(),
            language: "en_US".into(),
            parameters: vec!["Ana".into(), "9:00".into()],
        });
        assert_eq!(
            body(&out).unwrap(),
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "38640123456",
                "type": "template",
                "template": {
                    "name": "shift_reminder",
                    "language": {"code": "en_US", "policy": "deterministic"},
                    "components": [{"type": "body", "parameters": [
                        {"type": "text", "text": "Ana"},
                        {"type": "text", "text": "9:00"},
                    ]}],
                },
                "biz_opaque_callback_data": Uuid::nil().to_string(),
            })
        );
        let bare =
            outgoing(Content::WhatsappTemplate { name: "hello".into(), language: "sl".into(), parameters: vec![] });
        assert_eq!(
            body(&bare).unwrap()["template"],
            json!({"name": "hello", "language": {"code": "sl", "policy": "deterministic"}})
        );
    }

    #[test]
    fn text_body() {
        let out = outgoing(Content::Text { subject: Some("ignored".into()), text: "See you at 9.".into() });
        assert_eq!(
            body(&out).unwrap(),
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "38640123456",
                "type": "text",
                "text": {"preview_url": false, "body": "See you at 9."},
                "biz_opaque_callback_data": Uuid::nil().to_string(),
            })
        );
        let mut bad = out;
        bad.to = "040 123 456".into();
        assert!(matches!(body(&bad), Err(SendError::Permanent { code: Some(c), .. }) if c == "invalid_recipient"));
    }

    fn graph(code: i64, message: &str) -> String {
        json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}}).to_string()
    }

    #[test]
    fn throttles_and_outages_retry() {
        for code in [130429, 131056, 80007, 4, 131000] {
            assert!(classify(400, &graph(code, "slow down")).is_retryable(), "{code}");
        }
        assert_eq!(classify(429, "{}"), SendError::Retryable("HTTP 429: {}".into()));
        assert!(classify(503, "<html>down</html>").is_retryable());
        assert!(classify(500, &graph(190, "odd")).is_retryable(), "a 5xx retries whatever its code");
    }

    #[test]
    fn the_closed_window_is_its_own_case() {
        assert_eq!(classify(400, &graph(131047, "Re-engagement message")), SendError::WindowClosed);
    }

    #[test]
    fn refusals_keep_their_code() {
        for code in [131026, 132000, 131051, 131049, 100, 190] {
            let err = classify(400, &graph(code, "refused"));
            assert_eq!(err, SendError::Permanent { code: Some(code.to_string()), reason: "refused".into() });
        }
        let detailed = json!({"error": {"message": "(#132001) Template name does not exist in the translation",
            "code": 132001, "error_data": {"details": "template name (x) does not exist in en_US"}}});
        assert_eq!(
            classify(404, &detailed.to_string()),
            SendError::Permanent {
                code: Some("132001".into()),
                reason: "(#132001) Template name does not exist in the translation: template name (x) does not exist in en_US".into()
            }
        );
        let long = "x".repeat(1000);
        match classify(403, &long) {
            SendError::Permanent { code, reason } => {
                assert_eq!(code.as_deref(), Some("http_403"));
                assert_eq!(reason.len(), "HTTP 403: ".len() + 200);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_message_id_comes_from_the_answer() {
        let answer = json!({"messaging_product": "whatsapp", "contacts": [{"input": "38640123456", "wa_id": "38640123456"}],
            "messages": [{"id": "wamid.HBgL"}]});
        assert_eq!(message_id(&answer.to_string()).as_deref(), Some("wamid.HBgL"));
        assert_eq!(message_id(r#"{"messages":[]}"#), None);
        assert_eq!(message_id("not json"), None);
    }

    #[test]
    fn the_token_never_prints() {
        let channel = WhatsappChannel::new(reqwest::Client::new(), GRAPH_API, "EAAG-secret", "1065");
        assert!(!format!("{channel:?}").contains("EAAG-secret"));
    }
}
