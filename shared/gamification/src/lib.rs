//! Gamification (seed 002 XpTransaction, UserXpBalance, ReputationRank; seed 000 WorkerGamification): one
//! append-only XP ledger whose subject is a user or a worker, each subject's balance (lifetime XP, which
//! never decreases and sets the rank; spendable XP), the tenant's amounts per source, and the all-time
//! leaderboards.
//!
//! Layering: [`model`] is pure (sources, subjects, ranks, the balance's arithmetic); [`keys`] is the layout;
//! [`ledger`] applies awards and reads, knowing no HTTP; [`http`] is the edge.
//!
//! An award is idempotent on (subject, source, sourceEntityId): a guard item created only if absent, in
//! the same transaction as the ledger entry and the balance (on its version). Another domain adds an award
//! to its own transaction with [`ledger::award_writes`] (a module completion), so the award and what
//! earned it happen together or not at all.

pub mod http;
mod input;
pub mod keys;
pub mod ledger;
pub mod model;
pub mod settings;

pub use ledger::{Award, AwardOutcome, LedgerError};
pub use model::{Rank, Subject, SubjectType, XpBalance, XpSource, XpTransaction};
