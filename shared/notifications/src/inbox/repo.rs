//! Where inboxes live in the table. One partition per (tenant, user) holds that user's notifications and
//! their unread counter; a GSI orders them for the list.
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | notification | `T#<t>#INBOX#<user>` | `<id>` | `T#<t>#INBOX#<user>` / `<S>#<id>` | `T#<t>#INBOX#<user>#TYPE#<TYPE>` / `<S>#<id>` |
//! | unread counter | `T#<t>#INBOX#<user>` | `#UNREAD` | – | – |
//!
//! `<S>` is the state: `U` unread, `R` read, `A` archived. Ids are UUIDv7s, so id order is time order, and
//! read newest first (descending) an index partition meets every unread notification, newest first, then
//! every read one, then every archived one.
//!
//! | access pattern | operation | key condition | index |
//! |---|---|---|---|
//! | by id | GetItem | `pk = T#<t>#INBOX#<user>`, `sk = <id>` | table |
//! | unread count | GetItem | `pk = T#<t>#INBOX#<user>`, `sk = #UNREAD` | table |
//! | inbox (unread first, not archived) | Query, descending | `gsi1pk = T#<t>#INBOX#<user>`, `gsi1sk BETWEEN "R#" AND "U#~"` | gsi1 |
//! | unread / read / archived | Query, descending | `gsi1pk = …`, `begins_with(gsi1sk, "U#" / "R#" / "A#")` | gsi1 |
//! | everything | Query, descending | `gsi1pk = …` | gsi1 |
//! | the same, of one type | the same | `gsi2pk = T#<t>#INBOX#<user>#TYPE#<TYPE>`, … | gsi2 |
//!
//! Every filter is a key condition, so a page is always full. The state lives in the notification's own
//! index keys, so a change of state and its index entry are one write; the counter changes in the same
//! transaction, and that write is conditioned on the version read, so a mark repeated or raced moves the
//! count once. Index reads are eventually consistent: a list right after a mark may briefly show the old
//! state; by id and the count are strongly consistent.

use crate::inbox::model::{InAppNotification, Mark, NotificationType, State, unread_delta};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::store::optimistic::retry;
use nudge_core::store::{Attempt, Changes, Index, Put, Query, Store, StoreError, Tx, Write, decode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const ENTITY: &str = "InAppNotification";
const COUNTER_SK: &str = "#UNREAD";
/// The condition label of a delivery whose id is stored already.
const DELIVERED: &str = "notification delivered";
/// Notifications changed per transaction by read-all: with the counter, DynamoDB's limit of 100 writes.
const PER_TX: usize = 99;

/// The list filter: a state (none: the inbox, everything not archived) and a type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) status: Option<InboxStatus>,
    pub(crate) kind: Option<NotificationType>,
}

/// `?status=`: the notifications in one state, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InboxStatus {
    Unread,
    /// Read and not archived.
    Read,
    Archived,
    All,
}

impl InboxStatus {
    pub(crate) const ALL: [Self; 4] = [Self::Unread, Self::Read, Self::Archived, Self::All];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Unread => "unread",
            Self::Read => "read",
            Self::Archived => "archived",
            Self::All => "all",
        }
    }
}

/// The exact unread count, kept beside the notifications.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Counter {
    unread: i64,
}

fn partition(tenant: &TenantId, user: Uuid) -> String {
    tenant_partition(tenant, &format!("INBOX#{user}"))
}

fn type_partition(tenant: &TenantId, user: Uuid, kind: NotificationType) -> String {
    tenant_partition(tenant, &format!("INBOX#{user}#TYPE#{}", kind.as_str()))
}

fn key(tenant: &TenantId, user: Uuid, id: Uuid) -> Key {
    Key::tenant(tenant, &format!("INBOX#{user}"), id.to_string())
}

fn counter_key(tenant: &TenantId, user: Uuid) -> Key {
    Key::tenant(tenant, &format!("INBOX#{user}"), COUNTER_SK)
}

fn index_sort(state: State, id: Uuid) -> String {
    format!("{}#{id}", state.letter())
}

fn put(tenant: &TenantId, item: &InAppNotification) -> Result<Put, StoreError> {
    let (user, sort) = (item.user_id, index_sort(item.state(), item.id));
    Ok(Put::new(&key(tenant, user, item.id), ENTITY, item)?
        .index(Index::Gsi1, partition(tenant, user), sort.clone())
        .index(Index::Gsi2, type_partition(tenant, user, item.kind), sort))
}

/// Moves the unread count by `delta` (`ADD`, so the inbox's first notification creates the counter).
fn count(tenant: &TenantId, user: Uuid, delta: i64) -> Write {
    Write::upsert_changes(counter_key(tenant, user), Changes::new().add("unread", delta))
}

/// What a failed write means for another attempt: a raced transaction or a moved version is read again;
/// anything else is the caller's.
fn settle<T>(err: StoreError) -> Result<Attempt<T>, StoreError> {
    match err {
        StoreError::TransactionConflict => Ok(Attempt::Retry),
        e if e.is_version_conflict() => Ok(Attempt::Retry),
        e => Err(e),
    }
}

/// Writes a new notification and counts it, in one transaction; `false` when its id is stored already (a
/// redelivery), which writes and counts nothing.
pub(crate) async fn create(store: &Store, tenant: &TenantId, item: &InAppNotification) -> Result<bool, StoreError> {
    let user = item.user_id;
    retry(|| async {
        let tx = Tx::new().with(Write::create(put(tenant, item)?, DELIVERED)).with(count(tenant, user, 1));
        match store.transact(tx).await {
            Ok(()) => Ok(Attempt::Done(true)),
            Err(StoreError::Condition(DELIVERED)) => Ok(Attempt::Done(false)),
            Err(e) => settle(e),
        }
    })
    .await
}

pub(crate) async fn get(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    id: Uuid,
) -> Result<Option<InAppNotification>, StoreError> {
    store.get(&key(tenant, user, id)).await
}

/// Applies `mark` to the user's notification `id`: the version read is the write's condition and the count
/// moves in the same transaction, re-read on a lost race. `None` when the user has no such notification.
pub(crate) async fn mark(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    id: Uuid,
    mark: Mark,
    now: DateTime<Utc>,
) -> Result<Option<InAppNotification>, StoreError> {
    retry(|| async {
        let Some(current) = get(store, tenant, user, id).await? else { return Ok(Attempt::Done(None)) };
        let Some(next) = current.marked(mark, now) else { return Ok(Attempt::Done(Some(current))) };
        let mut tx = Tx::new().with(Write::replace(put(tenant, &next)?, current.version));
        let delta = unread_delta(&current, &next);
        if delta != 0 {
            tx.push(count(tenant, user, delta));
        }
        match store.transact(tx).await {
            Ok(()) => Ok(Attempt::Done(Some(next))),
            Err(e) => settle(e),
        }
    })
    .await
}

/// The exact number of unread notifications: one read.
pub(crate) async fn unread(store: &Store, tenant: &TenantId, user: Uuid) -> Result<u64, StoreError> {
    let counter: Option<Counter> = store.get(&counter_key(tenant, user)).await?;
    Ok(counter.map_or(0, |c| u64::try_from(c.unread).unwrap_or(0)))
}

/// The query behind a list (see the table at the top).
pub(crate) fn list_query(tenant: &TenantId, user: Uuid, filter: &Filter) -> Query {
    let query = match filter.kind {
        Some(kind) => Query::partition(type_partition(tenant, user, kind)).on(Index::Gsi2),
        None => Query::partition(partition(tenant, user)).on(Index::Gsi1),
    }
    .newest_first();
    let prefix = |state: State| Query { sort_prefix: Some(format!("{}#", state.letter())), ..query.clone() };
    match filter.status {
        // `~` sorts after every character of an id.
        None => query.clone().between(format!("{}#", State::Read.letter()), format!("{}#~", State::Unread.letter())),
        Some(InboxStatus::Unread) => prefix(State::Unread),
        Some(InboxStatus::Read) => prefix(State::Read),
        Some(InboxStatus::Archived) => prefix(State::Archived),
        Some(InboxStatus::All) => query,
    }
}

/// One page of the user's inbox; `scope` binds the cursor to the caller, and the query to the user.
pub(crate) async fn list(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    user: Uuid,
    filter: &Filter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<InAppNotification>, StoreError> {
    store.page(scope, &list_query(tenant, user, filter), limit, cursor).await
}

/// Reads up to `max` unread notifications, newest first: what one read-all call may change. Returns how
/// many it read and whether any unread remain after it.
pub(crate) async fn read_all(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    max: u32,
    now: DateTime<Utc>,
) -> Result<(u64, bool), StoreError> {
    let candidates = list_query(tenant, user, &Filter { status: Some(InboxStatus::Unread), kind: None });
    let (found, _) = store.items_page(&candidates, max, None).await?;
    // The index may lag: its ids are candidates, each chunk reads its items again before it writes.
    let ids = found
        .into_iter()
        .map(decode::<InAppNotification>)
        .map(|n| n.map(|n| n.id))
        .collect::<Result<Vec<Uuid>, _>>()?;
    let mut updated = 0;
    for chunk in ids.chunks(PER_TX) {
        updated += read_chunk(store, tenant, user, chunk, now).await?;
    }
    Ok((updated, unread(store, tenant, user).await? > 0))
}

/// Reads the unread ones among `ids` in one transaction (each on its version read, the count by as many),
/// read again on a lost race. Returns how many it read.
async fn read_chunk(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let keys: Vec<Key> = ids.iter().map(|id| key(tenant, user, *id)).collect();
    retry(|| async {
        let mut tx = Tx::new();
        for item in store.batch_get(&keys).await? {
            let current: InAppNotification = decode(item)?;
            if let Some(next) = current.marked(Mark::Read, now) {
                tx.push(Write::replace(put(tenant, &next)?, current.version));
            }
        }
        let read = tx.len();
        if read == 0 {
            return Ok(Attempt::Done(0));
        }
        tx.push(count(tenant, user, -i64::try_from(read).unwrap_or(i64::MAX)));
        match store.transact(tx).await {
            Ok(()) => Ok(Attempt::Done(read as u64)),
            Err(e) => settle(e),
        }
    })
    .await
}

/// The tables at the top of this module, checked.
#[cfg(test)]
mod layout {
    use super::*;
    use crate::inbox::model::{NewInApp, NotificationPriority};

    fn text(put: &Put, name: &str) -> Option<String> {
        put.attribute(name).and_then(|v| v.as_s().ok()).cloned()
    }

    fn item(kind: NotificationType) -> InAppNotification {
        let new = NewInApp {
            id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            kind,
            title: "t".into(),
            message: "m".into(),
            link: None,
            priority: NotificationPriority::Normal,
            request_id: None,
        };
        InAppNotification::new(&nudge_core::testing::tenant(0xA), Uuid::from_u128(0xB), new, Utc::now())
    }

    #[test]
    fn keys_are_as_documented() {
        let (t, user) = (nudge_core::testing::tenant(0xA), Uuid::from_u128(0xB));
        let n = item(NotificationType::QuizResult);
        let id = n.id;
        let inbox = format!("T#{t}#INBOX#{user}");
        let p = put(&t, &n).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text(&p, "pk"), Some(inbox.clone()));
        assert_eq!(text(&p, "sk"), Some(id.to_string()));
        assert_eq!(text(&p, "entity").as_deref(), Some(ENTITY));
        assert_eq!(text(&p, "gsi1pk"), Some(inbox.clone()));
        assert_eq!(text(&p, "gsi1sk"), Some(format!("U#{id}")));
        assert_eq!(text(&p, "gsi2pk"), Some(format!("{inbox}#TYPE#QUIZ_RESULT")));
        assert_eq!(text(&p, "gsi2sk"), Some(format!("U#{id}")));
        let counter = counter_key(&t, user);
        assert_eq!((counter.pk, counter.sk.as_str()), (inbox, "#UNREAD"));

        let now = Utc::now();
        let read = n.marked(Mark::Read, now).unwrap_or_else(|| panic!("read"));
        let archived = n.marked(Mark::Archive, now).unwrap_or_else(|| panic!("archive"));
        assert_eq!(text(&put(&t, &read).unwrap_or_else(|e| panic!("{e}")), "gsi1sk"), Some(format!("R#{id}")));
        assert_eq!(text(&put(&t, &archived).unwrap_or_else(|e| panic!("{e}")), "gsi2sk"), Some(format!("A#{id}")));
    }

    #[test]
    fn each_list_is_one_key_condition_read_newest_first() {
        let (t, user) = (nudge_core::testing::tenant(0xA), Uuid::from_u128(0xB));
        let inbox = format!("T#{t}#INBOX#{user}");
        let q = |status, kind| list_query(&t, user, &Filter { status, kind });

        let default = q(None, None);
        assert_eq!(
            (default.index, default.partition.as_str(), default.newest_first),
            (Some(Index::Gsi1), inbox.as_str(), true)
        );
        assert_eq!(default.sort_between, Some(("R#".to_owned(), "U#~".to_owned())));
        assert!(default.filters.is_empty());
        for (status, prefix) in [(InboxStatus::Unread, "U#"), (InboxStatus::Read, "R#"), (InboxStatus::Archived, "A#")]
        {
            let query = q(Some(status), None);
            assert_eq!((query.sort_prefix.as_deref(), query.sort_between), (Some(prefix), None), "{status:?}");
        }
        let all = q(Some(InboxStatus::All), None);
        assert_eq!((all.sort_prefix, all.sort_between), (None, None));

        let typed = q(Some(InboxStatus::Unread), Some(NotificationType::XpEarned));
        assert_eq!((typed.index, typed.partition), (Some(Index::Gsi2), format!("{inbox}#TYPE#XP_EARNED")));
        assert_eq!(typed.sort_prefix.as_deref(), Some("U#"));
    }

    #[test]
    fn the_inbox_range_holds_unread_and_read_but_not_archived() {
        let id = Uuid::now_v7().to_string();
        let (lo, hi) = ("R#", "U#~");
        let inside = |state: State| {
            let sk = format!("{}#{id}", state.letter());
            lo <= sk.as_str() && sk.as_str() <= hi
        };
        assert!(inside(State::Unread) && inside(State::Read) && !inside(State::Archived));
        assert!(!"#UNREAD".starts_with('U'), "the counter is in no index, and no prefix matches it");
    }

    #[test]
    fn newest_first_is_unread_newest_then_read_newest() {
        let (old, new) = (Uuid::now_v7(), Uuid::now_v7());
        let mut keys = vec![
            index_sort(State::Read, old),
            index_sort(State::Unread, old),
            index_sort(State::Read, new),
            index_sort(State::Unread, new),
            index_sort(State::Archived, new),
        ];
        keys.sort_by(|a, b| b.cmp(a));
        assert_eq!(
            keys,
            [
                index_sort(State::Unread, new),
                index_sort(State::Unread, old),
                index_sort(State::Read, new),
                index_sort(State::Read, old),
                index_sort(State::Archived, new),
            ]
        );
    }
}
