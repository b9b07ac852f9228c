//! Tags: names unique per organization (by [`TagName::key`](crate::values::TagName::key)), a display colour.

use crate::error::{ContentError, pinned};
use crate::model::{Tag, TagFields};
use crate::repo;
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::store::optimistic::settle;
use nudge_core::store::{Attempt, Store};
use uuid::Uuid;

pub(crate) async fn create(store: &Store, tenant: &TenantId, fields: TagFields) -> Result<Tag, ContentError> {
    let now = Utc::now();
    let tag = Tag { id: Uuid::now_v7(), fields, version: 1, created_at: now, updated_at: now };
    repo::create_tag(store, tenant, &tag).await?;
    Ok(tag)
}

/// Tag `id` of this tenant.
pub(crate) async fn find(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Tag, ContentError> {
    repo::get_tag(store, tenant, id).await?.ok_or(ContentError::NotFound)
}

/// A PATCH's step: `fields` over `current`; [`Attempt::Retry`] when another writer changed it first.
pub(crate) async fn edit(
    store: &Store,
    tenant: &TenantId,
    current: Tag,
    fields: TagFields,
) -> Result<Attempt<Tag>, ContentError> {
    if fields == current.fields {
        return Ok(Attempt::Done(current));
    }
    let next = Tag { fields, version: current.version + 1, updated_at: Utc::now(), ..current.clone() };
    settle(repo::replace_tag(store, tenant, &current, &next).await, next, true)
}

/// Deletes tag `id` unless content has it; `expected` is the version the caller pinned, if any.
pub(crate) async fn delete(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    expected: Option<u64>,
) -> Result<(), ContentError> {
    let current = find(store, tenant, id).await?;
    pinned(expected, current.version)?;
    repo::delete_tag(store, tenant, &current).await
}
