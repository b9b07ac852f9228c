//! What fails a notification's message (the job framework logs it and SQS retries it).

use nudge_core::outbox::OutboxError;
use nudge_core::queue::QueueError;
use nudge_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The sealed link could not be made or opened (a wrong data key, a tampered message).
    #[error("sealed link: {0}")]
    Sealed(String),
    /// The provider refused or failed the send.
    #[error("email not sent: {0}")]
    Email(String),
    /// Another run is sending this email right now; the message comes back later.
    #[error("notification {0} is being sent by another run")]
    InFlight(uuid::Uuid),
    /// A provider asked to be tried again later (throttled, down); the message is redelivered.
    #[error("retry later: {0}")]
    Retry(String),
    /// A port (identity's reset mails) failed.
    #[error("{0}")]
    Port(String),
}

impl nudge_core::store::optimistic::VersionConflict for NotificationError {
    fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}
