//! One enrolment's step: as far as it can go now, in one transaction conditioned on its version (see the
//! engine's notes). At most one send per step; a touchpoint due right after a send waits for the next
//! tick (a minute), which keeps every transaction small.

use super::place::{anchors, arrive, end, move_on, previous_touchpoint, waited};
use super::send;
use super::{Engine, EnrolmentRef, Message};
use crate::error::JourneyError;
use crate::model::{
    Enrolment, EnrolmentStatus, JourneyVersion, Program, ProgramStatus, Progress, ProgressState, StepState, Touchpoint,
};
use crate::replies::SendRef;
use crate::repo::{self, TouchpointMove};
use crate::rules::{self, ExitRules, OnTimeout, RuleLogic, WaitEvent};
use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use nudge_content::published::Published;
use nudge_core::TenantId;
use nudge_core::jobs::Outcome;
use nudge_core::outbox::Posted;
use nudge_core::queue::Deadline;
use nudge_core::store::{Query, StoreError, Tx, Write};
use nudge_workers::Worker;
use std::collections::HashMap;
use uuid::Uuid;

/// Transitions one step makes at most (skips and moves between phases and journeys).
const MAX_MOVES: usize = 32;
/// How often a wait for a reply looks again (a reply is not an event the engine is told of).
const REPLY_POLL: Duration = Duration::minutes(15);
/// Ends a step with this much of the invocation left.
const MARGIN: std::time::Duration = std::time::Duration::from_secs(10);

/// A tenant's steps, with what they share read once.
pub(crate) struct Stepper<'a> {
    engine: &'a Engine,
    tenant: TenantId,
    programs: HashMap<Uuid, Option<Program>>,
    versions: HashMap<(Uuid, u32), JourneyVersion>,
    contents: HashMap<Uuid, Option<Published>>,
    experiments: HashMap<Uuid, Option<nudge_experiments::model::Experiment>>,
    zone: Option<Tz>,
}

/// What a step writes besides the enrolment.
#[derive(Default)]
struct Work {
    tx: Tx,
    posted: Vec<Posted>,
    sent: bool,
}

/// The organization's time zone (for workers who name none, and for program dates).
pub(crate) async fn org_zone(engine: &Engine, tenant: &TenantId) -> Result<Tz, JourneyError> {
    let org = nudge_organizations::service::find(&engine.store, tenant)
        .await
        .map_err(|e| JourneyError::Conflict(e.to_string()))?;
    Ok(org.map_or(Tz::UTC, |o| o.fields.time_zone.tz()))
}

fn worker_zone(worker: &Worker, org: Tz) -> Tz {
    worker.fields.contact.as_ref().and_then(|c| c.time_zone.as_ref()).map_or(org, |z| z.tz())
}

/// The start of `date` in `zone`.
pub(crate) fn start_of(date: chrono::NaiveDate, zone: Tz) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&local).earliest().map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

impl<'a> Stepper<'a> {
    pub(crate) fn new(engine: &'a Engine, tenant: TenantId) -> Self {
        Self {
            engine,
            tenant,
            programs: HashMap::new(),
            versions: HashMap::new(),
            contents: HashMap::new(),
            experiments: HashMap::new(),
            zone: None,
        }
    }

    async fn zone(&mut self) -> Result<Tz, JourneyError> {
        if let Some(z) = self.zone {
            return Ok(z);
        }
        let z = org_zone(self.engine, &self.tenant).await?;
        self.zone = Some(z);
        Ok(z)
    }

    async fn program(&mut self, id: Uuid) -> Result<Option<Program>, JourneyError> {
        if let Some(p) = self.programs.get(&id) {
            return Ok(p.clone());
        }
        let p = repo::get_program(&self.engine.store, &self.tenant, id).await?;
        self.programs.insert(id, p.clone());
        Ok(p)
    }

    pub(crate) async fn version(&mut self, journey: Uuid, n: u32) -> Result<JourneyVersion, JourneyError> {
        if let Some(v) = self.versions.get(&(journey, n)) {
            return Ok(v.clone());
        }
        let v = repo::get_version(&self.engine.store, &self.tenant, journey, n)
            .await?
            .ok_or_else(|| JourneyError::Conflict(format!("journey {journey} has no version {n}")))?;
        self.versions.insert((journey, n), v.clone());
        Ok(v)
    }

    async fn content(&mut self, id: Uuid) -> Result<Option<Published>, JourneyError> {
        if let Some(c) = self.contents.get(&id) {
            return Ok(c.clone());
        }
        let c = nudge_content::published::load(&self.engine.store, &self.engine.snapshots, &self.tenant, id)
            .await
            .map_err(|e| JourneyError::Content(e.to_string()))?;
        self.contents.insert(id, c.clone());
        Ok(c)
    }

    /// The latest published version of the program's journey at `index`.
    pub(crate) async fn journey_at(
        &mut self,
        program: &Program,
        index: usize,
    ) -> Result<Option<JourneyVersion>, JourneyError> {
        let Some(pj) = program.journeys.get(index) else { return Ok(None) };
        let Some(journey) = repo::get_journey(&self.engine.store, &self.tenant, pj.journey_id).await? else {
            return Ok(None);
        };
        match journey.published_version {
            Some(n) => self.version(journey.id, n).await.map(Some),
            None => Ok(None),
        }
    }

    /// Advances each of `refs` (their workers read in one call).
    pub(crate) async fn advance_all(&mut self, refs: &[EnrolmentRef]) -> Result<(), JourneyError> {
        // One enrolment may be named twice (two of its markers came due together): it is read once.
        let mut seen = std::collections::HashSet::new();
        let refs: Vec<&EnrolmentRef> = refs.iter().filter(|r| seen.insert(**r)).collect();
        let pairs: Vec<(Uuid, Uuid)> = refs.iter().map(|r| (r.program_id, r.worker_id)).collect();
        let enrolments = repo::get_enrolments(&self.engine.store, &self.tenant, &pairs).await?;
        let mut ids: Vec<Uuid> = enrolments.values().map(|e| e.worker_id).collect();
        ids.sort();
        ids.dedup();
        let workers: HashMap<Uuid, Worker> = nudge_workers::repo::get_many(&self.engine.store, &self.tenant, &ids)
            .await?
            .into_iter()
            .map(|w| (w.id, w))
            .collect();
        let mut first_error = None;
        let mut posted = Vec::new();
        for r in &refs {
            let Some(e) = enrolments.get(&(r.program_id, r.worker_id)) else { continue };
            match self.advance(e.clone(), workers.get(&e.worker_id)).await {
                Ok(sends) => posted.extend(sends),
                Err(err) => {
                    tracing::warn!(error = %err, enrolment_id = %e.id, "a step failed; the message is retried");
                    first_error.get_or_insert(err);
                }
            }
        }
        // The steps' sends, batched: their outbox entries stand until then, so none is lost.
        nudge_core::outbox::deliver_all(&self.engine.store, posted).await;
        first_error.map_or(Ok(()), Err)
    }

    /// One enrolment as read: advanced and written, or left alone when nothing is due. Answers the sends
    /// it posted, for the caller to deliver.
    pub(crate) async fn advance(&mut self, e: Enrolment, worker: Option<&Worker>) -> Result<Vec<Posted>, JourneyError> {
        let now = self.engine.now();
        if e.status != EnrolmentStatus::Active || e.due_at.is_none_or(|d| d > now) {
            return Ok(Vec::new());
        }
        let Some(program) = self.program(e.program_id).await? else { return Ok(Vec::new()) };
        if program.status == ProgramStatus::Paused {
            return Ok(Vec::new());
        }
        let mut next = e.clone();
        let mut work = Work::default();
        self.walk(&program, worker, &mut next, &mut work, now).await?;
        next.updated_at = now;
        next.version = e.version + 1;
        let mut tx = Tx::new().with(Write::replace(repo::put_enrolment(&self.tenant, &next)?, e.version));
        if let Some(w) = repo::count_status(&self.tenant, &next, Some(e.status), next.status) {
            tx.push(w);
        }
        if next.status == EnrolmentStatus::Active
            && let Some(at) = next.due_at
        {
            tx.push(repo::due_marker(&self.tenant, &next, at)?);
        }
        tx.extend(work.tx);
        match self.engine.store.transact(tx).await {
            Ok(()) => Ok(work.posted),
            // Another run got there first (a duplicate message): what it did stands.
            Err(err) if err.is_version_conflict() => Ok(Vec::new()),
            Err(StoreError::Condition(_)) => Ok(Vec::new()),
            Err(err) => Err(err.into()),
        }
    }

    /// Moves `e` through what is due now.
    async fn walk(
        &mut self,
        program: &Program,
        worker: Option<&Worker>,
        e: &mut Enrolment,
        work: &mut Work,
        now: DateTime<Utc>,
    ) -> Result<(), JourneyError> {
        let org = self.zone().await?;
        for _ in 0..MAX_MOVES {
            if program.status == ProgramStatus::Completed {
                end(e, EnrolmentStatus::Completed, "the program was completed", now);
                return Ok(());
            }
            let Some(worker) = worker else {
                end(e, EnrolmentStatus::Exited, "the worker was deleted", now);
                return Ok(());
            };
            if program.end_date.is_some_and(|d| now >= start_of(d + chrono::Days::new(1), org)) {
                end(e, EnrolmentStatus::Exited, "the program ended", now);
                return Ok(());
            }
            let version = self.version(e.journey_id, e.journey_version).await?;
            let exit = version
                .design
                .exit_rules
                .as_ref()
                .and_then(|doc| ExitRules::parse(doc, "/exitRules").ok())
                .unwrap_or_default();
            if let Some(reason) = exit.exits(worker, now) {
                end(e, EnrolmentStatus::Exited, reason, now);
                return Ok(());
            }
            let zone = worker_zone(worker, org);
            let Some(tp) = version.design.touchpoint(e.phase_index, e.touchpoint_index).cloned() else {
                // The journey is over: on to the program's next one, or done.
                match self.journey_at(program, e.journey_index + 1).await? {
                    Some(next) => {
                        e.journey_index += 1;
                        e.journey_id = next.journey_id;
                        e.journey_version = next.version_number;
                        e.journey_started_at = now;
                        e.phase_started_at = now;
                        e.phase_index = 0;
                        e.touchpoint_index = 0;
                        e.previous_at = None;
                        arrive(e, &next, zone, now);
                        continue;
                    }
                    None => {
                        end(e, EnrolmentStatus::Completed, "every journey is done", now);
                        return Ok(());
                    }
                }
            };
            let logic = RuleLogic::parse(&tp.rule_logic, "/ruleLogic").unwrap_or_default();
            match e.step {
                StepState::Waiting => {
                    let Some(wait) = logic.wait_for.clone() else {
                        e.step = StepState::Scheduled;
                        e.due_at = Some(rules::due(&logic, &anchors(e, now), zone));
                        continue;
                    };
                    let previous = previous_touchpoint(&version, e);
                    let done = match previous {
                        Some(prev) => repo::get_progress(&self.engine.store, &self.tenant, e.id, prev.id).await?,
                        None => None,
                    };
                    let satisfied = done.as_ref().is_some_and(|p| match wait.event {
                        WaitEvent::Completed => p.completed_at.is_some(),
                        WaitEvent::Passed => p.passed == Some(true),
                        WaitEvent::Replied => p.sent_at.is_some_and(|sent| {
                            worker.fields.engagement.last_interaction_date.is_some_and(|r| r > sent)
                        }),
                    });
                    if satisfied {
                        e.step = StepState::Scheduled;
                        e.reached_at = now;
                        e.due_at = Some(rules::due(&logic, &anchors(e, now), zone));
                        continue;
                    }
                    let rounds = if e.reminded { 2 } else { 1 };
                    let deadline = e.reached_at + wait.timeout * rounds;
                    if now < deadline {
                        e.due_at = Some(match wait.event {
                            WaitEvent::Replied => deadline.min(now + REPLY_POLL),
                            _ => deadline,
                        });
                        return Ok(());
                    }
                    let what = format!("timed out waiting for the previous touchpoint to be {}", waited(wait.event));
                    match wait.on_timeout {
                        OnTimeout::Exit => {
                            end(e, EnrolmentStatus::Exited, &what, now);
                            return Ok(());
                        }
                        OnTimeout::Remind if !e.reminded => {
                            if work.sent {
                                e.due_at = Some(now);
                                return Ok(());
                            }
                            if let Some(prev) = previous {
                                self.send(program, e, prev, true, work, now).await?;
                                let m = TouchpointMove { reminded: true, ..Default::default() };
                                work.tx.push(repo::count_touchpoint(&self.tenant, e.program_id, prev.id, e.id, m));
                            }
                            e.reminded = true;
                            e.due_at = Some(e.reached_at + wait.timeout * 2);
                            return Ok(());
                        }
                        OnTimeout::Skip | OnTimeout::Remind => {
                            self.skip(e, &tp, &what, true, work, now)?;
                            move_on(&version, e, None, zone, now);
                            continue;
                        }
                    }
                }
                StepState::Scheduled => {
                    let due = e.due_at.unwrap_or(now);
                    if due > now {
                        return Ok(());
                    }
                    if work.sent {
                        e.due_at = Some(now);
                        return Ok(());
                    }
                    let mut variant = None;
                    if logic.admits(worker, now) {
                        variant = self.send(program, e, &tp, false, work, now).await?;
                    } else {
                        self.skip(e, &tp, "the gate did not admit the worker", false, work, now)?;
                    }
                    e.previous_at = Some(now);
                    let branch = logic.branch_for(worker, now, variant.as_deref());
                    move_on(&version, e, branch, zone, now);
                }
            }
        }
        // Many moves in one step (a long run of skips): the rest goes on at the next tick.
        e.due_at = Some(now);
        Ok(())
    }

    /// Sends `tp` (or its reminder) to `e`'s worker, recording the progress (not for a reminder); the name
    /// of the experiment's variant it sent, if any.
    async fn send(
        &mut self,
        program: &Program,
        e: &Enrolment,
        tp: &Touchpoint,
        reminder: bool,
        work: &mut Work,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, JourneyError> {
        // A touchpoint that names an experiment sends the worker's variant's content (sticky), and the
        // first send exposes them.
        let assignment = self.variant(tp, e, now).await?;
        let content_id = assignment.as_ref().map_or(tp.content_id, |(_, content, _)| *content);
        let Some(content) = self.content(content_id).await? else {
            if !reminder {
                self.skip(e, tp, "its content is no longer published", false, work, now)?;
            }
            return Ok(None);
        };
        if let Some((a, _, _)) = &assignment {
            for write in nudge_experiments::service::exposure(&self.tenant, a, now)? {
                work.tx.push(write);
            }
        }
        let link = send::link(&self.engine.key, &self.engine.page_url, &self.tenant, e, tp.id, now);
        let direct = send::compose(e, tp, &content, &link, &program.name, reminder);
        let request_id = direct.request_id;
        let (tx, posted) =
            nudge_notifications::send::direct::direct(&self.tenant, &self.engine.notifications, direct, now)?;
        work.tx.extend(tx);
        let sent = SendRef {
            enrolment_id: e.id,
            touchpoint_id: tp.id,
            worker_id: e.worker_id,
            content_type: content.kind_name().to_owned(),
        };
        work.tx.push(crate::replies::sent(&self.tenant, request_id, &sent, now)?);
        work.posted.push(posted);
        work.sent = true;
        if !reminder {
            let progress = Progress {
                notification_request_id: Some(request_id),
                experiment_id: assignment.as_ref().map(|(a, _, _)| a.experiment_id),
                experiment_bucket_version: assignment.as_ref().map(|(a, _, _)| a.bucket_version),
                ..Progress::first(e, tp.id, content_id, ProgressState::Sent, now)
            };
            work.tx.push(Write::create(repo::put_progress(&self.tenant, &progress)?, repo::PROGRESS_EXISTS));
            let m = TouchpointMove { sent: true, ..Default::default() };
            work.tx.push(repo::count_touchpoint(&self.tenant, e.program_id, tp.id, e.id, m));
        }
        Ok(assignment.map(|(_, _, name)| name))
    }

    /// The worker's assignment in the touchpoint's experiment, and its variant's content and name, when the
    /// touchpoint names a running experiment the worker takes part in.
    async fn variant(
        &mut self,
        tp: &Touchpoint,
        e: &Enrolment,
        now: DateTime<Utc>,
    ) -> Result<Option<(nudge_experiments::model::Assignment, Uuid, String)>, JourneyError> {
        let Some(id) = tp.experiment_id else { return Ok(None) };
        let experiment = match self.experiments.get(&id) {
            Some(found) => found.clone(),
            None => {
                let found = nudge_experiments::repo::get_experiment(&self.engine.store, &self.tenant, id).await?;
                self.experiments.insert(id, found.clone());
                found
            }
        };
        let Some(experiment) = experiment else { return Ok(None) };
        let targeted = match experiment.segment_id {
            None => true,
            Some(segment) => {
                nudge_segments::repo::members_among(&self.engine.store, &self.tenant, segment, &[e.worker_id])
                    .await?
                    .contains(&e.worker_id)
            }
        };
        let store = &self.engine.store;
        let Some(a) =
            nudge_experiments::service::assignment(store, &self.tenant, &experiment, e.worker_id, targeted, now)
                .await?
        else {
            return Ok(None);
        };
        let Some(variant) = experiment.variants.get(a.variant_index) else { return Ok(None) };
        let content =
            variant.variant_details.get("contentId").and_then(|c| c.as_str()).and_then(|c| Uuid::parse_str(c).ok());
        let name = variant.variant_name.clone();
        Ok(content.map(|c| (a, c, name)))
    }

    fn skip(
        &self,
        e: &Enrolment,
        tp: &Touchpoint,
        reason: &str,
        timed_out: bool,
        work: &mut Work,
        now: DateTime<Utc>,
    ) -> Result<(), JourneyError> {
        let progress = Progress {
            reason: Some(reason.to_owned()),
            ..Progress::first(e, tp.id, tp.content_id, ProgressState::Skipped, now)
        };
        work.tx.push(Write::create(repo::put_progress(&self.tenant, &progress)?, repo::PROGRESS_EXISTS));
        let m = TouchpointMove { skipped: true, timed_out, ..Default::default() };
        work.tx.push(repo::count_touchpoint(&self.tenant, e.program_id, tp.id, e.id, m));
        Ok(())
    }
}

/// Puts a resumed program's running enrolments back on the schedule, a page at a time.
pub(crate) async fn resume_all(
    engine: &Engine,
    tenant: &TenantId,
    program: Uuid,
    mut cursor: Option<String>,
    deadline: Deadline,
) -> Result<Outcome<Message>, JourneyError> {
    let now = engine.now();
    let query = Query::partition(crate::keys::enrolments_partition(tenant, program));
    loop {
        let page: nudge_core::http::Page<Enrolment> =
            engine.store.page(&tenant.to_string(), &query, 200, cursor.as_deref()).await?;
        let mut markers = Vec::new();
        for e in page.items.iter().filter(|e| e.status == EnrolmentStatus::Active) {
            if let Some(at) = e.due_at {
                markers.push(repo::due_marker_put(tenant, e, at.max(now))?);
            }
        }
        engine.store.batch_put(markers).await?;
        match page.next_cursor {
            None => return Ok(Outcome::Settled),
            Some(next) if deadline.remaining() < MARGIN => {
                return Ok(Outcome::Continue(Message::Resume { program_id: program, cursor: Some(next) }));
            }
            Some(next) => cursor = Some(next),
        }
    }
}

/// Withdraws every enrolment of a program still running, a page at a time.
pub(crate) async fn withdraw_all(
    engine: &Engine,
    tenant: &TenantId,
    program: Uuid,
    mut cursor: Option<String>,
    deadline: Deadline,
) -> Result<Outcome<Message>, JourneyError> {
    let query = Query::partition(crate::keys::enrolments_partition(tenant, program));
    loop {
        let page: nudge_core::http::Page<Enrolment> =
            engine.store.page(&tenant.to_string(), &query, 100, cursor.as_deref()).await?;
        for e in page.items.iter().filter(|e| !e.status.is_over()) {
            crate::enrolments::end_one(
                &engine.store,
                tenant,
                e.program_id,
                e.worker_id,
                EnrolmentStatus::Withdrawn,
                "withdrawn from the program",
                engine.now(),
            )
            .await?;
        }
        match page.next_cursor {
            None => return Ok(Outcome::Settled),
            Some(next) if deadline.remaining() < MARGIN => {
                return Ok(Outcome::Continue(Message::WithdrawAll { program_id: program, cursor: Some(next) }));
            }
            Some(next) => cursor = Some(next),
        }
    }
}
