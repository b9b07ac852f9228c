//! The workers domain's errors. Everything below the HTTP handlers answers these, never a problem:
//! [`WorkerError`] for reading and writing workers (the API and the importer alike), [`ImportError`] and
//! [`ExportError`] for what fails a bulk job's message. Only `crate::http::error` turns them into problems.

use crate::export::rows::EncodeError;
use crate::hierarchy::MAX_DEPTH;
use nudge_core::http::FieldError;
use nudge_core::objects::ObjectError;
use nudge_core::queue::QueueError;
use nudge_core::store::StoreError;

/// Why a worker could not be read, created, changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The worker document (a request body, a merge-patched worker, an import row) breaks its schema: every
    /// bad field by its JSON pointer into the document, with the rules it breaks too.
    #[error("the worker document is malformed")]
    Malformed(Vec<FieldError>),
    /// The document fits its schema but breaks rules no schema states, each by its JSON pointer.
    #[error("the worker document breaks a rule")]
    BreaksRules(Vec<FieldError>),
    #[error("no such worker")]
    NotFound,
    /// The version the caller pinned (If-Match) is not the stored one.
    #[error("the worker changed since the version given")]
    VersionMoved,
    /// A field unique per tenant holds another worker's value.
    #[error("another worker has this {}", .0.noun())]
    Taken(Unique),
    /// The new supervisor cannot be this worker's.
    #[error("supervisorId {0}")]
    Supervisor(SupervisorRefusal),
    /// The user account a worker is newly linked to is no member of its organization.
    #[error("userId {UNKNOWN_USER}")]
    UnknownUser,
    /// A worker of the chain above the new supervisor changed before the write.
    #[error("the supervisor chain changed meanwhile; retry")]
    ChainMoved,
    /// An invariant of this crate broke: a bug, never the caller's doing.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The message on the field a [`WorkerError::Taken`] names.
pub(crate) const TAKEN: &str = "is already another worker's";

/// The message on `userId` when [`WorkerError::UnknownUser`].
pub(crate) const UNKNOWN_USER: &str = "names no user of this organization";

/// The fields unique per tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    PrimaryPhoneNumber,
    ExternalId,
    /// A user account is linked to at most one worker.
    UserId,
}

impl Unique {
    /// Where the field sits in a worker document.
    pub fn pointer(self) -> &'static str {
        match self {
            Self::PrimaryPhoneNumber => "/contact/primaryPhoneNumber",
            Self::ExternalId => "/externalId",
            Self::UserId => "/userId",
        }
    }

    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::PrimaryPhoneNumber => "phone number",
            Self::ExternalId => "external id",
            Self::UserId => "user account",
        }
    }
}

/// Why a worker may not report to a supervisor, in the words that follow the field's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SupervisorRefusal {
    #[error("names no worker of this organization")]
    Unknown,
    #[error("a worker cannot supervise itself")]
    Itself,
    #[error("would make a cycle: this worker already supervises that supervisor, directly or not")]
    Cycle,
    #[error("would make the chain of supervisors longer than {MAX_DEPTH}")]
    TooDeep,
}

/// What fails an import's message (it is retried, and the import fails when it keeps failing). A refused
/// row is not one of these: it is counted and reported on the job.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Objects(#[from] ObjectError),
    #[error("{0}")]
    Queue(#[from] QueueError),
    #[error("unreadable message: {0}")]
    Message(String),
    /// A worker write broke an invariant (see [`WorkerError::Internal`]).
    #[error("{0}")]
    Internal(String),
}

/// What fails an export's message (it is retried, and the export fails when it keeps failing).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Objects(#[from] ObjectError),
    #[error("{0}")]
    Queue(#[from] QueueError),
    #[error("{0}")]
    Encode(#[from] EncodeError),
    #[error("unreadable message: {0}")]
    Message(String),
    #[error("the upload is gone and the file is not there")]
    UploadLost,
}
