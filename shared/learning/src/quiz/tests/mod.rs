//! Fixtures shared by the quiz tests: a three-question quiz (single choice, multiple choice, true/false).

use super::*;
use chrono::{DateTime, Utc};
use uuid::Uuid;

mod answers;
mod attempt;
mod check;
mod layout;
mod scoring;
mod stats;
mod view;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn option(n: u128, text: &str, correct: bool) -> QuizOption {
    QuizOption { id: id(n), text: text.into(), correct }
}

/// Question `n` (id n·100): options n·100+1 … n·100+4, the first right.
fn single(n: u128, points: u32) -> Question {
    Question {
        id: id(n * 100),
        question_type: QuestionType::SingleChoice,
        text: format!("Single {n}"),
        options: vec![
            option(n * 100 + 1, "Red", true),
            option(n * 100 + 2, "Green", false),
            option(n * 100 + 3, "Blue", false),
            option(n * 100 + 4, "Yellow", false),
        ],
        points,
        explanation: Some("Red means stop.".into()),
    }
}

/// Question `n`: options n·100+1 … n·100+4, the first and third right.
fn multiple(n: u128, points: u32) -> Question {
    Question {
        id: id(n * 100),
        question_type: QuestionType::MultipleChoice,
        text: format!("Multiple {n}"),
        options: vec![
            option(n * 100 + 1, "Gloves", true),
            option(n * 100 + 2, "Sandals", false),
            option(n * 100 + 3, "Goggles", true),
            option(n * 100 + 4, "Scarf", false),
        ],
        points,
        explanation: None,
    }
}

/// Question `n`: "True" (n·100+1, right) and "False" (n·100+2).
fn true_false(n: u128, points: u32) -> Question {
    Question {
        id: id(n * 100),
        question_type: QuestionType::TrueFalse,
        text: format!("True or false {n}"),
        options: vec![option(n * 100 + 1, "True", true), option(n * 100 + 2, "False", false)],
        points,
        explanation: None,
    }
}

fn quiz_of(questions: Vec<Question>) -> Quiz {
    Quiz {
        id: id(1),
        module_id: id(2),
        title: "Site safety".into(),
        passing_score: 70,
        max_attempts: Some(3),
        time_limit_minutes: Some(30),
        overdue: OverdueHandling::AutoSubmit,
        shuffle_questions: false,
        shuffle_options: false,
        questions,
        version: 4,
    }
}

/// Question 1 (single, 10 points), 2 (multiple, 20), 3 (true/false, 10): 40 points.
fn sample() -> Quiz {
    quiz_of(vec![single(1, 10), multiple(2, 20), true_false(3, 10)])
}

/// `(question, options)` pairs as answers.
fn answers(pairs: &[(u128, &[u128])]) -> Answers {
    pairs.iter().map(|(q, os)| (id(*q), os.iter().map(|o| id(*o)).collect())).collect()
}

/// All right: 1 → 101; 2 → 201, 203; 3 → 301.
fn all_right() -> Answers {
    answers(&[(100, &[101]), (200, &[201, 203]), (300, &[301])])
}

fn pointers(problems: &[(String, String)]) -> Vec<&str> {
    problems.iter().map(|(p, _)| p.as_str()).collect()
}
