//! Collections: named, ordered sets of content. One content item may be in many collections, once in each;
//! positions are dense (`0..n`) and only change when asked to.

use crate::error::{Conflict, ContentError, pinned};
use crate::model::{Collection, CollectionFields, CollectionItem, Entry, MAX_ENTRIES};
use crate::order;
use crate::repo::{self, EntryChange};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::store::optimistic::settle;
use nudge_core::store::{Attempt, Store, optimistic};
use uuid::Uuid;

/// What a change did to a collection.
pub(crate) enum Outcome {
    Unchanged,
    Changed,
    /// Added this content, which must exist here for the write to happen.
    Added(Uuid),
    /// Took this content out.
    Removed(Uuid),
}

/// Read, change, write with the version read; retried on a concurrent change unless `expected` pinned one.
pub(crate) async fn update<F>(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
    change: F,
) -> Result<Collection, ContentError>
where
    F: Fn(&mut Collection) -> Result<Outcome, ContentError>,
{
    optimistic::retry(|| async {
        let current = find(store, tenant, id).await?;
        pinned(expected, current.version)?;
        let mut next = current.clone();
        let entry = match change(&mut next)? {
            Outcome::Unchanged => return Ok(Attempt::Done(current)),
            Outcome::Changed => EntryChange::None,
            Outcome::Added(content) => EntryChange::Added(content),
            Outcome::Removed(content) => EntryChange::Removed(content),
        };
        next.version = current.version + 1;
        next.updated_at = Utc::now();
        settle(repo::replace_collection(store, tenant, &current, &next, entry).await, next, expected.is_none())
    })
    .await
}

/// A new, empty collection by `actor`.
pub(crate) async fn create(
    store: &Store,
    tenant: &TenantId,
    actor: Uuid,
    fields: CollectionFields,
) -> Result<Collection, ContentError> {
    let now = Utc::now();
    let c = Collection {
        id: Uuid::now_v7(),
        fields,
        entries: vec![],
        created_by_id: Some(actor),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::create_collection(store, tenant, &c).await?;
    Ok(c)
}

/// Collection `id` of this tenant.
pub(crate) async fn find(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Collection, ContentError> {
    repo::get_collection(store, tenant, id).await?.ok_or(ContentError::NotFound)
}

/// A PATCH's step: `fields` over `current`; [`Attempt::Retry`] when another writer changed it first.
pub(crate) async fn edit(
    store: &Store,
    tenant: &TenantId,
    current: Collection,
    fields: CollectionFields,
) -> Result<Attempt<Collection>, ContentError> {
    if fields == current.fields {
        return Ok(Attempt::Done(current));
    }
    let next = Collection { fields, version: current.version + 1, updated_at: Utc::now(), ..current.clone() };
    settle(repo::replace_collection(store, tenant, &current, &next, EntryChange::None).await, next, true)
}

/// Deletes collection `id` (not the content in it); `expected` is the version the caller pinned, if any.
pub(crate) async fn delete(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
) -> Result<(), ContentError> {
    let current = find(store, tenant, id).await?;
    pinned(expected, current.version)?;
    repo::delete_collection(store, tenant, &current).await
}

/// Adds `content` to collection `id` at position `at` (last when none): the item, and the collection's
/// new version.
pub(crate) async fn add(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
    content: Uuid,
    at: Option<usize>,
) -> Result<(CollectionItem, u64), ContentError> {
    let c = update(store, tenant, id, expected, |c| {
        if c.position(content).is_some() {
            return Err(Conflict::AlreadyInCollection.into());
        }
        if c.entries.len() >= MAX_ENTRIES {
            return Err(Conflict::CollectionFull.into());
        }
        order::insert(&mut c.entries, Entry { content_id: content, added_at: Utc::now() }, at)?;
        Ok(Outcome::Added(content))
    })
    .await?;
    let item =
        c.items().into_iter().find(|i| i.content_id == content).ok_or(ContentError::Invariant("added item missing"))?;
    Ok((item, c.version))
}

/// Moves `content` to position `to` of collection `id`; the others keep their relative order.
pub(crate) async fn move_to(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
    content: Uuid,
    to: usize,
) -> Result<Collection, ContentError> {
    update(store, tenant, id, expected, |c| {
        let from = c.position(content).ok_or(ContentError::NotFound)?;
        if from == to {
            return Ok(Outcome::Unchanged);
        }
        order::move_to(&mut c.entries, from, to)?;
        Ok(Outcome::Changed)
    })
    .await
}

/// Takes `content` out of collection `id`; the items after it move up one.
pub(crate) async fn remove(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
    content: Uuid,
) -> Result<(), ContentError> {
    update(store, tenant, id, expected, |c| {
        if !c.remove_content(content) {
            return Err(ContentError::NotFound);
        }
        Ok(Outcome::Removed(content))
    })
    .await?;
    Ok(())
}
