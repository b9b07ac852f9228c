//! Outgoing notifications (invites, password resets) are queued on SQS for the notifications function to
//! deliver; locally they can be read straight from the queue. A message carries everything the email needs,
//! including the single-use token, so the queue is encrypted at rest (template.yaml).

use chrono::{DateTime, Utc};
use nudge_core::config::{ConfigError, SdkConfig};
use nudge_core::queue::{Queue, QueueError};
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
        to: &str,
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
            to: to.to_owned(),
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

    /// The notifier a function's `main.rs` builds once per cold start (`NOTIFICATIONS_QUEUE_URL`).
    pub fn from_env(sdk: &SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self(Queue::from_env(sdk, "NOTIFICATIONS_QUEUE_URL")?))
    }

    pub async fn send(&self, note: &Notification) -> Result<(), QueueError> {
        self.0.send(note).await?;
        tracing::info!(notification_id = %note.id, kind = ?note.kind, "notification queued");
        Ok(())
    }
}
