//! The one-table store over DynamoDB. Every access is a GetItem, Query, (Transact)Write or Delete: there is
//! no Scan. Writes carry their conditions: new items `attribute_not_exists(pk)`, updates the expected
//! `version`, guards their owner. Every call is counted for the per-request metric.

pub mod calls;
pub mod cursor;
pub mod optimistic;
mod write;

pub use cursor::CursorCodec;
pub use optimistic::Attempt;
pub use write::{Changes, Put, Tx, Write};

use crate::http::pagination::Page;
use crate::keys::Key;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use cursor::Position;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

pub type Item = HashMap<String, AttributeValue>;

/// The GSIs of the table, as `template.yaml` declares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    Gsi1,
    Gsi2,
}

impl Index {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1",
            Self::Gsi2 => "gsi2",
        }
    }

    fn key_names(self) -> (&'static str, &'static str) {
        match self {
            Self::Gsi1 => ("gsi1pk", "gsi1sk"),
            Self::Gsi2 => ("gsi2pk", "gsi2sk"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A labelled write condition did not hold (an item exists, a version moved on, a guard is taken).
    #[error("condition `{0}` failed")]
    Condition(&'static str),
    #[error("transaction conflicted with a concurrent one")]
    TransactionConflict,
    #[error("dynamodb {op} failed: {message}")]
    Sdk { op: &'static str, message: String },
    #[error("item could not be decoded: {0}")]
    Decode(String),
    /// A query that cannot be sent as built (a programming error, not bad input).
    #[error("invalid query: {0}")]
    InvalidQuery(&'static str),
    /// A page cursor that this store did not issue for this query and caller (forged, altered, foreign).
    #[error("the cursor was not issued for this list")]
    Cursor,
    /// A read-modify-write lost the race to other writers on every attempt.
    #[error("the item kept changing under every attempt")]
    Contended,
}

impl StoreError {
    /// The expected `version` was not the stored one: someone else wrote first.
    pub fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Condition(write::VERSION))
    }

    /// Another writer got there first, on the version read or in a racing transaction: worth a fresh read
    /// and another try.
    pub fn is_contended(&self) -> bool {
        self.is_version_conflict() || matches!(self, Self::TransactionConflict)
    }

    fn sdk<E, R>(op: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        Self::Sdk { op, message: DisplayErrorContext(&err).to_string() }
    }
}

/// A condition on a non-key attribute, applied after the key condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    Eq(String, String),
    Contains(String, String),
}

/// A key-condition query over the table or a GSI.
#[derive(Clone, Debug)]
pub struct Query {
    pub index: Option<Index>,
    pub partition: String,
    pub sort_prefix: Option<String>,
    /// An inclusive sort-key range (`BETWEEN lo AND hi`); mutually exclusive with `sort_prefix`.
    pub sort_between: Option<(String, String)>,
    /// String attributes that must equal values, checked by DynamoDB after the key condition. Items are
    /// read (and `limit` counted) before they drop them, so a page may come back short: use them only to
    /// narrow an index query that is already selective, never in place of a key.
    pub filters: Vec<Filter>,
    pub newest_first: bool,
    /// Read strongly consistent (table queries only; GSIs are always eventually consistent): for a check
    /// that must see every write committed before it, such as "is anything still using this".
    pub consistent: bool,
}

impl Query {
    pub fn partition(partition: String) -> Self {
        Self {
            index: None,
            partition,
            sort_prefix: None,
            sort_between: None,
            filters: Vec::new(),
            newest_first: false,
            consistent: false,
        }
    }

    /// Reads strongly consistent (see the `consistent` field).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    pub fn on(mut self, index: Index) -> Self {
        self.index = Some(index);
        self
    }

    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// Only sort keys from `lo` to `hi`, both inclusive (replaces a sort prefix).
    pub fn between(mut self, lo: impl Into<String>, hi: impl Into<String>) -> Self {
        self.sort_prefix = None;
        self.sort_between = Some((lo.into(), hi.into()));
        self
    }

    /// Keeps only items whose string attribute `name` equals `value` (see the `filters` field).
    pub fn filter_eq(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push(Filter::Eq(name.into(), value.into()));
        self
    }

    /// Keeps only items whose list (or string) attribute `name` contains `value`.
    pub fn filter_contains(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push(Filter::Contains(name.into(), value.into()));
        self
    }

    /// Identifies the query for cursor binding: every part that changes which items it reads.
    fn fingerprint(&self) -> String {
        let (lo, hi) = self.sort_between.as_ref().map(|(l, h)| (l.as_str(), h.as_str())).unwrap_or(("", ""));
        let filters: Vec<String> = self
            .filters
            .iter()
            .map(|f| match f {
                Filter::Eq(n, v) => format!("{n}={v}"),
                Filter::Contains(n, v) => format!("{n}~{v}"),
            })
            .collect();
        let filters = filters.join("&");
        format!(
            "{}|{}|{}|{}|{lo}|{hi}|{filters}",
            self.index.map(Index::name).unwrap_or("table"),
            self.partition,
            self.sort_prefix.as_deref().unwrap_or(""),
            self.newest_first
        )
    }

    /// The sort-key part of the key condition. The fields are public (struct-update syntax), so the two
    /// sort conditions are checked here rather than by the type.
    fn sort_condition(&self) -> Result<SortCondition<'_>, StoreError> {
        match (&self.sort_prefix, &self.sort_between) {
            (Some(_), Some(_)) => Err(StoreError::InvalidQuery("sort_prefix and sort_between are exclusive")),
            (Some(prefix), None) => Ok(SortCondition::Prefix(prefix)),
            (None, Some((lo, hi))) if lo > hi => Err(StoreError::InvalidQuery("sort_between needs lo <= hi")),
            (None, Some((lo, hi))) => Ok(SortCondition::Between(lo, hi)),
            (None, None) => Ok(SortCondition::None),
        }
    }
}

#[derive(Debug, PartialEq)]
enum SortCondition<'a> {
    None,
    Prefix(&'a str),
    Between(&'a str, &'a str),
}

#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: Arc<str>,
    cursors: CursorCodec,
}

impl Store {
    pub fn new(client: Client, table: impl Into<Arc<str>>, cursors: CursorCodec) -> Self {
        Self { client, table: table.into(), cursors }
    }

    /// A keyed digest of `data` (see [`CursorCodec::digest`]).
    pub fn digest(&self, purpose: &str, data: &[u8]) -> String {
        self.cursors.digest(purpose, data)
    }

    /// Reads one item (strongly consistent, so a read after a write sees it).
    pub async fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StoreError> {
        calls::record();
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .set_key(Some(key_item(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        out.item.map(decode).transpose()
    }

    /// Reads many items by key (BatchGetItem, 100 keys a call, unprocessed keys retried), strongly
    /// consistent. Missing items are simply absent; the order of the answer is not the order of `keys`, and
    /// a key named twice is read once (DynamoDB refuses a batch that repeats one).
    pub async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let keys: Vec<&Key> = keys.iter().filter(|k| seen.insert(*k)).collect();
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut pending: Vec<Item> = chunk.iter().map(|k| key_item(k)).collect();
            for attempt in 0u32.. {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    // Throttled: back off before asking for the rest again.
                    tokio::time::sleep(std::time::Duration::from_millis(10 << attempt.min(6))).await;
                }
                if attempt >= 10 {
                    return Err(StoreError::Sdk {
                        op: "BatchGetItem",
                        message: "unprocessed keys after 10 attempts".into(),
                    });
                }
                let request = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Decode(e.to_string()))?;
                calls::record();
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&*self.table, request)
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchGetItem", e))?;
                if let Some(mut found) = resp.responses
                    && let Some(items) = found.remove(&*self.table)
                {
                    out.extend(items);
                }
                if let Some(mut rest) = resp.unprocessed_keys
                    && let Some(rest) = rest.remove(&*self.table)
                {
                    pending = rest.keys;
                }
            }
        }
        Ok(out)
    }

    /// Deletes many items by key, unconditionally (BatchWriteItem): for clearing what nothing else refers
    /// to any more (a deleted segment's memberships).
    pub async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        let requests = keys
            .iter()
            .map(|k| {
                let delete = DeleteRequest::builder().set_key(Some(key_item(k))).build();
                delete.map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Decode(e.to_string()))?;
        self.batch_write(requests).await
    }

    /// Deletes the first `limit` items of a query (table queries only); `true` when it held no more.
    /// For clearing a partition a page at a time, in steps that each fit a function's run.
    pub async fn delete_page(&self, query: &Query, limit: u32) -> Result<bool, StoreError> {
        let (items, last) = self.items_page(query, limit, None).await?;
        let keys: Vec<Key> = items.iter().filter_map(item_key).collect();
        self.batch_delete(&keys).await?;
        Ok(last.is_none())
    }

    /// Writes many whole items, unconditionally (BatchWriteItem): for loading data nothing else writes yet
    /// (benchmark fixtures, restores).
    pub async fn batch_put(&self, puts: Vec<Put>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let requests = puts
            .into_iter()
            .map(|p| {
                let put = PutRequest::builder().set_item(Some(p.into_item())).build();
                put.map(|p| WriteRequest::builder().put_request(p).build())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Decode(e.to_string()))?;
        self.batch_write(requests).await
    }

    /// 25 requests a call, unprocessed ones retried with backoff.
    async fn batch_write(&self, requests: Vec<aws_sdk_dynamodb::types::WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            for attempt in 0u32.. {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(10 << attempt.min(6))).await;
                }
                if attempt >= 10 {
                    return Err(StoreError::Sdk {
                        op: "BatchWriteItem",
                        message: "unprocessed items after 10 attempts".into(),
                    });
                }
                calls::record();
                let resp = self
                    .client
                    .batch_write_item()
                    .request_items(&*self.table, std::mem::take(&mut pending))
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                if let Some(mut rest) = resp.unprocessed_items
                    && let Some(rest) = rest.remove(&*self.table)
                {
                    pending = rest;
                }
            }
        }
        Ok(())
    }

    /// Applies one conditional write.
    pub async fn write(&self, write: Write) -> Result<(), StoreError> {
        calls::record();
        write.send(&self.client, &self.table).await
    }

    /// Applies writes atomically: all or none. A failed condition names its write's label.
    pub async fn transact(&self, tx: Tx) -> Result<(), StoreError> {
        if tx.is_empty() {
            return Ok(());
        }
        calls::record();
        tx.send(&self.client, &self.table).await
    }

    /// Writes a transaction whose conditions say all it needs (no fresh read would change it), sending it
    /// again after a short jittered pause each time it loses to a concurrent one (`TransactionConflict`), as
    /// [`optimistic::retry`] does; a failed condition is the caller's to read.
    pub async fn transact_retrying(&self, tx: &Tx) -> Result<(), StoreError> {
        optimistic::retry(|| async {
            match self.transact(tx.clone()).await {
                Err(StoreError::TransactionConflict) => Ok(Attempt::Retry),
                written => written.map(Attempt::Done),
            }
        })
        .await
    }

    /// Reads one page of a query. `scope` (the tenant, or the platform) binds the cursor to the caller.
    pub async fn page<T: DeserializeOwned>(
        &self,
        scope: &str,
        query: &Query,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<T>, StoreError> {
        let binding = format!("{scope}|{}", query.fingerprint());
        let start = cursor.map(|c| self.cursors.decode(&binding, c)).transpose()?;
        let start = start.map(|p| p.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect());
        let (items, last) = self.query_once(query, Some(limit), start).await?;
        let next_cursor = match last {
            Some(key) => Some(self.cursors.encode(&binding, &position(key)?)),
            None => None,
        };
        Ok(Page { items, next_cursor })
    }

    /// Reads every item of a query, page by page: for small sets that belong together (a user's sessions
    /// or memberships), never for a tenant's whole collection.
    pub async fn all<T: DeserializeOwned>(&self, query: &Query) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let (items, last) = self.query_once(query, None, start).await?;
            out.extend(items);
            match last {
                Some(key) => start = Some(key),
                None => return Ok(out),
            }
        }
    }

    /// Every item of a query, undecoded (a partition of mixed entities read at once).
    pub async fn all_items(&self, query: &Query) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let (items, last) = self.query_raw(query, None, start).await?;
            out.extend(items);
            match last {
                Some(key) => start = Some(key),
                None => return Ok(out),
            }
        }
    }

    /// One page of a query, undecoded, from `start` (the previous page's last key).
    pub async fn items_page(
        &self,
        query: &Query,
        limit: u32,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        self.query_raw(query, Some(limit), start).await
    }

    async fn query_once<T: DeserializeOwned>(
        &self,
        query: &Query,
        limit: Option<u32>,
        start: Option<Item>,
    ) -> Result<(Vec<T>, Option<Item>), StoreError> {
        let (items, last) = self.query_raw(query, limit, start).await?;
        let items = items.into_iter().map(decode).collect::<Result<Vec<T>, _>>()?;
        Ok((items, last))
    }

    /// How many items a query matches (its filters applied), counted by DynamoDB page by page
    /// (`Select: COUNT`): nothing is sent back but the numbers, though each item is still read.
    pub async fn count(&self, query: &Query) -> Result<u64, StoreError> {
        let mut total = 0u64;
        let mut start = None;
        loop {
            calls::record();
            let out = (self.query_request(query)?)
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            total += u64::try_from(out.count).unwrap_or_default();
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(total),
            }
        }
    }

    async fn query_raw(
        &self,
        query: &Query,
        limit: Option<u32>,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let request = self.query_request(query)?.set_limit(limit.map(|l| l as i32)).set_exclusive_start_key(start);
        calls::record();
        let out = request.send().await.map_err(|e| StoreError::sdk("Query", e))?;
        Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
    }

    /// A query's request: its partition, sort condition, filters and order.
    fn query_request(
        &self,
        query: &Query,
    ) -> Result<aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder, StoreError> {
        let (pk_name, sk_name) = query.index.map(Index::key_names).unwrap_or(("pk", "sk"));
        let mut request = self
            .client
            .query()
            .table_name(&*self.table)
            .set_index_name(query.index.map(|i| i.name().to_owned()))
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", AttributeValue::S(query.partition.clone()))
            .scan_index_forward(!query.newest_first)
            .consistent_read(query.consistent && query.index.is_none());
        request = match query.sort_condition()? {
            SortCondition::Prefix(prefix) => request
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :sk)")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":sk", AttributeValue::S(prefix.to_owned())),
            SortCondition::Between(lo, hi) => request
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":lo", AttributeValue::S(lo.to_owned()))
                .expression_attribute_values(":hi", AttributeValue::S(hi.to_owned())),
            SortCondition::None => request.key_condition_expression("#pk = :pk"),
        };
        if !query.filters.is_empty() {
            let mut terms = Vec::with_capacity(query.filters.len());
            for (i, filter) in query.filters.iter().enumerate() {
                let (name, value) = match filter {
                    Filter::Eq(name, value) => {
                        terms.push(format!("#f{i} = :f{i}"));
                        (name, value)
                    }
                    Filter::Contains(name, value) => {
                        terms.push(format!("contains(#f{i}, :f{i})"));
                        (name, value)
                    }
                };
                request = request
                    .expression_attribute_names(format!("#f{i}"), name)
                    .expression_attribute_values(format!(":f{i}"), AttributeValue::S(value.clone()));
            }
            request = request.filter_expression(terms.join(" AND "));
        }
        Ok(request)
    }
}

pub fn key_item(key: &Key) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// The table key of an item (or of a page's last key), when it has one: the inverse of [`key_item`].
pub fn item_key(item: &Item) -> Option<Key> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    Some(Key { pk: text("pk")?, sk: text("sk")? })
}

pub fn decode<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Decode(e.to_string()))
}

fn position(key: Item) -> Result<Position, StoreError> {
    key.into_iter()
        .map(|(name, value)| match value {
            AttributeValue::S(s) => Ok((name, s)),
            other => Err(StoreError::Decode(format!("non-string key attribute {name}: {other:?}"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_filters_are_part_of_the_cursor_binding() {
        let base = Query::partition("T#a#AUDIT".into()).newest_first();
        let ranged = base.clone().between("2026-01-01", "2026-02-01");
        let later = base.clone().between("2026-01-02", "2026-02-01");
        let filtered = ranged.clone().filter_eq("actorId", "u");
        let prints = [&base, &ranged, &later, &filtered].map(Query::fingerprint);
        for (i, a) in prints.iter().enumerate() {
            for b in &prints[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn between_replaces_a_prefix_and_rejects_bad_combinations() {
        let q = Query { sort_prefix: Some("ROLE#".into()), ..Query::partition("p".into()) }.between("a", "b");
        assert_eq!(q.sort_prefix, None);
        assert_eq!(q.sort_condition().ok(), Some(SortCondition::Between("a", "b")));
        let both = Query { sort_prefix: Some("x".into()), ..q.clone() };
        assert!(matches!(both.sort_condition(), Err(StoreError::InvalidQuery(_))));
        assert!(Query::partition("p".into()).between("b", "a").sort_condition().is_err());
        assert_eq!(Query::partition("p".into()).sort_condition().ok(), Some(SortCondition::None));
    }
}
