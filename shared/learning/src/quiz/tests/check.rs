//! Authoring rules, every problem at its pointer.

use super::*;

fn problems(quiz: &Quiz) -> Vec<(String, String)> {
    check(quiz).unwrap_err()
}

fn only(quiz: &Quiz) -> String {
    let p = problems(quiz);
    assert_eq!(p.len(), 1, "{p:#?}");
    p[0].0.clone()
}

fn with_options(question_type: QuestionType, n: usize, right: usize) -> Quiz {
    let options = (0..n).map(|i| option(1000 + i as u128, &format!("Option {i}"), i < right)).collect();
    quiz_of(vec![Question { question_type, options, ..single(1, 10) }])
}

#[test]
fn a_sound_quiz_passes() {
    assert_eq!(check(&sample()), Ok(()));
    assert_eq!(check(&quiz_of(vec![])), Ok(()), "an empty quiz is allowed (it scores 100)");
    let open = Quiz { max_attempts: None, time_limit_minutes: None, ..sample() };
    assert_eq!(check(&open), Ok(()));
}

#[test]
fn single_choice_has_two_to_ten_options_and_exactly_one_right() {
    use QuestionType::SingleChoice as S;
    assert_eq!(check(&with_options(S, 2, 1)), Ok(()));
    assert_eq!(check(&with_options(S, 10, 1)), Ok(()));
    assert_eq!(only(&with_options(S, 1, 1)), "/questions/0/options");
    assert_eq!(only(&with_options(S, 11, 1)), "/questions/0/options");
    assert_eq!(only(&with_options(S, 4, 0)), "/questions/0/options");
    assert_eq!(only(&with_options(S, 4, 2)), "/questions/0/options");
    assert_eq!(pointers(&problems(&with_options(S, 1, 0))), ["/questions/0/options", "/questions/0/options"]);
}

#[test]
fn multiple_choice_has_two_to_ten_options_and_at_least_one_right() {
    use QuestionType::MultipleChoice as M;
    assert_eq!(check(&with_options(M, 2, 2)), Ok(()));
    assert_eq!(check(&with_options(M, 10, 1)), Ok(()));
    assert_eq!(check(&with_options(M, 10, 10)), Ok(()));
    assert_eq!(only(&with_options(M, 1, 1)), "/questions/0/options");
    assert_eq!(only(&with_options(M, 11, 3)), "/questions/0/options");
    assert_eq!(only(&with_options(M, 4, 0)), "/questions/0/options");
}

#[test]
fn true_false_has_exactly_two_options_and_one_right() {
    use QuestionType::TrueFalse as T;
    assert_eq!(check(&with_options(T, 2, 1)), Ok(()));
    assert_eq!(only(&with_options(T, 3, 1)), "/questions/0/options");
    assert_eq!(only(&with_options(T, 2, 2)), "/questions/0/options");
    assert_eq!(only(&with_options(T, 2, 0)), "/questions/0/options");
    let p = problems(&with_options(T, 1, 1));
    assert_eq!(pointers(&p), ["/questions/0/options"]);
    assert!(p[0].1.contains("exactly 2 options"), "{p:?}");
}

#[test]
fn points_are_1_to_1000() {
    for ok in [1, 1000] {
        assert_eq!(check(&quiz_of(vec![single(1, ok)])), Ok(()));
    }
    for bad in [0, 1001] {
        assert_eq!(only(&quiz_of(vec![single(1, 10), single(2, bad)])), "/questions/1/points");
    }
}

#[test]
fn option_texts_are_not_blank_and_unique_within_a_question() {
    let mut q = single(1, 10);
    q.options[1].text = " \t".into();
    assert_eq!(only(&quiz_of(vec![q])), "/questions/0/options/1/text");

    let mut q = single(1, 10);
    q.options[3].text = "  red ".into();
    let p = problems(&quiz_of(vec![q]));
    assert_eq!(pointers(&p), ["/questions/0/options/3/text"]);
    assert!(p[0].1.contains("repeats"), "{p:?}");

    // The same text in two questions is fine.
    assert_eq!(check(&quiz_of(vec![single(1, 10), single(2, 10)])), Ok(()));
}

#[test]
fn ids_are_unique() {
    let mut q2 = single(2, 10);
    q2.id = id(100);
    assert_eq!(only(&quiz_of(vec![single(1, 10), q2])), "/questions/1/id");
    let mut q = single(1, 10);
    q.options[2].id = q.options[0].id;
    assert_eq!(only(&quiz_of(vec![q])), "/questions/0/options/2/id");
}

#[test]
fn texts_are_not_blank() {
    let quiz = Quiz { title: " ".into(), ..sample() };
    assert_eq!(only(&quiz), "/title");
    let mut q = single(1, 10);
    q.text = String::new();
    assert_eq!(only(&quiz_of(vec![q])), "/questions/0/text");
}

#[test]
fn at_most_200_questions() {
    let questions = |n: u128| (1..=n).map(|i| true_false(i, 1)).collect::<Vec<_>>();
    assert_eq!(check(&quiz_of(questions(200))), Ok(()));
    assert_eq!(only(&quiz_of(questions(201))), "/questions");
}

#[test]
fn quiz_settings_are_in_range() {
    assert_eq!(check(&Quiz { passing_score: 0, ..sample() }), Ok(()));
    assert_eq!(check(&Quiz { passing_score: 100, ..sample() }), Ok(()));
    assert_eq!(only(&Quiz { passing_score: 101, ..sample() }), "/passingScore");

    assert_eq!(check(&Quiz { max_attempts: Some(1), ..sample() }), Ok(()));
    assert_eq!(check(&Quiz { max_attempts: Some(100), ..sample() }), Ok(()));
    assert_eq!(only(&Quiz { max_attempts: Some(0), ..sample() }), "/maxAttempts");
    assert_eq!(only(&Quiz { max_attempts: Some(101), ..sample() }), "/maxAttempts");

    assert_eq!(check(&Quiz { time_limit_minutes: Some(1), ..sample() }), Ok(()));
    assert_eq!(check(&Quiz { time_limit_minutes: Some(1440), ..sample() }), Ok(()));
    assert_eq!(only(&Quiz { time_limit_minutes: Some(0), ..sample() }), "/timeLimitMinutes");
    assert_eq!(only(&Quiz { time_limit_minutes: Some(1441), ..sample() }), "/timeLimitMinutes");

    assert_eq!(check(&Quiz { overdue: OverdueHandling::GracePeriod { minutes: 5 }, ..sample() }), Ok(()));
    assert_eq!(only(&Quiz { overdue: OverdueHandling::GracePeriod { minutes: 0 }, ..sample() }), "/overdue/minutes");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut q0 = single(1, 0);
    q0.options.truncate(1);
    let mut q2 = multiple(3, 10);
    q2.options.iter_mut().for_each(|o| o.correct = false);
    q2.options[1].text = "gloves".into();
    let quiz = Quiz {
        passing_score: 120,
        max_attempts: Some(0),
        time_limit_minutes: Some(2000),
        questions: vec![q0, true_false(2, 5), q2],
        ..sample()
    };
    assert_eq!(
        pointers(&problems(&quiz)),
        [
            "/passingScore",
            "/maxAttempts",
            "/timeLimitMinutes",
            "/questions/0/points",
            "/questions/0/options",
            "/questions/2/options",
            "/questions/2/options/1/text",
        ]
    );
}
