//! Quizzes (seed 002 QUIZ, QUIZ_QUESTION, QUIZ_ATTEMPT): authoring rules, an attempt's layout, views that
//! never reveal the answer key, scoring, the attempt's state machine with its deadline, and per-question
//! statistics. Pure: the caller brings the clock, the seed and the ids, and stores what comes back.
//!
//! Problems are `(JSON pointer, message)` pairs, every one reported at once, so a form can mark each field.

mod answers;
mod attempt;
mod check;
mod layout;
mod question;
mod scoring;
mod stats;
mod view;

#[cfg(test)]
mod tests;

pub use answers::{Answers, check_answers};
pub use attempt::{
    Attempt, AttemptError, AttemptState, StartError, abandon, best, expire, passed_any, save, start, submit,
};
pub use check::{
    MAX_ATTEMPTS, MAX_GRACE_MINUTES, MAX_OPTIONS, MAX_POINTS, MAX_QUESTIONS, MAX_TIME_LIMIT_MINUTES, MIN_OPTIONS, check,
};
pub use layout::{Layout, SlotLayout, layout};
pub use question::{OverdueHandling, Question, QuestionType, Quiz, QuizOption};
pub use scoring::{QuestionOutcome, Scored, score};
pub use stats::{QuestionStat, question_stats};
pub use view::{AttemptView, OptionView, QuestionView, ReviewQuestion, ReviewView, review, view};

/// Every problem found, each as (JSON pointer, message).
pub type Problems = Vec<(String, String)>;
