//! Deleting content. What belongs to a content item is bounded in part (at most 20 tag copies, one media
//! usage) and unbounded in part (a version per change, each perhaps with a snapshot object; an entry in
//! every collection it is in). So a deletion is two phases:
//!
//! 1. One transaction removes the item at the version read, its tag copies and its media usage, and writes
//!    a deletion record. From then on the content answers 404, the tag filters and the media asset no
//!    longer see it, and nothing new can hang off it: every change and every new collection entry is
//!    conditioned on the item. A racing edit either lands first (the delete then re-reads, or answers 412
//!    under If-Match) or fails its version condition and answers 404; it can never resurrect the item.
//! 2. Bounded steps clear the rest, each durable on its own: the content leaves each of its collections (one
//!    versioned write per collection, the entries after it moving up), then its versions go a page at a
//!    time, each page's snapshot objects before its items, then the record. A version is served only while
//!    its content exists, so half-cleared versions are never visible.
//!
//! Every step is idempotent, so a DELETE that finds the record (the first one died midway) runs phase 2
//! again and answers 204; without a record a missing item is 404, as a second DELETE is.

use crate::error::{ContentError, pinned};
use crate::model::Content;
use crate::repo::{self, Deletion};
use crate::service::Library;
use crate::service::collections::{self, Outcome};
use crate::workflow::{self, CONTENT_PUBLISH, CONTENT_WRITE};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::auth::Principal;
use nudge_core::store::optimistic::settle;
use nudge_core::store::{Attempt, Store, optimistic};
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

/// Versions cleared per step: one Query and four BatchWriteItem calls.
const VERSION_PAGE: u32 = 100;

/// Deletes content `id` for `caller`, or finishes a deletion a previous request began; `expected` is the
/// version the caller pinned, if any.
pub(crate) async fn delete(
    lib: Library<'_>,
    id: Uuid,
    expected: Option<u64>,
    caller: &Principal,
) -> Result<(), ContentError> {
    let removed = optimistic::retry(|| async {
        let Some(current) = repo::get(lib.store, lib.tenant, id).await? else {
            return Ok(Attempt::Done(false));
        };
        pinned(expected, current.version)?;
        check(&current, caller)?;
        let record = Deletion {
            content_id: id,
            version: current.version,
            deleted_by_id: caller.user_id,
            deleted_at: Utc::now(),
        };
        let written = repo::delete(lib.store, lib.tenant, &current, &record).await;
        settle(written, true, expected.is_none())
    })
    .await?;
    if !removed {
        let record = repo::deletion(lib.store, lib.tenant, id).await?.ok_or(ContentError::NotFound)?;
        pinned(expected, record.version)?;
        if !(caller.has(CONTENT_WRITE) || caller.has(CONTENT_PUBLISH)) {
            return Err(ContentError::DeletionForbidden);
        }
        tracing::info!(content_id = %id, "finishing an interrupted content deletion");
    }
    clear(lib, id).await
}

/// Whether `caller` may delete `content` now (the rule is [`workflow::deletion`]).
fn check(content: &Content, caller: &Principal) -> Result<(), ContentError> {
    let live = content.published_version.is_some();
    Ok(workflow::deletion(live, content.last_published_at.is_some(), |p| caller.has(p))?)
}

/// Phase 2: what hangs off a removed content item, cleared in bounded steps, then its deletion record.
async fn clear(lib: Library<'_>, id: Uuid) -> Result<(), ContentError> {
    for collection in repo::collections_of(lib.store, lib.tenant, id).await? {
        leave(lib.store, lib.tenant, collection, id).await?;
    }
    loop {
        let page = repo::oldest_versions(lib.store, lib.tenant, id, VERSION_PAGE).await?;
        if page.is_empty() {
            break;
        }
        lib.snapshots.discard(lib.tenant, &page).await?;
        repo::delete_versions(lib.store, lib.tenant, id, &page).await?;
    }
    repo::forget_deletion(lib.store, lib.tenant, id).await
}

/// Takes `content` out of `collection` (retrying on concurrent changes to it; the membership goes in the
/// same write). A membership with no entry behind it (the collection was deleted meanwhile, or a step was
/// repeated) is dropped on its own.
async fn leave(store: &Store, tenant: &TenantId, collection: Uuid, content: Uuid) -> Result<(), ContentError> {
    // Whether the attempt that was written took the entry out (a retry runs the change again).
    let removed = AtomicBool::new(false);
    let left = collections::update(store, tenant, collection, None, |c| {
        let found = c.remove_content(content);
        removed.store(found, Ordering::Relaxed);
        Ok(if found { Outcome::Removed(content) } else { Outcome::Unchanged })
    })
    .await;
    match left {
        Ok(_) if removed.load(Ordering::Relaxed) => Ok(()),
        Ok(_) | Err(ContentError::NotFound) => repo::forget_membership(store, tenant, content, collection).await,
        Err(err) => Err(err),
    }
}
