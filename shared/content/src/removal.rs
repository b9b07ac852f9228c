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

use crate::model::Content;
use crate::repo::{self, Deletion};
use crate::routes::collections::{self, Outcome};
use crate::routes::contents::workflow_error;
use crate::snapshots::Snapshots;
use crate::workflow::{self, CONTENT_PUBLISH, CONTENT_WRITE};
use chrono::Utc;
use nudge_core::auth::Principal;
use nudge_core::http::{ApiError, ApiResult, IfMatch};
use nudge_core::store::{Attempt, optimistic};
use nudge_core::{Ctx, TenantId};
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

/// Versions cleared per step: one Query and four BatchWriteItem calls.
const VERSION_PAGE: u32 = 100;

/// Deletes content `id` for `caller`, or finishes a deletion a previous request began.
pub async fn delete(
    ctx: &Ctx,
    snapshots: &Snapshots,
    tenant: &TenantId,
    id: Uuid,
    if_match: IfMatch,
    caller: &Principal,
) -> ApiResult<()> {
    let removed = optimistic::retry(|| async {
        let Some(current) = repo::get(&ctx.store, tenant, id).await? else {
            return Ok::<_, ApiError>(Attempt::Done(false));
        };
        if_match.check(current.version)?;
        check(&current, caller)?;
        let record = Deletion {
            content_id: id,
            version: current.version,
            deleted_by_id: caller.user_id,
            deleted_at: Utc::now(),
        };
        let written = repo::delete(&ctx.store, tenant, &current, &record).await;
        Ok(optimistic::settle(written, true, if_match.0.is_none())?)
    })
    .await?;
    if !removed {
        let record = repo::deletion(&ctx.store, tenant, id).await?.ok_or(ApiError::NotFound)?;
        if_match.check(record.version)?;
        if !(caller.has(CONTENT_WRITE) || caller.has(CONTENT_PUBLISH)) {
            return Err(ApiError::Forbidden(format!(
                "this needs the `{CONTENT_WRITE}` or `{CONTENT_PUBLISH}` permission"
            )));
        }
        tracing::info!(content_id = %id, "finishing an interrupted content deletion");
    }
    clear(ctx, snapshots, tenant, id).await
}

/// Whether `caller` may delete `content` now (the rule is [`workflow::deletion`]).
fn check(content: &Content, caller: &Principal) -> ApiResult<()> {
    let live = content.published_version.is_some();
    workflow::deletion(live, content.last_published_at.is_some(), |p| caller.has(p)).map_err(workflow_error)
}

/// Phase 2: what hangs off a removed content item, cleared in bounded steps, then its deletion record.
async fn clear(ctx: &Ctx, snapshots: &Snapshots, tenant: &TenantId, id: Uuid) -> ApiResult<()> {
    for collection in repo::collections_of(&ctx.store, tenant, id).await? {
        leave(ctx, tenant, collection, id).await?;
    }
    loop {
        let page = repo::oldest_versions(&ctx.store, tenant, id, VERSION_PAGE).await?;
        if page.is_empty() {
            break;
        }
        snapshots.discard(tenant, &page).await?;
        repo::delete_versions(&ctx.store, tenant, id, &page).await?;
    }
    repo::forget_deletion(&ctx.store, tenant, id).await
}

/// Takes `content` out of `collection` (retrying on concurrent changes to it; the membership goes in the
/// same write). A membership with no entry behind it (the collection was deleted meanwhile, or a step was
/// repeated) is dropped on its own.
async fn leave(ctx: &Ctx, tenant: &TenantId, collection: Uuid, content: Uuid) -> ApiResult<()> {
    // Whether the attempt that was written took the entry out (a retry runs the change again).
    let removed = AtomicBool::new(false);
    let left = collections::update(ctx, tenant, collection, IfMatch(None), |c| {
        let found = c.remove_content(content);
        removed.store(found, Ordering::Relaxed);
        Ok(if found { Outcome::Removed(content) } else { Outcome::Unchanged })
    })
    .await;
    match left {
        Ok(_) if removed.load(Ordering::Relaxed) => Ok(()),
        Ok(_) | Err(ApiError::NotFound) => repo::forget_membership(&ctx.store, tenant, content, collection).await,
        Err(err) => Err(err),
    }
}
