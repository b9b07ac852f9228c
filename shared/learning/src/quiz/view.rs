//! What a learner sees: during the attempt, questions and options without the answer key; after it, which
//! questions were right, with the explanations.

use super::{Answers, Layout, Question, QuestionType, Quiz, Scored, SlotLayout};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An attempt in progress. Holds nothing that tells a right option from a wrong one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    pub quiz_id: Uuid,
    pub title: String,
    pub max_points: u32,
    /// In the attempt's order.
    pub questions: Vec<QuestionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionView {
    pub id: Uuid,
    pub question_type: QuestionType,
    pub text: String,
    pub points: u32,
    /// In the attempt's order.
    pub options: Vec<OptionView>,
    /// The options saved so far.
    pub selected: Vec<Uuid>,
}

/// An option as shown: its id and text only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionView {
    pub id: Uuid,
    pub text: String,
}

/// A submitted attempt. Tells which questions were right, not which options: the answer key would hand the
/// next attempt its answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    pub quiz_id: Uuid,
    pub title: String,
    pub points: u32,
    pub max_points: u32,
    pub score: f64,
    pub passed: bool,
    pub questions: Vec<ReviewQuestion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewQuestion {
    pub id: Uuid,
    pub question_type: QuestionType,
    pub text: String,
    pub points: u32,
    pub options: Vec<OptionView>,
    pub selected: Vec<Uuid>,
    pub correct: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// The attempt as the learner sees it while answering, with what they saved.
pub fn view(quiz: &Quiz, layout: &Layout, saved: &Answers) -> AttemptView {
    let questions: Vec<QuestionView> = slots(quiz, layout)
        .map(|(slot, question)| QuestionView {
            id: question.id,
            question_type: question.question_type,
            text: question.text.clone(),
            points: question.points,
            options: options(slot, question),
            selected: selected(slot, saved),
        })
        .collect();
    let max_points = questions.iter().fold(0u32, |sum, q| sum.saturating_add(q.points));
    AttemptView { quiz_id: quiz.id, title: quiz.title.clone(), max_points, questions }
}

/// The submitted attempt as the learner sees it afterwards; `result` is what [`super::score`] made of it.
pub fn review(quiz: &Quiz, layout: &Layout, answers: &Answers, result: &Scored) -> ReviewView {
    let questions = slots(quiz, layout)
        .map(|(slot, question)| ReviewQuestion {
            id: question.id,
            question_type: question.question_type,
            text: question.text.clone(),
            points: question.points,
            options: options(slot, question),
            selected: selected(slot, answers),
            correct: result.per_question.iter().any(|o| o.question_id == question.id && o.correct),
            explanation: question.explanation.clone(),
        })
        .collect();
    ReviewView {
        quiz_id: quiz.id,
        title: quiz.title.clone(),
        points: result.points,
        max_points: result.max_points,
        score: result.score,
        passed: result.passed,
        questions,
    }
}

/// The layout's questions still in the quiz, in the layout's order.
fn slots<'a>(quiz: &'a Quiz, layout: &'a Layout) -> impl Iterator<Item = (&'a SlotLayout, &'a Question)> {
    layout.questions.iter().filter_map(|slot| quiz.question(slot.question_id).map(|q| (slot, q)))
}

fn options(slot: &SlotLayout, question: &Question) -> Vec<OptionView> {
    slot.option_ids
        .iter()
        .filter_map(|id| question.option(*id))
        .map(|o| OptionView { id: o.id, text: o.text.clone() })
        .collect()
}

/// What was chosen, among the options shown.
fn selected(slot: &SlotLayout, answers: &Answers) -> Vec<Uuid> {
    let chosen = answers.get(&slot.question_id).map(Vec::as_slice).unwrap_or_default();
    chosen.iter().copied().filter(|id| slot.option_ids.contains(id)).collect()
}
