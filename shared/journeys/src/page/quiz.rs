//! A quiz's scoring, on the server against the published quiz: the page sends only which options were
//! chosen, never a score, so what a worker is credited with is what the content says is right.
//!
//! A question is right only when the options chosen are exactly its correct options (for multiple choice:
//! all of them and nothing else); partial credit would reward ticking every box.

use nudge_content::published::{Question, QuestionType, QuizBody, ScoringType};
use std::collections::{BTreeMap, BTreeSet};

/// A submission's answers: question id to the option ids chosen.
pub type Answers = BTreeMap<String, Vec<String>>;

/// A scored attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// Points of the questions answered right.
    pub points: u32,
    /// Points of every question.
    pub total: u32,
    /// What the quiz reports: points (`points`, `pass_fail`), or their share of the total, 0–100 rounded
    /// to 2 decimals (`percentage`).
    pub score: f64,
    /// Points reached the passing score; a quiz without one is passed by being submitted.
    pub passed: bool,
    /// The ids of the questions answered right, in the quiz's order.
    pub correct: Vec<String>,
}

/// Scores `answers` against `quiz`. Answers to questions the quiz does not have count for nothing (see
/// [`invalid`] to refuse them first).
pub fn score(quiz: &QuizBody, answers: &Answers) -> Scored {
    let mut points = 0u32;
    let mut total = 0u32;
    let mut correct = Vec::new();
    for question in &quiz.questions {
        total = total.saturating_add(question.points);
        if is_right(question, answers.get(&question.id).map(Vec::as_slice).unwrap_or_default()) {
            points = points.saturating_add(question.points);
            correct.push(question.id.clone());
        }
    }
    let score = match quiz.scoring_type.unwrap_or(ScoringType::Points) {
        ScoringType::Percentage => percentage(points, total),
        ScoringType::Points | ScoringType::PassFail => f64::from(points),
    };
    let passed = quiz.passing_score.is_none_or(|needed| points >= needed);
    Scored { points, total, score, passed, correct }
}

/// The ids of the questions `answers` leaves without an answer, in the quiz's order.
pub fn unanswered(quiz: &QuizBody, answers: &Answers) -> Vec<String> {
    quiz.questions.iter().filter(|q| answers.get(&q.id).is_none_or(Vec::is_empty)).map(|q| q.id.clone()).collect()
}

/// The question ids of answers that no form of this quiz could have sent: options the question does not
/// have, more than one option for a single-choice or true/false question, or a question the quiz does not
/// have. The quiz's questions first, in its order, then the unknown ids.
pub fn invalid(quiz: &QuizBody, answers: &Answers) -> Vec<String> {
    let mut bad: Vec<String> = quiz
        .questions
        .iter()
        .filter(|q| answers.get(&q.id).is_some_and(|chosen| !possible(q, chosen)))
        .map(|q| q.id.clone())
        .collect();
    bad.extend(answers.keys().filter(|id| !quiz.questions.iter().any(|q| &q.id == *id)).cloned());
    bad
}

fn is_right(question: &Question, chosen: &[String]) -> bool {
    let chosen: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    let right: BTreeSet<&str> = question.correct_answers.iter().map(String::as_str).collect();
    !right.is_empty() && chosen == right
}

fn possible(question: &Question, chosen: &[String]) -> bool {
    let distinct: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    let single = matches!(question.kind, QuestionType::SingleChoice | QuestionType::TrueFalse);
    (!single || distinct.len() <= 1) && distinct.iter().all(|id| question.options.iter().any(|o| o.id == *id))
}

/// `points` of `total` as a percentage rounded to 2 decimals (rounded once, from the exact ratio).
fn percentage(points: u32, total: u32) -> f64 {
    if total == 0 { 0.0 } else { (f64::from(points) * 10_000.0 / f64::from(total)).round() / 100.0 }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use nudge_content::published::QuizOption;

    pub(crate) fn question(id: &str, kind: QuestionType, options: &[&str], correct: &[&str], points: u32) -> Question {
        Question {
            id: id.into(),
            kind,
            text: format!("Question {id}?"),
            options: options.iter().map(|o| QuizOption { id: (*o).into(), text: format!("Option {o}") }).collect(),
            correct_answers: correct.iter().map(|c| (*c).into()).collect(),
            points,
            explanation: Some(format!("Because of {id}.")),
        }
    }

    /// A single-choice (2 points), a multiple-choice (3 points) and a true/false question (1 point).
    pub(crate) fn quiz(scoring: Option<ScoringType>, passing: Option<u32>) -> QuizBody {
        QuizBody {
            questions: vec![
                question("q1", QuestionType::SingleChoice, &["a", "b", "c"], &["b"], 2),
                question("q2", QuestionType::MultipleChoice, &["x", "y", "z"], &["x", "z"], 3),
                question("q3", QuestionType::TrueFalse, &["true", "false"], &["false"], 1),
            ],
            scoring_type: scoring,
            time_limit: None,
            passing_score: passing,
            max_attempts: Some(3),
        }
    }

    pub(crate) fn answers(pairs: &[(&str, &[&str])]) -> Answers {
        pairs.iter().map(|(q, chosen)| ((*q).into(), chosen.iter().map(|c| (*c).into()).collect())).collect()
    }

    #[test]
    fn a_multiple_choice_question_is_right_only_with_exactly_its_correct_options() {
        let quiz = quiz(None, None);
        for (chosen, right) in [
            (&["x", "z"][..], true),
            (&["z", "x"], true),
            (&["z", "x", "x"], true),
            (&["x"], false),
            (&["x", "y", "z"], false),
            (&[], false),
        ] {
            let scored = score(&quiz, &answers(&[("q2", chosen)]));
            assert_eq!(scored.correct == ["q2"], right, "{chosen:?}");
            assert_eq!(scored.points, if right { 3 } else { 0 }, "{chosen:?}");
        }
    }

    #[test]
    fn points_are_summed_over_the_questions_answered_right() {
        let scored = score(&quiz(None, None), &answers(&[("q1", &["b"]), ("q2", &["x"]), ("q3", &["false"])]));
        assert_eq!(
            scored,
            Scored { points: 3, total: 6, score: 3.0, passed: true, correct: vec!["q1".into(), "q3".into()] }
        );
    }

    #[test]
    fn a_percentage_is_rounded_to_two_decimals() {
        let quiz = quiz(Some(ScoringType::Percentage), None);
        for (given, want) in [
            (answers(&[("q1", &["b"])]), 33.33),
            (answers(&[("q1", &["b"]), ("q3", &["false"])]), 50.0),
            (answers(&[("q2", &["x", "z"]), ("q3", &["false"])]), 66.67),
            (answers(&[("q1", &["b"]), ("q2", &["x", "z"]), ("q3", &["false"])]), 100.0),
            (Answers::new(), 0.0),
        ] {
            assert_eq!(score(&quiz, &given).score, want, "{given:?}");
        }
        let one_of_seven = QuizBody {
            questions: (0..7)
                .map(|i| question(&format!("q{i}"), QuestionType::TrueFalse, &["true"], &["true"], 1))
                .collect(),
            ..quiz.clone()
        };
        assert_eq!(score(&one_of_seven, &answers(&[("q0", &["true"])])).score, 14.29);
        let no_points =
            QuizBody { questions: vec![question("q", QuestionType::SingleChoice, &["a"], &["a"], 0)], ..quiz };
        assert_eq!(score(&no_points, &answers(&[("q", &["a"])])).score, 0.0);
    }

    #[test]
    fn a_quiz_is_passed_with_at_least_its_passing_score_in_points() {
        let quiz = quiz(Some(ScoringType::PassFail), Some(3));
        let failed = score(&quiz, &answers(&[("q1", &["b"])]));
        assert_eq!((failed.score, failed.passed), (2.0, false));
        let passed = score(&quiz, &answers(&[("q2", &["x", "z"])]));
        assert_eq!((passed.score, passed.passed), (3.0, true));
        let by_share = super::tests::quiz(Some(ScoringType::Percentage), Some(3));
        let scored = score(&by_share, &answers(&[("q2", &["x", "z"])]));
        assert_eq!((scored.score, scored.passed), (50.0, true), "the passing score is in points");
    }

    #[test]
    fn a_quiz_without_a_passing_score_is_passed_by_being_submitted() {
        let scored = score(&quiz(Some(ScoringType::Points), None), &Answers::new());
        assert_eq!((scored.points, scored.passed), (0, true));
    }

    #[test]
    fn unanswered_questions_are_named_in_the_quizs_order() {
        let quiz = quiz(None, None);
        assert_eq!(unanswered(&quiz, &answers(&[("q2", &[]), ("q1", &["a"])])), ["q2", "q3"]);
        assert!(unanswered(&quiz, &answers(&[("q1", &["a"]), ("q2", &["y"]), ("q3", &["true"])])).is_empty());
    }

    #[test]
    fn answers_no_form_could_send_are_invalid() {
        let quiz = quiz(None, None);
        let fine = answers(&[("q1", &["a"]), ("q2", &["x", "y", "z"]), ("q3", &["true"])]);
        assert!(invalid(&quiz, &fine).is_empty());
        assert!(invalid(&quiz, &answers(&[("q1", &["a", "a"])])).is_empty(), "the same option twice is one option");
        let bad = answers(&[("q1", &["a", "b"]), ("q2", &["x", "w"]), ("q3", &["true", "false"]), ("q9", &["a"])]);
        assert_eq!(invalid(&quiz, &bad), ["q1", "q2", "q3", "q9"]);
    }
}
