//! What can go wrong in the content library, below HTTP: the services, the repository and the pure rules
//! answer [`ContentError`]; only `routes` turns it into a problem.

use crate::model::{ContentType, MAX_ENTRIES};
use crate::order::OrderError;
use crate::template::RenderError;
use crate::workflow::WorkflowError;
use nudge_core::objects::ObjectError;
use nudge_core::store::{StoreError, optimistic};
use nudge_media::asset::Unfit;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// No such content, version, tag or collection here (or an item not in the collection).
    #[error("not found")]
    NotFound,
    /// The request pinned a version (If-Match) that is no longer the stored one.
    #[error("the resource changed since the version the request names")]
    Stale,
    /// The workflow refuses the step, or the caller may not take it.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// A change names tags or a media asset it cannot use.
    #[error(transparent)]
    Unusable(#[from] Unusable),
    /// A restored version names tags or a media asset that can no longer be used.
    #[error("version {version} is outdated: {what}")]
    Outdated { version: u64, what: Unusable },
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// A collection position beyond the collection's end.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// A collection entry names content that does not exist here.
    #[error("the content to add does not exist")]
    NoSuchContent,
    /// Only template content renders.
    #[error("the content is not a template")]
    NotATemplate,
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Finishing a deletion someone else began needs a permission to change content.
    #[error("finishing a deletion needs a permission to change content")]
    DeletionForbidden,
    /// A version's snapshot is in the bucket, and this deployment gave the library none.
    #[error("a snapshot in the bucket, and no bucket")]
    NoBucket,
    #[error("deleting the snapshot {key}: {source}")]
    SnapshotKept { key: String, source: ObjectError },
    #[error("a snapshot does not serialize: {0}")]
    Snapshot(#[from] serde_json::Error),
    /// Recording a provider's status of a WhatsApp template failed: which template (its provider name, and
    /// the content item being written when it was one), and why.
    #[error("recording the provider status of the template `{name}`{}: {source}", item_of(.content))]
    ProviderStatus { name: String, content: Option<Uuid>, source: Box<ContentError> },
    /// Something that cannot happen did (named for the log).
    #[error("{0}")]
    Invariant(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Objects(#[from] ObjectError),
}

fn item_of(content: &Option<Uuid>) -> String {
    content.map(|id| format!(" (content {id})")).unwrap_or_default()
}

/// What a change names that it cannot use.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// The positions in `tagIds` of tags that are not this organization's (or are being deleted).
    #[error("the tags at {0:?} of tagIds are not usable")]
    Tags(Vec<usize>),
    /// The media asset of the body of content of this type, and why.
    #[error("the media asset {1}")]
    Asset(ContentType, AssetProblem),
}

/// Why the media asset a body names cannot be used. The texts are the field messages clients read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssetProblem {
    #[error("is not a media asset of this organization")]
    Missing,
    #[error(transparent)]
    Unfit(Unfit),
    /// It was usable when checked, and left `ready` before the change was written.
    #[error("is no longer a ready media asset of this organization")]
    Gone,
}

/// Why a change conflicts with what is stored. The texts are the problem details clients read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("another tag already has this name")]
    TagNameTaken,
    #[error("content still has this tag; remove it from that content first")]
    TagInUse,
    #[error("the content is already in this collection")]
    AlreadyInCollection,
    #[error("a collection holds at most {MAX_ENTRIES} items")]
    CollectionFull,
}

/// A conditional write found another version stored: someone else wrote first.
impl optimistic::VersionConflict for ContentError {
    fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}

/// The If-Match check below HTTP: `expected` is the version the caller pinned, if any.
pub(crate) fn pinned(expected: Option<u64>, current: u64) -> Result<(), ContentError> {
    match expected {
        Some(version) if version != current => Err(ContentError::Stale),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::store::Attempt;
    use nudge_core::store::optimistic::settle;

    #[test]
    fn only_a_moved_version_is_another_try() {
        let moved = || Err(ContentError::Store(StoreError::Condition("version")));
        assert!(matches!(settle(Ok::<_, ContentError>(()), 1, false), Ok(Attempt::Done(1))));
        assert!(matches!(settle(moved(), 1, true), Ok(Attempt::Retry)));
        assert!(matches!(settle(moved(), 1, false), Err(ContentError::Store(_))));
        assert!(matches!(settle(Err(ContentError::NoSuchContent), 1, true), Err(ContentError::NoSuchContent)));
        assert!(pinned(None, 3).is_ok() && pinned(Some(3), 3).is_ok());
        assert!(matches!(pinned(Some(2), 3), Err(ContentError::Stale)));
    }
}
