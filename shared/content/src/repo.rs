//! Where the content library lives in the table. Content ids, tag ids and collection ids are UUIDv7, so id
//! order is creation order.
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | content | `T#<t>#CONTENTS` | `<id>` | `T#<t>#CONTENTS#STATUS#<status>` / `<type>#<id>` | `T#<t>#CONTENTS#TYPE#<type>` / `<id>` |
//! | content version | `T#<t>#CONTENT#<id>#VERSIONS` | `<versionNumber, 10 digits>` | — | — |
//! | content in a tag (summary copy) | `T#<t>#TAG#<tagId>#CONTENTS` | `<type>#<contentId>` | — | — |
//! | tag | `T#<t>#TAGS` | `<id>` | `T#<t>#TAGS#BYNAME` / `<name key>#<id>` | — |
//! | tag name guard | `T#<t>#TAGNAME#<name key>` | `TAGNAME` | — | — |
//! | collection (entries in order) | `T#<t>#COLLECTIONS` | `<id>` | — | — |
//! | content in a collection (inverted index) | `T#<t>#CONTENT#<id>#COLLECTIONS` | `<collectionId>` | — | — |
//! | content deletion under way | `T#<t>#CONTENT-DELETIONS` | `<id>` | — | — |
//! | media usage (see `nudge_media`) | `T#<t>#MEDIAUSE#<assetId>` | `<contentId>` | — | — |
//!
//! | access pattern | operation | key condition | index |
//! |---|---|---|---|
//! | content by id | GetItem | `pk = T#<t>#CONTENTS`, `sk = <id>` | table |
//! | all content, oldest first | Query | `pk = T#<t>#CONTENTS` | table |
//! | by status (by type, then oldest first) | Query | `gsi1pk = …#STATUS#<status>` | gsi1 |
//! | by status and type | Query | `gsi1pk = …#STATUS#<status>`, `begins_with(gsi1sk, "<type>#")` | gsi1 |
//! | by type | Query | `gsi2pk = T#<t>#CONTENTS#TYPE#<type>` | gsi2 |
//! | templates by title (a provider's status report) | the type query for `template`, filtered on `title` | gsi2 |
//! | by tag (and type) | Query | `pk = T#<t>#TAG#<tag>#CONTENTS` (`begins_with(sk, "<type>#")`) | table |
//! | by tag and status | the tag query, filtered on `status` | table |
//! | versions, newest first | Query | `pk = T#<t>#CONTENT#<id>#VERSIONS` | table |
//! | one version | GetItem | `pk = …#VERSIONS`, `sk = <n>` | table |
//! | tags by name | Query | `gsi1pk = T#<t>#TAGS#BYNAME` | gsi1 |
//! | is a tag used | Query, limit 1 | `pk = T#<t>#TAG#<tag>#CONTENTS` | table |
//! | collections, oldest first | Query | `pk = T#<t>#COLLECTIONS` | table |
//! | a content item's collections | Query, consistent | `pk = T#<t>#CONTENT#<id>#COLLECTIONS` | table |
//! | one version, only while its content exists | BatchGetItem | the content's and the version's keys | table |
//!
//! Every content change is one transaction: the item (conditioned on the version read), its new version,
//! the summary copies under each of its tags (added tags checked to exist and not be on their way out), and
//! its media usage (the asset checked to be ready). A tag's copies let one Query answer a tag filter.
//! Adding content to a collection writes the collection and the content's membership item in one
//! transaction (with a check that the content exists), and removing it deletes both, so a content item's
//! collections are one Query when it is deleted.

use crate::error::{AssetProblem, Conflict, ContentError, Unusable};
use crate::input::Filter;
use crate::model::{Collection, Content, ContentSummary, ContentType, ContentVersion, Tag};
use crate::values::TagName;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Index, Item, Put, Query, Store, StoreError, Tx, Write, decode};
use nudge_media::asset as media;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// The labels of this module's write conditions: a failed one becomes a typed error here, and only here.
const CONTENT_EXISTS: &str = "content";
const TAG_USABLE: &str = "tag";
const TAG_NAME_TAKEN: &str = "tag name";
const TAG_ACTIVE: &str = "active";
const TAG_DELETING: &str = "deleting";

fn contents(tenant: &TenantId) -> String {
    tenant_partition(tenant, "CONTENTS")
}

fn status_partition(tenant: &TenantId, status: &str) -> String {
    tenant_partition(tenant, &format!("CONTENTS#STATUS#{status}"))
}

fn type_partition(tenant: &TenantId, kind: &str) -> String {
    tenant_partition(tenant, &format!("CONTENTS#TYPE#{kind}"))
}

fn content_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "CONTENTS", id.to_string())
}

fn versions(tenant: &TenantId, id: Uuid) -> String {
    tenant_partition(tenant, &format!("CONTENT#{id}#VERSIONS"))
}

fn version_key(tenant: &TenantId, id: Uuid, n: u64) -> Key {
    Key { pk: versions(tenant, id), sk: format!("{n:010}") }
}

fn tagged(tenant: &TenantId, tag: Uuid) -> String {
    tenant_partition(tenant, &format!("TAG#{tag}#CONTENTS"))
}

fn tagged_key(tenant: &TenantId, tag: Uuid, content: &Content) -> Key {
    Key { pk: tagged(tenant, tag), sk: format!("{}#{}", content.kind.as_str(), content.id) }
}

fn tag_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "TAGS", id.to_string())
}

/// Which of `ids` are tags of the tenant: the one tag list other domains label with (learning modules).
pub async fn existing_tags(
    store: &Store,
    tenant: &TenantId,
    ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    let keys: Vec<Key> = ids.iter().map(|id| tag_key(tenant, *id)).collect();
    let found: std::collections::HashSet<String> = store
        .batch_get(&keys)
        .await?
        .iter()
        .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
        .collect();
    Ok(ids.iter().copied().filter(|id| found.contains(&id.to_string())).collect())
}

fn tag_name_guard(tenant: &TenantId, name: &TagName) -> Key {
    Key::tenant(tenant, &format!("TAGNAME#{}", name.key()), "TAGNAME")
}

fn collection_key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "COLLECTIONS", id.to_string())
}

fn memberships(tenant: &TenantId, content: Uuid) -> String {
    tenant_partition(tenant, &format!("CONTENT#{content}#COLLECTIONS"))
}

fn membership_key(tenant: &TenantId, content: Uuid, collection: Uuid) -> Key {
    Key { pk: memberships(tenant, content), sk: collection.to_string() }
}

fn deletion_key(tenant: &TenantId, content: Uuid) -> Key {
    Key::tenant(tenant, "CONTENT-DELETIONS", content.to_string())
}

/// A version as stored: the snapshot inline, or (when large) the object key it was written to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredVersion {
    #[serde(flatten)]
    pub version: ContentVersion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_object: Option<String>,
}

fn content_put(tenant: &TenantId, item: &Content) -> Result<Put, StoreError> {
    let (kind, id) = (item.kind.as_str(), item.id);
    Ok(Put::new(&content_key(tenant, id), "Content", item)?
        .index(Index::Gsi1, status_partition(tenant, item.status.as_str()), format!("{kind}#{id}"))
        .index(Index::Gsi2, type_partition(tenant, kind), id.to_string()))
}

/// Stores a content change: `next` over `current` (none: a new item) with its version, atomically. The
/// store's own answer: a refused change may leave a snapshot object to discard before [`refusal`] says
/// what the refusal means.
pub(crate) async fn save(
    store: &Store,
    tenant: &TenantId,
    current: Option<&Content>,
    next: &Content,
    version: &StoredVersion,
) -> Result<(), StoreError> {
    let put = content_put(tenant, next)?;
    let mut tx = Tx::new()
        .with(match current {
            None => Write::create(put, CONTENT_EXISTS),
            Some(c) => Write::replace(put, c.version),
        })
        .with(Write::create(
            Put::new(&version_key(tenant, next.id, next.version), "ContentVersion", version)?,
            "content version",
        ));
    let before: &[Uuid] = current.map(|c| c.fields.tag_ids.as_slice()).unwrap_or_default();
    let summary = next.summary();
    for tag in &next.fields.tag_ids {
        tx = tx.with(Write::upsert(Put::new(&tagged_key(tenant, *tag, next), "ContentTag", &summary)?));
        if !before.contains(tag) {
            tx = tx.with(Write::check(tag_key(tenant, *tag), TAG_USABLE).if_equals("state", TAG_ACTIVE, TAG_USABLE));
        }
    }
    for tag in before.iter().filter(|t| !next.fields.tag_ids.contains(t)) {
        tx = tx.with(Write::delete(tagged_key(tenant, *tag, next)));
    }
    let old_asset = current.and_then(|c| c.fields.body.media_asset());
    for write in media::repoint(tenant, next.id, old_asset, next.fields.body.media_asset())? {
        tx = tx.with(write);
    }
    store.transact(tx).await
}

/// What a refused [`save`] of `next` means: a failed tag check names the tags that cannot be used (one read
/// each), a failed asset check the body's asset; any other refusal stays the store's.
pub(crate) async fn refusal(store: &Store, tenant: &TenantId, next: &Content, err: StoreError) -> ContentError {
    match err {
        StoreError::Condition(TAG_USABLE) => match unusable_tags(store, tenant, &next.fields.tag_ids).await {
            Ok(unusable) => {
                let tags = next.fields.tag_ids.iter().enumerate();
                Unusable::Tags(tags.filter(|(_, t)| unusable.contains(t)).map(|(i, _)| i).collect()).into()
            }
            Err(e) => e,
        },
        e if media::no_longer_ready(&e) => Unusable::Asset(next.kind, AssetProblem::Gone).into(),
        e => e.into(),
    }
}

pub async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Content>, ContentError> {
    Ok(store.get(&content_key(tenant, id)).await?)
}

// --- deleting content ------------------------------------------------------------------------------

/// A deletion that has removed the content item and still clears what hung off it (its versions and their
/// snapshots, its collection entries). A retried DELETE finds it and finishes the job.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deletion {
    pub content_id: Uuid,
    /// The version the content item had when it was deleted (what If-Match of a retry names).
    pub version: u64,
    pub deleted_by_id: Uuid,
    pub deleted_at: chrono::DateTime<chrono::Utc>,
}

/// Removes a content item at the version read, atomically with its tag copies, its media usage (so the
/// asset may be deleted) and the record of the deletion. Nothing can be added to it afterwards: every
/// change and every new collection entry is conditioned on the item.
pub async fn delete(
    store: &Store,
    tenant: &TenantId,
    current: &Content,
    record: &Deletion,
) -> Result<(), ContentError> {
    let mut tx = Tx::new().with(Write::delete(content_key(tenant, current.id)).if_version(current.version)).with(
        Write::create(Put::new(&deletion_key(tenant, current.id), "ContentDeletion", record)?, "content deletion"),
    );
    for tag in &current.fields.tag_ids {
        tx.push(Write::delete(tagged_key(tenant, *tag, current)));
    }
    for write in media::repoint(tenant, current.id, current.fields.body.media_asset(), None)? {
        tx.push(write);
    }
    Ok(store.transact(tx).await?)
}

pub(crate) async fn deletion(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Deletion>, ContentError> {
    Ok(store.get(&deletion_key(tenant, id)).await?)
}

/// The end of a deletion: everything is cleared.
pub(crate) async fn forget_deletion(store: &Store, tenant: &TenantId, id: Uuid) -> Result<(), ContentError> {
    Ok(store.write(Write::delete(deletion_key(tenant, id))).await?)
}

/// The collections `content` is in (consistent: an entry added just before the content went is seen).
pub(crate) async fn collections_of(store: &Store, tenant: &TenantId, content: Uuid) -> Result<Vec<Uuid>, ContentError> {
    let found: Vec<Membership> = store.all(&Query::partition(memberships(tenant, content)).consistent()).await?;
    Ok(found.into_iter().map(|m| m.collection_id).collect())
}

/// Drops the membership of `content` in `collection` (after the entry left, or the collection went).
pub(crate) async fn forget_membership(
    store: &Store,
    tenant: &TenantId,
    content: Uuid,
    collection: Uuid,
) -> Result<(), ContentError> {
    Ok(store.write(Write::delete(membership_key(tenant, content, collection))).await?)
}

/// The oldest `limit` versions still stored for `id` (a step of clearing them).
pub(crate) async fn oldest_versions(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    limit: u32,
) -> Result<Vec<StoredVersion>, ContentError> {
    let query = Query::partition(versions(tenant, id)).consistent();
    Ok(store.page("internal", &query, limit, None).await?.items)
}

pub(crate) async fn delete_versions(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    gone: &[StoredVersion],
) -> Result<(), ContentError> {
    let keys: Vec<Key> = gone.iter().map(|v| version_key(tenant, id, v.version.version_number)).collect();
    Ok(store.batch_delete(&keys).await?)
}

/// The asset `id` of this tenant as content sees it (none if it does not exist here).
pub(crate) async fn asset(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<media::AssetRef>, ContentError> {
    Ok(store.get(&media::asset_key(tenant, id)).await?)
}

pub(crate) async fn list(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    filter: &Filter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<ContentSummary>, ContentError> {
    let kind = filter.kind.map(|k| k.as_str());
    let status = filter.status.map(|s| s.as_str());
    let query = match (filter.tag, status, kind) {
        (Some(tag), status, kind) => {
            let q = Query { sort_prefix: kind.map(|k| format!("{k}#")), ..Query::partition(tagged(tenant, tag)) };
            match status {
                Some(s) => q.filter_eq("status", s),
                None => q,
            }
        }
        (None, Some(s), kind) => Query {
            sort_prefix: kind.map(|k| format!("{k}#")),
            ..Query::partition(status_partition(tenant, s)).on(Index::Gsi1)
        },
        (None, None, Some(k)) => Query::partition(type_partition(tenant, k)).on(Index::Gsi2),
        (None, None, None) => Query::partition(contents(tenant)),
    };
    Ok(store.page(scope, &query, limit, cursor).await?)
}

/// One page of the tenant's template items titled `title`, from `start` (the last key of the page before):
/// the template type's query filtered on the title, so a page reads `limit` templates and may answer none.
/// Internal paging, so the raw last key instead of a cursor.
pub(crate) async fn templates_titled(
    store: &Store,
    tenant: &TenantId,
    title: &str,
    limit: u32,
    start: Option<Item>,
) -> Result<(Vec<Content>, Option<Item>), ContentError> {
    let query = Query::partition(type_partition(tenant, ContentType::Template.as_str()))
        .on(Index::Gsi2)
        .filter_eq("title", title);
    let (items, last) = store.items_page(&query, limit, start).await?;
    let items = items.into_iter().map(decode).collect::<Result<Vec<Content>, _>>()?;
    Ok((items, last))
}

pub(crate) async fn versions_page(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    id: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<StoredVersion>, ContentError> {
    Ok(store.page(scope, &Query::partition(versions(tenant, id)).newest_first(), limit, cursor).await?)
}

pub async fn version(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    n: u64,
) -> Result<Option<StoredVersion>, ContentError> {
    Ok(store.get(&version_key(tenant, id, n)).await?)
}

/// Version `n` of `id`, only while the content item exists (a deleted item's versions may not all be
/// cleared yet): one BatchGetItem of both keys.
pub(crate) async fn live_version(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    n: u64,
) -> Result<Option<StoredVersion>, ContentError> {
    let items = store.batch_get(&[content_key(tenant, id), version_key(tenant, id, n)]).await?;
    let entity =
        |item: &Item, wanted: &str| item.get("entity").and_then(|v| v.as_s().ok()).is_some_and(|e| e == wanted);
    if !items.iter().any(|i| entity(i, "Content")) {
        return Ok(None);
    }
    Ok(items.into_iter().find(|i| entity(i, "ContentVersion")).map(decode).transpose()?)
}

/// Which of `tags` do not exist here (or are being deleted): for naming them after a failed check.
async fn unusable_tags(store: &Store, tenant: &TenantId, tags: &[Uuid]) -> Result<Vec<Uuid>, ContentError> {
    let mut out = Vec::new();
    for tag in tags {
        let stored: Option<StoredTag> = store.get(&tag_key(tenant, *tag)).await?;
        if stored.is_none_or(|t| t.state != TAG_ACTIVE) {
            out.push(*tag);
        }
    }
    Ok(out)
}

// --- tags ------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredTag {
    #[serde(flatten)]
    tag: Tag,
    /// `deleting` while a delete checks that nothing uses the tag: content cannot take it on meanwhile.
    state: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameGuard {
    tag_id: Uuid,
}

fn tag_put(tenant: &TenantId, tag: &Tag, state: &str) -> Result<Put, StoreError> {
    let stored = StoredTag { tag: tag.clone(), state: state.to_owned() };
    Ok(Put::new(&tag_key(tenant, tag.id), "Tag", &stored)?.index(
        Index::Gsi1,
        tenant_partition(tenant, "TAGS#BYNAME"),
        format!("{}#{}", tag.fields.name.key(), tag.id),
    ))
}

fn name_guard(tenant: &TenantId, tag: &Tag) -> Result<Put, StoreError> {
    Put::new(&tag_name_guard(tenant, &tag.fields.name), "TagNameGuard", &NameGuard { tag_id: tag.id })
}

/// A taken name becomes [`Conflict::TagNameTaken`].
fn name_taken(err: StoreError) -> ContentError {
    match err {
        StoreError::Condition(TAG_NAME_TAKEN) => Conflict::TagNameTaken.into(),
        other => other.into(),
    }
}

pub(crate) async fn create_tag(store: &Store, tenant: &TenantId, tag: &Tag) -> Result<(), ContentError> {
    let tx = Tx::new()
        .with(Write::create(tag_put(tenant, tag, TAG_ACTIVE)?, "tag"))
        .with(Write::create(name_guard(tenant, tag)?, TAG_NAME_TAKEN));
    store.transact(tx).await.map_err(name_taken)
}

pub(crate) async fn get_tag(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Tag>, ContentError> {
    let stored: Option<StoredTag> = store.get(&tag_key(tenant, id)).await?;
    Ok(stored.map(|s| s.tag))
}

/// Renames or recolours a tag, moving its name guard when the name key changes.
pub(crate) async fn replace_tag(
    store: &Store,
    tenant: &TenantId,
    current: &Tag,
    next: &Tag,
) -> Result<(), ContentError> {
    let write = Write::replace(tag_put(tenant, next, TAG_ACTIVE)?, current.version);
    if current.fields.name.key() == next.fields.name.key() {
        return Ok(store.write(write).await?);
    }
    let owner = current.id.to_string();
    let tx = Tx::new()
        .with(write)
        .with(Write::delete(tag_name_guard(tenant, &current.fields.name)).if_equals("tagId", &owner, "tag name guard"))
        .with(Write::create(name_guard(tenant, next)?, TAG_NAME_TAKEN));
    store.transact(tx).await.map_err(name_taken)
}

pub(crate) async fn list_tags(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Tag>, ContentError> {
    let query = Query::partition(tenant_partition(tenant, "TAGS#BYNAME")).on(Index::Gsi1);
    Ok(store.page(scope, &query, limit, cursor).await?)
}

/// Deletes an unused tag. First marks it `deleting` (so no content can take it on), then looks for content
/// that has it: if any, the mark is lifted ([`Conflict::TagInUse`]); else the tag and its name guard go.
pub(crate) async fn delete_tag(store: &Store, tenant: &TenantId, current: &Tag) -> Result<(), ContentError> {
    let marked = Tag { version: current.version + 1, ..current.clone() };
    store.write(Write::replace(tag_put(tenant, &marked, TAG_DELETING)?, current.version)).await?;
    let used: Page<ContentSummary> =
        store.page("internal", &Query::partition(tagged(tenant, current.id)).consistent(), 1, None).await?;
    if !used.items.is_empty() {
        let back = Tag { version: marked.version + 1, ..current.clone() };
        store.write(Write::replace(tag_put(tenant, &back, TAG_ACTIVE)?, marked.version)).await?;
        return Err(Conflict::TagInUse.into());
    }
    let owner = current.id.to_string();
    let tx = Tx::new()
        .with(Write::delete(tag_key(tenant, current.id)).if_version(marked.version))
        .with(Write::delete(tag_name_guard(tenant, &current.fields.name)).if_equals("tagId", &owner, "tag name guard"));
    Ok(store.transact(tx).await?)
}

// --- collections -----------------------------------------------------------------------------------

pub(crate) async fn create_collection(store: &Store, tenant: &TenantId, c: &Collection) -> Result<(), ContentError> {
    Ok(store.write(Write::create(Put::new(&collection_key(tenant, c.id), "Collection", c)?, "collection")).await?)
}

pub(crate) async fn get_collection(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Option<Collection>, ContentError> {
    Ok(store.get(&collection_key(tenant, id)).await?)
}

/// Which content a collection write adds or removes, if any: its membership item changes with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryChange {
    None,
    /// This content, which must exist (here) for the write to happen.
    Added(Uuid),
    Removed(Uuid),
}

/// The inverted index of a collection entry: content → the collections it is in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Membership {
    content_id: Uuid,
    collection_id: Uuid,
}

/// Writes `next` over `current`, with the membership of the content it adds or removes (content that does
/// not exist here is [`ContentError::NoSuchContent`]).
pub(crate) async fn replace_collection(
    store: &Store,
    tenant: &TenantId,
    current: &Collection,
    next: &Collection,
    change: EntryChange,
) -> Result<(), ContentError> {
    let write = Write::replace(Put::new(&collection_key(tenant, next.id), "Collection", next)?, current.version);
    let tx = match change {
        EntryChange::None => return Ok(store.write(write).await?),
        EntryChange::Added(content) => {
            let membership = Membership { content_id: content, collection_id: next.id };
            Tx::new().with(write).with(Write::check(content_key(tenant, content), CONTENT_EXISTS)).with(Write::upsert(
                Put::new(&membership_key(tenant, content, next.id), "CollectionMembership", &membership)?,
            ))
        }
        EntryChange::Removed(content) => {
            Tx::new().with(write).with(Write::delete(membership_key(tenant, content, next.id)))
        }
    };
    store.transact(tx).await.map_err(|e| match e {
        StoreError::Condition(CONTENT_EXISTS) => ContentError::NoSuchContent,
        other => other.into(),
    })
}

/// Deletes a collection, then the memberships of its entries. Should the second step fail, what is left
/// is memberships naming a collection that is gone, which deleting that content clears.
pub(crate) async fn delete_collection(
    store: &Store,
    tenant: &TenantId,
    current: &Collection,
) -> Result<(), ContentError> {
    store.write(Write::delete(collection_key(tenant, current.id)).if_version(current.version)).await?;
    let keys: Vec<Key> = current.entries.iter().map(|e| membership_key(tenant, e.content_id, current.id)).collect();
    Ok(store.batch_delete(&keys).await?)
}

pub(crate) async fn list_collections(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Collection>, ContentError> {
    Ok(store.page(scope, &Query::partition(tenant_partition(tenant, "COLLECTIONS")), limit, cursor).await?)
}

/// The table at the top of this module, checked (the keys built here; the others follow the same helpers).
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let id = Uuid::from_u128(7);
        let k = content_key(&t, id);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#CONTENTS"), id.to_string()));
    }
}
