//! Awards applied and the ledger read. Knows no HTTP.

use crate::keys;
use crate::model::{Refusal, Subject, SubjectType, XpBalance, XpSource, XpTransaction};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Tx, Write};
use uuid::Uuid;

/// The condition a repeated award fails with.
pub const ALREADY: &str = "xp already awarded";
/// Fresh reads before a contended award gives up.
const TRIES: usize = 8;

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
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn balance(store: &Store, tenant: &TenantId, subject: &Subject) -> Result<Option<XpBalance>, StoreError> {
    store.get(&keys::balance(tenant, subject)).await
}

/// The writes of `award` on the balance as it is now, for the caller's transaction: the guard (created
/// only if absent: [`ALREADY`] otherwise), the entry and the balance on the version read (a concurrent
/// award makes the transaction fail as a version conflict; read again and retry).
pub async fn award_writes(
    store: &Store,
    tenant: &TenantId,
    award: &Award,
    now: DateTime<Utc>,
) -> Result<(Tx, XpTransaction, XpBalance), LedgerError> {
    let read = balance(store, tenant, &award.subject).await?;
    let read_version = read.as_ref().map_or(0, |b| b.version);
    let current = read.unwrap_or_else(|| XpBalance::empty(award.subject, now));
    let next = current.apply(award.amount, now).map_err(|Refusal::NotEnoughXp| LedgerError::NotEnoughXp)?;
    let entry = XpTransaction {
        id: Uuid::now_v7(),
        subject: award.subject,
        amount: award.amount,
        source_type: award.source,
        source_entity_id: award.source_entity_id.clone(),
        reason: award.reason.clone(),
        created_by: award.by,
        created_at: now,
        lifetime_xp_after: next.lifetime_xp,
        total_xp_after: next.total_xp,
    };
    let guard = keys::guard(tenant, &award.subject, award.source, &award.source_entity_id);
    let placed = Put::new(&keys::balance(tenant, &award.subject), "XpBalance", &next)?.index(
        Index::Gsi1,
        keys::board(tenant, award.subject.subject_type),
        keys::board_sort(next.lifetime_xp, &award.subject),
    );
    let tx = Tx::new()
        .with(Write::create(Put::new(&guard, "XpAwardGuard", &serde_json::json!({"entryId": entry.id}))?, ALREADY))
        .with(Write::create(
            Put::new(&keys::entry(tenant, &award.subject, entry.id), "XpTransaction", &entry)?,
            "entry exists",
        ))
        .with(Write::versioned(placed, read_version));
    Ok((tx, entry, next))
}

/// Applies `award` on its own, once: a repeat answers [`AwardOutcome::AlreadyAwarded`].
pub async fn award(
    store: &Store,
    tenant: &TenantId,
    award: &Award,
    now: DateTime<Utc>,
) -> Result<AwardOutcome, LedgerError> {
    for _ in 0..TRIES {
        let (tx, entry, balance) = award_writes(store, tenant, award, now).await?;
        match store.transact(tx).await {
            Ok(()) => return Ok(AwardOutcome::Awarded { entry, balance }),
            Err(StoreError::Condition(ALREADY)) => return Ok(AwardOutcome::AlreadyAwarded),
            Err(e) if e.is_version_conflict() || matches!(e, StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(LedgerError::Conflict("the balance kept changing; try again".into()))
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
