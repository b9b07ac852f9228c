//! What everything below the HTTP edge answers; `http::error` turns it into problems.

use nudge_core::http::FieldError;
use nudge_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    #[error("not found")]
    NotFound,
    /// The If-Match version is not the stored one.
    #[error("the resource changed meanwhile")]
    VersionMoved,
    /// The request names what the organization does not have, or breaks a rule (by JSON pointer).
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    /// The resource's state does not allow it (a draft program enrolling, a status move not allowed).
    #[error("{0}")]
    Conflict(String),
    #[error("content could not be read: {0}")]
    Content(String),
    #[error("sending failed: {0}")]
    Send(#[from] nudge_notifications::NotificationError),
    #[error("queue: {0}")]
    Queue(#[from] nudge_core::queue::QueueError),
    #[error("outbox: {0}")]
    Outbox(#[from] nudge_core::outbox::OutboxError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl JourneyError {
    pub fn rejected(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Rejected(vec![FieldError::body(pointer, message)])
    }
}

impl nudge_core::store::optimistic::VersionConflict for JourneyError {
    fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}
