//! One worker's enrolment: pause, resume, withdraw or exit it, and what a worker's answer records
//! (WORKER_PROGRESS), each a conditional write on the version read, retried on a race, with the program's
//! counters moved in the same transaction.

use crate::error::JourneyError;
use crate::model::{Enrolment, EnrolmentStatus, Progress, ProgressState, StepState};
use crate::repo::{self, TouchpointMove};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Store, Tx, Write, optimistic};
use uuid::Uuid;

/// Ends `worker`'s enrolment in `program` with `status` (withdrawn, exited) unless it already ended.
pub async fn end_one(
    store: &Store,
    tenant: &TenantId,
    program: Uuid,
    worker: Uuid,
    status: EnrolmentStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Option<Enrolment>, JourneyError> {
    optimistic::retry(|| async {
        let Some(e) = repo::get_enrolment(store, tenant, program, worker).await? else {
            return Ok(optimistic::Attempt::Done(None));
        };
        if e.status.is_over() {
            return Ok(optimistic::Attempt::Done(Some(e)));
        }
        let next = Enrolment {
            status,
            due_at: None,
            ended_at: Some(now),
            reason: Some(reason.to_owned()),
            updated_at: now,
            version: e.version + 1,
            ..e.clone()
        };
        let written = store.transact(moved(tenant, &e, &next)?).await.map_err(JourneyError::from);
        optimistic::settle(written, Some(next), true)
    })
    .await
}

/// The write of `prev` → `next`, with its status counters.
fn moved(tenant: &TenantId, prev: &Enrolment, next: &Enrolment) -> Result<Tx, JourneyError> {
    let mut tx = Tx::new().with(Write::replace(repo::put_enrolment(tenant, next)?, prev.version));
    if let Some(w) = repo::count_status(tenant, next, Some(prev.status), next.status) {
        tx.push(w);
    }
    if next.status == EnrolmentStatus::Active
        && let Some(at) = next.due_at
    {
        tx.push(repo::due_marker(tenant, next, at)?);
    }
    Ok(tx)
}

/// Pauses (`pause`) or resumes an enrolment: paused, it sends nothing and its waits do not time out;
/// resumed, what came due meanwhile goes at the next tick.
pub async fn pause(
    store: &Store,
    tenant: &TenantId,
    program: Uuid,
    worker: Uuid,
    pause: bool,
    now: DateTime<Utc>,
) -> Result<Enrolment, JourneyError> {
    optimistic::retry(|| async {
        let e = repo::get_enrolment(store, tenant, program, worker).await?.ok_or(JourneyError::NotFound)?;
        let next = match (e.status, pause) {
            (EnrolmentStatus::Active, true) => {
                Enrolment { status: EnrolmentStatus::Paused, paused_at: Some(now), ..e.clone() }
            }
            (EnrolmentStatus::Paused, false) => {
                // A wait's clock stops while paused: its start moves by the pause's length.
                let paused = e.paused_at.map_or(chrono::Duration::zero(), |p| now - p);
                let reached_at = if e.step == StepState::Waiting { e.reached_at + paused } else { e.reached_at };
                let due_at = e.due_at.map(|d| if e.step == StepState::Waiting { d + paused } else { d.max(now) });
                Enrolment { status: EnrolmentStatus::Active, paused_at: None, reached_at, due_at, ..e.clone() }
            }
            (EnrolmentStatus::Paused, true) | (EnrolmentStatus::Active, false) => {
                return Ok(optimistic::Attempt::Done(e));
            }
            (status, _) => {
                return Err(JourneyError::Conflict(format!("the enrolment is {}", status.as_str())));
            }
        };
        let next = Enrolment { updated_at: now, version: e.version + 1, ..next };
        let written = store.transact(moved(tenant, &e, &next)?).await.map_err(JourneyError::from);
        optimistic::settle(written, next, true)
    })
    .await
}

/// What a worker did on a touchpoint's page (or by a button reply).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    /// Opened the page.
    pub opened: bool,
    /// Finished it (marked done, submitted the reflection, submitted the quiz).
    pub completed: bool,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub feedback: Option<String>,
    /// A quiz submission (counts against its attempts).
    pub attempt: bool,
}

/// The worker's XP for completing `touchpoint` of `enrolment` (the tenant's amount; none when 0).
async fn touchpoint_xp(
    store: &Store,
    tenant: &TenantId,
    worker: Uuid,
    enrolment: Uuid,
    touchpoint: Uuid,
    now: DateTime<Utc>,
) -> Result<Tx, JourneyError> {
    use nudge_gamification::{Award, Subject, XpSource};
    let amount = nudge_gamification::settings::get(store, tenant).await?.amount(XpSource::TouchpointCompleted);
    if amount == 0 {
        return Ok(Tx::new());
    }
    let award = Award {
        subject: Subject::worker(worker),
        source: XpSource::TouchpointCompleted,
        source_entity_id: format!("{enrolment}:{touchpoint}"),
        amount: i64::from(amount),
        reason: None,
        by: None,
    };
    match nudge_gamification::ledger::award_writes(store, tenant, &award, now).await {
        Ok(tx) => Ok(tx),
        Err(nudge_gamification::LedgerError::Store(e)) => Err(e.into()),
        Err(other) => Err(JourneyError::Conflict(other.to_string())),
    }
}

/// Whether `progress`, as [`record`] answered it at `now`, was completed by that answer: the completion
/// earned the worker TOUCHPOINT_COMPLETED XP, so its pointsBalance moved and segments are to be told.
pub fn completed_now(progress: &Progress, now: DateTime<Utc>) -> bool {
    progress.completed_at == Some(now)
}

/// Records `answer` on the progress of (enrolment, touchpoint), and, when it completes what the
/// enrolment waits for, makes the enrolment due now. Answers the progress as written.
pub async fn record(
    store: &Store,
    tenant: &TenantId,
    enrolment: Uuid,
    touchpoint: Uuid,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<Progress, JourneyError> {
    optimistic::retry(|| async {
        let p = repo::get_progress(store, tenant, enrolment, touchpoint).await?.ok_or(JourneyError::NotFound)?;
        let mut next = p.clone();
        let mut m = TouchpointMove::default();
        if answer.opened && next.started_at.is_none() {
            next.started_at = Some(now);
            m.started = true;
            if next.state == ProgressState::Sent {
                next.state = ProgressState::Started;
            }
        }
        if answer.attempt {
            next.attempts += 1;
        }
        if let Some(score) = answer.score {
            // The best attempt counts; the counters keep the first score.
            if next.score.is_none() {
                m.score = Some(score);
            }
            next.score = Some(next.score.map_or(score, |s| s.max(score)));
        }
        if answer.passed == Some(true) && next.passed != Some(true) {
            m.passed = true;
        }
        if let Some(passed) = answer.passed {
            next.passed = Some(next.passed == Some(true) || passed);
        }
        if let Some(text) = &answer.feedback {
            next.feedback_text = Some(text.clone());
        }
        let completing = answer.completed && next.completed_at.is_none();
        if completing {
            if next.started_at.is_none() {
                next.started_at = Some(now);
            }
            next.completed_at = Some(now);
            next.state = ProgressState::Completed;
            m.started = p.started_at.is_none();
            m.completed = true;
        }
        if next == p {
            return Ok(optimistic::Attempt::Done(p));
        }
        next.updated_at = now;
        next.version = p.version + 1;
        let mut tx = Tx::new().with(Write::replace(repo::put_progress(tenant, &next)?, p.version));
        if m != TouchpointMove::default() {
            tx.push(repo::count_touchpoint(tenant, p.program_id, touchpoint, enrolment, m));
        }
        // The outcome counts in the experiment the worker's variant came from.
        if let (Some(experiment), Some(bucket)) = (p.experiment_id, p.experiment_bucket_version)
            && (completing || m.score.is_some())
            && let Some(a) =
                nudge_experiments::repo::get_assignment(store, tenant, experiment, bucket, p.worker_id).await?
        {
            for write in nudge_experiments::service::outcome(tenant, &a, completing, m.score, now)? {
                tx.push(write);
            }
        }
        // A completion earns the worker TOUCHPOINT_COMPLETED XP, once per touchpoint of the enrolment.
        if completing {
            tx.extend(touchpoint_xp(store, tenant, p.worker_id, enrolment, touchpoint, now).await?);
        }
        // The enrolment waits on this touchpoint: it is due now (the next tick moves it).
        if let Some(e) = repo::get_enrolment(store, tenant, p.program_id, p.worker_id).await?
            && e.id == enrolment
            && e.status == EnrolmentStatus::Active
            && e.step == StepState::Waiting
            && (completing || answer.passed == Some(true))
        {
            let due = Enrolment { due_at: Some(now), updated_at: now, version: e.version + 1, ..e.clone() };
            tx.push(Write::replace(repo::put_enrolment(tenant, &due)?, e.version));
            tx.push(repo::due_marker(tenant, &due, now)?);
        }
        let written = store.transact(tx).await.map_err(JourneyError::from);
        optimistic::settle(written, next, true)
    })
    .await
}
