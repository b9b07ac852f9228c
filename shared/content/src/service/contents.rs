//! Content items: creating, editing, moving through the workflow, rendering templates. Every change is
//! stored with a version of its own by [`commit`].

use super::Library;
use crate::error::{AssetProblem, ContentError, Unusable, pinned};
use crate::input::NewContent;
use crate::model::{Body, Channel, Content, ContentFields, ContentType, Rendered};
use crate::workflow::{self, ContentStatus};
use crate::{repo, sms, template};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::auth::Principal;
use nudge_core::store::{Attempt, Store, StoreError, optimistic};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Content `id` of this tenant.
pub(crate) async fn find(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Content, ContentError> {
    repo::get(store, tenant, id).await?.ok_or(ContentError::NotFound)
}

/// Checks that the media asset a body references (if it changed) is this tenant's, of the right type and
/// ready: another tenant's asset reads as missing. A newly referenced video or audio asset lends the body
/// its duration when the body gives none.
async fn check_asset(
    store: &Store,
    tenant: &TenantId,
    kind: ContentType,
    body: &mut Body,
    before: Option<Uuid>,
) -> Result<(), ContentError> {
    let (Some(asset), Some(wanted)) = (body.media_asset(), kind.media()) else { return Ok(()) };
    if before == Some(asset) {
        return Ok(());
    }
    let found = repo::asset(store, tenant, asset).await?;
    let problem = match &found {
        None => Some(AssetProblem::Missing),
        Some(found) => found.unusable_for(wanted).map(AssetProblem::Unfit),
    };
    if let Some(problem) = problem {
        return Err(Unusable::Asset(kind, problem).into());
    }
    body.default_duration(found.and_then(|a| a.duration()));
    Ok(())
}

/// One content change: the item read (none for a new one), what it becomes, and the version's note.
pub(crate) struct Change<'a> {
    pub(crate) current: Option<&'a Content>,
    pub(crate) next: Content,
    pub(crate) note: Option<String>,
    pub(crate) actor: Uuid,
}

/// Stores a change with its version. A tag that names none of the tenant's, or an asset that went away since
/// it was checked, is [`ContentError::Unusable`]; a moved version is another attempt when `retry`.
pub(crate) async fn commit(
    lib: Library<'_>,
    change: Change<'_>,
    retry: bool,
) -> Result<Attempt<Content>, ContentError> {
    let Change { current, next, note, actor } = change;
    let version = lib.snapshots.version(lib.tenant, &next, note, actor).await?;
    let written = repo::save(lib.store, lib.tenant, current, &next, &version).await;
    // Refused, so nothing points at the snapshot object (if one was written). Only then: after an
    // ambiguous failure (a timeout) the version may have been stored.
    if let Err(StoreError::Condition(_) | StoreError::TransactionConflict) = &written
        && let Err(err) = lib.snapshots.discard(lib.tenant, std::slice::from_ref(&version)).await
    {
        tracing::warn!(error = %err, content_id = %next.id, "a refused change's snapshot object was not deleted");
    }
    match written {
        Ok(()) => Ok(Attempt::Done(next)),
        Err(e) if retry && e.is_version_conflict() => Ok(Attempt::Retry),
        Err(e) => Err(repo::refusal(lib.store, lib.tenant, &next, e).await),
    }
}

/// A new item by `actor`: a draft, version 1.
pub(crate) async fn create(lib: Library<'_>, actor: Uuid, new: NewContent) -> Result<Content, ContentError> {
    let NewContent { kind, mut fields, change_note } = new;
    check_asset(lib.store, lib.tenant, kind, &mut fields.body, None).await?;
    let now = Utc::now();
    let item = Content {
        id: Uuid::now_v7(),
        kind,
        fields,
        status: ContentStatus::Draft,
        version: 1,
        published_version: None,
        published_at: None,
        last_published_at: None,
        created_by_id: Some(actor),
        updated_by_id: Some(actor),
        created_at: now,
        updated_at: now,
    };
    let note = change_note.or_else(|| Some("Created".into()));
    let Attempt::Done(item) = commit(lib, Change { current: None, next: item, note, actor }, false).await? else {
        return Err(ContentError::Invariant("a new content item conflicted with itself"));
    };
    tracing::info!(content_id = %item.id, content_type = item.kind.as_str(), "content created");
    Ok(item)
}

/// A PATCH's step: `fields` (the merged document, read) over `current` by `actor`, as a new version and a
/// draft again; nothing when they are the fields it has.
pub(crate) async fn edit(
    lib: Library<'_>,
    current: Content,
    mut fields: ContentFields,
    note: Option<String>,
    actor: Uuid,
) -> Result<Attempt<Content>, ContentError> {
    if fields == current.fields {
        return Ok(Attempt::Done(current));
    }
    let status = workflow::after_edit(current.status)?;
    let before = current.fields.body.media_asset();
    check_asset(lib.store, lib.tenant, current.kind, &mut fields.body, before).await?;
    let next = current.revised(fields, status, actor, Utc::now());
    commit(lib, Change { current: Some(&current), next, note, actor }, true).await
}

/// Moves content `id` to `to` for `caller`, as a new version; `expected` is the version the caller pinned
/// (none: a concurrent change is read again and the step retried).
pub(crate) async fn transition(
    lib: Library<'_>,
    id: Uuid,
    expected: Option<u64>,
    to: ContentStatus,
    note: Option<String>,
    caller: &Principal,
) -> Result<Content, ContentError> {
    let item = optimistic::retry(|| async {
        let current = find(lib.store, lib.tenant, id).await?;
        pinned(expected, current.version)?;
        let live = current.published_version.is_some();
        workflow::transition(current.status, to, live, |p| caller.has(p))?;
        let now = Utc::now();
        let mut next = current.revised(current.fields.clone(), to, caller.user_id, now);
        match to {
            ContentStatus::Published => {
                next.published_version = Some(next.version);
                next.published_at = Some(now);
                next.last_published_at = Some(now);
            }
            ContentStatus::Archived => {
                next.published_version = None;
                next.published_at = None;
            }
            _ => {}
        }
        let note = note.clone().or_else(|| Some(format!("{} → {}", current.status.as_str(), to.as_str())));
        let change = Change { current: Some(&current), next, note, actor: caller.user_id };
        commit(lib, change, expected.is_none()).await
    })
    .await?;
    tracing::info!(content_id = %id, status = to.as_str(), "content moved");
    Ok(item)
}

/// `item`, a template, filled in with `values` (every variable it uses, none blank).
pub(crate) fn render(item: &Content, values: &BTreeMap<String, String>) -> Result<Rendered, ContentError> {
    let Body::Template(t) = &item.fields.body else { return Err(ContentError::NotATemplate) };
    let text = template::render(&t.template_text, values)?;
    let sms_segments = (t.channel == Channel::Sms).then(|| sms::count(&text));
    Ok(Rendered { text, sms_segments })
}
