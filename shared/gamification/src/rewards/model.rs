//! The rewards' model (pure): the catalogue item, a redemption and its review.

use crate::model::Subject;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Seed 002 Reward: an item of the catalogue, bought with spendable XP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reward {
    pub id: Uuid,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub cost_xp: u32,
    /// Redemptions one person may make in a calendar month (the organization's time zone); none: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_limit: Option<u32>,
    /// Stock left; none: unlimited. Each redemption takes one, a rejected or cancelled one gives it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_available: Option<u32>,
    /// A reviewer approves each redemption; otherwise it is approved at once.
    pub approval_required: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// Seed 002 RedemptionStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RedemptionStatus {
    Pending,
    Approved,
    Rejected,
    Cancelled,
}

impl RedemptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// Seed 002 RewardRedemption.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RewardRedemption {
    pub id: Uuid,
    pub reward_id: Uuid,
    /// The reward's title when redeemed.
    pub reward_title: String,
    /// Who redeemed (a user; the seed's userId).
    #[serde(flatten)]
    pub subject: Subject,
    pub xp_spent: u32,
    pub status: RedemptionStatus,
    /// The calendar month (organization's time zone) it counts in, `YYYY-MM`.
    pub month: String,
    /// Whether it took one of a limited stock (and gives it back if rejected or cancelled).
    pub took_stock: bool,
    /// Whether it counts against a monthly limit (and stops counting if rejected or cancelled).
    pub counted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// What a reviewer or the redeemer decides about a pending redemption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// Withdrawn (by the redeemer, or a reviewer on their behalf).
    Cancel,
}

/// Why a decision cannot apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decided(pub RedemptionStatus);

impl RewardRedemption {
    /// The redemption after `decision` by `by`: only a pending one moves, once.
    pub fn decide(
        &self,
        decision: &Decision,
        by: Uuid,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Self, Decided> {
        if self.status != RedemptionStatus::Pending {
            return Err(Decided(self.status));
        }
        let status = match decision {
            Decision::Approve => RedemptionStatus::Approved,
            Decision::Reject => RedemptionStatus::Rejected,
            Decision::Cancel => RedemptionStatus::Cancelled,
        };
        Ok(Self {
            status,
            reviewed_by_id: Some(by),
            reviewed_at: Some(now),
            review_note: note,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// Whether this status gives the XP (and the stock, and the month's count) back.
    pub fn refunds(&self) -> bool {
        matches!(self.status, RedemptionStatus::Rejected | RedemptionStatus::Cancelled)
    }
}

/// The calendar month `at` falls in, in `zone`, as `YYYY-MM`.
pub fn month_of(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!("{:04}-{:02}", local.year(), local.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> RewardRedemption {
        let now = Utc::now();
        RewardRedemption {
            id: Uuid::from_u128(1),
            reward_id: Uuid::from_u128(2),
            reward_title: "Lunch".into(),
            subject: Subject::user(Uuid::from_u128(3)),
            xp_spent: 100,
            status: RedemptionStatus::Pending,
            month: "2026-11".into(),
            took_stock: true,
            counted: true,
            reviewed_by_id: None,
            reviewed_at: None,
            review_note: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn only_a_pending_redemption_is_decided_and_only_once() {
        let now = Utc::now();
        let by = Uuid::from_u128(9);
        let rejected = pending().decide(&Decision::Reject, by, Some("out".into()), now).unwrap();
        assert_eq!(
            (rejected.status, rejected.reviewed_by_id, rejected.version),
            (RedemptionStatus::Rejected, Some(by), 2)
        );
        assert!(rejected.refunds());
        assert_eq!(rejected.decide(&Decision::Cancel, by, None, now), Err(Decided(RedemptionStatus::Rejected)));
        let approved = pending().decide(&Decision::Approve, by, None, now).unwrap();
        assert!(!approved.refunds());
        assert_eq!(approved.decide(&Decision::Reject, by, None, now), Err(Decided(RedemptionStatus::Approved)));
        assert!(pending().decide(&Decision::Cancel, by, None, now).unwrap().refunds());
    }

    #[test]
    fn the_month_is_the_organizations() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(month_of(at, Tz::UTC), "2026-11");
        assert_eq!(month_of(at, "Europe/Ljubljana".parse().unwrap()), "2026-12");
        assert_eq!(month_of(at, "America/New_York".parse().unwrap()), "2026-11");
    }
}
