//! Conditional writes, alone or in a transaction. Each carries a label so a failed condition tells the
//! caller which rule it broke (an existing id, a taken slug, a moved version).

use super::{Index, Item, StoreError, key_item};
use crate::keys::Key;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put as PutOp, TransactWriteItem, Update as UpdateOp,
};
use serde::Serialize;
use std::collections::HashMap;

/// The label of a version condition; a failure maps to 412.
pub(crate) const VERSION: &str = "version";

/// A whole item to write: the entity's attributes plus its keys, type tag and index keys.
#[derive(Clone, Debug)]
pub struct Put {
    item: Item,
}

impl Put {
    pub fn new<T: Serialize>(key: &Key, kind: &str, data: &T) -> Result<Self, StoreError> {
        let mut item: Item = serde_dynamo::to_item(data).map_err(|e| StoreError::Decode(e.to_string()))?;
        item.extend(key_item(key));
        // `entity`, not `type`: several domain models (organization, content, segment, media) own a `type` field.
        item.insert("entity".into(), AttributeValue::S(kind.into()));
        Ok(Self { item })
    }

    pub(crate) fn into_item(self) -> Item {
        self.item
    }

    /// Places the item in a GSI.
    pub fn index(mut self, index: Index, pk: String, sk: String) -> Self {
        let (pk_name, sk_name) = index.key_names();
        self.item.insert(pk_name.into(), AttributeValue::S(pk));
        self.item.insert(sk_name.into(), AttributeValue::S(sk));
        self
    }

    /// Expires the item at `epoch_seconds` (DynamoDB TTL; readers still check, as TTL deletes lazily).
    pub fn ttl(mut self, epoch_seconds: i64) -> Self {
        self.item.insert("ttl".into(), AttributeValue::N(epoch_seconds.to_string()));
        self
    }

    /// An attribute of the item as it will be written (for tests of an entity's layout).
    pub fn attribute(&self, name: &str) -> Option<&AttributeValue> {
        self.item.get(name)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Put(Put),
    Delete(Key),
    /// Writes nothing: only its condition must hold (in a transaction).
    Check(Key),
    /// Changes some attributes of an existing item in place (counters a Put would overwrite).
    Update(Key, Changes),
}

/// Attribute changes of an in-place update: numbers added to (atomic counters), values set, names removed.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    add: Vec<(String, i64)>,
    set: Vec<(String, AttributeValue)>,
    remove: Vec<String>,
}

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `delta` to the number `name` (0 if absent).
    pub fn add(mut self, name: &str, delta: i64) -> Self {
        self.add.push((name.into(), delta));
        self
    }

    /// Sets `name` to a serialisable value.
    pub fn set<T: Serialize>(mut self, name: &str, value: &T) -> Result<Self, StoreError> {
        let value = serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Decode(e.to_string()))?;
        self.set.push((name.into(), value));
        Ok(self)
    }

    pub fn remove(mut self, name: &str) -> Self {
        self.remove.push(name.into());
        self
    }

    /// The update expression with its names (`#u<i>`) and values (`:u<i>`).
    fn expression(self) -> (String, HashMap<String, String>, HashMap<String, AttributeValue>) {
        let (mut names, mut values) = (HashMap::new(), HashMap::new());
        let mut i = 0usize;
        let mut name = |n: String, names: &mut HashMap<String, String>| {
            i += 1;
            names.insert(format!("#u{i}"), n);
            i
        };
        let mut clauses = Vec::new();
        let adds: Vec<String> = self
            .add
            .into_iter()
            .map(|(n, d)| {
                let i = name(n, &mut names);
                values.insert(format!(":u{i}"), AttributeValue::N(d.to_string()));
                format!("#u{i} :u{i}")
            })
            .collect();
        if !adds.is_empty() {
            clauses.push(format!("ADD {}", adds.join(", ")));
        }
        let sets: Vec<String> = self
            .set
            .into_iter()
            .map(|(n, v)| {
                let i = name(n, &mut names);
                values.insert(format!(":u{i}"), v);
                format!("#u{i} = :u{i}")
            })
            .collect();
        if !sets.is_empty() {
            clauses.push(format!("SET {}", sets.join(", ")));
        }
        let removes: Vec<String> = self.remove.into_iter().map(|n| format!("#u{}", name(n, &mut names))).collect();
        if !removes.is_empty() {
            clauses.push(format!("REMOVE {}", removes.join(", ")));
        }
        (clauses.join(" "), names, values)
    }
}

#[derive(Clone, Debug)]
struct Condition {
    expression: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    label: &'static str,
}

/// One write and the condition it needs.
#[derive(Clone, Debug)]
pub struct Write {
    op: Op,
    condition: Option<Condition>,
}

impl Write {
    /// Creates an item that must not exist yet; `label` names the rule if it does.
    pub fn create(put: Put, label: &'static str) -> Self {
        Self {
            op: Op::Put(put),
            condition: Some(Condition {
                expression: "attribute_not_exists(pk)".into(),
                names: HashMap::new(),
                values: HashMap::new(),
                label,
            }),
        }
    }

    /// Creates an item that must not exist yet, or only as expired (its `ttl` before `now_epoch`: DynamoDB
    /// deletes expired items lazily, so one may linger); `label` names the rule if a live one exists.
    pub fn create_or_expired(put: Put, now_epoch: i64, label: &'static str) -> Self {
        Self {
            op: Op::Put(put),
            condition: Some(Condition {
                expression: "attribute_not_exists(pk) OR #ttl < :now".into(),
                names: HashMap::from([("#ttl".into(), "ttl".into())]),
                values: HashMap::from([(":now".into(), AttributeValue::N(now_epoch.to_string()))]),
                label,
            }),
        }
    }

    /// Replaces an item whose `version` must still be `expected` (optimistic concurrency).
    pub fn replace(put: Put, expected: u64) -> Self {
        Self {
            op: Op::Put(put),
            condition: Some(Condition {
                expression: "#version = :expected".into(),
                names: HashMap::from([("#version".into(), "version".into())]),
                values: HashMap::from([(":expected".into(), AttributeValue::N(expected.to_string()))]),
                label: VERSION,
            }),
        }
    }

    /// Writes a versioned item read as `expected` (0: nothing was stored, so it must still be absent). Either
    /// way a concurrent writer shows as a version conflict.
    pub fn versioned(put: Put, expected: u64) -> Self {
        if expected == 0 { Self::create(put, VERSION) } else { Self::replace(put, expected) }
    }

    /// Writes an item whatever is there: for single-valued pointers where the last write wins.
    pub fn upsert(put: Put) -> Self {
        Self { op: Op::Put(put), condition: None }
    }

    /// Claims a guard item (a unique value's owner): it must be absent or already held by `owner` (in the
    /// guard's `owner` attribute), so re-writing one's own guard succeeds and another's fails as `label`.
    pub fn claim(put: Put, owner: &str, label: &'static str) -> Self {
        Self {
            op: Op::Put(put),
            condition: Some(Condition {
                expression: "attribute_not_exists(pk) OR #owner = :owner".into(),
                names: HashMap::from([("#owner".into(), "owner".into())]),
                values: HashMap::from([(":owner".into(), AttributeValue::S(owner.into()))]),
                label,
            }),
        }
    }

    /// In a transaction, requires the item at `key` to still be at version `expected` without writing it: a
    /// decision read from several items (a hierarchy) holds only if none of them moved.
    pub fn check_version(key: Key, expected: u64, label: &'static str) -> Self {
        Self {
            op: Op::Check(key),
            condition: Some(Condition {
                expression: "#version = :expected".into(),
                names: HashMap::from([("#version".into(), "version".into())]),
                values: HashMap::from([(":expected".into(), AttributeValue::N(expected.to_string()))]),
                label,
            }),
        }
    }

    /// Requires an item to exist, writing nothing; `if_equals` narrows it to an attribute's value. Only
    /// inside a [`Tx`]: it makes a write depend on another item (a referenced asset still ready, a tag not
    /// being deleted) without rewriting that item.
    pub fn check(key: Key, label: &'static str) -> Self {
        Self {
            op: Op::Check(key),
            condition: Some(Condition {
                expression: "attribute_exists(pk)".into(),
                names: HashMap::new(),
                values: HashMap::new(),
                label,
            }),
        }
    }

    /// Changes an existing item in place; `label` names the failure when the item is gone.
    pub fn update(key: Key, changes: Changes, label: &'static str) -> Self {
        Self {
            op: Op::Update(key, changes),
            condition: Some(Condition {
                expression: "attribute_exists(pk)".into(),
                names: HashMap::new(),
                values: HashMap::new(),
                label,
            }),
        }
    }

    /// Changes an item in place, creating it if absent (counters: `ADD` starts from zero).
    pub fn upsert_changes(key: Key, changes: Changes) -> Self {
        Self { op: Op::Update(key, changes), condition: None }
    }

    /// Requires the item to be absent, writing nothing (in a transaction).
    pub fn check_absent(key: Key, label: &'static str) -> Self {
        Self {
            op: Op::Check(key),
            condition: Some(Condition {
                expression: "attribute_not_exists(pk)".into(),
                names: HashMap::new(),
                values: HashMap::new(),
                label,
            }),
        }
    }

    /// Adds a condition to the write's own (both must hold): `#c = :c` on a string, number or bool attribute.
    pub fn and_equals<T: Serialize>(self, name: &str, value: &T, label: &'static str) -> Result<Self, StoreError> {
        let value = serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Decode(e.to_string()))?;
        Ok(self.and(name, Some(value), label))
    }

    /// Adds a condition to the write's own: the attribute `name` must be absent.
    pub fn and_absent(self, name: &str, label: &'static str) -> Self {
        self.and(name, None, label)
    }

    /// Adds a condition to the write's own: the number attribute `name` must be at least `min` (a stock
    /// taken with `ADD -1` never goes below zero, however many race).
    pub fn and_at_least(self, name: &str, min: i64, label: &'static str) -> Self {
        self.and_term(name, label, |a, v, c| {
            c.values.insert(v.clone(), AttributeValue::N(min.to_string()));
            format!("{a} >= {v}")
        })
    }

    /// Adds a condition to the write's own: the number attribute `name` must be below `limit` (a counter
    /// `ADD`ed only while it is short of a threshold that some other write handles).
    pub fn and_below(self, name: &str, limit: i64, label: &'static str) -> Self {
        self.and_term(name, label, |a, v, c| {
            c.values.insert(v.clone(), AttributeValue::N(limit.to_string()));
            format!("{a} < {v}")
        })
    }

    /// ANDs one term on `name` (equal to `value`, or absent) onto the condition; `label` names a failure.
    fn and(self, name: &str, value: Option<AttributeValue>, label: &'static str) -> Self {
        self.and_term(name, label, |a, v, c| match value {
            Some(value) => {
                c.values.insert(v.clone(), value);
                format!("{a} = {v}")
            }
            None => format!("attribute_not_exists({a})"),
        })
    }

    /// ANDs the term `term(#name placeholder, :value placeholder, condition)` builds onto the condition.
    fn and_term(
        mut self,
        name: &str,
        label: &'static str,
        term: impl FnOnce(&str, &String, &mut Condition) -> String,
    ) -> Self {
        let mut c = self.condition.take().unwrap_or(Condition {
            expression: String::new(),
            names: HashMap::new(),
            values: HashMap::new(),
            label,
        });
        // Placeholders numbered past those already there, so terms never collide.
        let n = c.names.len() + c.values.len();
        let (a, v) = (format!("#a{n}"), format!(":a{n}"));
        let term = term(&a, &v, &mut c);
        c.names.insert(a, name.into());
        c.expression = if c.expression.is_empty() { term } else { format!("({}) AND {term}", c.expression) };
        c.label = label;
        self.condition = Some(c);
        self
    }

    /// Deletes an item (a no-op if it is absent, unless a condition is added).
    pub fn delete(key: Key) -> Self {
        Self { op: Op::Delete(key), condition: None }
    }

    /// Requires the item to still be at version `expected` (a delete of what the caller read, nothing newer).
    pub fn if_version(mut self, expected: u64) -> Self {
        self.condition = Some(Condition {
            expression: "#version = :expected".into(),
            names: HashMap::from([("#version".into(), "version".into())]),
            values: HashMap::from([(":expected".into(), AttributeValue::N(expected.to_string()))]),
            label: VERSION,
        });
        self
    }

    /// Requires the number attribute `name` to be below `limit` (or absent, read as zero) before the write:
    /// a counter `ADD`ed under a cap (sends per day, a stock) never passes it, however many race.
    pub fn if_below(mut self, name: &str, limit: i64, label: &'static str) -> Self {
        self.condition = Some(Condition {
            expression: "attribute_not_exists(#b) OR #b < :b".into(),
            names: HashMap::from([("#b".into(), name.into())]),
            values: HashMap::from([(":b".into(), AttributeValue::N(limit.to_string()))]),
            label,
        });
        self
    }

    /// Requires the current item's string attribute `name` to equal `value` (e.g. a guard's owner).
    pub fn if_equals(mut self, name: &str, value: &str, label: &'static str) -> Self {
        self.condition = Some(Condition {
            expression: "#c = :c".into(),
            names: HashMap::from([("#c".into(), name.into())]),
            values: HashMap::from([(":c".into(), AttributeValue::S(value.into()))]),
            label,
        });
        self
    }

    fn label(&self) -> &'static str {
        self.condition.as_ref().map(|c| c.label).unwrap_or("write")
    }

    pub(super) async fn send(self, client: &Client, table: &str) -> Result<(), StoreError> {
        let label = self.label();
        let (expr, names, values) = split(self.condition);
        match self.op {
            Op::Put(put) => client
                .put_item()
                .table_name(table)
                .set_item(Some(put.item))
                .set_condition_expression(expr)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .send()
                .await
                .map(drop)
                .map_err(|e| match e.as_service_error() {
                    Some(s) if s.is_conditional_check_failed_exception() => StoreError::Condition(label),
                    _ => StoreError::sdk("PutItem", e),
                }),
            Op::Delete(key) => client
                .delete_item()
                .table_name(table)
                .set_key(Some(key_item(&key)))
                .set_condition_expression(expr)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .send()
                .await
                .map(drop)
                .map_err(|e| match e.as_service_error() {
                    Some(s) if s.is_conditional_check_failed_exception() => StoreError::Condition(label),
                    _ => StoreError::sdk("DeleteItem", e),
                }),
            Op::Update(key, changes) => {
                let (update, mut unames, mut uvalues) = changes.expression();
                unames.extend(names.unwrap_or_default());
                uvalues.extend(values.unwrap_or_default());
                client
                    .update_item()
                    .table_name(table)
                    .set_key(Some(key_item(&key)))
                    .update_expression(update)
                    .set_condition_expression(expr)
                    .set_expression_attribute_names((!unames.is_empty()).then_some(unames))
                    .set_expression_attribute_values((!uvalues.is_empty()).then_some(uvalues))
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| match e.as_service_error() {
                        Some(s) if s.is_conditional_check_failed_exception() => StoreError::Condition(label),
                        _ => StoreError::sdk("UpdateItem", e),
                    })
            }
            Op::Check(_) => Err(StoreError::InvalidQuery("a condition check is only meaningful in a transaction")),
        }
    }

    fn into_transact_item(self, table: &str) -> Result<TransactWriteItem, StoreError> {
        let (expr, names, values) = split(self.condition);
        let build_err = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Decode(e.to_string());
        Ok(match self.op {
            Op::Put(put) => TransactWriteItem::builder()
                .put(
                    PutOp::builder()
                        .table_name(table)
                        .set_item(Some(put.item))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
            Op::Delete(key) => TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(table)
                        .set_key(Some(key_item(&key)))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
            Op::Update(key, changes) => {
                let (update, mut unames, mut uvalues) = changes.expression();
                unames.extend(names.unwrap_or_default());
                uvalues.extend(values.unwrap_or_default());
                TransactWriteItem::builder()
                    .update(
                        UpdateOp::builder()
                            .table_name(table)
                            .set_key(Some(key_item(&key)))
                            .update_expression(update)
                            .set_condition_expression(expr)
                            .set_expression_attribute_names((!unames.is_empty()).then_some(unames))
                            .set_expression_attribute_values((!uvalues.is_empty()).then_some(uvalues))
                            .build()
                            .map_err(build_err)?,
                    )
                    .build()
            }
            Op::Check(key) => TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name(table)
                        .set_key(Some(key_item(&key)))
                        .set_condition_expression(expr)
                        .set_expression_attribute_names(names)
                        .set_expression_attribute_values(values)
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
        })
    }
}

type Split = (Option<String>, Option<HashMap<String, String>>, Option<HashMap<String, AttributeValue>>);

fn split(condition: Option<Condition>) -> Split {
    match condition {
        None => (None, None, None),
        Some(c) => {
            (Some(c.expression), (!c.names.is_empty()).then_some(c.names), (!c.values.is_empty()).then_some(c.values))
        }
    }
}

/// Writes applied all-or-none (DynamoDB TransactWriteItems, at most 100 per transaction).
#[derive(Clone, Debug, Default)]
pub struct Tx {
    writes: Vec<Write>,
}

impl Tx {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, write: Write) -> Self {
        self.writes.push(write);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    /// Adds every write of `other` (one transaction for several entities).
    pub fn extend(&mut self, other: Tx) {
        self.writes.extend(other.writes);
    }

    pub fn push(&mut self, write: Write) {
        self.writes.push(write);
    }

    pub(super) async fn send(self, client: &Client, table: &str) -> Result<(), StoreError> {
        let labels: Vec<&'static str> = self.writes.iter().map(Write::label).collect();
        let items = self.writes.into_iter().map(|w| w.into_transact_item(table)).collect::<Result<Vec<_>, _>>()?;
        match client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancel)) => {
                    let reasons = cancel.cancellation_reasons();
                    let failed = reasons
                        .iter()
                        .position(|r| r.code() == Some("ConditionalCheckFailed"))
                        .and_then(|i| labels.get(i).copied());
                    match failed {
                        Some(label) => Err(StoreError::Condition(label)),
                        None if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) => {
                            Err(StoreError::TransactionConflict)
                        }
                        None => Err(StoreError::sdk("TransactWriteItems", err)),
                    }
                }
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => {
                    Err(StoreError::TransactionConflict)
                }
                _ => Err(StoreError::sdk("TransactWriteItems", err)),
            },
        }
    }
}
