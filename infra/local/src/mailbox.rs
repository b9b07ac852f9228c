//! The local mailbox: reads the notifications queue the way the (future) notifications function will, and
//! hands each caller the message addressed to them. Locally there is no email: the dev server and the tests
//! read invitations and reset links from here.

use crate::LocalError;
use nudge_notifications::{Notification, NotificationKind};
use std::sync::Mutex;
use std::time::Duration;

pub struct Mailbox {
    endpoint: String,
    queue_url: String,
    /// Messages read from the queue for someone else, kept for them.
    stash: Mutex<Vec<Notification>>,
}

impl Mailbox {
    pub fn new(endpoint: impl Into<String>, queue_url: impl Into<String>) -> Self {
        Self { endpoint: endpoint.into(), queue_url: queue_url.into(), stash: Mutex::default() }
    }

    fn take_stashed(&self, to: &str, kind: &NotificationKind) -> Option<Notification> {
        let mut stash = self.stash.lock().ok()?;
        let i = stash.iter().position(|n| n.to == to && &n.kind == kind)?;
        Some(stash.remove(i))
    }

    /// The newest-arriving message of `kind` to `to`, waiting up to ~10 s for it.
    pub async fn take(&self, to: &str, kind: NotificationKind) -> Result<Notification, LocalError> {
        // A client per call: callers may each run their own tokio runtime (tests), and a pooled
        // connection cannot cross runtimes.
        let sqs = aws_sdk_sqs::Client::new(&crate::emulator::sdk_config(&self.endpoint).await);
        for _ in 0..20 {
            if let Some(found) = self.take_stashed(to, &kind) {
                return Ok(found);
            }
            let out = sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .map_err(|e| LocalError::Setup(format!("reading the notifications queue: {e}")))?;
            for message in out.messages.unwrap_or_default() {
                if let Some(body) = message.body.as_deref()
                    && let Ok(note) = serde_json::from_str::<Notification>(body)
                    && let Ok(mut stash) = self.stash.lock()
                {
                    stash.push(note);
                }
                if let Some(handle) = message.receipt_handle {
                    let _ = sqs.delete_message().queue_url(&self.queue_url).receipt_handle(handle).send().await;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(LocalError::Setup(format!("no {kind:?} message for {to} arrived")))
    }
}
