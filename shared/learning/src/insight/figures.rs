//! The figures of learning insight, pure: where each learner stands in a module, and what those
//! standings add up to; a quiz's pass rate, average score and per-question rates.

use crate::deadline;
use crate::groups::ModuleAssignment;
use crate::learner::model::ModuleProgress;
use crate::quiz::{Attempt, QuestionStat, Quiz, question_stats};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One learner in one module.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LearnerStanding {
    pub user_id: Uuid,
    /// Assigned through a group.
    pub assigned: bool,
    pub is_mandatory: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// The mean over the module's quizzes of the learner's best scored attempt (0–100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_score: Option<f64>,
}

/// Where `user` stands: their group assignments of the module (with when they joined each group), their
/// progress, and their best score per quiz.
pub fn standing(
    user: Uuid,
    assignments: &[(ModuleAssignment, DateTime<Utc>)],
    module: Uuid,
    progress: Option<&ModuleProgress>,
    best: &[f64],
    now: DateTime<Utc>,
) -> LearnerStanding {
    let mine: Vec<_> = assignments.iter().filter(|(a, _)| a.module_id == module).collect();
    let due_at = deadline::due_for(mine.iter().copied(), module, progress.and_then(|p| p.round_started_at));
    let completed_at = progress.and_then(|p| p.completed_at);
    LearnerStanding {
        user_id: user,
        assigned: !mine.is_empty(),
        is_mandatory: mine.iter().any(|(a, _)| a.is_mandatory),
        due_at,
        started_at: progress.map(|p| p.started_at),
        completed_at,
        overdue: deadline::overdue(due_at, completed_at, now),
        best_score: mean(best),
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    // A count of learners is far below 2^53: exact as f64.
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// What standings add up to.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressFigures {
    /// Learners assigned through groups.
    pub assigned: u64,
    /// Learners who started (assigned or not).
    pub started: u64,
    pub completed: u64,
    /// Assigned learners past their due date without completing.
    pub overdue: u64,
    /// Completed among the assigned, 0–1; `None` with nobody assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_rate: Option<f64>,
    /// The mean of the learners' best scores (0–100); `None` with no scored attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_score: Option<f64>,
}

pub fn figures(rows: &[LearnerStanding]) -> ProgressFigures {
    let count = |f: &dyn Fn(&LearnerStanding) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    let assigned = count(&|r| r.assigned);
    let assigned_done = count(&|r| r.assigned && r.completed_at.is_some());
    let scores: Vec<f64> = rows.iter().filter_map(|r| r.best_score).collect();
    ProgressFigures {
        assigned,
        started: count(&|r| r.started_at.is_some()),
        completed: count(&|r| r.completed_at.is_some()),
        overdue: count(&|r| r.overdue),
        completion_rate: (assigned > 0).then(|| assigned_done as f64 / assigned as f64),
        average_score: mean(&scores),
    }
}

/// Each learner's best scored attempt at a quiz (0–100).
pub fn best_scores(attempts: &[Attempt]) -> BTreeMap<Uuid, f64> {
    let mut best: BTreeMap<Uuid, f64> = BTreeMap::new();
    for a in attempts.iter().filter(|a| a.state.is_scored()) {
        let Some(score) = a.score else { continue };
        let entry = best.entry(a.user_id).or_insert(score);
        if score > *entry {
            *entry = score;
        }
    }
    best
}

/// A quiz over every attempt at it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuizFigures {
    pub quiz_id: Uuid,
    pub title: String,
    /// Learners with a scored attempt.
    pub attempted: u64,
    /// Of those, the ones who passed.
    pub passed: u64,
    /// `passed / attempted`, 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_rate: Option<f64>,
    /// The mean of each learner's best score (0–100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_score: Option<f64>,
    /// How often each question was answered right, in the quiz's order: a low rate finds a bad question.
    pub questions: Vec<QuestionStat>,
}

pub fn quiz_figures(quiz: &Quiz, attempts: &[Attempt]) -> QuizFigures {
    let best = best_scores(attempts);
    let mut passed_by: BTreeMap<Uuid, bool> = BTreeMap::new();
    for a in attempts.iter().filter(|a| a.state.is_scored()) {
        *passed_by.entry(a.user_id).or_default() |= a.passed == Some(true);
    }
    let attempted = passed_by.len() as u64;
    let passed = passed_by.values().filter(|p| **p).count() as u64;
    let scores: Vec<f64> = best.values().copied().collect();
    QuizFigures {
        quiz_id: quiz.id,
        title: quiz.title.clone(),
        attempted,
        passed,
        pass_rate: (attempted > 0).then(|| passed as f64 / attempted as f64),
        average_score: mean(&scores),
        questions: question_stats(quiz, attempts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap()
    }

    fn assignment(module: Uuid, days: Option<u32>) -> ModuleAssignment {
        ModuleAssignment {
            group_id: Uuid::from_u128(9),
            module_id: module,
            deadline_days: days,
            is_mandatory: true,
            assigned_at: day(1),
            version: 1,
        }
    }

    #[test]
    fn standings_add_up_to_the_figures() {
        let m = Uuid::from_u128(1);
        let a = [(assignment(m, Some(5)), day(1))];
        let mut done = ModuleProgress::new(Uuid::from_u128(11), m, day(2));
        done.completed_at = Some(day(3));
        let started = ModuleProgress::new(Uuid::from_u128(12), m, day(2));
        let rows = vec![
            standing(Uuid::from_u128(11), &a, m, Some(&done), &[80.0, 100.0], day(10)),
            standing(Uuid::from_u128(12), &a, m, Some(&started), &[40.0], day(10)),
            standing(Uuid::from_u128(13), &a, m, None, &[], day(10)),
            // Started on their own: not assigned, never overdue.
            standing(Uuid::from_u128(14), &[], m, Some(&started), &[], day(10)),
        ];
        assert_eq!(rows[0].best_score, Some(90.0));
        assert_eq!((rows[1].overdue, rows[2].overdue, rows[3].overdue), (true, true, false));
        assert_eq!(rows[2].due_at, Some(day(6)));
        let f = figures(&rows);
        assert_eq!((f.assigned, f.started, f.completed, f.overdue), (3, 3, 1, 2));
        assert_eq!(f.completion_rate, Some(1.0 / 3.0));
        assert_eq!(f.average_score, Some(65.0));
        let none = figures(&[]);
        assert_eq!((none.completion_rate, none.average_score), (None, None));
        assert_eq!(day(1) + Duration::days(5), day(6));
    }
}
