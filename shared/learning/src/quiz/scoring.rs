//! Scoring: all or nothing per question, points summed, a percentage against the pass mark.

use super::{Answers, Layout, Question, Quiz};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a submission scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub points: u32,
    pub max_points: u32,
    /// Percent, 0–100, rounded to 2 decimals.
    pub score: f64,
    pub passed: bool,
    /// In the attempt's order.
    pub per_question: Vec<QuestionOutcome>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionOutcome {
    pub question_id: Uuid,
    pub correct: bool,
}

/// Scores `answers` for the questions of `layout`. A question removed from the quiz since the attempt began
/// counts for nothing either way. A quiz with no points to earn scores 100 and passes.
pub fn score(quiz: &Quiz, layout: &Layout, answers: &Answers) -> Scored {
    let mut points = 0u32;
    let mut max_points = 0u32;
    let mut per_question = Vec::with_capacity(layout.questions.len());
    for question in layout.questions.iter().filter_map(|slot| quiz.question(slot.question_id)) {
        let chosen = answers.get(&question.id).map(Vec::as_slice).unwrap_or_default();
        let correct = is_correct(question, chosen);
        max_points = max_points.saturating_add(question.points);
        if correct {
            points = points.saturating_add(question.points);
        }
        per_question.push(QuestionOutcome { question_id: question.id, correct });
    }
    let score = percent(points, max_points);
    Scored { points, max_points, score, passed: score >= f64::from(quiz.passing_score), per_question }
}

/// Exactly the right options, no more and no fewer: one for single choice and true/false, the whole set for
/// multiple choice. Nothing chosen is never right, even for a question whose key is (wrongly) empty.
pub(super) fn is_correct(question: &Question, chosen: &[Uuid]) -> bool {
    let chosen: BTreeSet<Uuid> = chosen.iter().copied().collect();
    !chosen.is_empty() && chosen == question.correct_ids()
}

/// `points` of `max` as a percentage rounded to 2 decimals; 100 when there is nothing to earn.
fn percent(points: u32, max: u32) -> f64 {
    if max == 0 {
        return 100.0;
    }
    // Hundredths of a percent first, so 7 of 10 is exactly 70.
    (f64::from(points) * 10_000.0 / f64::from(max)).round() / 100.0
}
