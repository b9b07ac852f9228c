//! Gamification (seed 002 XpTransaction, UserXpBalance, ReputationRank, Reward, RewardRedemption; seed 000
//! WorkerGamification): one append-only XP ledger whose subject is a user or a worker, each subject's
//! balance (lifetime XP, which never decreases and sets the rank; spendable XP), the tenant's amounts per
//! source, the all-time leaderboards, and the rewards bought with spendable XP.
//!
//! Layering: [`model`] and [`notice`] are pure (sources, subjects, ranks, the balance's arithmetic; what a
//! person is told); [`keys`] is the layout; [`ledger`] applies awards and reads, and [`rewards`] keeps the
//! catalogue and its redemptions, knowing no HTTP; [`http`] is the edge.
//!
//! An award is idempotent on (subject, source, sourceEntityId): a guard item created only if absent, in
//! the same transaction as the ledger entry and the balance (on its version). Another domain adds awards
//! to its own transaction with [`Ledger::awards_writes`] (a module completion and a high quiz score, one
//! balance write for both), so the award and what earned it happen together or not at all; a user's award
//! adds its XP_EARNED notice to that transaction too (low priority, so it waits for a digest; a new rank
//! is normal priority).

pub mod groups;
pub mod http;
mod input;
pub mod keys;
pub mod ledger;
pub mod model;
pub mod notice;
pub mod rewards;
pub mod settings;

pub use ledger::{Award, AwardOutcome, Awarding, Ledger, LedgerError};
pub use model::{Rank, Subject, SubjectType, XpBalance, XpSource, XpTransaction};
