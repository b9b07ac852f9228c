//! Scoring: all or nothing per question, a percentage to 2 decimals against the pass mark.

use super::*;

fn scored(quiz: &Quiz, a: &Answers) -> Scored {
    score(quiz, &layout(quiz, 0), a)
}

fn outcomes(s: &Scored) -> Vec<bool> {
    s.per_question.iter().map(|o| o.correct).collect()
}

#[test]
fn all_right_scores_full_marks() {
    let s = scored(&sample(), &all_right());
    assert_eq!((s.points, s.max_points, s.score, s.passed), (40, 40, 100.0, true));
    assert_eq!(
        s.per_question,
        [
            QuestionOutcome { question_id: id(100), correct: true },
            QuestionOutcome { question_id: id(200), correct: true },
            QuestionOutcome { question_id: id(300), correct: true },
        ]
    );
}

#[test]
fn nothing_answered_scores_nothing() {
    let s = scored(&sample(), &Answers::new());
    assert_eq!((s.points, s.max_points, s.score, s.passed), (0, 40, 0.0, false));
    assert_eq!(outcomes(&s), [false, false, false]);
    let s = scored(&sample(), &answers(&[(100, &[]), (200, &[]), (300, &[])]));
    assert_eq!(outcomes(&s), [false, false, false]);
}

#[test]
fn single_choice_and_true_false_need_the_right_option() {
    let s = scored(&sample(), &answers(&[(100, &[102]), (300, &[302])]));
    assert_eq!(outcomes(&s), [false, false, false]);
    let s = scored(&sample(), &answers(&[(100, &[101]), (300, &[301])]));
    assert_eq!(outcomes(&s), [true, false, true]);
    assert_eq!(s.points, 20);
    // The right option with a wrong one is not right.
    let s = scored(&sample(), &answers(&[(100, &[101, 102])]));
    assert_eq!(outcomes(&s), [false, false, false]);
}

#[test]
fn multiple_choice_is_all_or_nothing() {
    let q2 = |chosen: &[u128]| outcomes(&scored(&sample(), &answers(&[(200, chosen)])))[1];
    assert!(q2(&[201, 203]));
    assert!(q2(&[203, 201]), "order does not matter");
    assert!(!q2(&[201]), "a subset of the right options");
    assert!(!q2(&[203]));
    assert!(!q2(&[201, 203, 202]), "a superset");
    assert!(!q2(&[201, 202, 203, 204]), "everything");
    assert!(!q2(&[202, 204]));
    assert!(!q2(&[]));
    let s = scored(&sample(), &answers(&[(200, &[201])]));
    assert_eq!(s.points, 0, "no partial credit");
}

#[test]
fn the_score_is_a_percentage_to_two_decimals() {
    let quiz = quiz_of(vec![single(1, 1), single(2, 1), single(3, 1)]);
    let s = scored(&quiz, &answers(&[(100, &[101]), (200, &[201])]));
    assert_eq!((s.points, s.max_points, s.score), (2, 3, 66.67));
    let s = scored(&quiz, &answers(&[(100, &[101])]));
    assert_eq!(s.score, 33.33);
    let quiz = quiz_of((1..=7).map(|n| single(n, 1)).collect());
    let s = scored(&quiz, &answers(&[(100, &[101])]));
    assert_eq!(s.score, 14.29);
}

#[test]
fn passing_is_at_or_above_the_pass_mark() {
    // 7 of 10 questions right is exactly 70.
    let quiz = quiz_of((1..=10).map(|n| single(n, 1)).collect());
    let right = |k: u128| -> Answers { (1..=k).map(|n| (id(n * 100), vec![id(n * 100 + 1)])).collect() };
    let s = scored(&quiz, &right(7));
    assert_eq!((s.score, s.passed), (70.0, true));
    let s = scored(&quiz, &right(6));
    assert_eq!((s.score, s.passed), (60.0, false));
    let s = scored(&Quiz { passing_score: 0, ..quiz.clone() }, &Answers::new());
    assert!(s.passed, "a pass mark of 0 passes anyone");
    let s = scored(&Quiz { passing_score: 100, ..quiz }, &right(9));
    assert!(!s.passed);
}

#[test]
fn points_weigh_questions() {
    // Only the 20-point multiple choice right: 50%.
    let s = scored(&sample(), &answers(&[(200, &[201, 203])]));
    assert_eq!((s.points, s.score, s.passed), (20, 50.0, false));
}

#[test]
fn an_empty_quiz_scores_100_and_passes() {
    let quiz = Quiz { passing_score: 100, ..quiz_of(vec![]) };
    let s = scored(&quiz, &Answers::new());
    assert_eq!((s.points, s.max_points, s.score, s.passed), (0, 0, 100.0, true));
    assert!(s.per_question.is_empty());
}

#[test]
fn only_the_layouts_questions_count() {
    // The attempt began with questions 1 and 2; 3 was added since, and 2 then removed.
    let before = quiz_of(vec![single(1, 10), multiple(2, 20)]);
    let l = layout(&before, 0);
    let now = quiz_of(vec![single(1, 10), true_false(3, 10)]);
    let s = score(&now, &l, &all_right());
    assert_eq!((s.points, s.max_points, s.score), (10, 10, 100.0));
    assert_eq!(s.per_question, [QuestionOutcome { question_id: id(100), correct: true }]);
}

#[test]
fn the_result_serialises_in_camel_case() {
    let json = serde_json::to_value(scored(&sample(), &all_right())).unwrap();
    assert_eq!(json["maxPoints"], 40);
    assert_eq!(json["perQuestion"][0]["questionId"], id(100).to_string());
}
