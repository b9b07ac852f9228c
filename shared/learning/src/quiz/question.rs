//! A quiz as authored, answer key included: never served to a learner as is (see [`super::view`]).

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = QuizQuestionType)]
pub enum QuestionType {
    /// One option of several is right.
    SingleChoice,
    /// One or more options are right; all of them, and only them, must be chosen.
    MultipleChoice,
    /// Two options, one right.
    TrueFalse,
}

impl QuestionType {
    /// Whether a learner may choose more than one option.
    pub fn takes_many(self) -> bool {
        matches!(self, Self::MultipleChoice)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = QuizQuestionOption)]
pub struct QuizOption {
    pub id: Uuid,
    pub text: String,
    pub correct: bool,
}

/// QUIZ_QUESTION.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = QuizQuestion)]
pub struct Question {
    pub id: Uuid,
    pub question_type: QuestionType,
    pub text: String,
    pub options: Vec<QuizOption>,
    pub points: u32,
    /// Shown in the review, after submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Question {
    pub fn option(&self, id: Uuid) -> Option<&QuizOption> {
        self.options.iter().find(|o| o.id == id)
    }

    /// The answer key: the ids of the right options.
    pub fn correct_ids(&self) -> BTreeSet<Uuid> {
        self.options.iter().filter(|o| o.correct).map(|o| o.id).collect()
    }
}

/// What happens to an attempt still open at its deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverdueHandling {
    /// The attempt is scored on what was saved by the deadline.
    #[default]
    AutoSubmit,
    /// Saves and submits are still accepted for `minutes` after the deadline (a slow network, a last click);
    /// beyond that, as [`OverdueHandling::AutoSubmit`].
    GracePeriod { minutes: u32 },
}

impl OverdueHandling {
    /// How long after the deadline the attempt is still in time.
    pub fn grace(self) -> TimeDelta {
        match self {
            Self::AutoSubmit => TimeDelta::zero(),
            Self::GracePeriod { minutes } => TimeDelta::minutes(i64::from(minutes)),
        }
    }
}

/// QUIZ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ModuleQuiz)]
pub struct Quiz {
    pub id: Uuid,
    pub module_id: Uuid,
    pub title: String,
    /// Percent, 0–100: a score at or above it passes.
    pub passing_score: u32,
    /// `None`: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// `None`: no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<u32>,
    #[serde(default)]
    pub overdue: OverdueHandling,
    #[serde(default)]
    pub shuffle_questions: bool,
    #[serde(default)]
    pub shuffle_options: bool,
    #[serde(default)]
    pub questions: Vec<Question>,
    pub version: u64,
}

impl Quiz {
    pub fn question(&self, id: Uuid) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}
