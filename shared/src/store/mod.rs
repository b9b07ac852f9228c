//! The one-table store over DynamoDB. Every access is a GetItem, Query, (Transact)Write or Delete: there is
//! no Scan. Writes carry their conditions: new items `attribute_not_exists(pk)`, updates the expected
//! `version`, guards their owner. Every call is counted for the per-request metric.

pub mod calls;
pub mod cursor;
pub mod optimistic;
mod write;

pub use cursor::CursorCodec;
pub use optimistic::Attempt;
pub use write::{Put, Tx, Write};

use crate::http::pagination::Page;
use crate::http::problem::ApiError;
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
}

impl Index {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1",
        }
    }

    fn key_names(self) -> (&'static str, &'static str) {
        match self {
            Self::Gsi1 => ("gsi1pk", "gsi1sk"),
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
}

impl StoreError {
    /// The expected `version` was not the stored one: someone else wrote first.
    pub fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Condition(write::VERSION))
    }

    fn sdk<E, R>(op: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        Self::Sdk { op, message: DisplayErrorContext(&err).to_string() }
    }
}

/// Conditions the caller did not handle: a moved version is a 412, an existing item a 409, the rest 500.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Condition(write::VERSION) => ApiError::PreconditionFailed,
            StoreError::Condition(label) => ApiError::Conflict(format!("{label} already exists"), vec![]),
            StoreError::TransactionConflict => {
                ApiError::Conflict("a concurrent request changed the same data; retry".into(), vec![])
            }
            other => ApiError::internal(other),
        }
    }
}

/// A key-condition query over the table or a GSI.
#[derive(Clone, Debug)]
pub struct Query {
    pub index: Option<Index>,
    pub partition: String,
    pub sort_prefix: Option<String>,
    pub newest_first: bool,
}

impl Query {
    pub fn partition(partition: String) -> Self {
        Self { index: None, partition, sort_prefix: None, newest_first: false }
    }

    pub fn on(mut self, index: Index) -> Self {
        self.index = Some(index);
        self
    }

    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// Identifies the query for cursor binding.
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.index.map(Index::name).unwrap_or("table"),
            self.partition,
            self.sort_prefix.as_deref().unwrap_or(""),
            self.newest_first
        )
    }
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

    /// Reads one page of a query. `scope` (the tenant, or the platform) binds the cursor to the caller.
    pub async fn page<T: DeserializeOwned>(
        &self,
        scope: &str,
        query: &Query,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<T>, ApiError> {
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

    async fn query_once<T: DeserializeOwned>(
        &self,
        query: &Query,
        limit: Option<u32>,
        start: Option<Item>,
    ) -> Result<(Vec<T>, Option<Item>), StoreError> {
        let (pk_name, sk_name) = query.index.map(Index::key_names).unwrap_or(("pk", "sk"));
        let mut request = self
            .client
            .query()
            .table_name(&*self.table)
            .set_index_name(query.index.map(|i| i.name().to_owned()))
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", AttributeValue::S(query.partition.clone()))
            .scan_index_forward(!query.newest_first)
            .set_limit(limit.map(|l| l as i32))
            .set_exclusive_start_key(start);
        request = match &query.sort_prefix {
            Some(prefix) => request
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :sk)")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":sk", AttributeValue::S(prefix.clone())),
            None => request.key_condition_expression("#pk = :pk"),
        };
        calls::record();
        let out = request.send().await.map_err(|e| StoreError::sdk("Query", e))?;
        let items = out.items.unwrap_or_default().into_iter().map(decode).collect::<Result<Vec<T>, _>>()?;
        Ok((items, out.last_evaluated_key))
    }
}

pub(crate) fn key_item(key: &Key) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

fn decode<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
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
