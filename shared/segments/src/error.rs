//! The segments domain's errors. Everything below the HTTP handlers answers these, never a problem:
//! [`SegmentError`] for what the API asks of segments (and the schedule's syncs), [`SyncError`] for what
//! fails a message of the segment sync queue. Only `crate::http::error` turns them into problems.

use nudge_core::http::FieldError;
use nudge_core::queue::QueueError;
use nudge_core::store::StoreError;

/// Why a segment could not be created, changed, deleted, synced or have its members edited.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    /// The segment document (a request body, or a patch over the stored one) breaks its schema: every bad
    /// field by its JSON pointer, with the rules it breaks too.
    #[error("the segment document is malformed")]
    Malformed(Vec<FieldError>),
    /// The document fits its schema but breaks rules no schema states (a rule naming an unknown field, a
    /// static segment with a rule), each by its JSON pointer.
    #[error("the segment document breaks a rule")]
    BreaksRules(Vec<FieldError>),
    #[error("no such segment")]
    NotFound,
    /// The version the caller pinned (If-Match) is not the stored one.
    #[error("the segment changed since the version given")]
    VersionMoved,
    /// A patch named another type: a segment's type is fixed when it is created.
    #[error("a segment's type cannot change")]
    TypeFixed,
    /// Entries of a member edit, by their place in its list, that name no worker of the tenant.
    #[error("{} of the workers named are not workers of this organization", .0.len())]
    UnknownWorkers(Vec<usize>),
    /// A static segment has no rule to sync.
    #[error("a static segment has no rule to sync")]
    NoRule,
    /// The tenant has as many rule-based segments as it may (each is re-evaluated on every worker change).
    #[error("the organization has {0} rule-based segments, the most it may")]
    TooManyRules(usize),
    /// Claims of the segment's sync kept losing to others.
    #[error("the segment's sync is changing too fast")]
    SyncContended,
    /// A member edit kept finding its memberships moved.
    #[error("the segment's members are changing too fast")]
    MembersContended,
    /// An invariant of this crate broke: a bug, never the caller's doing.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sync job could not be queued.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// An outbox entry fails to be made only as the store or the queue's encoding does.
impl From<nudge_core::outbox::OutboxError> for SegmentError {
    fn from(e: nudge_core::outbox::OutboxError) -> Self {
        match e {
            nudge_core::outbox::OutboxError::Store(e) => Self::Store(e),
            nudge_core::outbox::OutboxError::Queue(e) => Self::Queue(e),
        }
    }
}

/// What fails a message of the segment sync queue (it is retried; a sync job fails for good after a few).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("unreadable message: {0}")]
    Message(String),
    /// The segment's stored rule cannot be synced.
    #[error("{0}")]
    Rule(String),
}
