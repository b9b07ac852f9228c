//! Answers must fit the attempt: its questions, their options, one option where one is allowed.

use super::*;

fn problems(a: &Answers) -> Vec<(String, String)> {
    let quiz = sample();
    check_answers(&quiz, &layout(&quiz, 0), a).unwrap_err()
}

#[test]
fn fitting_answers_pass() {
    let quiz = sample();
    let l = layout(&quiz, 0);
    assert_eq!(check_answers(&quiz, &l, &all_right()), Ok(()));
    assert_eq!(check_answers(&quiz, &l, &Answers::new()), Ok(()));
    // Wrong is allowed, and so is a cleared question.
    assert_eq!(check_answers(&quiz, &l, &answers(&[(100, &[102]), (200, &[202, 204, 201]), (300, &[])])), Ok(()));
}

#[test]
fn a_question_not_in_the_layout_is_refused() {
    let p = problems(&answers(&[(100, &[101]), (900, &[901])]));
    assert_eq!(p, [(format!("/answers/{}", id(900)), "is not a question of this attempt".to_owned())]);

    // In the quiz now, but not when the attempt began.
    let quiz = sample();
    let l = layout(&quiz_of(vec![single(1, 10)]), 0);
    let p = check_answers(&quiz, &l, &answers(&[(200, &[201])])).unwrap_err();
    assert_eq!(pointers(&p), [format!("/answers/{}", id(200))]);
}

#[test]
fn an_option_of_another_question_is_refused() {
    let p = problems(&answers(&[(200, &[201, 101])]));
    assert_eq!(p, [(format!("/answers/{}/1", id(200)), "is not an option of this question".to_owned())]);
}

#[test]
fn single_choice_and_true_false_take_one_option() {
    let p = problems(&answers(&[(100, &[101, 102]), (300, &[301, 302])]));
    assert_eq!(pointers(&p), [format!("/answers/{}", id(100)), format!("/answers/{}", id(300))]);
    assert!(p.iter().all(|(_, m)| m == "takes one option at most"));
}

#[test]
fn an_option_chosen_twice_is_refused() {
    let p = problems(&answers(&[(200, &[201, 203, 201])]));
    assert_eq!(p, [(format!("/answers/{}/2", id(200)), "is chosen twice".to_owned())]);
    let p = problems(&answers(&[(100, &[101, 101])]));
    assert_eq!(pointers(&p), [format!("/answers/{}", id(100)), format!("/answers/{}/1", id(100))]);
}

#[test]
fn every_problem_is_reported() {
    let p = problems(&answers(&[(100, &[101, 999]), (200, &[201, 201]), (800, &[])]));
    assert_eq!(
        pointers(&p),
        [
            format!("/answers/{}", id(100)),
            format!("/answers/{}/1", id(100)),
            format!("/answers/{}/1", id(200)),
            format!("/answers/{}", id(800)),
        ]
    );
}
