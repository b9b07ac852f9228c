//! What can go wrong with media, below HTTP: the service, the repository and the ingest consumer answer
//! [`MediaError`]; only `routes` turns it into a problem.

use nudge_core::objects::ObjectError;
use nudge_core::objects::event::NotAnS3Event;
use nudge_core::store::StoreError;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub(crate) enum MediaError {
    #[error("no such media asset")]
    NotFound,
    /// The request pinned a version (If-Match) that is no longer the stored one.
    #[error("the media asset changed since the version the request names")]
    Stale,
    /// Content references the asset, so it stays.
    #[error("content uses this media asset")]
    InUse,
    /// The asset's files could not be deleted: it is left `delete_failed`, for a retry.
    #[error("deleting the objects of asset {asset}: {source}")]
    FilesKept { asset: Uuid, source: ObjectError },
    /// A read of an upload failed; `what` says which (the ingest retries the message).
    #[error("{what}: {source}")]
    Read { what: &'static str, source: ObjectError },
    /// Inspecting a file on the blocking pool stopped (a panic or a cancelled task).
    #[error("{what} inspection stopped: {source}")]
    Stopped { what: &'static str, source: tokio::task::JoinError },
    #[error(transparent)]
    Event(#[from] NotAnS3Event),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Objects(#[from] ObjectError),
}

impl MediaError {
    /// Another writer changed the asset since it was read.
    pub(crate) fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}
