//! The mentor radar in the table: posts moderated into the members' feed, each member's seen mark and
//! saved posts. Knows no HTTP.
//!
//! A review (approve or reject, only of a pending post) and its notice to the author are one transaction
//! on the version read, the notice's request id derived from the post and its new status: it is sent once.

use crate::keys;
use crate::model::{RadarPost, RadarPostStatus, RadarSave, RadarSeen, Refusal, UNSEEN_MAX};
use crate::notices;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::queue::Queue;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Write, decode};
use nudge_notifications::send::direct::direct;
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

const EXISTS: &str = "radar post exists";
const SAVED: &str = "saved already";
const NOT_IN_FEED: &str = "radar post not approved";
const AHEAD: &str = "seen mark ahead";
/// Fresh reads of a contended moderation before it gives up.
const TRIES: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum RadarError {
    #[error("no such radar post")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Notify(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for RadarError {
    fn from(Refusal::NotOpen(status): Refusal) -> Self {
        Self::Conflict(format!("the radar post is {status}"))
    }
}

/// A post as a member sees it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RadarFeedItem {
    #[serde(flatten)]
    pub post: RadarPost,
    /// The caller saved it.
    pub saved: bool,
    /// Approved at or before the caller's seen mark.
    pub seen: bool,
}

/// A page of the feed with the caller's mark.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RadarFeed {
    pub items: Vec<RadarFeedItem>,
    /// Pass it back as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
    /// Posts approved after the caller's seen mark (at most 100: a badge).
    #[schema(minimum = 0, maximum = 100)]
    pub unseen_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_up_to: Option<DateTime<Utc>>,
}

/// The caller's seen mark and what is still unseen.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RadarSeenState {
    pub seen_up_to: DateTime<Utc>,
    #[schema(minimum = 0, maximum = 100)]
    pub unseen_count: u32,
}

pub struct Radar<'a> {
    pub store: &'a Store,
    /// The notifications queue: reviews are told through it.
    pub notifications: &'a Queue,
}

fn put(tenant: &TenantId, p: &RadarPost) -> Result<Put, StoreError> {
    let put = Put::new(&keys::radar_post(tenant, p.id), "MentorRadarPost", p)?.index(
        Index::Gsi1,
        keys::radar_status(tenant, p.status),
        keys::radar_status_sort(p),
    );
    Ok(match p.status {
        RadarPostStatus::Approved => put.index(Index::Gsi2, keys::radar_feed(tenant), keys::radar_feed_sort(p)),
        _ => put,
    })
}

impl Radar<'_> {
    pub async fn create(
        &self,
        tenant: &TenantId,
        author: Uuid,
        url: String,
        description: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<RadarPost, RadarError> {
        let p = RadarPost::new(Uuid::now_v7(), author, url, description, now);
        self.store.write(Write::create(put(tenant, &p)?, EXISTS)).await?;
        Ok(p)
    }

    async fn load(&self, tenant: &TenantId, id: Uuid) -> Result<RadarPost, RadarError> {
        self.store.get(&keys::radar_post(tenant, id)).await?.ok_or(RadarError::NotFound)
    }

    /// The moderators' list: every post newest first, or those of one status, newest in it first.
    pub async fn list(
        &self,
        scope: &str,
        tenant: &TenantId,
        status: Option<RadarPostStatus>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<RadarPost>, RadarError> {
        let query = match status {
            None => Query::partition(keys::radar(tenant)).newest_first(),
            Some(s) => Query::partition(keys::radar_status(tenant, s)).on(Index::Gsi1).newest_first(),
        };
        Ok(self.store.page(scope, &query, limit, cursor).await?)
    }

    /// Applies `change` to the post as read, on its version (a concurrent change reads again). `None` from
    /// `change`: nothing to write. `notify`: the author is told of the new status in the same transaction.
    async fn change(
        &self,
        tenant: &TenantId,
        id: Uuid,
        notify: bool,
        now: DateTime<Utc>,
        change: impl Fn(&RadarPost) -> Result<Option<RadarPost>, Refusal>,
    ) -> Result<RadarPost, RadarError> {
        for _ in 0..TRIES {
            let read = self.load(tenant, id).await?;
            let Some(next) = change(&read)? else { return Ok(read) };
            let mut tx = nudge_core::store::Tx::new().with(Write::replace(put(tenant, &next)?, read.version));
            let mut posted = None;
            if notify {
                let (writes, p) = direct(tenant, self.notifications, notices::radar_reviewed(&next), now)?;
                tx.extend(writes);
                posted = Some(p);
            }
            match self.store.transact(tx).await {
                Ok(()) => {
                    if let Some(p) = posted {
                        p.deliver(self.store).await;
                    }
                    return Ok(next);
                }
                Err(e) if e.is_contended() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RadarError::Conflict("the radar post kept changing; try again".into()))
    }

    /// Approves or rejects a pending post; its author is told (RADAR_APPROVED or RADAR_REJECTED), once.
    pub async fn review(
        &self,
        tenant: &TenantId,
        id: Uuid,
        by: Uuid,
        approve: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<RadarPost, RadarError> {
        self.change(tenant, id, true, now, |p| p.reviewed(approve, reason.clone(), by, now).map(Some)).await
    }

    pub async fn pin(
        &self,
        tenant: &TenantId,
        id: Uuid,
        pinned: bool,
        now: DateTime<Utc>,
    ) -> Result<RadarPost, RadarError> {
        self.change(tenant, id, false, now, |p| p.pinned_as(pinned, now)).await
    }

    pub async fn archive(&self, tenant: &TenantId, id: Uuid, now: DateTime<Utc>) -> Result<RadarPost, RadarError> {
        self.change(tenant, id, false, now, |p| p.archived(now).map(Some)).await
    }

    async fn mark(&self, tenant: &TenantId, user: Uuid) -> Result<Option<RadarSeen>, StoreError> {
        self.store.get(&keys::seen(tenant, user)).await
    }

    /// Approved posts after `mark`, counted up to [`UNSEEN_MAX`] from the approved list's index.
    async fn unseen(&self, tenant: &TenantId, mark: Option<&RadarSeen>) -> Result<u32, StoreError> {
        let from = mark.map_or(0, |m| m.seen_up_to_ms + 1);
        let query = Query::partition(keys::radar_status(tenant, RadarPostStatus::Approved))
            .on(Index::Gsi1)
            .between(format!("{from:013}"), "~");
        let (items, _) = self.store.items_page(&query, UNSEEN_MAX, None).await?;
        Ok(u32::try_from(items.len()).unwrap_or(UNSEEN_MAX))
    }

    /// Which of `posts` `user` saved (one BatchGetItem).
    async fn saved_among(&self, tenant: &TenantId, user: Uuid, posts: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
        if posts.is_empty() {
            return Ok(HashSet::new());
        }
        let keys: Vec<_> = posts.iter().map(|p| keys::save(tenant, user, *p)).collect();
        let items = self.store.batch_get(&keys).await?;
        items.into_iter().map(|i| decode::<RadarSave>(i).map(|s| s.post_id)).collect()
    }

    /// The members' feed: approved posts, pinned first, then newest approved first.
    pub async fn feed(
        &self,
        scope: &str,
        tenant: &TenantId,
        user: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<RadarFeed, RadarError> {
        let query = Query::partition(keys::radar_feed(tenant)).on(Index::Gsi2).newest_first();
        let page: Page<RadarPost> = self.store.page(scope, &query, limit, cursor).await?;
        let mark = self.mark(tenant, user).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|p| p.id).collect();
        let saved = self.saved_among(tenant, user, &ids).await?;
        let at = mark.as_ref().map(|m| m.seen_up_to);
        let items = page
            .items
            .into_iter()
            .map(|post| RadarFeedItem { saved: saved.contains(&post.id), seen: post.seen_by(at), post })
            .collect();
        let unseen_count = self.unseen(tenant, mark.as_ref()).await?;
        Ok(RadarFeed { items, next_cursor: page.next_cursor, unseen_count, seen_up_to: at })
    }

    /// Moves `user`'s seen mark to `up_to` (now when absent); a mark never moves back.
    pub async fn seen(
        &self,
        tenant: &TenantId,
        user: Uuid,
        up_to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<RadarSeenState, RadarError> {
        let next = RadarSeen::at(user, up_to.unwrap_or(now), now);
        let write = Write::upsert(Put::new(&keys::seen(tenant, user), "RadarSeen", &next)?).if_below(
            "seenUpToMs",
            next.seen_up_to_ms,
            AHEAD,
        );
        let mark = match self.store.write(write).await {
            Ok(()) => next,
            Err(StoreError::Condition(AHEAD)) => self.mark(tenant, user).await?.unwrap_or(next),
            Err(e) => return Err(e.into()),
        };
        let unseen_count = self.unseen(tenant, Some(&mark)).await?;
        Ok(RadarSeenState { seen_up_to: mark.seen_up_to, unseen_count })
    }

    /// Saves an approved post for `user` (again: as it is).
    pub async fn save(
        &self,
        tenant: &TenantId,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<RadarFeedItem, RadarError> {
        let save = RadarSave { user_id: user, post_id: id, saved_at: now };
        let tx = nudge_core::store::Tx::new()
            .with(Write::check(keys::radar_post(tenant, id), NOT_IN_FEED).and_equals(
                "status",
                &RadarPostStatus::Approved,
                NOT_IN_FEED,
            )?)
            .with(Write::create(Put::new(&keys::save(tenant, user, id), "RadarSave", &save)?, SAVED));
        match self.store.transact(tx).await {
            Ok(()) | Err(StoreError::Condition(SAVED)) => {}
            // Members see approved posts only: any other is not found for them.
            Err(StoreError::Condition(NOT_IN_FEED)) => return Err(RadarError::NotFound),
            Err(e) => return Err(e.into()),
        }
        let post = self.load(tenant, id).await?;
        let mark = self.mark(tenant, user).await?;
        Ok(RadarFeedItem { seen: post.seen_by(mark.map(|m| m.seen_up_to)), saved: true, post })
    }

    /// Forgets `user`'s save of a post of the organization (none: nothing to do).
    pub async fn unsave(&self, tenant: &TenantId, user: Uuid, id: Uuid) -> Result<(), RadarError> {
        self.load(tenant, id).await?;
        self.store.write(Write::delete(keys::save(tenant, user, id))).await?;
        Ok(())
    }

    /// `user`'s saved posts, newest post first, as they are now.
    pub async fn saved(
        &self,
        scope: &str,
        tenant: &TenantId,
        user: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<RadarFeedItem>, RadarError> {
        let query =
            Query { sort_prefix: Some("SAVE#".into()), ..Query::partition(keys::member(tenant, user)) }.newest_first();
        let page: Page<RadarSave> = self.store.page(scope, &query, limit, cursor).await?;
        let keys: Vec<_> = page.items.iter().map(|s| keys::radar_post(tenant, s.post_id)).collect();
        let mut posts: std::collections::HashMap<Uuid, RadarPost> = std::collections::HashMap::new();
        if !keys.is_empty() {
            for item in self.store.batch_get(&keys).await? {
                let p: RadarPost = decode(item)?;
                posts.insert(p.id, p);
            }
        }
        let mark = self.mark(tenant, user).await?.map(|m| m.seen_up_to);
        let items = page
            .items
            .iter()
            .filter_map(|s| posts.remove(&s.post_id))
            .map(|post| RadarFeedItem { saved: true, seen: post.seen_by(mark), post })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }
}
