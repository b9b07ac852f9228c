//! A learner's answers, and whether they fit the attempt they are sent for.

use super::{Layout, Problems, Quiz};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// The options chosen, by question. A question left out, or with no option, is unanswered.
pub type Answers = BTreeMap<Uuid, Vec<Uuid>>;

/// Every problem of `answers` for this attempt: a question not in the layout, an option not shown for its
/// question, more than one option where one is allowed, an option chosen twice. Pointers are
/// `/answers/<questionId>` and `/answers/<questionId>/<i>`.
pub fn check_answers(quiz: &Quiz, layout: &Layout, answers: &Answers) -> Result<(), Problems> {
    let mut problems = Problems::new();
    for (question_id, chosen) in answers {
        let at = format!("/answers/{question_id}");
        let (Some(slot), Some(question)) = (layout.slot(*question_id), quiz.question(*question_id)) else {
            problems.push((at, "is not a question of this attempt".into()));
            continue;
        };
        if chosen.len() > 1 && !question.question_type.takes_many() {
            problems.push((at.clone(), "takes one option at most".into()));
        }
        let mut seen = HashSet::new();
        for (i, option_id) in chosen.iter().enumerate() {
            if !slot.option_ids.contains(option_id) || question.option(*option_id).is_none() {
                problems.push((format!("{at}/{i}"), "is not an option of this question".into()));
            } else if !seen.insert(option_id) {
                problems.push((format!("{at}/{i}"), "is chosen twice".into()));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}
