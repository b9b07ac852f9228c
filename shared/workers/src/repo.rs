//! Where workers live in the table.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | worker (core) | `T#<t>#WORKERS#<shard>` | `<id>` |
//! | sub-record | `T#<t>#WORKERS#<shard>` | `<id>#CONTACT` (`EMPLOYMENT`, `ENGAGEMENT`, `WELLBEING`, `GAMIFICATION`) |
//! | index entry | `T#<t>#WORKERS#BY#<field>#<value>` | `<name>#<id>` |
//! | phone guard | `T#<t>#WORKER-PHONES` | `<e164>` (owner: worker id) |
//! | external id guard | `T#<t>#WORKER-EXTERNAL-IDS` | `<externalId>` (owner: worker id) |
//! | user link guard | `T#<t>#WORKER-USERS` | `<userId>` (owner: worker id) |
//!
//! `<shard>` is the id's last hex digit ([`super::index::shard`]): a worker and its records share one
//! partition, so reading a worker is one Query (`begins_with(sk, <id>)`; ids are fixed-length), and a
//! tenant's workers are 16 partitions read in turn. A worker's entries and guards follow from its fields,
//! so every write knows which to add and which to remove, in the same transaction as the worker.

use super::error::{Unique, WorkerError};
use super::hierarchy::Link;
use super::index::{self, Entry, Plan, SHARDS};
use super::model::{ImportMark, Record, Stamps, Worker, WorkerFields};
use super::phone::Phone;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::{Item, Put, Query, Store, StoreError, Tx, Write};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

const ENTITY: &str = "Worker";
const ENTRY: &str = "WorkerIndexEntry";
const GUARD: &str = "WorkerGuard";
/// The labels of this module's write conditions; [`refusal`] reads them back.
const PHONE_TAKEN: &str = "primaryPhoneNumber";
const EXTERNAL_ID_TAKEN: &str = "externalId";
const USER_TAKEN: &str = "userId";
const SUPERVISOR_MOVED: &str = "supervisor chain";
const EXISTS: &str = "worker";

pub fn shard_partition(tenant: &TenantId, shard: u32) -> String {
    tenant_partition(tenant, &format!("WORKERS#{shard:x}"))
}

pub fn core_key(tenant: &TenantId, id: Uuid) -> Key {
    Key { pk: shard_partition(tenant, index::shard(id)), sk: id.to_string() }
}

fn record_key(tenant: &TenantId, id: Uuid, record: Record) -> Key {
    Key { pk: shard_partition(tenant, index::shard(id)), sk: format!("{id}#{}", record.name()) }
}

fn entry_partition(tenant: &TenantId, field: &str, value: &str) -> String {
    tenant_partition(tenant, &format!("WORKERS#BY#{field}#{value}"))
}

fn entry_key(tenant: &TenantId, id: Uuid, entry: &Entry) -> Key {
    Key { pk: entry_partition(tenant, entry.field, &entry.value), sk: format!("{}#{id}", entry.sort) }
}

pub(crate) fn phone_guard(tenant: &TenantId, phone: &Phone) -> Key {
    Key::tenant(tenant, "WORKER-PHONES", phone.as_str())
}

pub(crate) fn external_guard(tenant: &TenantId, external_id: &str) -> Key {
    Key::tenant(tenant, "WORKER-EXTERNAL-IDS", external_id)
}

pub(crate) fn user_guard(tenant: &TenantId, user: Uuid) -> Key {
    Key::tenant(tenant, "WORKER-USERS", user.to_string())
}

fn encode_err(e: serde_json::Error) -> StoreError {
    StoreError::Decode(e.to_string())
}

/// The core item: the worker's own fields (its records are items of their own) and its version.
fn core_put(tenant: &TenantId, w: &Worker) -> Result<Put, StoreError> {
    let mut doc = match serde_json::to_value(&w.fields).map_err(encode_err)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for record in Record::ALL {
        doc.remove(&field_name(record));
    }
    doc.insert("id".into(), Value::String(w.id.to_string()));
    doc.insert("version".into(), Value::from(w.version));
    doc.insert("createdAt".into(), serde_json::to_value(w.created_at).map_err(encode_err)?);
    doc.insert("updatedAt".into(), serde_json::to_value(w.updated_at).map_err(encode_err)?);
    if let Some(mark) = &w.last_import {
        doc.insert("lastImport".into(), serde_json::to_value(mark).map_err(encode_err)?);
    }
    Put::new(&core_key(tenant, w.id), ENTITY, &doc)
}

fn field_name(record: Record) -> String {
    record.name().to_lowercase()
}

fn record_put(tenant: &TenantId, w: &Worker, record: Record, data: Value) -> Result<Put, StoreError> {
    let mut doc = match data {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let stamps =
        w.stamps.get(&record).copied().unwrap_or(Stamps { created_at: w.updated_at, updated_at: w.updated_at });
    doc.insert("workerId".into(), Value::String(w.id.to_string()));
    doc.insert("createdAt".into(), serde_json::to_value(stamps.created_at).map_err(encode_err)?);
    doc.insert("updatedAt".into(), serde_json::to_value(stamps.updated_at).map_err(encode_err)?);
    Put::new(&record_key(tenant, w.id, record), record.entity(), &doc)
}

fn entry_put(tenant: &TenantId, id: Uuid, entry: &Entry, copies: &index::Copies) -> Result<Put, StoreError> {
    Put::new(&entry_key(tenant, id, entry), ENTRY, copies)
}

#[derive(serde::Serialize)]
struct Guard<'a> {
    owner: &'a str,
}

fn guard_put(key: &Key, owner: &str) -> Result<Put, StoreError> {
    Put::new(key, GUARD, &Guard { owner })
}

fn phone(f: &WorkerFields) -> Option<&Phone> {
    f.contact.as_ref().map(|c| &c.primary_phone_number)
}

/// The writes that take a worker from `prev` (none: a new worker) to `next`, all in one transaction: the
/// core item under its version condition, the records that changed, the index entries that moved, and the
/// uniqueness guards. `checks` are added as they are (a supervisor chain that must not move meanwhile).
pub(crate) fn save(
    tenant: &TenantId,
    prev: Option<&Worker>,
    next: &Worker,
    checks: Vec<Write>,
) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    // Listeners re-evaluate the worker even when the message after this write is lost.
    tx.push(Write::upsert(super::marker::put(tenant, next.id, next.updated_at)?));
    let core = core_put(tenant, next)?;
    tx.push(match prev {
        None => Write::create(core, EXISTS),
        Some(p) => Write::replace(core, p.version),
    });
    for record in Record::ALL {
        let before = prev.and_then(|p| record.data(&p.fields));
        match record.data(&next.fields) {
            Some(data) if before.as_ref() != Some(&data) => {
                tx.push(Write::upsert(record_put(tenant, next, record, data)?));
            }
            Some(_) => {}
            None if before.is_some() => tx.push(Write::delete(record_key(tenant, next.id, record))),
            None => {}
        }
    }
    let old_entries = prev.map(|p| index::entries(&p.fields)).unwrap_or_default();
    let old_copies = prev.map(|p| index::copies(p.id, &p.fields));
    let new_entries = index::entries(&next.fields);
    let new_copies = index::copies(next.id, &next.fields);
    for e in &old_entries {
        if !new_entries.contains(e) {
            tx.push(Write::delete(entry_key(tenant, next.id, e)));
        }
    }
    for e in &new_entries {
        if !old_entries.contains(e) || old_copies.as_ref() != Some(&new_copies) {
            tx.push(Write::upsert(entry_put(tenant, next.id, e, &new_copies)?));
        }
    }
    let owner = next.id.to_string();
    let old_phone = prev.and_then(|p| phone(&p.fields));
    let new_phone = phone(&next.fields);
    if old_phone != new_phone {
        if let Some(p) = new_phone {
            tx.push(Write::claim(guard_put(&phone_guard(tenant, p), &owner)?, &owner, PHONE_TAKEN));
        }
        if let Some(p) = old_phone {
            tx.push(Write::delete(phone_guard(tenant, p)).if_equals("owner", &owner, "phone guard owner"));
        }
    }
    let old_ext = prev.and_then(|p| p.fields.external_id.as_deref());
    let new_ext = next.fields.external_id.as_deref();
    if old_ext != new_ext {
        if let Some(x) = new_ext {
            tx.push(Write::claim(guard_put(&external_guard(tenant, x), &owner)?, &owner, EXTERNAL_ID_TAKEN));
        }
        if let Some(x) = old_ext {
            tx.push(Write::delete(external_guard(tenant, x)).if_equals("owner", &owner, "external id guard owner"));
        }
    }
    let old_user = prev.and_then(|p| p.fields.user_id);
    let new_user = next.fields.user_id;
    if old_user != new_user {
        if let Some(u) = new_user {
            tx.push(Write::claim(guard_put(&user_guard(tenant, u), &owner)?, &owner, USER_TAKEN));
        }
        if let Some(u) = old_user {
            tx.push(Write::delete(user_guard(tenant, u)).if_equals("owner", &owner, "user guard owner"));
        }
    }
    for check in checks {
        tx.push(check);
    }
    Ok(tx)
}

/// A worker's own items (core and records) as plain puts, without index entries or guards: for loading
/// fixtures in bulk where nothing else reads the indexes (the sync benchmark).
pub fn partition_puts(tenant: &TenantId, w: &Worker) -> Result<Vec<Put>, StoreError> {
    let mut out = vec![core_put(tenant, w)?];
    for record in Record::ALL {
        if let Some(data) = record.data(&w.fields) {
            out.push(record_put(tenant, w, record, data)?);
        }
    }
    Ok(out)
}

/// Every item of a worker, for deleting it: the core item under its version, records, entries, guards;
/// and its change marker, which stays until its segment memberships are cleared.
pub(crate) fn remove(tenant: &TenantId, w: &Worker, at: DateTime<Utc>) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    tx.push(Write::delete(core_key(tenant, w.id)).if_version(w.version));
    tx.push(Write::upsert(super::marker::put(tenant, w.id, at)?));
    for record in Record::ALL {
        if record.data(&w.fields).is_some() {
            tx.push(Write::delete(record_key(tenant, w.id, record)));
        }
    }
    for e in index::entries(&w.fields) {
        tx.push(Write::delete(entry_key(tenant, w.id, &e)));
    }
    let owner = w.id.to_string();
    if let Some(p) = phone(&w.fields) {
        tx.push(Write::delete(phone_guard(tenant, p)).if_equals("owner", &owner, "phone guard owner"));
    }
    if let Some(x) = &w.fields.external_id {
        tx.push(Write::delete(external_guard(tenant, x)).if_equals("owner", &owner, "external id guard owner"));
    }
    if let Some(u) = w.fields.user_id {
        tx.push(Write::delete(user_guard(tenant, u)).if_equals("owner", &owner, "user guard owner"));
    }
    Ok(tx)
}

/// The condition that keeps a link of a supervisor chain as it was read until the write it goes with.
pub(crate) fn unmoved(tenant: &TenantId, link: &Link) -> Write {
    Write::check_version(core_key(tenant, link.id), link.version, SUPERVISOR_MOVED)
}

/// Why a write of [`save`] or [`remove`] was refused, in the domain's terms: a taken phone number, external
/// id or user, a supervisor chain that moved, a version that moved. Anything else stays the store's.
pub(crate) fn refusal(err: StoreError) -> WorkerError {
    match err {
        e if e.is_version_conflict() => WorkerError::VersionMoved,
        StoreError::Condition(PHONE_TAKEN) => WorkerError::Taken(Unique::PrimaryPhoneNumber),
        StoreError::Condition(EXTERNAL_ID_TAKEN) => WorkerError::Taken(Unique::ExternalId),
        StoreError::Condition(USER_TAKEN) => WorkerError::Taken(Unique::UserId),
        StoreError::Condition(SUPERVISOR_MOVED) => WorkerError::ChainMoved,
        other => WorkerError::Store(other),
    }
}

/// A sub-record's stored document.
type RecordDoc = (Record, Map<String, Value>);

/// Builds workers from the items of their partitions (core items and records, in any order).
fn assemble(items: Vec<Item>) -> Result<Vec<Worker>, StoreError> {
    let mut cores: BTreeMap<Uuid, Map<String, Value>> = BTreeMap::new();
    let mut records: HashMap<Uuid, Vec<RecordDoc>> = HashMap::new();
    for item in items {
        let value: Value = nudge_core::store::decode(item)?;
        let Value::Object(mut doc) = value else { continue };
        let entity = doc.get("entity").and_then(Value::as_str).unwrap_or_default().to_owned();
        if entity == ENTITY {
            let id = doc.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
            if let Some(id) = id {
                cores.insert(id, doc);
            }
        } else if let Some(record) = Record::from_entity(&entity) {
            let id = doc.get("workerId").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
            if let Some(id) = id {
                for key in ["pk", "sk", "entity", "workerId"] {
                    doc.remove(key);
                }
                records.entry(id).or_default().push((record, doc));
            }
        }
    }
    cores.into_iter().map(|(id, core)| build(id, core, records.remove(&id).unwrap_or_default())).collect()
}

fn build(
    id: Uuid,
    mut core: Map<String, Value>,
    records: Vec<(Record, Map<String, Value>)>,
) -> Result<Worker, StoreError> {
    let take_time = |doc: &mut Map<String, Value>, name: &str| -> Result<DateTime<Utc>, StoreError> {
        serde_json::from_value(doc.remove(name).unwrap_or(Value::Null)).map_err(encode_err)
    };
    let version = core.remove("version").and_then(|v| v.as_u64()).unwrap_or(0);
    let created_at = take_time(&mut core, "createdAt")?;
    let updated_at = take_time(&mut core, "updatedAt")?;
    let last_import: Option<ImportMark> = match core.remove("lastImport") {
        Some(v) => serde_json::from_value(v).ok(),
        None => None,
    };
    for key in ["pk", "sk", "entity", "id"] {
        core.remove(key);
    }
    let mut stamps = BTreeMap::new();
    for (record, mut doc) in records {
        let s = Stamps { created_at: take_time(&mut doc, "createdAt")?, updated_at: take_time(&mut doc, "updatedAt")? };
        stamps.insert(record, s);
        core.insert(field_name(record), Value::Object(doc));
    }
    let fields: WorkerFields = serde_json::from_value(Value::Object(core)).map_err(encode_err)?;
    Ok(Worker { id, fields, version, created_at, updated_at, stamps, last_import })
}

fn worker_query(tenant: &TenantId, id: Uuid) -> Query {
    Query { sort_prefix: Some(id.to_string()), ..Query::partition(shard_partition(tenant, index::shard(id))) }
}

/// One worker with its records: one Query of its partition.
pub async fn get(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Worker>, StoreError> {
    let items: Vec<Item> = store.all_items(&worker_query(tenant, id)).await?;
    Ok(assemble(items)?.into_iter().next())
}

/// Several workers by id (BatchGetItem of their cores and records), in the order asked; missing ones skipped.
pub async fn get_many(store: &Store, tenant: &TenantId, ids: &[Uuid]) -> Result<Vec<Worker>, StoreError> {
    let keys: Vec<Key> = ids
        .iter()
        .flat_map(|id| {
            std::iter::once(core_key(tenant, *id)).chain(Record::ALL.into_iter().map(|r| record_key(tenant, *id, r)))
        })
        .collect();
    let mut by_id: HashMap<Uuid, Worker> =
        assemble(store.batch_get(&keys).await?)?.into_iter().map(|w| (w.id, w)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Which of `ids` are workers of the tenant (one BatchGetItem of their core items).
pub async fn existing(
    store: &Store,
    tenant: &TenantId,
    ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    let keys: Vec<Key> = ids.iter().map(|id| core_key(tenant, *id)).collect();
    let found: std::collections::HashSet<String> = store
        .batch_get(&keys)
        .await?
        .iter()
        .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
        .collect();
    Ok(ids.iter().copied().filter(|id| found.contains(&id.to_string())).collect())
}

/// The owner of a guard (a phone number, an external id or a user), if taken.
pub(crate) async fn guard_owner(store: &Store, key: &Key) -> Result<Option<Uuid>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Owned {
        owner: String,
    }
    let owned: Option<Owned> = store.get(key).await?;
    Ok(owned.and_then(|o| Uuid::parse_str(&o.owner).ok()))
}

/// The worker linked to `user` (its `userId`), if one is: one read of the link's guard, which the worker's
/// own writes keep in step with it.
pub async fn worker_of_user(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Option<Uuid>, StoreError> {
    guard_owner(store, &user_guard(tenant, user)).await
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryRef {
    worker_id: Uuid,
}

/// The index query that serves `plan`: its partition, name prefix, and the other filters on the copies.
fn plan_query(tenant: &TenantId, plan: &Plan) -> Query {
    let mut query = Query {
        sort_prefix: plan.sort_prefix.clone(),
        ..Query::partition(entry_partition(tenant, plan.field, &plan.value))
    };
    for (name, value) in &plan.equal {
        query = query.filter_eq(*name, value.clone());
    }
    if let Some(tag) = &plan.tag {
        query = query.filter_contains("tags", tag.clone());
    }
    query
}

/// One page of workers matching `plan`, in name order, from `start` (the previous page's last key), for a
/// reader that goes through all of them (an export): each worker once, even one a name search finds twice.
pub(crate) async fn index_page(
    store: &Store,
    tenant: &TenantId,
    plan: &Plan,
    start: Option<Item>,
    limit: u32,
) -> Result<(Vec<Worker>, Option<Item>), StoreError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        sk: String,
        worker_id: Uuid,
    }
    let (items, last) = store.items_page(&plan_query(tenant, plan), limit, start).await?;
    let entries: Vec<Entry> = items.into_iter().map(nudge_core::store::decode).collect::<Result<_, _>>()?;
    let mut ids: Vec<Uuid> = Vec::with_capacity(entries.len());
    for e in &entries {
        if !ids.contains(&e.worker_id) {
            ids.push(e.worker_id);
        }
    }
    let mut workers = get_many(store, tenant, &ids).await?;
    if let Some(prefix) = plan.sort_prefix.as_deref().filter(|_| plan.field == "name") {
        // The entry's sort key is `<sort>#<id>`: keep a worker at its first matching entry only.
        let sorts: Vec<(Uuid, &str)> =
            entries.iter().filter_map(|e| e.sk.rsplit_once('#').map(|(sort, _)| (e.worker_id, sort))).collect();
        workers
            .retain(|w| sorts.iter().any(|(id, sort)| *id == w.id && index::first_name_match(&w.fields, prefix, sort)));
    }
    Ok((workers, last))
}

/// One page of workers matching `plan`, in name order. Filters other than the partition's narrow the
/// entries read, so a page may hold fewer than `limit` workers while `nextCursor` says there are more.
pub(crate) async fn list(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    plan: &Plan,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Worker>, StoreError> {
    let page: Page<EntryRef> = store.page(scope, &plan_query(tenant, plan), limit, cursor).await?;
    let mut ids: Vec<Uuid> = Vec::with_capacity(page.items.len());
    for e in page.items {
        // A name search finds a worker by first and by last name: list it once per page.
        if !ids.contains(&e.worker_id) {
            ids.push(e.worker_id);
        }
    }
    let items = get_many(store, tenant, &ids).await?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// A part of the organization workers belong to, by their employment record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit<'a> {
    Team(&'a str),
    Department(&'a str),
}

/// The ids of every worker in `unit` (matched like the list filter: any case, spaces folded), from its
/// index partition: a team's leaderboard reads its members' figures by key rather than every worker.
pub async fn members_of(store: &Store, tenant: &TenantId, unit: Unit<'_>) -> Result<Vec<Uuid>, StoreError> {
    let (field, value) = match unit {
        Unit::Team(v) => ("team", v),
        Unit::Department(v) => ("department", v),
    };
    let query = Query::partition(entry_partition(tenant, field, &index::fold(value))).consistent();
    let entries: Vec<EntryRef> = store.all(&query).await?;
    Ok(entries.into_iter().map(|e| e.worker_id).collect())
}

/// Every worker of one shard, page by page: for reading a whole tenant (exports, segment sync).
pub async fn shard_page(
    store: &Store,
    tenant: &TenantId,
    shard: u32,
    start: Option<Item>,
    limit: u32,
) -> Result<(Vec<Worker>, Option<Item>), StoreError> {
    // Strongly consistent: a sync decides memberships from it.
    let query = Query::partition(shard_partition(tenant, shard)).consistent();
    let (mut items, last) = store.items_page(&query, limit.max(16), start).await?;
    let Some(last) = last else { return Ok((assemble(items)?, None)) };
    // The page may end inside a worker's items: leave that worker whole for the next page, resuming
    // after the last item of the worker before it.
    let id_of =
        |item: &Item| item.get("sk").and_then(|v| v.as_s().ok()).map(|s| s.chars().take(36).collect::<String>());
    let tail = items.last().and_then(id_of);
    let keep = items.iter().rposition(|i| id_of(i) != tail).map(|p| p + 1).unwrap_or(0);
    if keep == 0 {
        // One worker filled the page (a tiny limit): take it whole rather than loop.
        return Ok((assemble(items)?, Some(last)));
    }
    items.truncate(keep);
    let resume = items.last().map(|i| {
        i.iter().filter(|(k, _)| *k == "pk" || *k == "sk").map(|(k, v)| (k.clone(), v.clone())).collect::<Item>()
    });
    Ok((assemble(items)?, resume))
}

pub fn shards() -> std::ops::Range<u32> {
    0..SHARDS
}

/// The table at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let id = Uuid::parse_str("01a228c0-9996-7567-b935-a88edab1da1c").unwrap();
        let core = core_key(&t, id);
        assert_eq!((core.pk, core.sk), (format!("T#{t}#WORKERS#c"), id.to_string()));
        let record = record_key(&t, id, Record::Employment);
        assert_eq!((record.pk, record.sk), (format!("T#{t}#WORKERS#c"), format!("{id}#EMPLOYMENT")));
        let entry = Entry { field: "department", value: "sales".into(), sort: "novak ana".into() };
        let e = entry_key(&t, id, &entry);
        assert_eq!((e.pk, e.sk), (format!("T#{t}#WORKERS#BY#department#sales"), format!("novak ana#{id}")));
        let number = crate::phone::normalize("+38640123456").unwrap_or_else(|e| panic!("{e}"));
        let p = phone_guard(&t, &number);
        assert_eq!((p.pk, p.sk.as_str()), (format!("T#{t}#WORKER-PHONES"), "+38640123456"));
        let x = external_guard(&t, "E-1");
        assert_eq!((x.pk, x.sk.as_str()), (format!("T#{t}#WORKER-EXTERNAL-IDS"), "E-1"));
        let u = user_guard(&t, id);
        assert_eq!((u.pk, u.sk), (format!("T#{t}#WORKER-USERS"), id.to_string()));
    }
}
