//! The catalogue kept, redemptions made and decided (see the module doc). Knows no HTTP.

use super::model::{Decided, Decision, RedemptionStatus, Reward, RewardRedemption, month_of};
use crate::keys;
use crate::ledger::{Award, Ledger, LedgerError};
use crate::model::{Subject, XpSource};
use crate::notice;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::store::{Changes, Index, Put, Query, Store, StoreError, Tx, Write};
use nudge_notifications::send::direct::direct;
use std::time::Duration;
use uuid::Uuid;

/// Fresh reads before a contended redemption gives up: a hundred people at one reward's stock retry.
const TRIES: u32 = 40;
/// The reward changed between the read and the write (stock, activity or cost): read again.
const REWARD_CHANGED: &str = "reward changed";
const MONTHLY_LIMIT: &str = "monthly limit reached";
const DECIDED: &str = "redemption decided meanwhile";

#[derive(Debug, thiserror::Error)]
pub enum RewardError {
    #[error("not found")]
    NotFound,
    #[error("the reward is not active")]
    Inactive,
    #[error("the reward is out of stock")]
    OutOfStock,
    #[error("the monthly limit of this reward is reached")]
    MonthlyLimit,
    #[error("not enough spendable XP")]
    NotEnoughXp,
    #[error("the redemption is {} already", .0.as_str())]
    Decided(RedemptionStatus),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Ledger(LedgerError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<LedgerError> for RewardError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::NotEnoughXp => Self::NotEnoughXp,
            LedgerError::Store(e) => Self::Store(e),
            other => Self::Ledger(other),
        }
    }
}

fn put_reward(tenant: &TenantId, r: &Reward) -> Result<Put, StoreError> {
    Put::new(&keys::reward(tenant, r.id), "Reward", r)
}

fn put_redemption(tenant: &TenantId, r: &RewardRedemption) -> Result<Put, StoreError> {
    Ok(Put::new(&keys::redemption(tenant, r.id), "RewardRedemption", r)?
        .index(Index::Gsi1, keys::redemptions_of(tenant, &r.subject), r.id.to_string())
        .index(Index::Gsi2, keys::redemptions_in(tenant, r.status.as_str()), r.id.to_string()))
}

/// A short pause before another try, different for each racer so they do not collide again.
async fn back_off(attempt: u32) {
    let jitter = u64::from(Uuid::new_v4().as_u128() as u8 % 20);
    tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(10)) * 5 + jitter)).await;
}

pub struct Rewards<'a> {
    pub ledger: Ledger<'a>,
    /// The organization's time zone: its calendar months bound the monthly limits.
    pub zone: Tz,
}

impl Rewards<'_> {
    fn store(&self) -> &Store {
        self.ledger.store
    }

    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Reward, RewardError> {
        self.store().get(&keys::reward(tenant, id)).await?.ok_or(RewardError::NotFound)
    }

    /// The catalogue; `active_only` for members (what they can redeem).
    pub async fn list(&self, tenant: &TenantId, active_only: bool) -> Result<Vec<Reward>, RewardError> {
        let mut all: Vec<Reward> = self.store().all(&Query::partition(keys::rewards(tenant))).await?;
        all.retain(|r| r.active || !active_only);
        all.sort_by(|a, b| (a.cost_xp, &a.title).cmp(&(b.cost_xp, &b.title)));
        Ok(all)
    }

    pub async fn create(&self, tenant: &TenantId, reward: &Reward) -> Result<(), RewardError> {
        Ok(self.store().write(Write::create(put_reward(tenant, reward)?, "reward exists")).await?)
    }

    /// Applies `change` to the reward as read, on its version (a redemption taking stock bumps it too, so
    /// neither loses the other's write).
    pub async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        change: impl Fn(&Reward) -> Reward,
    ) -> Result<Reward, RewardError> {
        for _ in 0..8 {
            let read = self.get(tenant, id).await?;
            let next = change(&read);
            match self.store().write(Write::replace(put_reward(tenant, &next)?, read.version)).await {
                Ok(()) => return Ok(next),
                Err(e) if e.is_version_conflict() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RewardError::Conflict("the reward kept changing; try again".into()))
    }

    /// `subject` redeems reward `id` (see the module doc): all of it or nothing.
    pub async fn redeem(
        &self,
        tenant: &TenantId,
        id: Uuid,
        subject: Subject,
        now: DateTime<Utc>,
    ) -> Result<RewardRedemption, RewardError> {
        let month = month_of(now, self.zone);
        for attempt in 0..TRIES {
            let reward = self.get(tenant, id).await?;
            if !reward.active {
                return Err(RewardError::Inactive);
            }
            if reward.quantity_available == Some(0) {
                return Err(RewardError::OutOfStock);
            }
            let taken_key = keys::taken(tenant, id, &subject, &month);
            if let Some(limit) = reward.monthly_limit {
                let taken: Option<serde_json::Value> = self.store().get(&taken_key).await?;
                let count = taken.as_ref().and_then(|t| t["count"].as_u64()).unwrap_or(0);
                if count >= u64::from(limit) {
                    return Err(RewardError::MonthlyLimit);
                }
            }
            let redemption = RewardRedemption {
                id: Uuid::now_v7(),
                reward_id: id,
                reward_title: reward.title.clone(),
                subject,
                xp_spent: reward.cost_xp,
                status: if reward.approval_required { RedemptionStatus::Pending } else { RedemptionStatus::Approved },
                month: month.clone(),
                took_stock: reward.quantity_available.is_some(),
                counted: reward.monthly_limit.is_some(),
                reviewed_by_id: None,
                reviewed_at: None,
                review_note: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let spend = Award {
                subject,
                source: XpSource::RewardRedemption,
                source_entity_id: redemption.id.to_string(),
                amount: -i64::from(reward.cost_xp),
                reason: Some(reward.title.clone()),
                by: Some(subject.subject_id),
            };
            let awarding = self.ledger.award_writes(tenant, &spend, now).await?;
            let mut tx = awarding.tx;
            let key = keys::reward(tenant, id);
            let still = if reward.quantity_available.is_some() {
                Write::update(key, Changes::new().add("quantityAvailable", -1).add("version", 1), REWARD_CHANGED)
                    .and_at_least("quantityAvailable", 1, REWARD_CHANGED)
            } else {
                Write::check(key, REWARD_CHANGED)
            };
            tx.push(still.and_equals("active", &true, REWARD_CHANGED)?.and_equals(
                "costXp",
                &reward.cost_xp,
                REWARD_CHANGED,
            )?);
            if let Some(limit) = reward.monthly_limit {
                tx.push(Write::upsert_changes(taken_key, Changes::new().add("count", 1)).if_below(
                    "count",
                    i64::from(limit),
                    MONTHLY_LIMIT,
                ));
            }
            tx.push(Write::create(put_redemption(tenant, &redemption)?, "redemption exists"));
            match self.store().transact(tx).await {
                Ok(()) => return Ok(redemption),
                Err(StoreError::Condition(MONTHLY_LIMIT)) => return Err(RewardError::MonthlyLimit),
                Err(e) if e.is_contended() || matches!(e, StoreError::Condition(REWARD_CHANGED)) => {
                    back_off(attempt).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(RewardError::Conflict("too many redemptions at once; try again".into()))
    }

    pub async fn redemption(&self, tenant: &TenantId, id: Uuid) -> Result<RewardRedemption, RewardError> {
        self.store().get(&keys::redemption(tenant, id)).await?.ok_or(RewardError::NotFound)
    }

    /// Decides a pending redemption, once (on its version). Rejecting or cancelling refunds the XP (a new
    /// entry), gives the stock back and uncounts it from its month; a review notifies the redeemer. All in
    /// one transaction.
    pub async fn decide(
        &self,
        tenant: &TenantId,
        id: Uuid,
        decision: Decision,
        by: Uuid,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<RewardRedemption, RewardError> {
        for attempt in 0..8 {
            let read = self.redemption(tenant, id).await?;
            let next = read.decide(&decision, by, note.clone(), now).map_err(|Decided(s)| RewardError::Decided(s))?;
            let mut tx =
                Tx::new().with(Write::replace(put_redemption(tenant, &next)?, read.version).if_version(read.version));
            let mut posted = Vec::new();
            if next.refunds() {
                let refund = Award {
                    subject: next.subject,
                    source: XpSource::RewardRefund,
                    source_entity_id: next.id.to_string(),
                    amount: i64::from(next.xp_spent),
                    reason: Some(next.reward_title.clone()),
                    by: Some(by),
                };
                let awarding = self.ledger.award_writes(tenant, &refund, now).await?;
                tx.extend(awarding.tx);
                posted.extend(awarding.posted);
                if next.took_stock {
                    let back = Changes::new().add("quantityAvailable", 1).add("version", 1);
                    tx.push(Write::update(keys::reward(tenant, next.reward_id), back, "reward gone"));
                }
                if next.counted {
                    let key = keys::taken(tenant, next.reward_id, &next.subject, &next.month);
                    tx.push(Write::update(key, Changes::new().add("count", -1), "count gone"));
                }
            }
            if let Some(send) = notice::decided(&next) {
                let (writes, p) = direct(tenant, self.ledger.notifications, send, now)
                    .map_err(|e| RewardError::Ledger(LedgerError::Notify(e.to_string())))?;
                tx.extend(writes);
                posted.push(p);
            }
            match self.store().transact(tx).await {
                Ok(()) => {
                    nudge_core::outbox::deliver_all(self.store(), posted).await;
                    return Ok(next);
                }
                Err(e) if e.is_contended() || matches!(e, StoreError::Condition(DECIDED)) => back_off(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RewardError::Conflict("the redemption kept changing; try again".into()))
    }

    /// Redemptions newest first: `subject`'s, or the organization's in `status`, or all of them.
    pub async fn redemptions(
        &self,
        scope: &str,
        tenant: &TenantId,
        subject: Option<&Subject>,
        status: Option<RedemptionStatus>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<RewardRedemption>, RewardError> {
        let query = match (subject, status) {
            (Some(s), status) => {
                let q = Query::partition(keys::redemptions_of(tenant, s)).on(Index::Gsi1);
                match status {
                    Some(st) => q.filter_eq("status", st.as_str()),
                    None => q,
                }
            }
            (None, Some(st)) => Query::partition(keys::redemptions_in(tenant, st.as_str())).on(Index::Gsi2),
            (None, None) => Query::partition(keys::redemptions(tenant)),
        };
        Ok(self.store().page(scope, &query.newest_first(), limit, cursor).await?)
    }
}
