//! The provider channels: email (SES v2), SMS (SNS) and WhatsApp (the Cloud API) behind one [`Channel`]
//! trait. The send pipeline hands a channel an [`Outgoing`] message and gets back the provider's message id
//! ([`Sent`]) or a classified [`SendError`]: retry it later, record it as failed, or (WhatsApp) fall back to
//! a template because the conversation window is closed.
//!
//! - [`email`]: SES v2 `SendEmail`, tagged with the delivery id;
//! - [`sms`]: SNS `Publish` to a phone number, with its segment count;
//! - [`whatsapp`]: `POST /{phone-number-id}/messages` on the Graph API, a tenant's number and token;
//! - `aws` (private): what an AWS SDK failure means for a send.

mod aws;
pub mod email;
pub mod sms;
pub mod whatsapp;

pub use email::EmailChannel;
pub use sms::{SmsChannel, SmsType};
pub use whatsapp::WhatsappChannel;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a notification goes. `InApp` is the inbox, written by the platform itself: no provider sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Email,
    Sms,
    Whatsapp,
    InApp,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Whatsapp => "whatsapp",
            Self::InApp => "in_app",
        }
    }
}

impl std::fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message for one recipient, as the pipeline hands it to a provider channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The delivery record's id: the provider carries it back where it can (SES tag, WhatsApp callback data).
    pub delivery_id: Uuid,
    /// An E.164 phone number (`+14155552671`) for SMS and WhatsApp, an email address for email.
    pub to: String,
    pub content: Content,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Free-form text. `subject` is the email's; SMS and WhatsApp send only `text`.
    Text { subject: Option<String>, text: String },
    /// An approved WhatsApp template: its name, language code and body parameters in order.
    WhatsappTemplate { name: String, language: String, parameters: Vec<String> },
}

impl Content {
    fn shape(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::WhatsappTemplate { .. } => "a WhatsApp template",
        }
    }
}

/// What the provider accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub provider_message_id: String,
    /// SMS only: the parts the carrier sends (and bills).
    pub segments: Option<u32>,
}

/// Why a send failed, by what the pipeline is to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Throttled, a provider outage, the network: send again later, with backoff.
    #[error("provider unavailable, retry later: {0}")]
    Retryable(String),
    /// The provider refused this message (bad recipient, opted out, invalid template, bad credentials):
    /// record it on the delivery; sending it again fails the same way.
    #[error("not sent ({}): {reason}", code.as_deref().unwrap_or("no code"))]
    Permanent { code: Option<String>, reason: String },
    /// WhatsApp free-form text outside the 24-hour customer service window (131047): only a template goes.
    #[error("the WhatsApp conversation window is closed; only a template can be sent")]
    WindowClosed,
}

impl SendError {
    pub fn permanent(code: &str, reason: impl Into<String>) -> Self {
        Self::Permanent { code: Some(code.to_owned()), reason: reason.into() }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }

    /// The content a channel cannot carry (a template to SMS): the pipeline chose wrongly, never retry.
    fn unsupported(kind: ChannelKind, content: &Content) -> Self {
        Self::permanent("unsupported_content", format!("the {kind} channel cannot send {}", content.shape()))
    }
}

/// A provider channel. Implementations classify every failure, so the pipeline never reads provider codes.
pub trait Channel: Send + Sync {
    fn kind(&self) -> ChannelKind;

    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFuture<'a, Result<Sent, SendError>>;
}

/// The digits of an E.164 number (`+`, then 7 to 15 digits not starting with 0), as WhatsApp wants `to`.
/// Only the shape: whether the number exists is the provider's to say.
pub fn e164_digits(phone: &str) -> Option<&str> {
    let digits = phone.strip_prefix('+')?;
    let ok = (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    ok.then_some(digits)
}

/// A recipient a phone channel cannot address: refused before the provider is asked. The number stays out
/// of the reason (personal data; the delivery names its recipient).
fn not_a_phone() -> SendError {
    SendError::permanent("invalid_recipient", "the recipient is not an E.164 phone number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_snake_case() {
        let all = [ChannelKind::Email, ChannelKind::Sms, ChannelKind::Whatsapp, ChannelKind::InApp];
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(json, r#"["email","sms","whatsapp","in_app"]"#);
        assert_eq!(serde_json::from_str::<Vec<ChannelKind>>(&json).unwrap(), all);
        assert!(all.iter().all(|k| json.contains(&format!("\"{k}\""))), "Display matches serde");
    }

    #[test]
    fn e164_numbers() {
        assert_eq!(e164_digits("+14155552671"), Some("14155552671"));
        assert_eq!(e164_digits("+38640123456"), Some("38640123456"));
        for bad in ["14155552671", "+1 415 555 2671", "+0123456789", "+123456", "+1234567890123456", "+", ""] {
            assert_eq!(e164_digits(bad), None, "{bad}");
        }
    }

    #[test]
    fn errors_say_what_to_do() {
        assert!(SendError::Retryable("throttled".into()).is_retryable());
        assert!(!SendError::WindowClosed.is_retryable());
        let refused = SendError::permanent("131026", "undeliverable");
        assert!(!refused.is_retryable());
        assert_eq!(refused.to_string(), "not sent (131026): undeliverable");
        let unsupported = SendError::unsupported(
            ChannelKind::Sms,
            &Content::WhatsappTemplate { name: "t".into(), language: "en".into(), parameters: vec![] },
        );
        assert_eq!(
            unsupported.to_string(),
            "not sent (unsupported_content): the sms channel cannot send a WhatsApp template"
        );
    }
}
