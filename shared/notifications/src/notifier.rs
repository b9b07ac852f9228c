//! The senders' side of the notifications queue.

use crate::NotificationError;
use crate::message::{Message, Notification};
use chrono::{DateTime, Utc};
use nudge_core::crypto::DataKey;
use nudge_core::outbox::Posted;
use nudge_core::queue::Queue;
use nudge_core::store::Write;
use nudge_core::values::Email;

/// The notifications queue and the key that seals links, as a sender holds them.
#[derive(Clone, Debug)]
pub struct Notifier {
    queue: Queue,
    key: DataKey,
}

impl Notifier {
    pub fn new(queue: Queue, key: DataKey) -> Self {
        Self { queue, key }
    }

    /// The key links are sealed with ([`Notification::email`]).
    pub fn key(&self) -> &DataKey {
        &self.key
    }

    /// `note` as an outbox entry, for the transaction that writes what the email is about (its token).
    pub fn post(&self, note: Notification, at: DateTime<Utc>) -> Result<(Write, Posted), NotificationError> {
        let id = note.id;
        let (write, posted) = self.queue.post(&Message::Email(note), at)?;
        tracing::info!(notification_id = %id, "notification posted");
        Ok((write, posted))
    }

    /// Asks for a reset email to `email`, if an account has it (decided by the notifications function).
    pub async fn request_reset(&self, email: &Email) -> Result<(), NotificationError> {
        let request = Message::ResetRequested { request_id: uuid::Uuid::now_v7(), email: email.to_string() };
        Ok(self.queue.send(&request).await?)
    }
}
