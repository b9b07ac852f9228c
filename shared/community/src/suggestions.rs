//! Knowledge suggestions in the table: created, listed, voted on, commented and reviewed. Knows no HTTP.
//!
//! A vote is its own item, created only if absent, in one transaction with an atomic `ADD voteCount 1`
//! (and `version`) on the open suggestion: the count is exact however many vote at once, and a repeated
//! vote changes nothing. An unvote removes the item only if it is there, with `ADD -1`. Votes and comments
//! move the suggestion's version, so a review (a write on the version read) always tells every voter
//! there is: a vote racing it makes it read again.
//!
//! A vote reads the suggestion first and sets the vote ranking's sort key from the count it read plus its
//! own, in its transaction; a vote that raced another mends the key afterwards from the exact count (only
//! while the count is still the one read), so only a crash in that race leaves the order a vote behind,
//! until the next vote. The vote that brings the count to [`POPULAR_AT`] tells the reviewers in its own
//! transaction (the notice's outbox entry and the marker `popularNotifiedAt`), conditioned on the count
//! read: exactly one vote tells, and no crash loses it. Votes short of it are written only while the count
//! is still short (`voteCount < POPULAR_AT - 1`), so racing votes contend only at the threshold.

use crate::keys;
use crate::model::{
    POPULAR_AT, Refusal, Suggestion, SuggestionComment, SuggestionDecision, SuggestionStatus, SuggestionVote,
};
use crate::notices;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::queue::Queue;
use nudge_core::store::optimistic::{Attempt, retry};
use nudge_core::store::{Changes, Index, Put, Query, Store, StoreError, Tx, Write, decode};
use nudge_gamification::ledger::{ALREADY as XP_ALREADY, Award, Ledger};
use nudge_gamification::{Subject, XpSource};
use nudge_notifications::send::direct::{direct, to_users};
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// The permission whose holders review suggestions (and are told of popular ones).
pub const MANAGE: &str = "suggestions:manage";

const EXISTS: &str = "suggestion exists";
const COMMENT_EXISTS: &str = "comment exists";
const VOTED: &str = "already voted";
const NOT_VOTED: &str = "not voted";
/// The suggestion is missing or no longer open.
const OPEN_ONLY: &str = "suggestion open";
const GONE: &str = "suggestion gone";
const MODULE_GONE: &str = "module gone";
/// The suggestion moved on since it was read (another vote, the notice sent, a review).
const MOVED: &str = "suggestion moved";
/// Fresh reads of a review before it gives up.
const TRIES: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SuggestionError {
    #[error("no such suggestion")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A well-formed field that names what the organization does not have (its JSON pointer).
    #[error("{0}: {1}")]
    Rule(&'static str, String),
    #[error("{0}")]
    Notify(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn closed(status: &str) -> SuggestionError {
    SuggestionError::Conflict(format!("the suggestion is {status}, no longer open"))
}

/// A suggestion with the caller's vote.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionView {
    #[serde(flatten)]
    pub suggestion: Suggestion,
    /// Whether the caller voted for it.
    pub voted_by_me: bool,
}

/// How a list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Newest,
    /// Most votes first, within one status.
    Votes,
}

/// A reviewer's decision as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub status: SuggestionDecision,
    pub module_id: Option<Uuid>,
    pub reason: Option<String>,
}

pub struct Suggestions<'a> {
    pub store: &'a Store,
    /// The notifications queue: reviews and popularity are told through it.
    pub notifications: &'a Queue,
}

fn put(tenant: &TenantId, s: &Suggestion) -> Result<Put, StoreError> {
    Ok(Put::new(&keys::suggestion(tenant, s.id), "KnowledgeSuggestion", s)?
        .index(Index::Gsi1, keys::by_status(tenant, s.status), s.id.to_string())
        .index(Index::Gsi2, keys::by_votes(tenant, s.status), keys::vote_sort(s.vote_count, s.id)))
}

impl Suggestions<'_> {
    pub async fn create(
        &self,
        tenant: &TenantId,
        author: Uuid,
        title: String,
        description: String,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, SuggestionError> {
        let s = Suggestion::new(Uuid::now_v7(), author, title, description, now);
        self.store.write(Write::create(put(tenant, &s)?, EXISTS)).await?;
        Ok(s)
    }

    async fn load(&self, tenant: &TenantId, id: Uuid) -> Result<Suggestion, SuggestionError> {
        self.store.get(&keys::suggestion(tenant, id)).await?.ok_or(SuggestionError::NotFound)
    }

    /// The suggestion with the caller's vote: one read of both items.
    pub async fn view(&self, tenant: &TenantId, id: Uuid, user: Uuid) -> Result<SuggestionView, SuggestionError> {
        let vote_key = keys::vote(tenant, id, user);
        let items = self.store.batch_get(&[keys::suggestion(tenant, id), vote_key.clone()]).await?;
        let mut found = None;
        let mut voted = false;
        for item in items {
            if item.get("sk").and_then(|v| v.as_s().ok()) == Some(&vote_key.sk) {
                voted = true;
            } else {
                found = Some(decode::<Suggestion>(item)?);
            }
        }
        let suggestion = found.ok_or(SuggestionError::NotFound)?;
        Ok(SuggestionView { suggestion, voted_by_me: voted })
    }

    /// The ids among `ids` that `user` voted for (one BatchGetItem).
    async fn voted_among(&self, tenant: &TenantId, ids: &[Uuid], user: Uuid) -> Result<HashSet<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let keys: Vec<_> = ids.iter().map(|id| keys::vote(tenant, *id, user)).collect();
        let items = self.store.batch_get(&keys).await?;
        items.into_iter().map(|i| decode::<SuggestionVote>(i).map(|v| v.suggestion_id)).collect()
    }

    /// A page of suggestions: newest first (of one status or all), or most voted first within one status.
    #[allow(clippy::too_many_arguments)]
    pub async fn list(
        &self,
        scope: &str,
        tenant: &TenantId,
        user: Uuid,
        status: Option<SuggestionStatus>,
        sort: Sort,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<SuggestionView>, SuggestionError> {
        let query = match (status, sort) {
            (None, Sort::Newest) => Query::partition(keys::suggestions(tenant)).newest_first(),
            (Some(status), Sort::Newest) => {
                Query::partition(keys::by_status(tenant, status)).on(Index::Gsi1).newest_first()
            }
            (status, Sort::Votes) => {
                let status = status.unwrap_or(SuggestionStatus::Open);
                Query::partition(keys::by_votes(tenant, status)).on(Index::Gsi2).newest_first()
            }
        };
        let page: Page<Suggestion> = self.store.page(scope, &query, limit, cursor).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|s| s.id).collect();
        let voted = self.voted_among(tenant, &ids, user).await?;
        let items = page
            .items
            .into_iter()
            .map(|s| SuggestionView { voted_by_me: voted.contains(&s.id), suggestion: s })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// Why a write conditioned on an open suggestion failed: missing, or reviewed.
    async fn not_open(&self, tenant: &TenantId, id: Uuid) -> SuggestionError {
        match self.load(tenant, id).await {
            Ok(s) => closed(s.status.as_str()),
            Err(e) => e,
        }
    }

    /// `user`'s vote, once: a repeat changes nothing. Only an open suggestion takes votes.
    pub async fn vote(
        &self,
        tenant: &TenantId,
        id: Uuid,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SuggestionView, SuggestionError> {
        let vote = SuggestionVote { suggestion_id: id, user_id: user, created_at: now };
        let vote = &vote;
        let Some(expected) = retry(|| async move { self.count(tenant, id, user, Some(vote), now).await }).await? else {
            // Voted before: as it is.
            return self.view(tenant, id, user).await;
        };
        let suggestion = self.rerank(tenant, id, expected).await?;
        Ok(SuggestionView { suggestion, voted_by_me: true })
    }

    /// Withdraws `user`'s vote, if there is one; only while the suggestion is open.
    pub async fn unvote(
        &self,
        tenant: &TenantId,
        id: Uuid,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SuggestionView, SuggestionError> {
        let Some(expected) = retry(|| async move { self.count(tenant, id, user, None, now).await }).await? else {
            let view = self.view(tenant, id, user).await?;
            if view.suggestion.status != SuggestionStatus::Open {
                return Err(closed(view.suggestion.status.as_str()));
            }
            return Ok(view);
        };
        let suggestion = self.rerank(tenant, id, expected).await?;
        Ok(SuggestionView { suggestion, voted_by_me: false })
    }

    /// One try at a vote (`vote`: its item created, `+1`) or an unvote (its item removed, `-1`), from a
    /// fresh read of the suggestion: `Some(count)` it expects to leave when it counted, `None` when the vote
    /// was (or was not) there already. The ranking key is set from the count read, and the vote that makes
    /// the suggestion popular carries the reviewers' notice and its marker in the same transaction.
    async fn count(
        &self,
        tenant: &TenantId,
        id: Uuid,
        user: Uuid,
        vote: Option<&SuggestionVote>,
        now: DateTime<Utc>,
    ) -> Result<Attempt<Option<u64>>, SuggestionError> {
        let s = self.load(tenant, id).await?;
        if s.status != SuggestionStatus::Open {
            return Err(closed(s.status.as_str()));
        }
        let counting = s.counting(vote.is_some());
        let expected = counting.count;
        let delta = if vote.is_some() { 1 } else { -1 };
        let mut changes =
            Changes::new().add("voteCount", delta).add("version", 1).set("gsi2sk", &keys::vote_sort(expected, id))?;
        if counting.tells {
            changes = changes.set("popularNotifiedAt", &now)?;
        }
        let mut counted = Write::update(keys::suggestion(tenant, id), changes, OPEN_ONLY).and_equals(
            "status",
            &SuggestionStatus::Open,
            OPEN_ONLY,
        )?;
        if counting.short {
            // Still short as written, or read again: then this may be the vote that tells.
            counted = counted.and_below("voteCount", POPULAR_AT as i64 - 1, MOVED);
        }
        if counting.tells {
            // On the count as read, so exactly one vote is the one that tells.
            counted = counted.and_equals("voteCount", &s.vote_count, MOVED)?.and_absent("popularNotifiedAt", MOVED);
        }
        // The suggestion first: a transaction fails with its first failing condition, and a moved
        // suggestion is read again whatever else failed with it.
        let mut tx = Tx::new().with(counted).with(match vote {
            Some(v) => Write::create(Put::new(&keys::vote(tenant, id, user), "KnowledgeSuggestionVote", v)?, VOTED),
            None => Write::delete(keys::vote(tenant, id, user)).and_equals("userId", &user, NOT_VOTED)?,
        });
        let mut posted = Vec::new();
        if counting.tells {
            let reviewers = nudge_identity::holders_of(self.store, tenant, MANAGE).await?;
            let after = Suggestion { vote_count: expected, ..s };
            let (notice, sent) = to_users(tenant, self.notifications, notices::popular(&after, reviewers), now)?;
            tx.extend(notice);
            posted = sent;
        }
        match self.store.transact(tx).await {
            Ok(()) => {
                if counting.tells {
                    nudge_core::outbox::deliver_all(self.store, posted).await;
                    tracing::info!(suggestion = %id, votes = expected, "popular suggestion: reviewers told");
                }
                Ok(Attempt::Done(Some(expected)))
            }
            Err(StoreError::Condition(VOTED | NOT_VOTED)) => Ok(Attempt::Done(None)),
            Err(StoreError::Condition(OPEN_ONLY)) => Err(self.not_open(tenant, id).await),
            // Another vote (or a review) moved the suggestion: read it again.
            Err(StoreError::Condition(MOVED)) | Err(StoreError::TransactionConflict) => Ok(Attempt::Retry),
            Err(e) => Err(e.into()),
        }
    }

    /// After a vote: the suggestion as it is, its ranking key mended when racing votes left it off the count
    /// (the last of them mends it; only while the count is still the one read).
    async fn rerank(&self, tenant: &TenantId, id: Uuid, expected: u64) -> Result<Suggestion, SuggestionError> {
        let s = self.load(tenant, id).await?;
        if s.vote_count == expected || s.status != SuggestionStatus::Open {
            return Ok(s);
        }
        let rank = Changes::new().set("gsi2sk", &keys::vote_sort(s.vote_count, id))?;
        let reindex = Write::update(keys::suggestion(tenant, id), rank, MOVED)
            .and_equals("voteCount", &s.vote_count, MOVED)?
            .and_equals("status", &SuggestionStatus::Open, MOVED)?;
        match self.store.write(reindex).await {
            // Moved on again: the vote that moved it mends it.
            Ok(()) | Err(StoreError::Condition(MOVED)) => {}
            // Derived order only (a racing vote's transaction holds the item): the next vote sets it.
            Err(e) => tracing::warn!(error = %e, suggestion = %id, "vote ranking not updated"),
        }
        Ok(s)
    }

    /// A comment, answering `parent` (a comment of the same suggestion) when given: the parent's author is
    /// told (COMMENT_REPLY) in the same transaction, unless they answer themselves.
    pub async fn comment(
        &self,
        tenant: &TenantId,
        id: Uuid,
        author: Uuid,
        body: String,
        parent: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<SuggestionComment, SuggestionError> {
        let s = self.load(tenant, id).await?;
        let parent = match parent {
            Some(p) => Some(
                self.store
                    .get::<SuggestionComment>(&keys::comment(tenant, id, p))
                    .await?
                    .ok_or_else(|| SuggestionError::Rule("/parentId", "names no comment of this suggestion".into()))?,
            ),
            None => None,
        };
        let c = SuggestionComment {
            id: Uuid::now_v7(),
            suggestion_id: id,
            author_id: author,
            body,
            parent_id: parent.as_ref().map(|p| p.id),
            created_at: now,
        };
        let counted =
            Write::update(keys::suggestion(tenant, id), Changes::new().add("commentCount", 1).add("version", 1), GONE);
        let mut tx = Tx::new()
            .with(Write::create(
                Put::new(&keys::comment(tenant, id, c.id), "KnowledgeSuggestionComment", &c)?,
                COMMENT_EXISTS,
            ))
            .with(counted);
        // The parent's author is told of the reply (not of their own), with it.
        let mut posted = None;
        if let Some(p) = parent.filter(|p| p.author_id != author) {
            let (told, sent) =
                direct(tenant, self.notifications, notices::suggestion_comment_reply(&c, p.author_id, &s), now)?;
            tx.extend(told);
            posted = Some(sent);
        }
        match self.store.transact_retrying(&tx).await {
            Err(StoreError::Condition(GONE)) => return Err(SuggestionError::NotFound),
            written => written?,
        }
        if let Some(p) = posted {
            p.deliver(self.store).await;
        }
        Ok(c)
    }

    /// A suggestion's comments, oldest first (a thread is rebuilt from `parentId`).
    pub async fn comments(
        &self,
        scope: &str,
        tenant: &TenantId,
        id: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<SuggestionComment>, SuggestionError> {
        self.load(tenant, id).await?;
        let query =
            Query { sort_prefix: Some("COMMENT#".into()), ..Query::partition(keys::suggestion_partition(tenant, id)) };
        Ok(self.store.page(scope, &query, limit, cursor).await?)
    }

    /// Every voter of a suggestion (read strongly consistent: the review that follows tells them all).
    async fn voters(&self, tenant: &TenantId, id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        let query =
            Query { sort_prefix: Some("VOTE#".into()), ..Query::partition(keys::suggestion_partition(tenant, id)) }
                .consistent();
        let votes: Vec<SuggestionVote> = self.store.all(&query).await?;
        Ok(votes.into_iter().map(|v| v.user_id).collect())
    }

    /// Reviews an open suggestion: its new status, the author and every voter told (once), and the author's
    /// TOP_SUGGESTION XP when approved or converted, all in one transaction on the version read.
    pub async fn decide(
        &self,
        tenant: &TenantId,
        id: Uuid,
        reviewer: Uuid,
        decision: Decision,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, SuggestionError> {
        let mut award_xp = decision.status.earns_xp();
        for _ in 0..TRIES {
            let read = self.load(tenant, id).await?;
            let next = read
                .decided(decision.status, decision.module_id, decision.reason.clone(), reviewer, now)
                .map_err(|Refusal::NotOpen(status)| closed(status))?;
            let mut tx = Tx::new().with(Write::replace(put(tenant, &next)?, read.version));
            if let Some(module) = next.module_id {
                if nudge_learning::repo::get_module(self.store, tenant, module).await?.is_none() {
                    return Err(SuggestionError::Rule("/moduleId", "names no module of this organization".into()));
                }
                tx.push(Write::check(nudge_learning::keys::module(tenant, module), MODULE_GONE));
            }
            let voters = self.voters(tenant, id).await?;
            let (told, mut posted) =
                to_users(tenant, self.notifications, notices::status_changed(&next, &voters), now)?;
            tx.extend(told);
            let mut award_posted = Vec::new();
            if award_xp {
                let amount =
                    nudge_gamification::settings::get(self.store, tenant).await?.amount(XpSource::TopSuggestion);
                if amount > 0 {
                    let award = Award {
                        subject: Subject::user(next.author_id),
                        source: XpSource::TopSuggestion,
                        source_entity_id: id.to_string(),
                        amount: i64::from(amount),
                        reason: None,
                        by: Some(reviewer),
                    };
                    let ledger = Ledger { store: self.store, notifications: self.notifications };
                    let a = ledger.award_writes(tenant, &award, now).await.map_err(|e| match e {
                        nudge_gamification::LedgerError::Store(e) => SuggestionError::Store(e),
                        other => SuggestionError::Notify(other.to_string()),
                    })?;
                    tx.extend(a.tx);
                    award_posted = a.posted;
                }
            }
            match self.store.transact(tx).await {
                Ok(()) => {
                    posted.extend(award_posted);
                    nudge_core::outbox::deliver_all(self.store, posted).await;
                    tracing::info!(suggestion = %id, status = next.status.as_str(), voters = voters.len(), "suggestion reviewed");
                    return Ok(next);
                }
                Err(StoreError::Condition(MODULE_GONE)) => {
                    return Err(SuggestionError::Rule("/moduleId", "names no module of this organization".into()));
                }
                // The author holds this award already: the review goes on without it.
                Err(StoreError::Condition(XP_ALREADY)) => award_xp = false,
                Err(e) if e.is_contended() => {
                    pause().await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(SuggestionError::Conflict("the suggestion kept changing; try again".into()))
    }
}

/// A short pause before a contended review reads again (votes keep landing).
async fn pause() {
    let jitter = u64::from(Uuid::new_v4().as_u128() as u8) % 20;
    tokio::time::sleep(std::time::Duration::from_millis(5 + jitter)).await;
}
