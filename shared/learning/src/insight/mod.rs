//! Learning insight (seed 002 VIEW_ALL_PROGRESS, VIEW_GROUP_PROGRESS, VIEW_ANALYTICS): per module, per
//! group and per learner, how many are assigned, started, completed and overdue, the average score, and
//! per quiz the pass rate and each question's rate of right answers (to find a bad question); the
//! organization's whole standing as a CSV report ([`report`]).
//!
//! Read from two indexes (see [`crate::keys`]): a module's progress items and a quiz's attempts, so a
//! module's insight is a few queries however many modules each learner has; assignments come from the
//! groups. [`figures`] is pure.

pub mod figures;
pub mod report;
mod service;

pub use figures::{LearnerStanding, ProgressFigures, QuizFigures};
pub use service::{GroupInsight, GroupModule, Insight, LearnerInsight, LearnerModule, ModuleInsight};
