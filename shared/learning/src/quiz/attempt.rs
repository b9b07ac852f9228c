//! An attempt's life: started with its layout and deadline, answers saved while in time, submitted (or
//! finalised at its deadline), scored. The server's clock decides what is in time, never the client's.
//!
//! `in_progress` → `submitted` (in time) | `overdue_submitted` (past the deadline and any grace: scored on
//! what was saved, dated at the deadline) | `abandoned`.

use super::{Answers, Layout, OverdueHandling, Problems, Quiz, check_answers, layout, score};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    InProgress,
    /// Submitted in time (within any grace).
    Submitted,
    /// Finalised at its deadline from the answers saved by then.
    OverdueSubmitted,
    /// Closed unscored.
    Abandoned,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Submitted => "submitted",
            Self::OverdueSubmitted => "overdue_submitted",
            Self::Abandoned => "abandoned",
        }
    }

    /// No longer takes answers.
    pub fn is_finished(self) -> bool {
        self != Self::InProgress
    }

    /// Finished with a score.
    pub fn is_scored(self) -> bool {
        matches!(self, Self::Submitted | Self::OverdueSubmitted)
    }
}

impl fmt::Display for AttemptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// QUIZ_ATTEMPT.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub quiz_version: u64,
    pub user_id: Uuid,
    /// 1 for a learner's first attempt at the quiz.
    pub number: u32,
    pub started_at: DateTime<Utc>,
    /// `None`: the quiz has no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    pub layout: Layout,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, Vec<Uuid>>)]
    pub answers: Answers,
    pub state: AttemptState,
    /// For `overdue_submitted`, the deadline: a late submission is never dated in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    pub version: u64,
}

impl Attempt {
    /// The last instant answers are taken: the deadline plus any grace (`None`: never closes).
    pub fn closes_at(&self, overdue: OverdueHandling) -> Option<DateTime<Utc>> {
        self.deadline.map(|d| later(d, overdue.grace()))
    }

    /// Whether `now` is in time: at or before [`Attempt::closes_at`].
    pub fn in_time(&self, overdue: OverdueHandling, now: DateTime<Utc>) -> bool {
        self.closes_at(overdue).is_none_or(|closes| now <= closes)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("no attempts left: {used} of {max} used")]
    NoAttemptsLeft { used: u32, max: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttemptError {
    #[error("the attempt is already {state}")]
    Finished { state: AttemptState },
    #[error("the attempt's time ran out at {deadline}")]
    PastDeadline { deadline: DateTime<Utc> },
    /// Each as (pointer, message), see [`check_answers`].
    #[error("the answers do not fit the attempt")]
    InvalidAnswers(Problems),
    #[error("the attempt is not one of this quiz")]
    WrongQuiz,
}

/// Starts attempt `number` of `user_id` at `quiz`, when `attempts_used` leaves one. Its layout is drawn from
/// `seed` (the caller's randomness, kept pure here); its deadline is `now` plus the time limit.
pub fn start(
    quiz: &Quiz,
    id: Uuid,
    user_id: Uuid,
    number: u32,
    attempts_used: u32,
    now: DateTime<Utc>,
    seed: u64,
) -> Result<Attempt, StartError> {
    if let Some(max) = quiz.max_attempts
        && attempts_used >= max
    {
        return Err(StartError::NoAttemptsLeft { used: attempts_used, max });
    }
    Ok(Attempt {
        id,
        quiz_id: quiz.id,
        quiz_version: quiz.version,
        user_id,
        number,
        started_at: now,
        deadline: quiz.time_limit_minutes.map(|m| later(now, TimeDelta::minutes(i64::from(m)))),
        layout: layout(quiz, seed),
        answers: Answers::new(),
        state: AttemptState::InProgress,
        submitted_at: None,
        score: None,
        points: None,
        passed: None,
        version: 1,
    })
}

/// Replaces the saved answers, while the attempt is open and in time.
pub fn save(quiz: &Quiz, attempt: &Attempt, answers: Answers, now: DateTime<Utc>) -> Result<Attempt, AttemptError> {
    open(quiz, attempt)?;
    if let Some(deadline) = attempt.deadline
        && !attempt.in_time(quiz.overdue, now)
    {
        return Err(AttemptError::PastDeadline { deadline });
    }
    check_answers(quiz, &attempt.layout, &answers).map_err(AttemptError::InvalidAnswers)?;
    Ok(Attempt { answers, version: attempt.version + 1, ..attempt.clone() })
}

/// Submits and scores the attempt. In time (within any grace): `submitted`, scored on `answers`, or on the
/// saved ones when none are sent. Late: `overdue_submitted` at the deadline, scored only on what was saved;
/// the answers sent late are ignored, so lateness never buys time.
pub fn submit(
    quiz: &Quiz,
    attempt: &Attempt,
    answers: Option<Answers>,
    now: DateTime<Utc>,
) -> Result<Attempt, AttemptError> {
    open(quiz, attempt)?;
    match attempt.deadline {
        Some(deadline) if !attempt.in_time(quiz.overdue, now) => {
            Ok(finish(quiz, attempt, attempt.answers.clone(), AttemptState::OverdueSubmitted, deadline))
        }
        _ => {
            let answers = answers.unwrap_or_else(|| attempt.answers.clone());
            check_answers(quiz, &attempt.layout, &answers).map_err(AttemptError::InvalidAnswers)?;
            Ok(finish(quiz, attempt, answers, AttemptState::Submitted, now))
        }
    }
}

/// An open attempt whose time (and grace) has run out, finalised as `overdue_submitted` from its saved
/// answers; `None` when there is nothing to do (still in time, already finished, or not of `quiz`). For a
/// sweep, or for a read that finds it lapsed.
pub fn expire(quiz: &Quiz, attempt: &Attempt, now: DateTime<Utc>) -> Option<Attempt> {
    open(quiz, attempt).ok()?;
    let deadline = attempt.deadline?;
    (!attempt.in_time(quiz.overdue, now))
        .then(|| finish(quiz, attempt, attempt.answers.clone(), AttemptState::OverdueSubmitted, deadline))
}

/// Closes an open attempt unscored (the learner gives up, or an administrator resets it).
pub fn abandon(attempt: &Attempt) -> Result<Attempt, AttemptError> {
    if attempt.state.is_finished() {
        return Err(AttemptError::Finished { state: attempt.state });
    }
    Ok(Attempt { state: AttemptState::Abandoned, version: attempt.version + 1, ..attempt.clone() })
}

/// The best scored attempt: the highest score, the earliest submitted on a tie.
pub fn best(attempts: &[Attempt]) -> Option<&Attempt> {
    attempts
        .iter()
        .filter(|a| a.state.is_scored())
        .filter_map(|a| a.score.map(|s| (s, a)))
        .min_by(|(sa, a), (sb, b)| {
            sb.total_cmp(sa).then(a.submitted_at.cmp(&b.submitted_at)).then(a.number.cmp(&b.number))
        })
        .map(|(_, a)| a)
}

/// Whether any scored attempt passed.
pub fn passed_any(attempts: &[Attempt]) -> bool {
    attempts.iter().any(|a| a.state.is_scored() && a.passed == Some(true))
}

/// The attempt is of `quiz` and still takes answers.
fn open(quiz: &Quiz, attempt: &Attempt) -> Result<(), AttemptError> {
    if attempt.quiz_id != quiz.id {
        return Err(AttemptError::WrongQuiz);
    }
    if attempt.state.is_finished() {
        return Err(AttemptError::Finished { state: attempt.state });
    }
    Ok(())
}

fn finish(quiz: &Quiz, attempt: &Attempt, answers: Answers, state: AttemptState, at: DateTime<Utc>) -> Attempt {
    let scored = score(quiz, &attempt.layout, &answers);
    Attempt {
        answers,
        state,
        submitted_at: Some(at),
        score: Some(scored.score),
        points: Some(scored.points),
        passed: Some(scored.passed),
        version: attempt.version + 1,
        ..attempt.clone()
    }
}

/// `t + d`, saturating: a deadline beyond the calendar's end is no deadline to speak of.
fn later(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
