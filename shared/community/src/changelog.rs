//! The platform changelog (seed 002 ChangelogEntry, the Updates page): entries the platform's admins
//! publish, readable by every user of every organization, with what is new since the reader's last visit.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | entry | `P#CHANGELOG` | `<publishedAt, epoch ms, 13 digits>#<entryId>` |
//! | a user's last visit | `P#CHANGELOG-SEEN` | `<userId>` |
//!
//! The entries are one platform partition read newest first; what is new to a reader is the range of
//! it after their mark. The mark is the user's own, whichever organization they read it in, and never
//! moves back.

use chrono::{DateTime, Utc};
use nudge_core::http::Page;
use nudge_core::keys::Key;
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The most entries counted as new (a badge).
pub const NEW_CAP: u32 = 100;

/// Seed 002 ChangelogEntry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogEntry {
    pub id: Uuid,
    /// The release it describes (`2026.11`, `4.2.0`).
    pub version: String,
    pub title: String,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// An entry as a reader sees it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogItem {
    #[serde(flatten)]
    pub entry: ChangelogEntry,
    /// Published after the reader's last visit.
    pub is_new: bool,
}

/// A page of the changelog for one reader.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogPage {
    pub items: Vec<ChangelogItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The reader's last visit (`POST /changelog/seen`); absent before the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_visit_at: Option<DateTime<Utc>>,
    /// Entries published after it (at most 100).
    pub new_count: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seen {
    seen_at: DateTime<Utc>,
    #[serde(default)]
    version: u64,
}

const ENTRIES: &str = "CHANGELOG";

fn sort(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{:013}#{id}", at.timestamp_millis().max(0))
}

pub fn entry_key(e: &ChangelogEntry) -> Key {
    Key::platform(ENTRIES, sort(e.published_at, e.id))
}

pub fn seen_key(user: Uuid) -> Key {
    Key::platform("CHANGELOG-SEEN", user.to_string())
}

/// Whether `e` is new to a reader last here at `seen`.
pub fn is_new(e: &ChangelogEntry, seen: Option<DateTime<Utc>>) -> bool {
    seen.is_none_or(|s| e.published_at > s)
}

pub struct Changelog<'a> {
    pub store: &'a Store,
}

impl Changelog<'_> {
    pub async fn publish(&self, e: &ChangelogEntry) -> Result<(), StoreError> {
        self.store.write(Write::create(Put::new(&entry_key(e), "ChangelogEntry", e)?, "entry exists")).await
    }

    async fn seen(&self, user: Uuid) -> Result<Option<Seen>, StoreError> {
        self.store.get(&seen_key(user)).await
    }

    /// The entries newest first, each flagged new or not for `user`, with their count of new ones.
    pub async fn read(
        &self,
        user: Uuid,
        scope: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<ChangelogPage, StoreError> {
        let seen = self.seen(user).await?.map(|s| s.seen_at);
        let all = Query::partition(nudge_core::keys::platform_partition(ENTRIES)).newest_first();
        let page: Page<ChangelogEntry> = self.store.page(scope, &all, limit, cursor).await?;
        let newer = match seen {
            // Everything after the mark: the sort keys start with the publication time.
            Some(s) => {
                Query::partition(nudge_core::keys::platform_partition(ENTRIES)).between(sort(s, Uuid::max()), "9")
            }
            None => Query::partition(nudge_core::keys::platform_partition(ENTRIES)),
        };
        let (fresh, _) = self.store.items_page(&newer, NEW_CAP, None).await?;
        let items = page.items.into_iter().map(|entry| ChangelogItem { is_new: is_new(&entry, seen), entry }).collect();
        Ok(ChangelogPage {
            items,
            next_cursor: page.next_cursor,
            last_visit_at: seen,
            new_count: u32::try_from(fresh.len()).unwrap_or(NEW_CAP),
        })
    }

    /// Marks `user`'s visit at `at`; a mark later than `at` stays. Answers the mark.
    pub async fn mark_seen(&self, user: Uuid, at: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        for _ in 0..5 {
            let read = self.seen(user).await?;
            if let Some(r) = &read
                && r.seen_at >= at
            {
                return Ok(r.seen_at);
            }
            let version = read.as_ref().map_or(0, |r| r.version);
            let next = Seen { seen_at: at, version: version + 1 };
            match self.store.write(Write::versioned(Put::new(&seen_key(user), "ChangelogSeen", &next)?, version)).await
            {
                Ok(()) => return Ok(at),
                Err(e) if e.is_version_conflict() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::TransactionConflict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_changelog_keys_serialize_as_expected() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z").unwrap().with_timezone(&Utc);
        let e = ChangelogEntry {
            id: Uuid::from_u128(1),
            version: "2026.11".into(),
            title: "Rewards".into(),
            summary: "Spend XP".into(),
            published_at: at,
            created_at: at,
        };
        let k = entry_key(&e);
        assert_eq!((k.pk, k.sk), ("P#CHANGELOG".into(), format!("1796025600000#{}", e.id)));
        assert_eq!(seen_key(Uuid::from_u128(2)).pk, "P#CHANGELOG-SEEN");
        assert!(is_new(&e, None));
        assert!(is_new(&e, Some(at - chrono::Duration::seconds(1))));
        assert!(!is_new(&e, Some(at)));
    }
}
