//! Per-question statistics for insight: how often each question is answered, and answered right.

use super::{Attempt, Quiz, scoring::is_correct};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionStat {
    pub question_id: Uuid,
    /// Scored attempts that chose at least one option for the question.
    pub answered: u64,
    /// Of those, the ones that were right.
    pub correct: u64,
    /// `correct / answered`, 0–1; `None` while nobody has answered.
    pub correct_rate: Option<f64>,
}

/// For each question of `quiz`, in its authored order, over the scored attempts of `quiz` in `attempts`.
/// Correctness is judged against the quiz as given, so a corrected answer key corrects the statistics.
pub fn question_stats(quiz: &Quiz, attempts: &[Attempt]) -> Vec<QuestionStat> {
    let scored: Vec<&Attempt> = attempts.iter().filter(|a| a.quiz_id == quiz.id && a.state.is_scored()).collect();
    quiz.questions
        .iter()
        .map(|question| {
            let (mut answered, mut correct) = (0u64, 0u64);
            for attempt in &scored {
                let Some(chosen) = attempt.answers.get(&question.id).filter(|c| !c.is_empty()) else { continue };
                // Only questions the attempt showed: an answer to another is a stray, not an answer.
                if attempt.layout.slot(question.id).is_none() {
                    continue;
                }
                answered += 1;
                if is_correct(question, chosen) {
                    correct += 1;
                }
            }
            // u64 → f64 is exact below 2^53 answers.
            let correct_rate = (answered > 0).then(|| correct as f64 / answered as f64);
            QuestionStat { question_id: question.id, answered, correct, correct_rate }
        })
        .collect()
}
