//! The attempt's state machine: limits, deadlines, grace, late submissions, the best attempt.

use super::*;
use chrono::TimeDelta;

const START: &str = "2025-03-01T10:00:00Z";
/// START plus the sample's 30 minutes.
const DEADLINE: &str = "2025-03-01T10:30:00Z";

fn started(quiz: &Quiz) -> Attempt {
    start(quiz, id(7000), id(8000), 1, 0, at(START), 42).unwrap()
}

fn graceful() -> Quiz {
    Quiz { overdue: OverdueHandling::GracePeriod { minutes: 5 }, ..sample() }
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

#[test]
fn start_lays_out_the_attempt_and_sets_its_deadline() {
    let quiz = Quiz { shuffle_questions: true, ..sample() };
    let a = started(&quiz);
    assert_eq!((a.id, a.quiz_id, a.quiz_version, a.user_id, a.number), (id(7000), id(1), 4, id(8000), 1));
    assert_eq!((a.started_at, a.deadline), (at(START), Some(at(DEADLINE))));
    assert_eq!(a.layout, layout(&quiz, 42));
    assert_eq!((a.state, a.version), (AttemptState::InProgress, 1));
    assert!(a.answers.is_empty() && a.submitted_at.is_none() && a.score.is_none());
    assert!(a.points.is_none() && a.passed.is_none());

    let untimed = Quiz { time_limit_minutes: None, ..sample() };
    assert_eq!(started(&untimed).deadline, None);
}

#[test]
fn attempts_are_limited() {
    let quiz = sample(); // 3 attempts
    for used in 0..3 {
        assert!(start(&quiz, id(7000), id(8000), used + 1, used, at(START), 1).is_ok());
    }
    for used in [3, 4] {
        assert_eq!(
            start(&quiz, id(7000), id(8000), used + 1, used, at(START), 1),
            Err(StartError::NoAttemptsLeft { used, max: 3 })
        );
    }
    let unlimited = Quiz { max_attempts: None, ..sample() };
    assert!(start(&unlimited, id(7000), id(8000), 1001, 1000, at(START), 1).is_ok());
    assert_eq!(StartError::NoAttemptsLeft { used: 3, max: 3 }.to_string(), "no attempts left: 3 of 3 used");
}

#[test]
fn saving_replaces_the_answers_while_in_time() {
    let quiz = sample();
    let a = started(&quiz);
    let a = save(&quiz, &a, answers(&[(100, &[102])]), at("2025-03-01T10:10:00Z")).unwrap();
    assert_eq!((a.answers.clone(), a.version, a.state), (answers(&[(100, &[102])]), 2, AttemptState::InProgress));
    let a = save(&quiz, &a, answers(&[(200, &[201])]), at(DEADLINE)).unwrap();
    assert_eq!((a.answers.clone(), a.version), (answers(&[(200, &[201])]), 3), "exactly at the deadline is in time");
    assert_eq!(
        save(&quiz, &a, all_right(), at(DEADLINE) + secs(1)),
        Err(AttemptError::PastDeadline { deadline: at(DEADLINE) })
    );
}

#[test]
fn saving_checks_the_answers() {
    let quiz = sample();
    let a = started(&quiz);
    let err = save(&quiz, &a, answers(&[(100, &[101, 102])]), at(START)).unwrap_err();
    let AttemptError::InvalidAnswers(p) = err else { panic!("{err:?}") };
    assert_eq!(pointers(&p), [format!("/answers/{}", id(100))]);
}

#[test]
fn an_untimed_attempt_never_runs_out() {
    let quiz = Quiz { time_limit_minutes: None, ..sample() };
    let a = started(&quiz);
    let years_later = at("2030-01-01T00:00:00Z");
    assert!(save(&quiz, &a, all_right(), years_later).is_ok());
    assert_eq!(expire(&quiz, &a, years_later), None);
    let s = submit(&quiz, &a, Some(all_right()), years_later).unwrap();
    assert_eq!((s.state, s.submitted_at), (AttemptState::Submitted, Some(years_later)));
}

#[test]
fn submitting_in_time_scores_the_answers_sent() {
    let quiz = sample();
    let a = save(&quiz, &started(&quiz), answers(&[(100, &[102])]), at("2025-03-01T10:05:00Z")).unwrap();
    let s = submit(&quiz, &a, Some(all_right()), at("2025-03-01T10:20:00Z")).unwrap();
    assert_eq!(s.state, AttemptState::Submitted);
    assert_eq!(s.submitted_at, Some(at("2025-03-01T10:20:00Z")));
    assert_eq!((s.score, s.points, s.passed), (Some(100.0), Some(40), Some(true)));
    assert_eq!((s.answers.clone(), s.version), (all_right(), 3));
}

#[test]
fn submitting_in_time_without_answers_scores_the_saved_ones() {
    let quiz = sample();
    let a = save(&quiz, &started(&quiz), answers(&[(200, &[201, 203])]), at(START)).unwrap();
    let s = submit(&quiz, &a, None, at(DEADLINE)).unwrap();
    assert_eq!(s.state, AttemptState::Submitted, "exactly at the deadline is in time");
    assert_eq!((s.score, s.points, s.passed), (Some(50.0), Some(20), Some(false)));
}

#[test]
fn submitting_in_time_checks_the_answers() {
    let quiz = sample();
    let a = started(&quiz);
    let err = submit(&quiz, &a, Some(answers(&[(900, &[901])])), at(START)).unwrap_err();
    assert!(matches!(err, AttemptError::InvalidAnswers(_)), "{err:?}");
}

#[test]
fn a_late_submit_is_never_on_time_and_ignores_unsaved_answers() {
    let quiz = sample();
    let a = save(&quiz, &started(&quiz), answers(&[(100, &[101])]), at("2025-03-01T10:29:59Z")).unwrap();
    for late in [at(DEADLINE) + secs(1), at("2025-03-02T09:00:00Z")] {
        let s = submit(&quiz, &a, Some(all_right()), late).unwrap();
        assert_eq!(s.state, AttemptState::OverdueSubmitted);
        assert_eq!(s.submitted_at, Some(at(DEADLINE)), "dated at the deadline, not when it came");
        assert_eq!(s.answers, answers(&[(100, &[101])]), "what was sent late is dropped");
        assert_eq!((s.score, s.points, s.passed), (Some(25.0), Some(10), Some(false)));
        // Even nonsense sent late is ignored rather than refused: the attempt is closed on what was saved.
        let s = submit(&quiz, &a, Some(answers(&[(900, &[901])])), late).unwrap();
        assert_eq!(s.state, AttemptState::OverdueSubmitted);
        let s = submit(&quiz, &a, None, late).unwrap();
        assert_eq!(s.points, Some(10));
    }
}

#[test]
fn grace_period_boundaries() {
    let quiz = graceful();
    let a = save(&quiz, &started(&quiz), answers(&[(100, &[101])]), at(START)).unwrap();
    let grace_end = at(DEADLINE) + TimeDelta::minutes(5);
    assert_eq!(a.closes_at(quiz.overdue), Some(grace_end));

    for in_time in [at(DEADLINE), at(DEADLINE) + secs(1), grace_end] {
        assert!(a.in_time(quiz.overdue, in_time));
        let s = submit(&quiz, &a, Some(all_right()), in_time).unwrap();
        assert_eq!((s.state, s.submitted_at, s.points), (AttemptState::Submitted, Some(in_time), Some(40)));
        assert!(save(&quiz, &a, all_right(), in_time).is_ok());
        assert_eq!(expire(&quiz, &a, in_time), None);
    }

    let too_late = grace_end + secs(1);
    assert!(!a.in_time(quiz.overdue, too_late));
    let s = submit(&quiz, &a, Some(all_right()), too_late).unwrap();
    assert_eq!((s.state, s.submitted_at, s.points), (AttemptState::OverdueSubmitted, Some(at(DEADLINE)), Some(10)));
    assert_eq!(save(&quiz, &a, all_right(), too_late), Err(AttemptError::PastDeadline { deadline: at(DEADLINE) }));
}

#[test]
fn answers_saved_within_grace_count_when_finalised_later() {
    let quiz = graceful();
    let a = save(&quiz, &started(&quiz), all_right(), at(DEADLINE) + TimeDelta::minutes(2)).unwrap();
    let s = expire(&quiz, &a, at(DEADLINE) + TimeDelta::minutes(6)).unwrap();
    assert_eq!((s.state, s.submitted_at, s.points), (AttemptState::OverdueSubmitted, Some(at(DEADLINE)), Some(40)));
}

#[test]
fn auto_submit_has_no_grace() {
    let quiz = sample();
    let a = started(&quiz);
    assert_eq!(a.closes_at(quiz.overdue), Some(at(DEADLINE)));
    assert!(a.in_time(quiz.overdue, at(DEADLINE)));
    assert!(!a.in_time(quiz.overdue, at(DEADLINE) + secs(1)));
}

#[test]
fn expire_finalises_lapsed_attempts_from_what_was_saved() {
    let quiz = sample();
    let a = save(&quiz, &started(&quiz), answers(&[(100, &[101]), (300, &[301])]), at(START)).unwrap();
    assert_eq!(expire(&quiz, &a, at(START)), None);
    assert_eq!(expire(&quiz, &a, at(DEADLINE)), None);
    let e = expire(&quiz, &a, at(DEADLINE) + secs(1)).unwrap();
    assert_eq!(e.state, AttemptState::OverdueSubmitted);
    assert_eq!(e.submitted_at, Some(at(DEADLINE)));
    assert_eq!((e.score, e.points, e.passed, e.version), (Some(50.0), Some(20), Some(false), a.version + 1));
    assert_eq!(expire(&quiz, &e, at(DEADLINE) + secs(2)), None, "already finished");
    assert_eq!(expire(&Quiz { id: id(99), ..sample() }, &a, at(DEADLINE) + secs(1)), None, "another quiz");
}

#[test]
fn a_finished_attempt_takes_nothing_more() {
    let quiz = sample();
    let a = started(&quiz);
    let submitted = submit(&quiz, &a, Some(all_right()), at(START)).unwrap();
    let overdue = expire(&quiz, &a, at("2025-03-01T11:00:00Z")).unwrap();
    let abandoned = abandon(&a).unwrap();
    for done in [submitted, overdue, abandoned] {
        let finished = AttemptError::Finished { state: done.state };
        assert_eq!(save(&quiz, &done, all_right(), at(START)), Err(finished.clone()));
        assert_eq!(submit(&quiz, &done, None, at(START)), Err(finished.clone()));
        assert_eq!(abandon(&done), Err(finished));
    }
    assert_eq!(
        AttemptError::Finished { state: AttemptState::OverdueSubmitted }.to_string(),
        "the attempt is already overdue_submitted"
    );
}

#[test]
fn abandoning_closes_unscored() {
    let quiz = sample();
    let a = abandon(&save(&quiz, &started(&quiz), all_right(), at(START)).unwrap()).unwrap();
    assert_eq!((a.state, a.version), (AttemptState::Abandoned, 3));
    assert!(a.score.is_none() && a.passed.is_none() && a.submitted_at.is_none());
    assert!(!passed_any(std::slice::from_ref(&a)) && best(std::slice::from_ref(&a)).is_none());
}

#[test]
fn an_attempt_is_answered_against_its_own_quiz() {
    let quiz = sample();
    let a = started(&quiz);
    let other = Quiz { id: id(99), ..sample() };
    assert_eq!(save(&other, &a, Answers::new(), at(START)), Err(AttemptError::WrongQuiz));
    assert_eq!(submit(&other, &a, None, at(START)), Err(AttemptError::WrongQuiz));
}

/// A scored attempt `number`, submitted `minute` minutes past 10:00, with `score`.
fn finished(number: u32, minute: u32, score: f64, passed: bool) -> Attempt {
    Attempt {
        number,
        id: id(7000 + u128::from(number)),
        state: AttemptState::Submitted,
        submitted_at: Some(at(&format!("2025-03-01T10:{minute:02}:00Z"))),
        score: Some(score),
        points: Some(0),
        passed: Some(passed),
        ..started(&sample())
    }
}

#[test]
fn best_is_the_highest_score_and_the_earliest_on_a_tie() {
    assert!(best(&[]).is_none());
    let open = started(&sample());
    assert!(best(std::slice::from_ref(&open)).is_none());

    let attempts = [finished(1, 10, 50.0, false), finished(2, 20, 80.0, true), finished(3, 30, 80.0, true), open];
    assert_eq!(best(&attempts).map(|a| a.number), Some(2));
    let overdue = Attempt { state: AttemptState::OverdueSubmitted, ..finished(4, 40, 90.0, true) };
    let attempts = [attempts[2].clone(), overdue, attempts[0].clone()];
    assert_eq!(best(&attempts).map(|a| a.number), Some(4), "an overdue submission counts for what it scored");
}

#[test]
fn passed_any_looks_at_scored_attempts() {
    assert!(!passed_any(&[]));
    assert!(!passed_any(&[finished(1, 10, 50.0, false), started(&sample())]));
    assert!(passed_any(&[finished(1, 10, 50.0, false), finished(2, 20, 75.0, true)]));
    let odd = Attempt { state: AttemptState::Abandoned, ..finished(3, 30, 90.0, true) };
    assert!(!passed_any(&[odd]), "an abandoned attempt never passes");
}

#[test]
fn attempts_serialise_as_documented() {
    let quiz = sample();
    let a = submit(&quiz, &started(&quiz), Some(all_right()), at(START)).unwrap();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["state"], "submitted");
    assert_eq!(json["quizVersion"], 4);
    assert_eq!(json["submittedAt"], "2025-03-01T10:00:00Z");
    assert_eq!(json["answers"][id(100).to_string()][0], id(101).to_string());
    assert_eq!(serde_json::from_value::<Attempt>(json).unwrap(), a);
    for (state, s) in [
        (AttemptState::InProgress, "in_progress"),
        (AttemptState::Submitted, "submitted"),
        (AttemptState::OverdueSubmitted, "overdue_submitted"),
        (AttemptState::Abandoned, "abandoned"),
    ] {
        assert_eq!(serde_json::to_value(state).unwrap(), s);
        assert_eq!(state.to_string(), s);
    }
}
