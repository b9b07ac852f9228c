//! Per-question statistics over scored attempts.

use super::*;

fn done(quiz: &Quiz, given: Answers) -> Attempt {
    let a = start(quiz, id(7000), id(8000), 1, 0, at("2025-03-01T10:00:00Z"), 0).unwrap();
    submit(quiz, &a, Some(given), at("2025-03-01T10:05:00Z")).unwrap()
}

#[test]
fn answered_and_correct_per_question() {
    let quiz = sample();
    let open = start(&quiz, id(7001), id(8000), 2, 1, at("2025-03-01T10:00:00Z"), 0).unwrap();
    let open = save(&quiz, &open, all_right(), at("2025-03-01T10:01:00Z")).unwrap();
    let other_quiz = Attempt { quiz_id: id(99), ..done(&quiz, all_right()) };
    let attempts = [
        done(&quiz, all_right()),
        done(&quiz, answers(&[(100, &[102]), (200, &[201])])),
        done(&quiz, answers(&[(100, &[101]), (300, &[])])),
        open,
        other_quiz,
    ];
    let stats = question_stats(&quiz, &attempts);
    assert_eq!(
        stats,
        [
            QuestionStat { question_id: id(100), answered: 3, correct: 2, correct_rate: Some(2.0 / 3.0) },
            QuestionStat { question_id: id(200), answered: 2, correct: 1, correct_rate: Some(0.5) },
            QuestionStat { question_id: id(300), answered: 1, correct: 1, correct_rate: Some(1.0) },
        ]
    );
}

#[test]
fn a_question_nobody_answered_has_no_rate() {
    let quiz = sample();
    let stats = question_stats(&quiz, &[done(&quiz, answers(&[(100, &[101])]))]);
    assert_eq!(stats[1], QuestionStat { question_id: id(200), answered: 0, correct: 0, correct_rate: None });
    assert!(question_stats(&quiz, &[]).iter().all(|s| s.answered == 0 && s.correct_rate.is_none()));
    assert!(question_stats(&quiz_of(vec![]), &[done(&quiz, all_right())]).is_empty());
}

#[test]
fn statistics_follow_the_current_answer_key() {
    let quiz = sample();
    let attempts = [done(&quiz, answers(&[(100, &[102])]))];
    let mut fixed = sample();
    fixed.questions[0].options[0].correct = false;
    fixed.questions[0].options[1].correct = true;
    assert_eq!(question_stats(&fixed, &attempts)[0].correct, 1);
    assert_eq!(question_stats(&quiz, &attempts)[0].correct, 0);
}

#[test]
fn statistics_serialise_in_camel_case() {
    let quiz = sample();
    let json = serde_json::to_value(question_stats(&quiz, &[done(&quiz, all_right())])).unwrap();
    assert_eq!(json[0]["correctRate"], 1.0);
    assert_eq!(json[0]["questionId"], id(100).to_string());
}
