//! Awards applied and the ledger read. Knows no HTTP.

use crate::keys;
use crate::model::{Period, PeriodXp, Rank, Refusal, Subject, SubjectType, XpBalance, XpSource, XpTransaction};
use crate::notice;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::outbox::Posted;
use nudge_core::queue::Queue;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Tx, Write};
use nudge_notifications::send::direct::direct;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The condition a repeated award fails with.
pub const ALREADY: &str = "xp already awarded";
/// Fresh reads before a contended award gives up.
const TRIES: usize = 8;
/// Subjects awarded at once by [`Ledger::award_each`].
const AT_ONCE: usize = 8;

/// An award (or, negative, a correction) to one subject, once per (subject, source, sourceEntityId).
#[derive(Clone, Debug, PartialEq)]
pub struct Award {
    pub subject: Subject,
    pub source: XpSource,
    pub source_entity_id: String,
    pub amount: i64,
    pub reason: Option<String>,
    pub by: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AwardOutcome {
    Awarded {
        entry: XpTransaction,
        balance: XpBalance,
    },
    /// The same award was given before: nothing changed.
    AlreadyAwarded,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("not enough XP for this correction")]
    NotEnoughXp,
    #[error("{0}")]
    Conflict(String),
    #[error("the notice could not be written: {0}")]
    Notify(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn balance(store: &Store, tenant: &TenantId, subject: &Subject) -> Result<Option<XpBalance>, StoreError> {
    store.get(&keys::balance(tenant, subject)).await
}

/// The ledger with the queue its notices go through.
#[derive(Clone, Copy)]
pub struct Ledger<'a> {
    pub store: &'a Store,
    /// The notifications queue: an award's XP_EARNED notice is delivered through it.
    pub notifications: &'a Queue,
}

/// Awards' writes for the caller's transaction, and their notices to deliver once that committed.
#[must_use = "an award's notice is sent only when delivered (or by the outbox sweep, minutes later)"]
pub struct Awarding {
    pub tx: Tx,
    /// The entries, in the order of the awards.
    pub entries: Vec<XpTransaction>,
    /// The balance after them.
    pub balance: XpBalance,
    pub posted: Vec<Posted>,
}

impl Ledger<'_> {
    /// [`awards_writes`], and the user's XP_EARNED notice of each award that earned XP.
    pub async fn awards_writes(
        &self,
        tenant: &TenantId,
        awards: &[Award],
        now: DateTime<Utc>,
    ) -> Result<Awarding, LedgerError> {
        let (mut tx, applied, balance) = awards_writes(self.store, tenant, awards, now).await?;
        let mut posted = Vec::new();
        for (entry, before, after) in &applied {
            if let Some(send) = notice::earned(entry, *before, after) {
                let (writes, p) =
                    direct(tenant, self.notifications, send, now).map_err(|e| LedgerError::Notify(e.to_string()))?;
                tx.extend(writes);
                posted.push(p);
            }
        }
        Ok(Awarding { tx, entries: applied.into_iter().map(|(e, ..)| e).collect(), balance, posted })
    }

    /// [`Ledger::awards_writes`] of one award.
    pub async fn award_writes(
        &self,
        tenant: &TenantId,
        award: &Award,
        now: DateTime<Utc>,
    ) -> Result<Awarding, LedgerError> {
        self.awards_writes(tenant, std::slice::from_ref(award), now).await
    }

    /// Applies `award` on its own, once: a repeat answers [`AwardOutcome::AlreadyAwarded`].
    pub async fn award(
        &self,
        tenant: &TenantId,
        award: &Award,
        now: DateTime<Utc>,
    ) -> Result<AwardOutcome, LedgerError> {
        for _ in 0..TRIES {
            let awarding = self.award_writes(tenant, award, now).await?;
            match self.store.transact(awarding.tx).await {
                Ok(()) => {
                    nudge_core::outbox::deliver_all(self.store, awarding.posted).await;
                    let entry =
                        awarding.entries.into_iter().next().ok_or_else(|| LedgerError::Conflict("no entry".into()))?;
                    return Ok(AwardOutcome::Awarded { entry, balance: awarding.balance });
                }
                Err(StoreError::Condition(ALREADY)) => return Ok(AwardOutcome::AlreadyAwarded),
                Err(e) if e.is_contended() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(LedgerError::Conflict("the balance kept changing; try again".into()))
    }

    /// Many awards, each its own transaction ([`Ledger::award`]), answered in their order. A failure
    /// part-way leaves others given: running the same awards again gives only the rest (one given before
    /// is `AlreadyAwarded`). One subject's awards go in turn, since at once they would only contend on its
    /// balance; up to [`AT_ONCE`] subjects at a time, so a batch of a hundred fits a request's time.
    pub async fn award_each(
        &self,
        tenant: &TenantId,
        awards: &[Award],
        now: DateTime<Utc>,
    ) -> Result<Vec<AwardOutcome>, LedgerError> {
        let mut by_subject: BTreeMap<Subject, Vec<usize>> = BTreeMap::new();
        for (i, award) in awards.iter().enumerate() {
            by_subject.entry(award.subject).or_default().push(i);
        }
        let runs = by_subject.into_values().map(|indexes| async move {
            let mut done = Vec::with_capacity(indexes.len());
            for i in indexes {
                done.push((i, self.award(tenant, &awards[i], now).await?));
            }
            Ok::<_, LedgerError>(done)
        });
        let mut outcomes: Vec<Option<AwardOutcome>> = vec![None; awards.len()];
        let mut running = futures_util::stream::iter(runs).buffer_unordered(AT_ONCE);
        while let Some(run) = running.next().await {
            for (i, outcome) in run? {
                outcomes[i] = Some(outcome);
            }
        }
        outcomes.into_iter().map(|o| o.ok_or_else(|| LedgerError::Conflict("an award was not given".into()))).collect()
    }
}

/// [`awards_writes`] of one award, with no notice (a worker's: their channels are the journeys').
pub async fn award_writes(
    store: &Store,
    tenant: &TenantId,
    award: &Award,
    now: DateTime<Utc>,
) -> Result<Tx, LedgerError> {
    Ok(awards_writes(store, tenant, std::slice::from_ref(award), now).await?.0)
}

/// The writes of `awards` (all to one subject) on its balance as it is now, for the caller's transaction,
/// with no notice (a user's go through [`Ledger::awards_writes`]): each award's guard (created only if
/// absent: [`ALREADY`] otherwise) and entry, and the balance once, on the version read (a concurrent award
/// makes the transaction fail as a version conflict; read again and retry). Answers each entry with the
/// rank before it and the balance after it, and the final balance.
#[allow(clippy::type_complexity)]
pub async fn awards_writes(
    store: &Store,
    tenant: &TenantId,
    awards: &[Award],
    now: DateTime<Utc>,
) -> Result<(Tx, Vec<(XpTransaction, Rank, XpBalance)>, XpBalance), LedgerError> {
    let Some(subject) = awards.first().map(|a| a.subject) else {
        return Err(LedgerError::Conflict("no award".into()));
    };
    if awards.iter().any(|a| a.subject != subject) {
        return Err(LedgerError::Conflict("awards of one transaction go to one subject".into()));
    }
    let read = balance(store, tenant, &subject).await?;
    let read_version = read.as_ref().map_or(0, |b| b.version);
    let mut current = read.unwrap_or_else(|| XpBalance::empty(subject, now));
    let (mut tx, mut applied) = (Tx::new(), Vec::new());
    for award in awards {
        let next =
            current.apply(award.amount, award.source, now).map_err(|Refusal::NotEnoughXp| LedgerError::NotEnoughXp)?;
        let entry = XpTransaction {
            id: Uuid::now_v7(),
            subject,
            amount: award.amount,
            source_type: award.source,
            source_entity_id: award.source_entity_id.clone(),
            reason: award.reason.clone(),
            created_by: award.by,
            created_at: now,
            lifetime_xp_after: next.lifetime_xp,
            total_xp_after: next.total_xp,
        };
        let guard = keys::guard(tenant, &subject, award.source, &award.source_entity_id);
        tx.push(Write::create(Put::new(&guard, "XpAwardGuard", &serde_json::json!({"entryId": entry.id}))?, ALREADY));
        tx.push(Write::create(
            Put::new(&keys::entry(tenant, &subject, entry.id), "XpTransaction", &entry)?,
            "entry exists",
        ));
        applied.push((entry, current.rank, next.clone()));
        current = next;
    }
    tx.extend(period_writes(store, tenant, &subject, awards, &current, now).await?);
    // A worker's document carries its spendable XP as `gamification.pointsBalance` (seed 000).
    if subject.subject_type == SubjectType::Worker {
        let points = i64::try_from(current.total_xp).unwrap_or(i64::MAX);
        if let Some(writes) =
            nudge_workers::service::points_writes(store, tenant, subject.subject_id, points, now).await?
        {
            tx.extend(writes);
        }
    }
    current.version = read_version + 1;
    let placed = Put::new(&keys::balance(tenant, &subject), "XpBalance", &current)?.index(
        Index::Gsi1,
        keys::board(tenant, subject.subject_type),
        keys::board_sort(current.lifetime_xp, &subject),
    );
    tx.push(Write::versioned(placed, read_version));
    Ok((tx, applied, current))
}

/// The organization's time zone: its weeks and months bound the period leaderboards.
pub async fn zone(store: &Store, tenant: &TenantId) -> Result<chrono_tz::Tz, LedgerError> {
    let org = nudge_organizations::service::find(store, tenant)
        .await
        .map_err(|e| LedgerError::Conflict(format!("reading the organization: {e}")))?;
    Ok(org.map_or(chrono_tz::Tz::UTC, |o| o.fields.time_zone.tz()))
}

/// The week's and the month's XP of `subject` with what `awards` earn added, each with its place on the
/// period's board. Plain puts of what was read: every award to a subject also writes its balance on the
/// version read, so a racing award fails that transaction and reads these again.
async fn period_writes(
    store: &Store,
    tenant: &TenantId,
    subject: &Subject,
    awards: &[Award],
    after: &XpBalance,
    now: DateTime<Utc>,
) -> Result<Tx, LedgerError> {
    let earned: i64 = awards.iter().filter(|a| a.source.earns()).map(|a| a.amount).sum();
    let mut tx = Tx::new();
    if earned == 0 {
        return Ok(tx);
    }
    let zone = zone(store, tenant).await?;
    for period in [Period::Week, Period::Month].into_iter().filter_map(|p| p.key(now, zone)) {
        let key = keys::period(tenant, subject, &period);
        let read: Option<PeriodXp> = store.get(&key).await?;
        let xp = read.map_or(0, |r| r.xp).saturating_add_signed(earned);
        let next = PeriodXp { subject: *subject, period: period.clone(), xp, rank: after.rank, updated_at: now };
        let put = Put::new(&key, "XpPeriod", &next)?.index(
            Index::Gsi1,
            keys::period_board(tenant, subject.subject_type, &period),
            keys::board_sort(xp, subject),
        );
        tx.push(Write::upsert(put));
    }
    Ok(tx)
}

/// Whether `subject` was given the award of `source` for `source_entity_id` already.
pub async fn awarded(
    store: &Store,
    tenant: &TenantId,
    subject: &Subject,
    source: XpSource,
    source_entity_id: &str,
) -> Result<bool, StoreError> {
    let guard: Option<serde_json::Value> = store.get(&keys::guard(tenant, subject, source, source_entity_id)).await?;
    Ok(guard.is_some())
}

/// A subject's ledger, newest first.
pub async fn transactions(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    subject: &Subject,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<XpTransaction>, StoreError> {
    let query = Query { sort_prefix: Some("TX#".into()), ..Query::partition(keys::subject_partition(tenant, subject)) }
        .newest_first();
    store.page(scope, &query, limit, cursor).await
}

/// One place's figures on a board: the subject, its XP there (lifetime, or the period's) and rank.
pub type Standing = (Subject, u64, Rank);

/// The leaderboard of users or workers for `period` (its key at `now` in the organization's time zone):
/// the `limit` highest, from the board index.
pub async fn board(
    store: &Store,
    tenant: &TenantId,
    kind: SubjectType,
    period: Period,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Standing>, LedgerError> {
    let Some(key) = period.key(now, zone(store, tenant).await?) else {
        let top = leaderboard(store, tenant, kind, limit).await?;
        return Ok(top.into_iter().map(|b| (b.subject, b.lifetime_xp, b.rank)).collect());
    };
    let query = Query::partition(keys::period_board(tenant, kind, &key)).on(Index::Gsi1).newest_first();
    let (items, _) = store.items_page(&query, limit, None).await?;
    let rows: Vec<PeriodXp> = items.into_iter().map(nudge_core::store::decode).collect::<Result<_, _>>()?;
    Ok(rows.into_iter().filter(|r| r.xp > 0).map(|r| (r.subject, r.xp, r.rank)).collect())
}

/// Where `subject` stands on its organization's board for `period`: its XP there (lifetime XP for all
/// time) and its place, 1 + how many have more (equal XP share a place, as on the board), counted on the
/// board's index, never from the ledger. No place while it has earned nothing there.
pub async fn standing(
    store: &Store,
    tenant: &TenantId,
    subject: &Subject,
    period: Period,
    now: DateTime<Utc>,
) -> Result<(u64, Option<u64>), LedgerError> {
    let zone = if period == Period::AllTime { chrono_tz::Tz::UTC } else { zone(store, tenant).await? };
    let (board, xp) = match period.key(now, zone) {
        None => {
            (keys::board(tenant, subject.subject_type), balance(store, tenant, subject).await?.map(|b| b.lifetime_xp))
        }
        Some(key) => {
            let read: Option<PeriodXp> = store.get(&keys::period(tenant, subject, &key)).await?;
            (keys::period_board(tenant, subject.subject_type, &key), read.map(|r| r.xp))
        }
    };
    let xp = xp.unwrap_or(0);
    if xp == 0 {
        return Ok((0, None));
    }
    let mut above = Query::partition(board).on(Index::Gsi1);
    // Board keys are `<xp, 16 digits>#<subject>`: every key of more XP sorts from the next figure up.
    above.sort_between = Some((keys::board_sort_from(xp.saturating_add(1)), "~".to_owned()));
    Ok((xp, Some(store.count(&above).await? + 1)))
}

/// The standings of `subjects` for `period`: each one's XP there, highest first, those with none left
/// out. Read by key (a group's or a team's members), not from the ledger.
pub async fn standings_of(
    store: &Store,
    tenant: &TenantId,
    subjects: &[Subject],
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<Standing>, LedgerError> {
    let mut out: Vec<Standing> = match period.key(now, zone(store, tenant).await?) {
        None => {
            let keys: Vec<_> = subjects.iter().map(|s| keys::balance(tenant, s)).collect();
            let items = store.batch_get(&keys).await?;
            let balances: Vec<XpBalance> =
                items.into_iter().map(nudge_core::store::decode).collect::<Result<_, _>>()?;
            balances.into_iter().map(|b| (b.subject, b.lifetime_xp, b.rank)).collect()
        }
        Some(key) => {
            let keys: Vec<_> = subjects.iter().map(|s| keys::period(tenant, s, &key)).collect();
            let items = store.batch_get(&keys).await?;
            let rows: Vec<PeriodXp> = items.into_iter().map(nudge_core::store::decode).collect::<Result<_, _>>()?;
            rows.into_iter().map(|r| (r.subject, r.xp, r.rank)).collect()
        }
    };
    out.retain(|(_, xp, _)| *xp > 0);
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.subject_id.cmp(&b.0.subject_id)));
    Ok(out)
}

/// The all-time leaderboard of users or workers: the `limit` highest lifetime XP, from the board index.
pub async fn leaderboard(
    store: &Store,
    tenant: &TenantId,
    kind: SubjectType,
    limit: u32,
) -> Result<Vec<XpBalance>, StoreError> {
    let query = Query::partition(keys::board(tenant, kind)).on(Index::Gsi1).newest_first();
    let (items, _) = store.items_page(&query, limit, None).await?;
    items.into_iter().map(nudge_core::store::decode).collect()
}
