//! The publishing workflow: draft → review → approved → published → archived. Moving content along needs
//! the permission of the step (writers submit and withdraw, approvers approve, publishers publish), and an
//! edit of anything past draft makes a new draft: what was approved is what goes out, and a published
//! version stays live until its successor is published.
//!
//! | from | to | permission |
//! |---|---|---|
//! | draft | review | content:write |
//! | review | draft (withdraw or reject) | content:write or content:approve |
//! | review | approved | content:approve |
//! | approved | draft | content:write |
//! | approved | published | content:publish |
//! | draft, review, approved | archived | content:write; content:publish while a version is live |
//! | published | archived (unpublish) | content:publish |
//! | archived | draft (reopen) | content:write |
//!
//! Deleting (see [`deletion`]): never while a version is live (archive it first); content that was never
//! published with `content:write`; content that was published once (archived since, perhaps reopened) with
//! `content:publish`, since only a publisher may withdraw what workers were sent, and erasing its history is
//! the stronger form of withdrawing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) const CONTENT_READ: &str = "content:read";
pub(crate) const CONTENT_WRITE: &str = "content:write";
pub(crate) const CONTENT_APPROVE: &str = "content:approve";
pub(crate) const CONTENT_PUBLISH: &str = "content:publish";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentStatus {
    #[default]
    Draft,
    Review,
    Approved,
    Published,
    Archived,
}

impl ContentStatus {
    pub(crate) const ALL: [Self; 5] = [Self::Draft, Self::Review, Self::Approved, Self::Published, Self::Archived];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Approved => "approved",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// No such step from here (409).
    #[error("content in {} cannot move to {}", .0.as_str(), .1.as_str())]
    NotAllowed(ContentStatus, ContentStatus),
    /// The step exists but the caller lacks its permission (403); the names are alternatives.
    #[error("this step needs the `{}` permission", .0.join("` or `"))]
    Forbidden(Vec<&'static str>),
    /// Archived content is reopened before it is edited (409).
    #[error("archived content cannot be edited; reopen it as a draft first")]
    Archived,
    /// Content with a live version is not deleted (409).
    #[error("published content cannot be deleted; archive it first")]
    Live,
}

/// The permissions that allow `from → to` (any one of them), or `None` if there is no such step. `live`:
/// a published version is being delivered, so archiving withdraws it.
pub(crate) fn step(from: ContentStatus, to: ContentStatus, live: bool) -> Option<&'static [&'static str]> {
    use ContentStatus::*;
    Some(match (from, to) {
        (Draft, Review) | (Approved, Draft) | (Archived, Draft) => &[CONTENT_WRITE],
        (Review, Draft) => &[CONTENT_WRITE, CONTENT_APPROVE],
        (Review, Approved) => &[CONTENT_APPROVE],
        (Approved, Published) | (Published, Archived) => &[CONTENT_PUBLISH],
        (Draft | Review | Approved, Archived) if live => &[CONTENT_PUBLISH],
        (Draft | Review | Approved, Archived) => &[CONTENT_WRITE],
        _ => return None,
    })
}

/// Checks a transition for a caller holding the permissions `has` answers for.
pub(crate) fn transition(
    from: ContentStatus,
    to: ContentStatus,
    live: bool,
    has: impl Fn(&str) -> bool,
) -> Result<(), WorkflowError> {
    let needs = step(from, to, live).ok_or(WorkflowError::NotAllowed(from, to))?;
    if needs.iter().any(|p| has(p)) { Ok(()) } else { Err(WorkflowError::Forbidden(needs.to_vec())) }
}

/// The status after an edit: every edit is a new draft; archived content is not edited.
pub(crate) fn after_edit(status: ContentStatus) -> Result<ContentStatus, WorkflowError> {
    match status {
        ContentStatus::Archived => Err(WorkflowError::Archived),
        _ => Ok(ContentStatus::Draft),
    }
}

/// Checks that a caller holding the permissions `has` answers for may delete content. `live`: a version is
/// being delivered; `was_published`: a version was published at some time (the history records a delivery).
pub(crate) fn deletion(live: bool, was_published: bool, has: impl Fn(&str) -> bool) -> Result<(), WorkflowError> {
    if live {
        return Err(WorkflowError::Live);
    }
    let needs: &[&'static str] = if was_published { &[CONTENT_PUBLISH] } else { &[CONTENT_WRITE] };
    if needs.iter().any(|p| has(p)) { Ok(()) } else { Err(WorkflowError::Forbidden(needs.to_vec())) }
}

#[cfg(test)]
mod tests {
    use super::ContentStatus::*;
    use super::*;

    fn only(perms: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |p| perms.contains(&p)
    }

    #[test]
    fn the_happy_path_needs_each_role() {
        let writer = only(&[CONTENT_WRITE]);
        let approver = only(&[CONTENT_APPROVE]);
        let publisher = only(&[CONTENT_PUBLISH]);
        assert!(transition(Draft, Review, false, &writer).is_ok());
        assert_eq!(transition(Review, Approved, false, &writer), Err(WorkflowError::Forbidden(vec![CONTENT_APPROVE])));
        assert!(transition(Review, Approved, false, &approver).is_ok());
        assert!(transition(Review, Draft, false, &approver).is_ok(), "an approver rejects");
        assert!(transition(Approved, Published, false, &approver).is_err());
        assert!(transition(Approved, Published, false, &publisher).is_ok());
        assert!(transition(Published, Archived, true, &publisher).is_ok());
        assert!(transition(Archived, Draft, false, &writer).is_ok());
    }

    #[test]
    fn shortcuts_do_not_exist() {
        let all = |_: &str| true;
        for (from, to) in [
            (Draft, Approved),
            (Draft, Published),
            (Review, Published),
            (Published, Draft),
            (Archived, Published),
            (Draft, Draft),
        ] {
            assert_eq!(transition(from, to, false, all), Err(WorkflowError::NotAllowed(from, to)), "{from:?}→{to:?}");
        }
    }

    #[test]
    fn archiving_a_live_item_needs_publish() {
        let writer = only(&[CONTENT_WRITE]);
        assert!(transition(Draft, Archived, false, &writer).is_ok());
        assert!(transition(Draft, Archived, true, &writer).is_err());
        assert!(transition(Draft, Archived, true, only(&[CONTENT_PUBLISH])).is_ok());
    }

    #[test]
    fn edits_start_a_new_draft() {
        for s in [Draft, Review, Approved, Published] {
            assert_eq!(after_edit(s), Ok(Draft));
        }
        assert_eq!(after_edit(Archived), Err(WorkflowError::Archived));
        for s in ContentStatus::ALL {
            assert_eq!(ContentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn live_content_is_archived_before_it_is_deleted() {
        let all = |_: &str| true;
        assert_eq!(deletion(true, true, all), Err(WorkflowError::Live));
        assert_eq!(deletion(false, false, only(&[CONTENT_WRITE])), Ok(()), "drafts, review, approved");
        assert_eq!(deletion(false, true, all), Ok(()), "archived after publishing");
    }

    #[test]
    fn erasing_what_was_published_needs_publish() {
        let writer = only(&[CONTENT_WRITE]);
        assert_eq!(deletion(false, true, &writer), Err(WorkflowError::Forbidden(vec![CONTENT_PUBLISH])));
        assert!(deletion(false, true, only(&[CONTENT_PUBLISH])).is_ok());
        assert_eq!(
            deletion(false, false, only(&[CONTENT_READ, CONTENT_APPROVE])),
            Err(WorkflowError::Forbidden(vec![CONTENT_WRITE]))
        );
    }
}
