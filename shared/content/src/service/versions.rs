//! A content item's versions: listing them, reading one with its snapshot, restoring one.

use super::Library;
use super::contents::{Change, commit, find};
use crate::error::{ContentError, pinned};
use crate::model::{Content, ContentVersion};
use crate::repo;
use crate::workflow;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::store::{Store, optimistic};
use uuid::Uuid;

/// A page of the versions of `id`, newest first, without their snapshots. The first page is served only
/// while the content exists (read alongside): a deleted item's versions may not all be cleared yet. A
/// cursor was issued while it existed.
pub(crate) async fn page(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    id: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<ContentVersion>, ContentError> {
    let page = repo::versions_page(store, scope, tenant, id, limit, cursor);
    let page = match cursor {
        Some(_) => page.await?,
        None => {
            let (page, content) = tokio::try_join!(page, repo::get(store, tenant, id))?;
            content.ok_or(ContentError::NotFound)?;
            page
        }
    };
    let items = page.items.into_iter().map(|v| ContentVersion { snapshot: None, ..v.version }).collect();
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// Version `n` of `id` with its full snapshot, while the content exists.
pub(crate) async fn one(lib: Library<'_>, id: Uuid, n: u64) -> Result<ContentVersion, ContentError> {
    let stored = repo::live_version(lib.store, lib.tenant, id, n).await?.ok_or(ContentError::NotFound)?;
    lib.snapshots.open(lib.tenant, stored).await
}

/// Makes the fields of version `n` of `id` a new draft version by `actor`; `expected` is the version the
/// caller pinned. Tags or media the version names that can no longer be used are
/// [`ContentError::Outdated`]: a conflict with the present, not a broken rule.
pub(crate) async fn restore(
    lib: Library<'_>,
    id: Uuid,
    n: u64,
    expected: Option<u64>,
    note: Option<String>,
    actor: Uuid,
) -> Result<Content, ContentError> {
    optimistic::retry(|| async {
        let current = find(lib.store, lib.tenant, id).await?;
        pinned(expected, current.version)?;
        let stored = repo::version(lib.store, lib.tenant, id, n).await?.ok_or(ContentError::NotFound)?;
        let snapshot = lib
            .snapshots
            .open(lib.tenant, stored)
            .await?
            .snapshot
            .ok_or(ContentError::Invariant("a version without a snapshot"))?;
        let status = workflow::after_edit(current.status)?;
        let next = current.revised(snapshot.fields, status, actor, Utc::now());
        let note = Some(match &note {
            Some(text) => format!("Restored version {n}: {text}"),
            None => format!("Restored version {n}"),
        });
        let change = Change { current: Some(&current), next, note, actor };
        commit(lib, change, expected.is_none()).await.map_err(|e| match e {
            ContentError::Unusable(what) => ContentError::Outdated { version: n, what },
            other => other,
        })
    })
    .await
}
