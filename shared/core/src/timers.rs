//! Timers: "look at this subject of this tenant again at that time", for a domain whose schedule ticks
//! (an EventBridge rule onto its queue). A timer is a marker item, written in the same transaction as the
//! change that makes it due, so no crash between the two can lose it; a tick reads the markers due by now
//! and hands their subjects to the domain, then removes them.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | marker | `P#<NAME>-DUE#<shard>` | `<due ms, 13 digits>#<tenant>#<subject>` |
//!
//! Markers are keyed by their time: setting the same timer again is the same item, and a subject may hold
//! several (a later change set a sooner one). The domain's check reads the subject afresh and decides
//! what is due, so a stale or repeated marker changes nothing; a crash between handing over and removal
//! hands a marker over twice, which the check absorbs the same way. Shards (by subject) keep one busy
//! moment from landing on one partition.

use crate::keys::{Key, platform_partition};
use crate::store::{Item, Put, Query, Store, StoreError, Write, decode, item_key};
use crate::tenancy::{TenantId, TenantRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A domain's timers: its name (in the partitions) and its shards.
#[derive(Clone, Copy, Debug)]
pub struct Timers {
    name: &'static str,
    shards: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    tenant_id: TenantRef,
    subject: String,
    due_at: DateTime<Utc>,
}

/// One page of due markers: their subjects by tenant, and what to remove once they are handed over.
#[derive(Debug, Default)]
pub struct Due {
    pub subjects: BTreeMap<TenantRef, Vec<String>>,
    keys: Vec<Key>,
    next: Option<Item>,
}

impl Due {
    /// Markers on this page.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether the shard holds more due markers after this page.
    pub fn more(&self) -> bool {
        self.next.is_some()
    }
}

impl Timers {
    /// `name` is upper case with dashes (`LEARNING`), unique among domains.
    pub const fn new(name: &'static str, shards: u32) -> Self {
        Self { name, shards }
    }

    pub fn shards(&self) -> u32 {
        self.shards
    }

    fn partition(&self, shard: u32) -> String {
        platform_partition(&format!("{}-DUE#{shard}", self.name))
    }

    /// A stable shard of `subject` (FNV-1a: the same on every machine and release).
    fn shard(&self, subject: &str) -> u32 {
        let hash = subject.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        hash % self.shards.max(1)
    }

    pub fn key(&self, tenant: &TenantId, subject: &str, at: DateTime<Utc>) -> Key {
        Key {
            pk: self.partition(self.shard(subject)),
            sk: format!("{:013}#{tenant}#{subject}", at.timestamp_millis().max(0)),
        }
    }

    /// The write that sets `subject`'s timer at `at` (for the caller's transaction; again: the same item).
    pub fn set(&self, tenant: &TenantId, subject: &str, at: DateTime<Utc>) -> Result<Write, StoreError> {
        let marker = Marker { tenant_id: tenant.into(), subject: subject.to_owned(), due_at: at };
        Ok(Write::upsert(Put::new(&self.key(tenant, subject, at), "Timer", &marker)?))
    }

    /// Up to `limit` markers of `shard` due by `now`, from where the previous page of this sweep ended.
    pub async fn due(
        &self,
        store: &Store,
        shard: u32,
        now: DateTime<Utc>,
        limit: u32,
        after: Option<&Due>,
    ) -> Result<Due, StoreError> {
        let until = format!("{:013}~", now.timestamp_millis().max(0));
        let query = Query::partition(self.partition(shard)).consistent().between("0", until);
        let (items, next) = store.items_page(&query, limit, after.and_then(|d| d.next.clone())).await?;
        let mut due = Due { next, ..Due::default() };
        for item in items {
            due.keys.extend(item_key(&item));
            let marker: Marker = decode(item)?;
            let subjects = due.subjects.entry(marker.tenant_id).or_default();
            if !subjects.contains(&marker.subject) {
                subjects.push(marker.subject);
            }
        }
        Ok(due)
    }

    /// Removes a page's markers, once their subjects were handed over.
    pub async fn done(&self, store: &Store, due: &Due) -> Result<(), StoreError> {
        store.batch_delete(&due.keys).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_timer_keys_serialize_as_expected() {
        let timers = Timers::new("LEARNING", 8);
        let t = crate::testing::tenant(1);
        let at = DateTime::parse_from_rfc3339("2026-01-14T07:00:00Z").unwrap().with_timezone(&Utc);
        let key = timers.key(&t, "CERT#a#b", at);
        assert_eq!(key.pk, format!("P#LEARNING-DUE#{}", timers.shard("CERT#a#b")));
        assert_eq!(key.sk, format!("1768374000000#{}#CERT#a#b", t));
        // Due by its own time, not a millisecond before.
        assert!(key.sk.as_str() < format!("{:013}~", at.timestamp_millis()).as_str());
        assert!(key.sk.as_str() > format!("{:013}~", at.timestamp_millis() - 1).as_str());
    }

    #[test]
    fn a_subject_always_lands_on_the_same_shard_and_subjects_spread() {
        let timers = Timers::new("X", 8);
        assert_eq!(timers.shard("LEARNER#1"), timers.shard("LEARNER#1"));
        let used: std::collections::BTreeSet<u32> = (0..64).map(|i| timers.shard(&format!("LEARNER#{i}"))).collect();
        assert!(used.len() >= 6, "{used:?}");
        assert!(used.iter().all(|&s| s < 8));
    }
}
