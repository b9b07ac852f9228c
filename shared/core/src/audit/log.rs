//! The log's items and queries (key layout in the module doc of [`crate::audit`]).

use crate::auth::PlatformAdmin;
use crate::http::pagination::Page;
use crate::keys::{Key, platform_partition, tenant_partition};
use crate::store::{Index, Put, Query, Store, StoreError, Write};
use crate::tenancy::TenantId;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "AuditEntry";
/// Above any time key (`~` sorts after digits), so an open range reaches the newest entry.
const END_OF_TIME: &str = "~";
/// Writes tried before giving up; the SDK's own retries of throttling and 5xx run inside each.
const WRITE_ATTEMPTS: u32 = 3;

/// Whose log: a tenant's, or the platform's (platform admins' acts, sign-ins of unknown emails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Log(Scope);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Tenant(TenantId),
    Platform,
}

impl Log {
    pub fn tenant(tenant: TenantId) -> Self {
        Self(Scope::Tenant(tenant))
    }

    /// Reading the platform's log takes a verified platform admin.
    pub fn platform(_admin: &PlatformAdmin) -> Self {
        Self(Scope::Platform)
    }

    /// The platform log for the middleware's writes, which need no proof to append.
    pub(crate) fn platform_for_writes() -> Self {
        Self(Scope::Platform)
    }

    pub fn tenant_id(&self) -> Option<TenantId> {
        match self.0 {
            Scope::Tenant(t) => Some(t),
            Scope::Platform => None,
        }
    }

    fn partition(&self, rest: &str) -> String {
        let name = format!("AUDIT{rest}");
        match &self.0 {
            Scope::Tenant(t) => tenant_partition(t, &name),
            Scope::Platform => platform_partition(&name),
        }
    }

    fn log_partition(&self) -> String {
        self.partition("")
    }

    fn actor_partition(&self, actor: Uuid) -> String {
        self.partition(&format!("#ACTOR#{actor}"))
    }

    fn entity_partition(&self, entity_type: &str, entity_id: &str) -> String {
        self.partition(&format!("#ENTITY#{}#{}", escape(entity_type), escape(entity_id)))
    }
}

/// `#` separates key parts: inside a part it (and `%`, to stay reversible) is percent-encoded.
fn escape(part: &str) -> String {
    part.replace('%', "%25").replace('#', "%23")
}

/// An entry's time as stored and served: RFC 3339 UTC with milliseconds, fixed width.
pub(crate) fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sort_key(time: &str, id: Uuid) -> String {
    format!("{time}#{id}")
}

/// One audit entry, as served by `GET /audit-log`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: Uuid,
    /// RFC 3339 UTC with milliseconds.
    #[schema(format = DateTime)]
    pub time: String,
    /// The user who acted; null when nobody is known (a sign-in attempt for an unknown email).
    pub actor_id: Option<Uuid>,
    /// `<entityType>.<verb>`, e.g. `organization.updated`, `worker.deactivate`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// What changed (for a PATCH, the merge patch), secrets replaced by `[redacted]` and personal data
    /// masked (`a•••@example.com`, `•••2671`, `[personal]`); null when the request had no body.
    #[schema(value_type = Option<Object>)]
    pub metadata: Value,
    /// The HTTP status the request was answered with.
    pub status: u16,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// The item: metadata is kept as JSON text, because any JSON (empty keys, 40-digit numbers) must survive,
/// and DynamoDB maps and numbers do not take all of it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    id: Uuid,
    time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor_id: Option<String>,
    action: String,
    entity_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entity_id: Option<String>,
    metadata: String,
    status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl From<&Entry> for Stored {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            time: e.time.clone(),
            actor_id: e.actor_id.map(|a| a.to_string()),
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            metadata: e.metadata.to_string(),
            status: e.status,
            ip: e.ip.clone(),
            user_agent: e.user_agent.clone(),
            request_id: e.request_id.clone(),
        }
    }
}

impl From<Stored> for Entry {
    fn from(s: Stored) -> Self {
        Self {
            id: s.id,
            time: s.time,
            actor_id: s.actor_id.and_then(|a| Uuid::parse_str(&a).ok()),
            action: s.action,
            entity_type: s.entity_type,
            entity_id: s.entity_id,
            // Written from a Value by us; should it ever not parse, serve the text rather than fail the page.
            metadata: serde_json::from_str(&s.metadata).unwrap_or(Value::String(s.metadata)),
            status: s.status,
            ip: s.ip,
            user_agent: s.user_agent,
            request_id: s.request_id,
        }
    }
}

/// Where an entry goes: its item key and, when it has an actor or an entity id, its index keys.
#[derive(Debug, PartialEq, Eq)]
struct Placement {
    key: Key,
    by_actor: Option<(String, String)>,
    by_entity: Option<(String, String)>,
}

fn placement(log: &Log, entry: &Entry) -> Placement {
    let sk = sort_key(&entry.time, entry.id);
    Placement {
        by_actor: entry.actor_id.map(|a| (log.actor_partition(a), sk.clone())),
        by_entity: entry.entity_id.as_ref().map(|id| (log.entity_partition(&entry.entity_type, id), sk.clone())),
        key: Key { pk: log.log_partition(), sk },
    }
}

/// How long an entry nobody is known to have made (a sign-in attempt for an unknown address) is kept: such
/// attempts can be made by anyone, as many as they like, and would otherwise pile up in the platform's log.
pub const ANONYMOUS_RETENTION: chrono::Duration = chrono::Duration::days(90);

/// The entry's item, kept `retention` (the stack's setting), or [`ANONYMOUS_RETENTION`] when nobody is
/// known to have acted and that is shorter.
fn put(log: &Log, entry: &Entry, retention: chrono::Duration) -> Result<Put, StoreError> {
    let Placement { key, by_actor, by_entity } = placement(log, entry);
    let mut put = Put::new(&key, ENTITY, &Stored::from(entry))?;
    let kept = if entry.actor_id.is_none() { retention.min(ANONYMOUS_RETENTION) } else { retention };
    if let Ok(time) = DateTime::parse_from_rfc3339(&entry.time) {
        put = put.ttl((time.with_timezone(&Utc) + kept).timestamp());
    }
    if let Some((pk, sk)) = by_actor {
        put = put.index(Index::Gsi1, pk, sk);
    }
    if let Some((pk, sk)) = by_entity {
        put = put.index(Index::Gsi2, pk, sk);
    }
    Ok(put)
}

/// Appends an entry, trying a few times: an audit write that fails once must not lose the entry.
pub(crate) async fn append(
    store: &Store,
    log: &Log,
    entry: &Entry,
    retention: chrono::Duration,
) -> Result<(), StoreError> {
    let write = Write::create(put(log, entry, retention)?, "audit entry");
    let mut attempt = 1;
    loop {
        match store.write(write.clone()).await {
            Ok(()) => return Ok(()),
            // The id is new, so an existing item means an earlier attempt landed after all (a timeout after
            // DynamoDB applied it): the entry is there.
            Err(StoreError::Condition(_)) if attempt > 1 => return Ok(()),
            Err(err) if attempt >= WRITE_ATTEMPTS => return Err(err),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// Which entity a query is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntityFilter {
    /// Every entity of a type (`organization`): a filter on the log's (or the actor's) entries.
    Type(String),
    /// One entity: its own index partition.
    One { entity_type: String, entity_id: String },
}

/// What to read from a log. Both ends of the time range are inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub from: DateTime<Utc>,
    /// None: no upper bound (entries are never in the future, so this is "until now", and stays the same
    /// query from page to page, which a moving `now` would not).
    pub to: Option<DateTime<Utc>>,
    pub actor: Option<Uuid>,
    pub entity: Option<EntityFilter>,
}

impl Filter {
    /// The key-condition query: the narrowest index for the filters, the time range on its sort key, and at
    /// most one attribute filter for the rest, newest first.
    pub(crate) fn query(&self, log: &Log) -> Query {
        let query = match (&self.entity, self.actor) {
            (Some(EntityFilter::One { entity_type, entity_id }), actor) => {
                let q = Query::partition(log.entity_partition(entity_type, entity_id)).on(Index::Gsi2);
                match actor {
                    Some(a) => q.filter_eq("actorId", a.to_string()),
                    None => q,
                }
            }
            (Some(EntityFilter::Type(t)), Some(a)) => {
                Query::partition(log.actor_partition(a)).on(Index::Gsi1).filter_eq("entityType", t.clone())
            }
            (Some(EntityFilter::Type(t)), None) => {
                Query::partition(log.log_partition()).filter_eq("entityType", t.clone())
            }
            (None, Some(a)) => Query::partition(log.actor_partition(a)).on(Index::Gsi1),
            (None, None) => Query::partition(log.log_partition()),
        };
        let lo = time_text(self.from);
        let hi = match self.to {
            // Every id of the `to` millisecond: `#` then `~` sorts after `#<uuid>`.
            Some(to) => format!("{}#{END_OF_TIME}", time_text(to)),
            None => END_OF_TIME.to_owned(),
        };
        query.between(lo, hi).newest_first()
    }
}

/// One page of a log, newest first. `scope` binds the cursor to the caller, as for every list.
pub async fn page(
    store: &Store,
    scope: &str,
    log: &Log,
    filter: &Filter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Entry>, StoreError> {
    let page: Page<Stored> = store.page(scope, &filter.query(log), limit, cursor).await?;
    Ok(Page { items: page.items.into_iter().map(Entry::from).collect(), next_cursor: page.next_cursor })
}

#[cfg(test)]
mod retention {
    use super::*;

    #[test]
    fn entries_expire_after_the_retention_and_anonymous_ones_sooner() {
        let log = Log(Scope::Platform);
        let time = "2026-11-30T01:00:00.000Z".to_owned();
        let entry = |actor| Entry {
            id: Uuid::now_v7(),
            time: time.clone(),
            actor_id: actor,
            action: "auth.sign_in_failed".into(),
            entity_type: "user".into(),
            entity_id: None,
            metadata: Value::Null,
            status: 401,
            ip: None,
            user_agent: None,
            request_id: None,
        };
        let expires = |p: Put| p.attribute("ttl").and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok());
        let start = DateTime::parse_from_rfc3339(&time).map(|t| t.with_timezone(&Utc)).unwrap();
        let year = chrono::Duration::days(365);
        let at = |d: chrono::Duration| Some((start + d).timestamp());
        assert_eq!(expires(put(&log, &entry(None), year).unwrap()), at(ANONYMOUS_RETENTION));
        assert_eq!(expires(put(&log, &entry(Some(Uuid::now_v7())), year).unwrap()), at(year));
        let week = chrono::Duration::days(7);
        assert_eq!(expires(put(&log, &entry(None), week).unwrap()), at(week), "the shorter of the two");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nudge_filter(name: String, value: String) -> crate::store::Filter {
        crate::store::Filter::Eq(name, value)
    }
    use serde_json::json;

    fn tenant() -> TenantId {
        TenantId::new(Uuid::from_u128(0xA))
    }

    fn entry(actor: Option<Uuid>, entity_id: Option<&str>) -> Entry {
        Entry {
            id: Uuid::from_u128(7),
            time: "2026-03-04T05:06:07.089Z".into(),
            actor_id: actor,
            action: "organization.updated".into(),
            entity_type: "organization".into(),
            entity_id: entity_id.map(str::to_owned),
            metadata: json!({"": 1, "n": [1.5, -2, u64::MAX], "deep": {"a": null, "b": ""}}),
            status: 200,
            ip: Some("203.0.113.7".into()),
            user_agent: None,
            request_id: Some("r".into()),
        }
    }

    #[test]
    fn keys_of_a_tenant_entry() {
        let actor = Uuid::from_u128(0xB);
        let t = "T#00000000-0000-0000-0000-00000000000a#AUDIT";
        let sk = "2026-03-04T05:06:07.089Z#00000000-0000-0000-0000-000000000007".to_owned();
        assert_eq!(
            placement(&Log::tenant(tenant()), &entry(Some(actor), Some("a#b%"))),
            Placement {
                key: Key { pk: t.into(), sk: sk.clone() },
                by_actor: Some((format!("{t}#ACTOR#{actor}"), sk.clone())),
                by_entity: Some((format!("{t}#ENTITY#organization#a%23b%25"), sk)),
            }
        );
        assert!(put(&Log::tenant(tenant()), &entry(Some(actor), None), chrono::Duration::days(400)).is_ok());
    }

    #[test]
    fn platform_entries_without_actor_or_id_stay_out_of_the_indexes() {
        let p = placement(&Log::platform_for_writes(), &entry(None, None));
        assert_eq!(p.key.pk, "P#AUDIT");
        assert_eq!((p.by_actor, p.by_entity), (None, None));
    }

    #[test]
    fn metadata_round_trips_as_text() {
        let original = entry(Some(Uuid::from_u128(1)), Some("x"));
        assert_eq!(Entry::from(Stored::from(&original)), original);
    }

    #[test]
    fn time_keys_sort_as_time() {
        let a = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.5Z").unwrap().with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.123456Z").unwrap().with_timezone(&Utc);
        assert_eq!(time_text(a), "2026-01-01T00:00:00.500Z");
        assert_eq!(time_text(b), "2026-01-01T00:00:00.123Z");
        assert!(time_text(b) < time_text(a));
        assert!(sort_key(&time_text(a), Uuid::max()) < format!("{}#{END_OF_TIME}", time_text(a)));
        assert!(time_text(Utc::now()).as_str() < END_OF_TIME);
    }

    #[test]
    fn each_filter_uses_the_narrowest_index() {
        let log = Log::tenant(tenant());
        let from = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let to = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z").unwrap().with_timezone(&Utc);
        let actor = Uuid::from_u128(0xB);
        let one = EntityFilter::One { entity_type: "organization".into(), entity_id: "o1".into() };
        let kind = EntityFilter::Type("organization".into());
        let base = Filter { from, to: Some(to), actor: None, entity: None };
        let t = "T#00000000-0000-0000-0000-00000000000a#AUDIT";
        let cases = [
            (base.clone(), None, t.to_owned(), None),
            (Filter { actor: Some(actor), ..base.clone() }, Some(Index::Gsi1), format!("{t}#ACTOR#{actor}"), None),
            (
                Filter { entity: Some(one.clone()), ..base.clone() },
                Some(Index::Gsi2),
                format!("{t}#ENTITY#organization#o1"),
                None,
            ),
            (
                Filter { entity: Some(one), actor: Some(actor), ..base.clone() },
                Some(Index::Gsi2),
                format!("{t}#ENTITY#organization#o1"),
                Some(("actorId".to_owned(), actor.to_string())),
            ),
            (
                Filter { entity: Some(kind.clone()), ..base.clone() },
                None,
                t.to_owned(),
                Some(("entityType".to_owned(), "organization".to_owned())),
            ),
            (
                Filter { entity: Some(kind), actor: Some(actor), ..base.clone() },
                Some(Index::Gsi1),
                format!("{t}#ACTOR#{actor}"),
                Some(("entityType".to_owned(), "organization".to_owned())),
            ),
        ];
        for (filter, index, partition, filter_eq) in cases {
            let q = filter.query(&log);
            let want = filter_eq.map(|(n, v)| nudge_filter(n, v));
            assert_eq!((q.index, &q.partition, q.filters.first()), (index, &partition, want.as_ref()), "{filter:?}");
            assert!(q.newest_first && q.sort_prefix.is_none());
            assert_eq!(
                q.sort_between,
                Some(("2026-01-01T00:00:00.000Z".to_owned(), "2026-01-31T00:00:00.000Z#~".to_owned()))
            );
        }
        let open = Filter { to: None, ..base }.query(&Log::platform_for_writes());
        assert_eq!(open.partition, "P#AUDIT");
        assert_eq!(open.sort_between.map(|(_, hi)| hi).as_deref(), Some(END_OF_TIME));
    }
}
