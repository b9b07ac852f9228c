//! The transactional outbox: a message that must follow a write (start a sync, purge a deleted segment's
//! memberships, run an export, send an email) is written as an entry in the write's own transaction, and
//! sent once the transaction committed ([`Posted::deliver`], which then removes the entry). A crash, a
//! timeout or a failed send between the commit and the send leaves the entry, and the outbox function's
//! sweep (every minute, template.yaml's `OutboxFunction`) sends every entry older than [`GRACE`]. So the
//! message is sent at least once, never lost; every consumer already treats a duplicate as a no-op.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | entry | `P#OUTBOX` | `<createdAt, epoch ms, 13 digits>#<entryId>` |
//!
//! One platform partition, read oldest first: entries live for the milliseconds between a commit and its
//! send, so it holds only what a crash left behind.

use crate::clock::Clock;
use crate::config::{ConfigError, Env};
use crate::keys::{Key, platform_partition};
use crate::queue::{Queue, QueueError};
use crate::store::{Put, Query, Store, StoreError, Write, decode};
use crate::tenancy::TenantId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const PARTITION: &str = "OUTBOX";
const ENTITY: &str = "OutboxEntry";
/// How long a writer has to deliver its own entry before the sweep sends it instead.
pub const GRACE: Duration = Duration::minutes(2);
/// Entries one sweep sends at most; a longer backlog is the next sweep's.
const SWEEP_LIMIT: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    id: Uuid,
    queue_url: String,
    /// The message as the queue carries it (the core's envelope, tenant included).
    body: String,
    created_at: DateTime<Utc>,
}

fn sort_key(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{:013}#{id}", at.timestamp_millis().max(0))
}

/// A message written in a transaction: [`Posted::deliver`] it once the transaction committed.
#[must_use = "a posted message is sent only when delivered (or by the sweep, minutes later)"]
#[derive(Debug)]
pub struct Posted {
    key: Key,
    queue: Queue,
    body: String,
}

impl Posted {
    /// Sends the message and removes its entry. Never fails the caller, whose write has committed: a send
    /// or removal that fails is left to the sweep (a duplicate at worst, which consumers ignore).
    pub async fn deliver(self, store: &Store) {
        if let Err(e) = self.queue.send_body(self.body).await {
            tracing::warn!(error = %e, outbox = %self.key.sk, "send failed; the outbox sweep will send it");
            return;
        }
        if let Err(e) = store.write(Write::delete(self.key.clone())).await {
            tracing::warn!(error = %e, outbox = %self.key.sk, "sent, but its entry stays; the sweep may send it again");
        }
    }
}

/// Delivers many posted messages at once (a job's steps, each of which posted one): ten per
/// SendMessageBatch to each queue, their entries removed 25 per BatchWriteItem. Like [`Posted::deliver`]
/// it never fails the caller: what could not be sent or removed is left to the sweep.
pub async fn deliver_all(store: &Store, posted: Vec<Posted>) {
    let mut by_queue: std::collections::BTreeMap<String, (Queue, Vec<Posted>)> = std::collections::BTreeMap::new();
    for p in posted {
        by_queue.entry(p.queue.url().to_owned()).or_insert_with(|| (p.queue.clone(), Vec::new())).1.push(p);
    }
    for (url, (queue, posted)) in by_queue {
        let keys: Vec<Key> = posted.iter().map(|p| p.key.clone()).collect();
        if let Err(e) = queue.send_bodies(posted.into_iter().map(|p| p.body).collect()).await {
            tracing::warn!(error = %e, queue = %url, "batch send failed; the outbox sweep will send them");
            continue;
        }
        if let Err(e) = store.batch_delete(&keys).await {
            tracing::warn!(error = %e, queue = %url, "sent, but their entries stay; the sweep may send them again");
        }
    }
}

impl Queue {
    /// `message` for `tenant` as an outbox entry: the write goes in the caller's transaction, and the
    /// [`Posted`] is delivered after it committed.
    pub fn post_for<T: Serialize>(
        &self,
        tenant: &TenantId,
        message: &T,
        at: DateTime<Utc>,
    ) -> Result<(Write, Posted), OutboxError> {
        self.entry(Queue::body(Some(tenant), message)?, at)
    }

    /// [`Queue::post_for`] for a message of no tenant.
    pub fn post<T: Serialize>(&self, message: &T, at: DateTime<Utc>) -> Result<(Write, Posted), OutboxError> {
        self.entry(Queue::body(None, message)?, at)
    }

    fn entry(&self, body: String, at: DateTime<Utc>) -> Result<(Write, Posted), OutboxError> {
        let entry = Entry { id: Uuid::now_v7(), queue_url: self.url().to_owned(), body, created_at: at };
        let key = Key::platform(PARTITION, sort_key(at, entry.id));
        let write = Write::create(Put::new(&key, ENTITY, &entry)?, "outbox entry exists");
        Ok((write, Posted { key, queue: self.clone(), body: entry.body }))
    }
}

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Swept {
    pub sent: u32,
    pub failed: u32,
}

/// The outbox function: sends what writers left behind.
#[derive(Clone, Debug)]
pub struct Sweeper {
    pub store: Store,
    /// Any queue: its client sends to each entry's own queue.
    pub sqs: aws_sdk_sqs::Client,
    pub clock: Clock,
}

impl Sweeper {
    /// The outbox function's composition: its store, an SQS client and the clock.
    pub fn new(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self { store: env.ctx()?.store, sqs: aws_sdk_sqs::Client::new(&env.sdk), clock: env.clock.clone() })
    }

    /// On Lambda: each scheduled event (EventBridge, every minute) is one sweep; a failed one fails the
    /// invocation, and the next minute's sweep tries again.
    pub async fn run(self) -> Result<(), lambda_runtime::Error> {
        lambda_runtime::run(lambda_runtime::service_fn(move |_: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let sweeper = self.clone();
            async move { sweeper.sweep().await.map_err(lambda_runtime::Error::from) }
        }))
        .await
    }

    /// Sends every entry older than [`GRACE`], oldest first, removing each once sent; a failed send stays
    /// for the next sweep (and is counted).
    pub async fn sweep(&self) -> Result<Swept, OutboxError> {
        let cutoff = self.clock.now() - GRACE;
        let query =
            Query::partition(platform_partition(PARTITION)).between("0", sort_key(cutoff, Uuid::max())).consistent();
        let (items, _) = self.store.items_page(&query, SWEEP_LIMIT, None).await?;
        let mut swept = Swept::default();
        for item in items {
            let entry: Entry = decode(item)?;
            let queue = Queue::new(self.sqs.clone(), entry.queue_url.clone());
            match queue.send_body(entry.body).await {
                Ok(()) => {
                    self.store
                        .write(Write::delete(Key::platform(PARTITION, sort_key(entry.created_at, entry.id))))
                        .await?;
                    swept.sent += 1;
                }
                Err(e) => {
                    tracing::error!(error = %e, entry = %entry.id, queue = %entry.queue_url, "outbox send failed; next sweep retries");
                    swept.failed += 1;
                }
            }
        }
        if swept != Swept::default() {
            tracing::info!(sent = swept.sent, failed = swept.failed, "outbox swept");
        }
        Ok(swept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_sort_by_time_then_id() {
        let early = DateTime::from_timestamp_millis(1_000).unwrap();
        let late = DateTime::from_timestamp_millis(1_780_000_000_000).unwrap();
        let (a, b) = (sort_key(early, Uuid::max()), sort_key(late, Uuid::nil()));
        assert!(a < b);
        assert_eq!(a, format!("0000000001000#{}", Uuid::max()));
        // The sweep's upper bound includes every entry of its cutoff's millisecond.
        assert!(sort_key(late, Uuid::now_v7()) <= sort_key(late, Uuid::max()));
    }

    #[test]
    fn an_entry_keeps_its_envelope_and_queue() {
        let sdk =
            aws_sdk_sqs::Config::builder().behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest()).build();
        let queue = Queue::new(aws_sdk_sqs::Client::from_conf(sdk), "https://sqs.example/q");
        let tenant = crate::testing::tenant(7);
        let at = DateTime::from_timestamp_millis(1_780_000_000_000).unwrap();
        let (write, posted) = queue.post_for(&tenant, &serde_json::json!({"kind": "purge"}), at).unwrap();
        assert_eq!(posted.key.pk, "P#OUTBOX");
        assert!(posted.key.sk.starts_with("1780000000000#"));
        let body: serde_json::Value = serde_json::from_str(&posted.body).unwrap();
        assert_eq!(body, serde_json::json!({"kind": "purge", "tenantId": tenant.as_uuid()}));
        assert!(format!("{write:?}").contains("https://sqs.example/q"));
    }
}
