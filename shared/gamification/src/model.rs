//! The ledger's model (pure): sources, subjects, ranks and the balance's arithmetic.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;
use uuid::Uuid;

/// Seed 002 XpSourceType, and ours for workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum XpSource {
    ModuleCompleted,
    QuizHighScore,
    MentorConfirmation,
    TopSuggestion,
    ComplianceRenewal,
    /// Given by hand, with a reason (audited).
    Manual,
    /// A worker completed a journey touchpoint (ours: seed 000's WorkerGamification).
    TouchpointCompleted,
    /// Spent on a reward (ours: the seed's spends have no source): lowers the spendable XP only.
    RewardRedemption,
    /// A rejected or cancelled redemption given back: raises the spendable XP only.
    RewardRefund,
}

impl XpSource {
    pub const ALL: [Self; 9] = [
        Self::ModuleCompleted,
        Self::QuizHighScore,
        Self::MentorConfirmation,
        Self::TopSuggestion,
        Self::ComplianceRenewal,
        Self::Manual,
        Self::TouchpointCompleted,
        Self::RewardRedemption,
        Self::RewardRefund,
    ];

    /// The sources a tenant sets an amount for (spends and refunds are the reward's cost).
    pub const EARNING: [Self; 7] = [
        Self::ModuleCompleted,
        Self::QuizHighScore,
        Self::MentorConfirmation,
        Self::TopSuggestion,
        Self::ComplianceRenewal,
        Self::Manual,
        Self::TouchpointCompleted,
    ];

    /// Whether its entries count towards lifetime XP (and so the rank): a refund gives back what was
    /// spent, it earns nothing.
    pub fn earns(self) -> bool {
        !matches!(self, Self::RewardRedemption | Self::RewardRefund)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ModuleCompleted => "MODULE_COMPLETED",
            Self::QuizHighScore => "QUIZ_HIGH_SCORE",
            Self::MentorConfirmation => "MENTOR_CONFIRMATION",
            Self::TopSuggestion => "TOP_SUGGESTION",
            Self::ComplianceRenewal => "COMPLIANCE_RENEWAL",
            Self::Manual => "MANUAL",
            Self::TouchpointCompleted => "TOUCHPOINT_COMPLETED",
            Self::RewardRedemption => "REWARD_REDEMPTION",
            Self::RewardRefund => "REWARD_REFUND",
        }
    }

    /// The amount a tenant that set nothing gives.
    pub fn default_amount(self) -> u32 {
        match self {
            Self::ModuleCompleted => 100,
            Self::QuizHighScore => 50,
            Self::MentorConfirmation => 25,
            Self::TopSuggestion => 50,
            Self::ComplianceRenewal => 75,
            Self::Manual => 0,
            Self::TouchpointCompleted => 10,
            Self::RewardRedemption | Self::RewardRefund => 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    User,
    Worker,
}

impl SubjectType {
    /// `user` or `worker`, as the API and keys name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Worker => "worker",
        }
    }
}

/// Whose XP: a user (a learner) or a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    pub subject_type: SubjectType,
    pub subject_id: Uuid,
}

impl Subject {
    pub fn user(id: Uuid) -> Self {
        Self { subject_type: SubjectType::User, subject_id: id }
    }

    pub fn worker(id: Uuid) -> Self {
        Self { subject_type: SubjectType::Worker, subject_id: id }
    }
}

impl fmt::Display for Subject {
    /// `user#<id>` or `worker#<id>`, as keys hold it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.subject_type.as_str(), self.subject_id)
    }
}

/// Seed 002 ReputationRank, by lifetime XP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Rank {
    Vajenec,
    Pomocnik,
    Mojster,
    Mentor,
}

impl Rank {
    /// Each rank with the lifetime XP it starts at, lowest first.
    pub const LADDER: [(Rank, u64); 4] =
        [(Rank::Vajenec, 0), (Rank::Pomocnik, 1500), (Rank::Mojster, 3500), (Rank::Mentor, 6000)];

    pub fn of(lifetime_xp: u64) -> Self {
        Self::LADDER.iter().rev().find(|(_, from)| lifetime_xp >= *from).map_or(Rank::Vajenec, |(r, _)| *r)
    }

    /// The next rank and the lifetime XP it starts at; `None` at the top.
    pub fn next(self) -> Option<(Rank, u64)> {
        Self::LADDER.iter().find(|(r, _)| *r > self).copied()
    }
}

/// A manual award's reference, the caller's own id for it: 1–100 of `A–Z a–z 0–9 . _ : -`. It becomes the
/// entry's `sourceEntityId`, so the same reference gives the same person XP once (a batch sent again, a
/// migration run twice).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AwardReference(String);

impl AwardReference {
    pub const MAX: usize = 100;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl nudge_core::values::Parse for AwardReference {
    fn parse(text: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
        if text.is_empty() || text.chars().count() > Self::MAX {
            Err(format!("must be 1 to {} characters", Self::MAX))
        } else if !text.chars().all(allowed) {
            Err("may hold only A–Z, a–z, 0–9, '.', '_', ':' and '-'".into())
        } else {
            Ok(Self(text.to_owned()))
        }
    }
}

/// Seed 002 XpTransaction: one entry of the ledger, never edited (a correction is another entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct XpTransaction {
    pub id: Uuid,
    #[serde(flatten)]
    pub subject: Subject,
    /// Positive when earned; negative for a correction or a spend.
    pub amount: i64,
    pub source_type: XpSource,
    /// What earned it (a certificate, a chat message, …): once per subject and source.
    pub source_entity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The lifetime and spendable XP after it.
    pub lifetime_xp_after: u64,
    pub total_xp_after: u64,
}

/// Seed 002 UserXpBalance, for a user or a worker (seed 000 WorkerGamification's pointsBalance is a
/// worker's `totalXp`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct XpBalance {
    #[serde(flatten)]
    pub subject: Subject,
    /// Every XP ever earned: never decreases, sets the rank.
    pub lifetime_xp: u64,
    /// What may be spent on rewards.
    pub total_xp: u64,
    pub rank: Rank,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// Why an entry cannot apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A negative entry larger than the spendable XP.
    NotEnoughXp,
}

impl XpBalance {
    pub fn empty(subject: Subject, now: DateTime<Utc>) -> Self {
        Self { subject, lifetime_xp: 0, total_xp: 0, rank: Rank::Vajenec, updated_at: now, version: 0 }
    }

    /// The balance after an entry of `amount` from `source`: earned XP raises both figures (a refund only
    /// the spendable one); a negative entry lowers only the spendable one, never below zero (lifetime never
    /// decreases).
    pub fn apply(&self, amount: i64, source: XpSource, now: DateTime<Utc>) -> Result<Self, Refusal> {
        let (lifetime, total) = if amount >= 0 {
            let n = amount.unsigned_abs();
            let lifetime = if source.earns() { self.lifetime_xp.saturating_add(n) } else { self.lifetime_xp };
            (lifetime, self.total_xp.saturating_add(n))
        } else {
            let n = amount.unsigned_abs();
            (self.lifetime_xp, self.total_xp.checked_sub(n).ok_or(Refusal::NotEnoughXp)?)
        };
        Ok(Self {
            lifetime_xp: lifetime,
            total_xp: total,
            rank: Rank::of(lifetime),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

/// A leaderboard's span: this week (ISO, Monday first) or this calendar month in the organization's time
/// zone, or all time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    Month,
    AllTime,
}

impl Period {
    /// The span's name at `at` in `zone` (`W2026-48`, `M2026-11`), as keys hold it; none for all time.
    pub fn key(self, at: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<String> {
        use chrono::Datelike;
        let local = at.with_timezone(&zone);
        match self {
            Self::Week => {
                let week = local.iso_week();
                Some(format!("W{:04}-{:02}", week.year(), week.week()))
            }
            Self::Month => Some(format!("M{:04}-{:02}", local.year(), local.month())),
            Self::AllTime => None,
        }
    }
}

/// The XP a subject earned in one week or month (what period leaderboards rank).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodXp {
    #[serde(flatten)]
    pub subject: Subject,
    /// `W2026-48` or `M2026-11`.
    pub period: String,
    /// Earned in it (corrections taken off, never below zero); spends and refunds do not count.
    pub xp: u64,
    pub rank: Rank,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_seed_thresholds() {
        assert_eq!(Rank::of(0), Rank::Vajenec);
        assert_eq!(Rank::of(1499), Rank::Vajenec);
        assert_eq!(Rank::of(1500), Rank::Pomocnik);
        assert_eq!(Rank::of(3500), Rank::Mojster);
        assert_eq!(Rank::of(6000), Rank::Mentor);
        assert_eq!(Rank::of(u64::MAX), Rank::Mentor);
        assert_eq!(Rank::Vajenec.next(), Some((Rank::Pomocnik, 1500)));
        assert_eq!(Rank::Mentor.next(), None);
    }

    #[test]
    fn lifetime_never_decreases_and_spendable_never_goes_negative() {
        let now = Utc::now();
        let b = XpBalance::empty(Subject::user(Uuid::from_u128(1)), now);
        let earned = b.apply(1600, XpSource::ModuleCompleted, now).unwrap();
        assert_eq!((earned.lifetime_xp, earned.total_xp, earned.rank, earned.version), (1600, 1600, Rank::Pomocnik, 1));
        let corrected = earned.apply(-600, XpSource::Manual, now).unwrap();
        assert_eq!((corrected.lifetime_xp, corrected.total_xp, corrected.rank), (1600, 1000, Rank::Pomocnik));
        assert_eq!(corrected.apply(-1001, XpSource::RewardRedemption, now), Err(Refusal::NotEnoughXp));
        assert_eq!(corrected.apply(-1000, XpSource::RewardRedemption, now).map(|b| b.total_xp), Ok(0));
        // A refund gives back what was spent; it earns nothing towards the rank.
        let refunded = corrected.apply(500, XpSource::RewardRefund, now).unwrap();
        assert_eq!((refunded.lifetime_xp, refunded.total_xp), (1600, 1500));
    }

    #[test]
    fn periods_follow_the_organizations_calendar() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T23:30:00Z").unwrap().with_timezone(&Utc);
        // Sunday night in UTC is Monday morning in Ljubljana: a new ISO week there.
        assert_eq!(Period::Week.key(at, chrono_tz::Tz::UTC).as_deref(), Some("W2026-48"));
        assert_eq!(Period::Week.key(at, "Europe/Ljubljana".parse().unwrap()).as_deref(), Some("W2026-49"));
        let new_year = DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(Period::Month.key(new_year, "Europe/Ljubljana".parse().unwrap()).as_deref(), Some("M2027-01"));
        assert_eq!(Period::Week.key(new_year, chrono_tz::Tz::UTC).as_deref(), Some("W2026-53"));
        assert_eq!(Period::AllTime.key(at, chrono_tz::Tz::UTC), None);
    }

    #[test]
    fn subjects_and_sources_have_stable_names() {
        assert_eq!(Subject::worker(Uuid::from_u128(2)).to_string(), format!("worker#{}", Uuid::from_u128(2)));
        for s in XpSource::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn an_award_reference_is_a_bounded_key_safe_id() {
        use nudge_core::values::Parse;
        let ok = AwardReference::parse("migration-2026:w.1_7").map(|r| r.as_str().to_owned());
        assert_eq!(ok, Ok("migration-2026:w.1_7".to_owned()));
        assert!(AwardReference::parse(&"r".repeat(100)).is_ok());
        for bad in ["", "a#b", "a b", "š", &"r".repeat(101)] {
            assert!(AwardReference::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
