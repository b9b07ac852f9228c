//! Outgoing notifications (invites, password resets) are queued on SQS for the notifications function to
//! deliver; locally they can be read straight from the queue. A message carries everything the email needs,
//! including the single-use token, so the queue is encrypted at rest (template.yaml).
//!
//! Where things live: [`Notification`] and its kind are the message (its JSON is the queue's contract, read
//! by `nudge_local::mailbox` and the tests); [`Notifier`] sends it. There is no HTTP edge here and no domain
//! refusal: a send fails only as the queue does ([`QueueError`]), which the sender's domain wraps.

use chrono::{DateTime, Utc};
use nudge_core::queue::{Queue, QueueError};
use nudge_core::values::Email;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Invite,
    PasswordReset,
}

/// One message on the notifications queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub channel: String,
    /// The address, from an [`Email`]; kept as text, as the queue's readers (the local mailbox, the tests)
    /// match it.
    pub to: String,
    #[serde(default)]
    pub tenant_id: Option<Uuid>,
    pub subject: String,
    pub text: String,
    /// Where the email's button leads (the token is in it).
    pub link: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl Notification {
    #[allow(clippy::too_many_arguments)]
    pub fn email(
        kind: NotificationKind,
        to: &Email,
        tenant_id: Option<Uuid>,
        subject: String,
        text: String,
        link: String,
        token: &str,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            kind,
            channel: "email".into(),
            to: to.to_string(),
            tenant_id,
            subject,
            text,
            link,
            token: token.to_owned(),
            expires_at,
            created_at: Utc::now(),
        }
    }
}

/// The notifications queue, as a sender.
#[derive(Clone, Debug)]
pub struct Notifier(Queue);

impl Notifier {
    pub fn new(queue: Queue) -> Self {
        Self(queue)
    }

    pub async fn send(&self, note: &Notification) -> Result<(), QueueError> {
        self.0.send(note).await?;
        tracing::info!(notification_id = %note.id, kind = ?note.kind, "notification queued");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::values::Parse;

    #[test]
    fn an_email_carries_the_address_as_plain_text() {
        let to = Email::parse("Ana@Example.com").unwrap();
        let at = Utc::now();
        let note =
            Notification::email(NotificationKind::Invite, &to, None, "s".into(), "t".into(), "l".into(), "tok", at);
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!((json["to"].as_str(), json["kind"].as_str()), (Some("ana@example.com"), Some("invite")));
        assert_eq!(json["channel"], "email");
    }
}
