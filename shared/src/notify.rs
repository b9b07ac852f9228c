//! Outgoing notifications (invites, password resets) are queued on SQS for the notifications function to
//! deliver; locally they can be read straight from the queue. A message carries everything the email needs,
//! including the single-use token, so the queue is encrypted at rest (template.yaml).

use chrono::{DateTime, Utc};
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

#[derive(Debug, thiserror::Error)]
#[error("queueing the notification failed: {0}")]
pub struct NotifyError(String);

#[derive(Clone, Debug)]
pub struct Notifier {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Notifier {
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: String) -> Self {
        Self { sqs, queue_url }
    }

    /// The notifier a function's `main.rs` builds once per cold start (`NOTIFICATIONS_QUEUE_URL`).
    pub fn from_settings(
        sdk: &crate::config::SdkConfig,
        settings: &crate::config::Settings,
    ) -> Result<Self, crate::config::ConfigError> {
        Ok(Self::new(aws_sdk_sqs::Client::new(sdk), settings.notifications_queue()?))
    }

    pub async fn send(&self, note: &Notification) -> Result<(), NotifyError> {
        let body = serde_json::to_string(note).map_err(|e| NotifyError(e.to_string()))?;
        crate::store::calls::record();
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| NotifyError(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
        tracing::info!(notification_id = %note.id, kind = ?note.kind, "notification queued");
        Ok(())
    }
}
