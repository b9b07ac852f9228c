//! Authoring rules: what a quiz must be before it is stored.

use super::{Problems, QuestionType, Quiz};
use nudge_core::validate::is_blank;
use std::collections::HashSet;

pub const MAX_QUESTIONS: usize = 200;
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_POINTS: u32 = 1000;
pub const MAX_ATTEMPTS: u32 = 100;
pub const MAX_TIME_LIMIT_MINUTES: u32 = 1440;
pub const MAX_GRACE_MINUTES: u32 = 1440;

/// Every problem of `quiz`, each at its JSON pointer (`/questions/2/options`), or `Ok` when there are none.
pub fn check(quiz: &Quiz) -> Result<(), Problems> {
    let mut problems = Problems::new();
    let mut report = |pointer: String, message: &str| problems.push((pointer, message.to_owned()));

    if quiz.title.chars().all(is_blank) {
        report("/title".into(), "must not be blank");
    }
    if quiz.passing_score > 100 {
        report("/passingScore".into(), "must be a percentage from 0 to 100");
    }
    if quiz.max_attempts.is_some_and(|n| !(1..=MAX_ATTEMPTS).contains(&n)) {
        report("/maxAttempts".into(), "must be from 1 to 100 when given");
    }
    if quiz.time_limit_minutes.is_some_and(|n| !(1..=MAX_TIME_LIMIT_MINUTES).contains(&n)) {
        report("/timeLimitMinutes".into(), "must be from 1 to 1440 minutes when given");
    }
    // A grace of 0 would be auto-submit under another name.
    if let super::OverdueHandling::GracePeriod { minutes } = quiz.overdue
        && !(1..=MAX_GRACE_MINUTES).contains(&minutes)
    {
        report("/overdue/minutes".into(), "must be from 1 to 1440 minutes");
    }
    if quiz.questions.len() > MAX_QUESTIONS {
        report("/questions".into(), "must hold at most 200 questions");
    }

    let mut question_ids = HashSet::new();
    for (i, question) in quiz.questions.iter().enumerate() {
        let at = format!("/questions/{i}");
        // Answers are keyed by question id, so two questions may not share one.
        if !question_ids.insert(question.id) {
            report(format!("{at}/id"), "is the id of an earlier question");
        }
        if question.text.chars().all(is_blank) {
            report(format!("{at}/text"), "must not be blank");
        }
        if !(1..=MAX_POINTS).contains(&question.points) {
            report(format!("{at}/points"), "must be from 1 to 1000");
        }

        let n = question.options.len();
        let right = question.options.iter().filter(|o| o.correct).count();
        let options = format!("{at}/options");
        match question.question_type {
            QuestionType::SingleChoice => {
                if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&n) {
                    report(options.clone(), "a single-choice question has 2 to 10 options");
                }
                if right != 1 {
                    report(options, "a single-choice question has exactly one correct option");
                }
            }
            QuestionType::MultipleChoice => {
                if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&n) {
                    report(options.clone(), "a multiple-choice question has 2 to 10 options");
                }
                if right == 0 {
                    report(options, "a multiple-choice question has at least one correct option");
                }
            }
            QuestionType::TrueFalse => {
                if n != 2 {
                    report(options.clone(), "a true/false question has exactly 2 options");
                }
                if right != 1 {
                    report(options, "a true/false question has exactly one correct option");
                }
            }
        }

        let mut option_ids = HashSet::new();
        // Texts a learner could not tell apart: the same once trimmed, whatever the case.
        let mut texts = HashSet::new();
        for (j, option) in question.options.iter().enumerate() {
            let at = format!("{at}/options/{j}");
            if !option_ids.insert(option.id) {
                report(format!("{at}/id"), "is the id of an earlier option of this question");
            }
            if option.text.chars().all(is_blank) {
                report(format!("{at}/text"), "must not be blank");
            } else if !texts.insert(option.text.trim_matches(is_blank).to_lowercase()) {
                report(format!("{at}/text"), "repeats an earlier option of this question");
            }
        }
    }

    if problems.is_empty() { Ok(()) } else { Err(problems) }
}
