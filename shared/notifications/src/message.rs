//! What travels on the notifications queue (its JSON is the queue's contract).

use chrono::{DateTime, Utc};
use nudge_core::crypto::DataKey;
use nudge_core::values::Email;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an email's link goes in its text.
pub const LINK: &str = "{{link}}";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Invite,
    PasswordReset,
}

/// One email to send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub channel: String,
    /// The address, from an [`Email`].
    pub to: String,
    #[serde(default)]
    pub tenant_id: Option<Uuid>,
    pub subject: String,
    /// The text, with [`LINK`] where the link goes.
    pub text: String,
    /// The link (its single-use token in it), sealed with the data key under this notification's id:
    /// only the notifications function opens it, just before the send.
    pub sealed_link: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Everything on the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Message {
    /// Send this email.
    Email(Notification),
    /// Someone asked for a password reset of this address: whether an account has it is decided here, in
    /// the background, so the API's answer takes the same time either way. The email it makes has the
    /// request's id, so a redelivered request sends nothing twice.
    ResetRequested { request_id: Uuid, email: String },
    /// Resolve a send request's recipients into deliveries, a page at a time from `cursor` (the tenant in
    /// the envelope).
    Fanout {
        request_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cursor: Option<crate::send::fanout::FanoutCursor>,
    },
    /// Send these recipients' deliveries of a request.
    Deliver { request_id: Uuid, recipients: Vec<crate::send::model::Recipient> },
    /// The hourly tick of the unread digests (no tenant): turn the due ones into [`Message::Digest`]s.
    DigestTick,
    /// Send this user's unread digest due at `due` (the tenant in the envelope).
    Digest { user_id: Uuid, due: DateTime<Utc> },
}

impl Notification {
    /// Email `id` (what makes it once only: a new one per invitation, the request's for a reset), whose
    /// `text` holds [`LINK`] where `link` goes; the link is sealed with `key`.
    #[allow(clippy::too_many_arguments)]
    pub fn email(
        key: &DataKey,
        id: Uuid,
        kind: NotificationKind,
        to: &Email,
        tenant_id: Option<Uuid>,
        subject: String,
        text: String,
        link: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Self, crate::NotificationError> {
        let sealed_link =
            key.seal(link, &id.to_string()).map_err(|e| crate::NotificationError::Sealed(e.to_string()))?;
        Ok(Self {
            id,
            kind,
            channel: "email".into(),
            to: to.to_string(),
            tenant_id,
            subject,
            text,
            sealed_link,
            expires_at,
            created_at: Utc::now(),
        })
    }

    /// The text with its link in place.
    pub fn render(&self, key: &DataKey) -> Result<String, crate::NotificationError> {
        let link = key
            .open(&self.sealed_link, &self.id.to_string())
            .map_err(|e| crate::NotificationError::Sealed(e.to_string()))?;
        Ok(self.text.replace(LINK, &link))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::values::Parse;

    fn key() -> DataKey {
        DataKey::from_bytes([7; 32])
    }

    #[test]
    fn the_link_travels_sealed_and_renders_into_the_text() {
        let to = Email::parse("Ana@Example.com").unwrap();
        let link = "https://app.example/reset?token=secret-token";
        let note = Notification::email(
            &key(),
            Uuid::now_v7(),
            NotificationKind::PasswordReset,
            &to,
            None,
            "Reset".into(),
            format!("Open {LINK} within an hour."),
            link,
            Utc::now(),
        )
        .unwrap();
        let json = serde_json::to_string(&Message::Email(note.clone())).unwrap();
        assert!(!json.contains("secret-token"), "{json}");
        assert!(json.contains(r#""type":"email""#) && json.contains(r#""to":"ana@example.com""#), "{json}");
        assert_eq!(note.render(&key()).unwrap(), format!("Open {link} within an hour."));
        // Another key, or the sealed link moved to another notification, opens nothing.
        assert!(note.render(&DataKey::from_bytes([8; 32])).is_err());
        let moved = Notification { id: Uuid::now_v7(), ..note };
        assert!(moved.render(&key()).is_err());
    }

    #[test]
    fn a_reset_request_carries_only_the_address() {
        let id = Uuid::now_v7();
        let json =
            serde_json::to_value(Message::ResetRequested { request_id: id, email: "a@b.example".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"type": "reset_requested", "requestId": id, "email": "a@b.example"}));
    }
}
