//! The WhatsApp Cloud API's webhook (Meta's Graph API): the `GET` subscription challenge, the
//! `X-Hub-Signature-256` check of each `POST`, and its body as [`Event`]s: statuses of our messages, what
//! workers wrote to us (with opt-out and opt-in [`keyword`]s) and template status updates.
//!
//! A body is `{"object": "whatsapp_business_account", "entry": [{"id", "changes": [{"field", "value"}]}]}`,
//! and Meta batches several entries and changes in one. Only the fields `messages` and
//! `message_template_status_update` are read; any other (account updates, quality ratings, echoes) is
//! skipped, so subscribing the app to one more field never breaks the endpoint.

use super::{Progress, StatusEvent};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use nudge_core::crypto::digest::same;
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// The header Meta signs each `POST` with: `sha256=<hex HMAC-SHA256 of the raw body under the app secret>`.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The only `object` a WhatsApp Business Account's webhook carries.
const OBJECT: &str = "whatsapp_business_account";

/// Meta sends a short number; the bound keeps an echoed answer small.
const CHALLENGE_MAX: usize = 256;

/// Whole-message replies that withdraw consent, compared after normalising (upper case, accents folded, so
/// `arrêt` is `ARRET`; ends stripped of punctuation and emoji; `-` and `_` read as spaces). English: the
/// carriers' standard set (CTIA) with `REVOKE` and `OPT OUT` from the FCC's 2024 consent rules; then the
/// languages our tenants' workers write in.
pub const OPT_OUT_WORDS: &[&str] = &[
    // English
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPT OUT",
    "OPTOUT",
    "REVOKE",
    // Portuguese and Spanish
    "PARAR",
    "SAIR",
    "CANCELAR",
    // Spanish
    "BAJA",
    "ALTO",
    // French
    "ARRET",
    // German
    "STOPP",
    "ABMELDEN",
    // Slovene (and Croatian, Bosnian, Serbian)
    "ODJAVA",
    "ODJAVI",
];

/// Whole-message replies that give consent back, normalised as [`OPT_OUT_WORDS`]. Deliberately short: an
/// opt-in read by mistake sends to someone who said stop. `YES` is left out (it answers any question), and
/// so is Spanish `ALTA` (one letter from `ALTO`, which means stop).
pub const OPT_IN_WORDS: &[&str] = &["START", "UNSTOP", "SUBSCRIBE", "OPT IN", "OPTIN", "INICIAR"];

/// One thing a webhook body tells us, in body order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message of ours moved on (`value.statuses[]`), on the business number `phone_number_id`.
    Status { phone_number_id: String, event: StatusEvent },
    /// A worker wrote to the business number (`value.messages[]`).
    Inbound(Inbound),
    /// A template's review or quality state changed (field `message_template_status_update`).
    TemplateStatus(TemplateStatus),
}

/// A message a worker sent to one of our business numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// The business number written to (`value.metadata.phone_number_id`).
    pub phone_number_id: String,
    pub wamid: String,
    /// The sender's WhatsApp id (`wa_id`): digits as sent, no `+`.
    pub from: String,
    pub at: DateTime<Utc>,
    /// The Cloud API's message type: `text`, `button`, `interactive`, `image`, `reaction`, ...
    pub kind: String,
    /// What the worker wrote or tapped: `text.body`, a template button's text, or an interactive reply's title.
    pub text: Option<String>,
    /// The text is an opt-out or opt-in keyword, as a whole.
    pub keyword: Option<Keyword>,
    /// The wamid of our message this one replies to (`context.id`): a button tapped under it, or a reply.
    pub context: Option<String>,
    /// A template button's payload, or an interactive reply's id.
    pub payload: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
}

/// A template's new state, by its name and language (as the send side names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateStatus {
    pub name: String,
    pub language: Option<String>,
    pub event: TemplateEvent,
    /// Why, when Meta says: the rejection reason or pause title, with its explanation.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateEvent {
    Approved,
    Rejected,
    Pending,
    Paused,
    Disabled,
    /// Any other event (`FLAGGED`, `REINSTATED`, `IN_APPEAL`, `PENDING_DELETION`, ...), as sent.
    Other(String),
}

/// A body that is not a WhatsApp webhook of the documented shape. Meta retries a refused delivery, so the
/// caller answers it with an error only when it really is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the body is not a webhook envelope: {0}")]
    Body(String),
    #[error("object {0:?} is not {OBJECT:?}")]
    Object(String),
    #[error("a {field} change is not in its documented shape: {error}")]
    Change { field: &'static str, error: String },
    #[error("timestamp {0:?} is not unix seconds")]
    Timestamp(String),
}

/// Whether `header` (`X-Hub-Signature-256`) is the body's HMAC-SHA256 under the app secret; compared in
/// constant time.
pub fn verify_signature(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    // With no secret configured anyone could compute the signature.
    if app_secret.is_empty() {
        return false;
    }
    let Some(tag) = header.and_then(|h| h.trim().strip_prefix("sha256=")).and_then(decode_hex) else {
        return false;
    };
    mac(app_secret, body).verify_slice(&tag).is_ok()
}

/// The `X-Hub-Signature-256` value Meta would send with `body`: `sha256=<lowercase hex>`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let tag = mac(app_secret, body).finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn mac(app_secret: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: new_from_slice cannot fail here.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(body);
    mac
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes().chunks_exact(2).map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?)).collect()
}

/// The answer to Meta's subscription check (`GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`):
/// the challenge, when the mode and token are right; `None` is a 403.
pub fn challenge(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    verify_token: &str,
) -> Option<String> {
    // The answer echoes the challenge: only a short token of safe characters goes back.
    let challenge = challenge.filter(|c| {
        !c.is_empty()
            && c.len() <= CHALLENGE_MAX
            && c.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    })?;
    // An unset verify token must not match an empty one.
    let subscribed = mode == Some("subscribe") && !verify_token.is_empty() && same(token?, verify_token);
    subscribed.then(|| challenge.to_owned())
}

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

/// A change's value stays raw until its field says what it is: an unknown field's shape is none of ours.
#[derive(Deserialize)]
struct Change {
    field: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct MessagesValue {
    metadata: Metadata,
    #[serde(default)]
    statuses: Vec<Status>,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    timestamp: String,
    #[serde(default)]
    errors: Vec<GraphError>,
}

#[derive(Deserialize)]
struct GraphError {
    code: Option<i64>,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<GraphErrorData>,
}

#[derive(Deserialize)]
struct GraphErrorData {
    details: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    /// Absent only for senders WhatsApp identifies otherwise; such a message is skipped.
    from: Option<String>,
    id: String,
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    button: Option<Button>,
    interactive: Option<Interactive>,
    context: Option<Context>,
}

/// What a message replies to.
#[derive(Deserialize)]
struct Context {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

/// A template's quick-reply button, tapped.
#[derive(Deserialize)]
struct Button {
    text: String,
    payload: Option<String>,
}

#[derive(Deserialize)]
struct Interactive {
    button_reply: Option<Reply>,
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    id: Option<String>,
    title: String,
}

#[derive(Deserialize)]
struct TemplateValue {
    event: String,
    message_template_name: String,
    message_template_language: Option<String>,
    reason: Option<String>,
    other_info: Option<OtherInfo>,
    rejection_info: Option<RejectionInfo>,
}

/// Why a template was paused, locked or unpaused.
#[derive(Deserialize)]
struct OtherInfo {
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct RejectionInfo {
    reason: Option<String>,
}

/// The events in a webhook `POST` body (its signature checked first, with [`verify_signature`]).
pub fn parse(body: &[u8]) -> Result<Vec<Event>, ParseError> {
    let body: Body = serde_json::from_slice(body).map_err(|e| ParseError::Body(e.to_string()))?;
    if body.object != OBJECT {
        return Err(ParseError::Object(body.object));
    }
    let mut events = Vec::new();
    for change in body.entry.into_iter().flat_map(|e| e.changes) {
        match change.field.as_str() {
            "messages" => messages(change.value, &mut events)?,
            "message_template_status_update" => events.push(Event::TemplateStatus(template(change.value)?)),
            _ => {}
        }
    }
    Ok(events)
}

fn shape<T: serde::de::DeserializeOwned>(field: &'static str, value: Value) -> Result<T, ParseError> {
    serde_json::from_value(value).map_err(|e| ParseError::Change { field, error: e.to_string() })
}

fn messages(value: Value, events: &mut Vec<Event>) -> Result<(), ParseError> {
    let value: MessagesValue = shape("messages", value)?;
    let phone_number_id = value.metadata.phone_number_id;
    for status in value.statuses {
        let progress = match status.status.as_str() {
            "sent" => Progress::Sent,
            "delivered" => Progress::Delivered,
            "read" => Progress::Read,
            "failed" => Progress::Failed { reason: failure(&status.errors) },
            // `deleted`, `warning`, `played` and the like say nothing about delivery.
            _ => continue,
        };
        let event = StatusEvent { provider_message_id: status.id, progress, at: at(&status.timestamp)? };
        events.push(Event::Status { phone_number_id: phone_number_id.clone(), event });
    }
    for message in value.messages {
        let Some(from) = message.from else { continue };
        let interactive = message.interactive.and_then(|i| i.button_reply.or(i.list_reply));
        let payload = message
            .button
            .as_ref()
            .and_then(|b| b.payload.clone())
            .or_else(|| interactive.as_ref().and_then(|r| r.id.clone()));
        let text = message
            .text
            .map(|t| t.body)
            .or_else(|| message.button.map(|b| b.text))
            .or_else(|| interactive.map(|r| r.title));
        events.push(Event::Inbound(Inbound {
            phone_number_id: phone_number_id.clone(),
            wamid: message.id,
            from,
            at: at(&message.timestamp)?,
            kind: message.kind,
            keyword: text.as_deref().and_then(keyword),
            text,
            context: message.context.and_then(|c| c.id),
            payload,
        }));
    }
    Ok(())
}

/// `<code>: <title>` of the first error, with Meta's details when they add something.
fn failure(errors: &[GraphError]) -> String {
    fn nonempty(s: &Option<String>) -> Option<&str> {
        s.as_deref().filter(|s| !s.is_empty())
    }
    let Some(error) = errors.first() else {
        return "WhatsApp reported the message failed, without an error".into();
    };
    let text = nonempty(&error.title).or(nonempty(&error.message)).unwrap_or("no description");
    let mut reason = error.code.map_or_else(|| text.to_owned(), |code| format!("{code}: {text}"));
    if let Some(details) = error.error_data.as_ref().and_then(|d| nonempty(&d.details)).filter(|d| *d != text) {
        reason.push_str(": ");
        reason.push_str(details);
    }
    reason
}

fn template(value: Value) -> Result<TemplateStatus, ParseError> {
    let value: TemplateValue = shape("message_template_status_update", value)?;
    let event = match value.event.as_str() {
        "APPROVED" => TemplateEvent::Approved,
        "REJECTED" => TemplateEvent::Rejected,
        "PENDING" => TemplateEvent::Pending,
        "PAUSED" => TemplateEvent::Paused,
        "DISABLED" => TemplateEvent::Disabled,
        _ => TemplateEvent::Other(value.event),
    };
    // Meta says `NONE` (or null) when the reason is elsewhere: a pause's title, a rejection's explanation.
    let given = |s: Option<String>| s.filter(|s| !s.is_empty() && s != "NONE");
    let (title, description) = value.other_info.map_or((None, None), |o| (given(o.title), given(o.description)));
    let label = given(value.reason).or(title);
    let detail = given(value.rejection_info.and_then(|r| r.reason)).or(description);
    let reason = match (label, detail) {
        (Some(label), Some(detail)) => Some(format!("{label}: {detail}")),
        (label, detail) => label.or(detail),
    };
    Ok(TemplateStatus { name: value.message_template_name, language: value.message_template_language, event, reason })
}

/// A unix-seconds string, as every Cloud API timestamp is.
fn at(timestamp: &str) -> Result<DateTime<Utc>, ParseError> {
    let bad = || ParseError::Timestamp(timestamp.to_owned());
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds: i64 = timestamp.parse().map_err(|_| bad())?;
    DateTime::from_timestamp(seconds, 0).ok_or_else(bad)
}

/// Whether `text`, as a whole, is an opt-out or opt-in keyword ([`OPT_OUT_WORDS`], [`OPT_IN_WORDS`]):
/// `Stop`, ` stop! `, `Arrêt` and `opt-out` are; `please stop sending these` is not.
pub fn keyword(text: &str) -> Option<Keyword> {
    let word = normalize(text);
    if OPT_OUT_WORDS.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN_WORDS.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else {
        None
    }
}

/// Upper case with Latin accents folded, ends stripped of anything but letters and digits (`STOP.`,
/// `"stop"`, `STOP 🛑`), and `-`, `_` and runs of spaces inside read as one space.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_matches(|c: char| !c.is_alphanumeric()).chars().flat_map(char::to_uppercase) {
        if c.is_whitespace() || c == '-' || c == '_' {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(fold(c));
        }
    }
    out
}

/// The base letter of an accented upper-case Latin letter (the common ones our locales use).
fn fold(c: char) -> char {
    match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'Ç' | 'Č' | 'Ć' => 'C',
        'Đ' => 'D',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'Ñ' => 'N',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'Š' => 'S',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'Ž' => 'Z',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "6d2f1b0a9c8e7d6f5a4b3c2d1e0f9a8b";

    fn time(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    /// Meta's status notifications: sent, delivered and read for one message, and a failed one.
    const STATUSES: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "statuses": [
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
                "status": "sent",
                "timestamp": "1750263773",
                "recipient_id": "16505551234",
                "conversation": {
                  "id": "6ceb9d929c1a2a8b5a8ad5bf0a7ac1a0",
                  "expiration_timestamp": "1750350180",
                  "origin": { "type": "utility" }
                },
                "pricing": { "billable": true, "pricing_model": "PMP", "category": "utility", "type": "regular" },
                "biz_opaque_callback_data": "0197c1d2-7a43-7f10-8a51-3a1c9e0b5d21"
              },
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
                "status": "delivered",
                "timestamp": "1750263774",
                "recipient_id": "16505551234",
                "conversation": { "id": "6ceb9d929c1a2a8b5a8ad5bf0a7ac1a0", "origin": { "type": "utility" } },
                "pricing": { "billable": true, "pricing_model": "PMP", "category": "utility", "type": "regular" }
              },
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
                "status": "read",
                "timestamp": "1750263780",
                "recipient_id": "16505551234"
              },
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA",
                "status": "failed",
                "timestamp": "1750263790",
                "recipient_id": "16505550000",
                "errors": [
                  {
                    "code": 131026,
                    "title": "Message undeliverable",
                    "message": "Message undeliverable",
                    "error_data": {
                      "details": "Message Undeliverable."
                    },
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
                  }
                ]
              },
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
                "status": "deleted",
                "timestamp": "1750263799",
                "recipient_id": "16505551234"
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}"#;

    /// A worker's text message, with the sender's contact card.
    const INBOUND_TEXT: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "contacts": [
              {
                "profile": { "name": "Sheena Nelson" },
                "wa_id": "16505551234"
              }
            ],
            "messages": [
              {
                "from": "16505551234",
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
                "timestamp": "1749416383",
                "type": "text",
                "text": { "body": "Does it come in another color?" }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}"#;

    /// A tap on a template's quick-reply button, in reply to our message (`context`).
    const BUTTON_REPLY: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "contacts": [
              {
                "profile": { "name": "Sheena Nelson" },
                "wa_id": "16505551234"
              }
            ],
            "messages": [
              {
                "context": {
                  "from": "15550783881",
                  "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"
                },
                "from": "16505551234",
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                "timestamp": "1750032413",
                "type": "button",
                "button": {
                  "payload": "Stop promotions",
                  "text": "STOP"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}"#;

    /// A template paused for low quality: the reason is `NONE`, the why is in `other_info`.
    const TEMPLATE_PAUSED: &str = r#"{
  "entry": [
    {
      "id": "102290129340398",
      "time": 1751247548,
      "changes": [
        {
          "value": {
            "event": "PAUSED",
            "message_template_id": 1689556908129832,
            "message_template_name": "shift_reminder",
            "message_template_language": "en_US",
            "reason": "NONE",
            "message_template_category": "UTILITY",
            "other_info": {
              "title": "FIRST_PAUSE",
              "description": "Your WhatsApp message template has been paused for 3 hours until Jun 30 at 2:39 AM UTC because it had issues."
            }
          },
          "field": "message_template_status_update"
        }
      ]
    }
  ],
  "object": "whatsapp_business_account"
}"#;

    #[test]
    fn signatures() {
        let body = STATUSES.as_bytes();
        let header = signature(SECRET, body);
        assert!(header.starts_with("sha256=") && header.len() == 7 + 64, "{header}");
        assert!(verify_signature(SECRET, body, Some(&header)));
        assert!(verify_signature(SECRET, body, Some(&header.to_uppercase().replace("SHA256=", "sha256="))));
        assert!(!verify_signature("another-secret", body, Some(&header)), "wrong secret");
        let tampered = STATUSES.replace("\"failed\"", "\"read\"");
        assert!(!verify_signature(SECRET, tampered.as_bytes(), Some(&header)), "tampered body");
        assert!(!verify_signature(SECRET, body, None), "no header");
        assert!(!verify_signature("", body, Some(&signature("", body))), "no secret configured");
        let hex = header.trim_start_matches("sha256=");
        for bad in ["", "sha256=", hex, &format!("sha1={hex}"), &header[..header.len() - 1], &format!("{header}0")] {
            assert!(!verify_signature(SECRET, body, Some(bad)), "{bad:?}");
        }
        let not_hex = format!("sha256={}zz", &hex[2..]);
        assert!(!verify_signature(SECRET, body, Some(&not_hex)));
        // A known vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn challenges() {
        let check = |mode, token, challenge| super::challenge(mode, token, challenge, "verify-me");
        assert_eq!(check(Some("subscribe"), Some("verify-me"), Some("1158201444")).as_deref(), Some("1158201444"));
        assert_eq!(check(Some("unsubscribe"), Some("verify-me"), Some("1158201444")), None);
        assert_eq!(check(None, Some("verify-me"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("verify-you"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("verify-m"), Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), None, Some("1158201444")), None);
        assert_eq!(check(Some("subscribe"), Some("verify-me"), None), None);
        assert_eq!(check(Some("subscribe"), Some("verify-me"), Some("")), None);
        assert_eq!(check(Some("subscribe"), Some("verify-me"), Some("<script>")), None);
        let longest = "7".repeat(256);
        assert_eq!(check(Some("subscribe"), Some("verify-me"), Some(&longest)), Some(longest.clone()));
        assert_eq!(check(Some("subscribe"), Some("verify-me"), Some(&format!("{longest}7"))), None);
        assert_eq!(super::challenge(Some("subscribe"), Some(""), Some("1"), ""), None, "no token configured");
    }

    #[test]
    fn statuses() {
        let wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA";
        let status = |progress, at| Event::Status {
            phone_number_id: "106540352242922".into(),
            event: StatusEvent { provider_message_id: wamid.into(), progress, at: time(at) },
        };
        let failed = Event::Status {
            phone_number_id: "106540352242922".into(),
            event: StatusEvent {
                provider_message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA".into(),
                progress: Progress::Failed { reason: "131026: Message undeliverable: Message Undeliverable.".into() },
                at: time(1750263790),
            },
        };
        assert_eq!(
            parse(STATUSES.as_bytes()).unwrap(),
            vec![
                status(Progress::Sent, 1750263773),
                status(Progress::Delivered, 1750263774),
                status(Progress::Read, 1750263780),
                failed,
            ],
            "the deleted status is skipped"
        );
    }

    #[test]
    fn failure_reasons() {
        let error = |code, title: &str, message: &str, details: Option<&str>| GraphError {
            code,
            title: Some(title.into()),
            message: Some(message.into()),
            error_data: details.map(|d| GraphErrorData { details: Some(d.into()) }),
        };
        let same_text = "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages";
        assert_eq!(
            failure(&[error(Some(131050), same_text, same_text, Some(same_text))]),
            format!("131050: {same_text}")
        );
        assert_eq!(failure(&[error(Some(131049), "", "Not delivered", None)]), "131049: Not delivered");
        assert_eq!(failure(&[error(None, "Odd", "", None)]), "Odd");
        assert_eq!(failure(&[]), "WhatsApp reported the message failed, without an error");
    }

    #[test]
    fn an_inbound_text() {
        let events = parse(INBOUND_TEXT.as_bytes()).unwrap();
        assert_eq!(
            events,
            vec![Event::Inbound(Inbound {
                phone_number_id: "106540352242922".into(),
                wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".into(),
                from: "16505551234".into(),
                at: time(1749416383),
                kind: "text".into(),
                text: Some("Does it come in another color?".into()),
                keyword: None,
                context: None,
                payload: None,
            })]
        );
        let stop = INBOUND_TEXT.replace("Does it come in another color?", " Stop ");
        match parse(stop.as_bytes()).unwrap().as_slice() {
            [Event::Inbound(inbound)] => {
                assert_eq!(inbound.keyword, Some(Keyword::OptOut));
                assert_eq!(inbound.text.as_deref(), Some(" Stop "), "the text stays as written");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_button_reply() {
        match parse(BUTTON_REPLY.as_bytes()).unwrap().as_slice() {
            [Event::Inbound(inbound)] => {
                assert_eq!(inbound.kind, "button");
                assert_eq!(inbound.from, "16505551234");
                assert_eq!(inbound.text.as_deref(), Some("STOP"));
                assert_eq!(inbound.keyword, Some(Keyword::OptOut));
                assert_eq!(inbound.at, time(1750032413));
                // The message it answers, and the button's payload: what a journey's touchpoint needs.
                assert_eq!(
                    inbound.context.as_deref(),
                    Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA")
                );
                assert_eq!(inbound.payload.as_deref(), Some("Stop promotions"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn interactive_replies_and_media() {
        let body = |message: Value| {
            serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
                "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                    "messages": [message]}}]}]})
            .to_string()
        };
        let text = |message| match parse(body(message).as_bytes()).unwrap().as_slice() {
            [Event::Inbound(inbound)] => (inbound.kind.clone(), inbound.text.clone(), inbound.keyword),
            other => panic!("{other:?}"),
        };
        let base = |kind: &str, extra: (&str, Value)| {
            let mut message = serde_json::json!({"from": "16505551234", "id": "wamid.X", "timestamp": "1750032413",
                "type": kind});
            message[extra.0] = extra.1;
            message
        };
        let button = base(
            "interactive",
            (
                "interactive",
                serde_json::json!({"type": "button_reply", "button_reply": {"id": "yes", "title": "Start"}}),
            ),
        );
        assert_eq!(text(button), ("interactive".into(), Some("Start".into()), Some(Keyword::OptIn)));
        let list = base(
            "interactive",
            (
                "interactive",
                serde_json::json!({"type": "list_reply",
                "list_reply": {"id": "mon", "title": "Monday", "description": "Morning shift"}}),
            ),
        );
        assert_eq!(text(list), ("interactive".into(), Some("Monday".into()), None));
        let image = base(
            "image",
            ("image", serde_json::json!({"caption": "stop", "mime_type": "image/jpeg", "sha256": "abc", "id": "1"})),
        );
        assert_eq!(text(image), ("image".into(), None, None), "a caption is not a reply");
        let mut bad_time = base("text", ("text", serde_json::json!({"body": "hi"})));
        bad_time["timestamp"] = serde_json::json!("17500324l3");
        assert_eq!(parse(body(bad_time).as_bytes()), Err(ParseError::Timestamp("17500324l3".into())));
    }

    #[test]
    fn a_paused_template() {
        assert_eq!(
            parse(TEMPLATE_PAUSED.as_bytes()).unwrap(),
            vec![Event::TemplateStatus(TemplateStatus {
                name: "shift_reminder".into(),
                language: Some("en_US".into()),
                event: TemplateEvent::Paused,
                reason: Some(
                    "FIRST_PAUSE: Your WhatsApp message template has been paused for 3 hours until Jun 30 at 2:39 AM UTC because it had issues."
                        .into()
                ),
            })]
        );
        let rejected = TEMPLATE_PAUSED.replace("\"PAUSED\"", "\"REJECTED\"").replace("\"NONE\"", "\"INVALID_FORMAT\"");
        let rejected =
            rejected.replace("\"other_info\"", "\"rejection_info\"").replace("\"description\"", "\"reason\"");
        match parse(rejected.as_bytes()).unwrap().as_slice() {
            [Event::TemplateStatus(status)] => {
                assert_eq!(status.event, TemplateEvent::Rejected);
                assert!(status.reason.as_deref().unwrap().starts_with("INVALID_FORMAT: Your WhatsApp"));
            }
            other => panic!("{other:?}"),
        }
        let approved = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "time": 1,
            "changes": [{"field": "message_template_status_update", "value": {"event": "REINSTATED",
                "message_template_id": 1, "message_template_name": "hello", "reason": null}}]}]});
        assert_eq!(
            parse(approved.to_string().as_bytes()).unwrap(),
            vec![Event::TemplateStatus(TemplateStatus {
                name: "hello".into(),
                language: None,
                event: TemplateEvent::Other("REINSTATED".into()),
                reason: None,
            })]
        );
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "time": 1751247548, "changes": [
            {"field": "phone_number_quality_update", "value": {"display_phone_number": "15550783881",
                "event": "FLAGGED", "current_limit": "TIER_10K"}},
            {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}},
        ]}]});
        assert_eq!(parse(body.to_string().as_bytes()).unwrap(), vec![]);
        let mixed = TEMPLATE_PAUSED
            .replace("\"changes\": [", r#""changes": [{"field": "security", "value": {"event": "PIN_CHANGED"}},"#);
        assert_eq!(parse(mixed.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn other_bodies_are_refused() {
        let page = r#"{"object": "page", "entry": [{"id": "1", "time": 1, "messaging": []}]}"#;
        assert_eq!(parse(page.as_bytes()), Err(ParseError::Object("page".into())));
        assert!(matches!(parse(b"not json"), Err(ParseError::Body(_))));
        assert!(matches!(parse(br#"{"entry": []}"#), Err(ParseError::Body(_))));
        let no_metadata = INBOUND_TEXT.replace("\"metadata\"", "\"meta\"");
        assert!(matches!(parse(no_metadata.as_bytes()), Err(ParseError::Change { field: "messages", .. })));
        let numeric_time = STATUSES.replace("\"1750263773\"", "1750263773");
        assert!(matches!(parse(numeric_time.as_bytes()), Err(ParseError::Change { .. })));
        let bad_time = STATUSES.replace("\"1750263773\"", "\"-1\"");
        assert_eq!(parse(bad_time.as_bytes()), Err(ParseError::Timestamp("-1".into())));
    }

    #[test]
    fn keywords() {
        for out in [
            "STOP",
            "stop",
            " Stop \n",
            "STOP.",
            "stop!!",
            "\"stop\"",
            "STOP 🛑",
            "StopAll",
            "unsubscribe",
            "Cancel",
            "end",
            "quit",
            "opt out",
            "Opt-Out",
            "OPTOUT",
            "opt_out",
            "revoke",
            "parar",
            "Sair",
            "cancelar",
            "baja",
            "Alto",
            "arret",
            "Arrêt",
            "ARRÊT",
            "stopp",
            "Abmelden",
            "odjava",
            "Odjavi",
        ] {
            assert_eq!(keyword(out), Some(Keyword::OptOut), "{out:?}");
        }
        for into in ["START", "start", "Unstop", "subscribe", "opt in", "Opt-In", "optin", "Iniciar"] {
            assert_eq!(keyword(into), Some(Keyword::OptIn), "{into:?}");
        }
        for neither in [
            "",
            "   ",
            "please stop sending these",
            "stop it",
            "Don't stop",
            "STOP STOP",
            "st op",
            "yes",
            "YES",
            "alta",
            "stopping",
            "🛑",
            "Does it come in another color?",
        ] {
            assert_eq!(keyword(neither), None, "{neither:?}");
        }
    }
}
