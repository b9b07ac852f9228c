//! Enrolment jobs: workers put in a program a page at a time, with a checkpoint after each page, so a
//! 100,000-member segment enrols through the queue and a redone page enrols no one twice (an enrolment is
//! keyed by program and worker, and created only if absent).
//!
//! Who is enrolled: an active worker of the tenant not already running in the program; one whose
//! enrolment ended only when the program's re-entry policy allows it (a new attempt). Each new enrolment
//! starts on the latest published version of the program's first journey, at the program's start date
//! if that is still ahead.

use super::place::arrive;
use super::step::{Stepper, start_of};
use super::{Engine, EnrolmentRef, Message};
use crate::error::JourneyError;
use crate::input::Audience;
use crate::keys;
use crate::model::{
    Enrolment, EnrolmentSource, EnrolmentStatus, JourneyVersion, Program, ProgramStatus, Reentry, StepState,
};
use crate::repo;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use nudge_core::TenantId;
use nudge_core::jobs::{JobStatus, Outcome};
use nudge_core::queue::Deadline;
use nudge_core::store::{Changes, Put, StoreError, Tx, Write};
use nudge_workers::Worker;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

const PAGE: usize = 100;
/// New enrolments per transaction: each is two items (enrolment, marker), plus a counter per shard.
const PER_TX: usize = 40;
const MARGIN: std::time::Duration = std::time::Duration::from_secs(10);

/// An enrolment request's progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnrolJob {
    pub id: Uuid,
    pub program_id: Uuid,
    pub audience: Audience,
    pub status: JobStatus,
    /// Workers enrolled (re-entries included).
    pub enrolled: u64,
    /// Workers already running in the program.
    pub already_enrolled: u64,
    /// Workers not enrolled: unknown, inactive, or done with the program where re-entry is not allowed.
    pub skipped: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where the next page starts (an offset into the list, or the segment's cursor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub checkpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    pub version: u64,
}

pub fn put_job(tenant: &TenantId, job: &EnrolJob) -> Result<Put, StoreError> {
    Put::new(&keys::enrol_job(tenant, job.program_id, job.id), "EnrolJob", job)
}

pub async fn get_job(
    store: &nudge_core::store::Store,
    tenant: &TenantId,
    program: Uuid,
    id: Uuid,
) -> Result<Option<EnrolJob>, StoreError> {
    store.get(&keys::enrol_job(tenant, program, id)).await
}

/// What one page did.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Counts {
    pub enrolled: u64,
    pub already: u64,
    pub skipped: u64,
}

/// Runs the job from its checkpoint until done or the invocation runs short.
pub(crate) async fn run(
    engine: &Engine,
    tenant: &TenantId,
    program_id: Uuid,
    job_id: Uuid,
    deadline: Deadline,
) -> Result<Outcome<Message>, JourneyError> {
    let Some(mut job) = get_job(&engine.store, tenant, program_id, job_id).await? else { return Ok(Outcome::Settled) };
    if job.status.is_finished() {
        return Ok(Outcome::Settled);
    }
    let Some(program) = repo::get_program(&engine.store, tenant, program_id).await? else {
        return finish(engine, tenant, job, Some("the program was deleted".into())).await;
    };
    if program.status != ProgramStatus::Active {
        let why = format!("the program is {}: it admits no one", program.status.as_str());
        return finish(engine, tenant, job, Some(why)).await;
    }
    loop {
        let (ids, next, source) = match &job.audience {
            Audience::Workers { worker_ids } => {
                let offset: usize = job.checkpoint.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
                let end = (offset + PAGE).min(worker_ids.len());
                let page = worker_ids.get(offset..end).map(<[Uuid]>::to_vec).unwrap_or_default();
                let next = (end < worker_ids.len()).then(|| end.to_string());
                (page, next, EnrolmentSource::Workers)
            }
            Audience::Segment { segment_id, mode } => {
                let (ids, next) = nudge_segments::repo::member_ids_page(
                    &engine.store,
                    tenant,
                    *segment_id,
                    PAGE as u32,
                    job.checkpoint.as_deref(),
                )
                .await?;
                let source = match mode {
                    crate::input::EnrolMode::Live => EnrolmentSource::LiveSegment,
                    crate::input::EnrolMode::Snapshot => EnrolmentSource::Segment,
                };
                (ids, next, source)
            }
        };
        let counts = enrol_ids(engine, tenant, &program, &ids, source).await?;
        let now = engine.now();
        let saved = EnrolJob {
            status: JobStatus::Processing,
            enrolled: job.enrolled + counts.enrolled,
            already_enrolled: job.already_enrolled + counts.already,
            skipped: job.skipped + counts.skipped,
            checkpoint: next.clone(),
            updated_at: now,
            version: job.version + 1,
            ..job.clone()
        };
        if next.is_none() {
            // Finished from the stored version: the counts above go in with the end.
            return finish(engine, tenant, EnrolJob { version: job.version, ..saved }, None).await;
        }
        match engine.store.write(Write::replace(put_job(tenant, &saved)?, job.version)).await {
            Ok(()) => job = saved,
            // Another run of the same message moved it on: it carries on from there.
            Err(e) if e.is_version_conflict() => return Ok(Outcome::Settled),
            Err(e) => return Err(e.into()),
        }
        if deadline.remaining() < MARGIN {
            return Ok(Outcome::Continue(Message::Enrol { program_id, job_id }));
        }
    }
}

async fn finish(
    engine: &Engine,
    tenant: &TenantId,
    job: EnrolJob,
    error: Option<String>,
) -> Result<Outcome<Message>, JourneyError> {
    let now = engine.now();
    let status = if error.is_some() { JobStatus::Failed } else { JobStatus::Completed };
    let done = EnrolJob {
        status,
        error,
        checkpoint: None,
        updated_at: now,
        finished_at: Some(now),
        version: job.version + 1,
        ..job.clone()
    };
    match engine.store.write(Write::replace(put_job(tenant, &done)?, job.version)).await {
        Ok(()) => Ok(Outcome::Settled),
        Err(e) if e.is_version_conflict() => Ok(Outcome::Settled),
        Err(e) => Err(e.into()),
    }
}

/// The job failed on its last receive.
pub(crate) async fn fail(
    engine: &Engine,
    tenant: &TenantId,
    program: Uuid,
    job: Uuid,
    reason: &str,
) -> Result<(), JourneyError> {
    if let Some(job) = get_job(&engine.store, tenant, program, job).await?
        && !job.status.is_finished()
    {
        finish(engine, tenant, job, Some(reason.to_owned())).await?;
    }
    Ok(())
}

/// A new enrolment of `worker` on `first` (its first journey's version), arrived at its first touchpoint.
pub(crate) fn fresh(
    program: &Program,
    first: &JourneyVersion,
    worker: &Worker,
    source: EnrolmentSource,
    attempt: u32,
    org: Tz,
    now: DateTime<Utc>,
) -> Enrolment {
    let zone = worker.fields.contact.as_ref().and_then(|c| c.time_zone.as_ref()).map_or(org, |z| z.tz());
    let start = program.start_date.map_or(now, |d| start_of(d, org).max(now));
    let mut e = Enrolment {
        id: Uuid::now_v7(),
        program_id: program.id,
        worker_id: worker.id,
        enrollment_date: now.with_timezone(&org).date_naive(),
        enrolled_at: now,
        status: EnrolmentStatus::Active,
        source,
        attempt,
        journey_index: 0,
        journey_id: first.journey_id,
        journey_version: first.version_number,
        phase_index: 0,
        touchpoint_index: 0,
        step: StepState::Scheduled,
        due_at: None,
        journey_started_at: start,
        phase_started_at: start,
        reached_at: start,
        previous_at: None,
        reminded: false,
        paused_at: None,
        ended_at: None,
        reason: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    arrive(&mut e, first, zone, start);
    e
}

/// Enrols `ids` (one page): answers what happened to them.
pub(crate) async fn enrol_ids(
    engine: &Engine,
    tenant: &TenantId,
    program: &Program,
    ids: &[Uuid],
    source: EnrolmentSource,
) -> Result<Counts, JourneyError> {
    let mut counts = Counts::default();
    if ids.is_empty() {
        return Ok(counts);
    }
    let mut stepper = Stepper::new(engine, *tenant);
    let Some(first) = stepper.journey_at(program, 0).await? else {
        return Err(JourneyError::Conflict("the program's first journey has no published version".into()));
    };
    let org = super::step::org_zone(engine, tenant).await?;
    let now = engine.now();
    let pairs: Vec<(Uuid, Uuid)> = ids.iter().map(|w| (program.id, *w)).collect();
    let existing = repo::get_enrolments(&engine.store, tenant, &pairs).await?;
    let workers: HashMap<Uuid, Worker> =
        nudge_workers::repo::get_many(&engine.store, tenant, ids).await?.into_iter().map(|w| (w.id, w)).collect();
    let mut new = Vec::new();
    let mut again = Vec::new();
    for id in ids {
        let Some(worker) = workers.get(id).filter(|w| w.fields.is_active) else {
            counts.skipped += 1;
            continue;
        };
        match existing.get(&(program.id, *id)) {
            None => new.push(fresh(program, &first, worker, source, 1, org, now)),
            Some(e) if !e.status.is_over() => counts.already += 1,
            Some(e) if program.reentry == Reentry::AfterEnd => {
                again.push((e.clone(), fresh(program, &first, worker, source, e.attempt + 1, org, now)));
            }
            Some(_) => counts.skipped += 1,
        }
    }
    let mut due_now = Vec::new();
    for chunk in new.chunks(PER_TX) {
        match engine.store.transact(create_all(tenant, chunk)?).await {
            Ok(()) => {
                counts.enrolled += chunk.len() as u64;
                due_now.extend(chunk.iter().filter(|e| e.due_at.is_some_and(|d| d <= now)).map(reference));
            }
            // Some were enrolled meanwhile (a redone page, a live tick): one at a time.
            Err(StoreError::Condition(_)) | Err(StoreError::TransactionConflict) => {
                for e in chunk {
                    match engine.store.transact(create_all(tenant, std::slice::from_ref(e))?).await {
                        Ok(()) => {
                            counts.enrolled += 1;
                            if e.due_at.is_some_and(|d| d <= now) {
                                due_now.push(reference(e));
                            }
                        }
                        Err(StoreError::Condition(_)) => counts.already += 1,
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    for (old, e) in again {
        let mut tx = Tx::new().with(Write::replace(repo::put_enrolment(tenant, &e)?, old.version));
        let shard = keys::program_counters(tenant, e.program_id, e.id);
        if shard == keys::program_counters(tenant, old.program_id, old.id) {
            tx.push(Write::upsert_changes(
                shard,
                Changes::new().add("enrolled", 1).add("active", 1).add(old.status.as_str(), -1),
            ));
        } else {
            tx.push(Write::upsert_changes(shard, Changes::new().add("enrolled", 1).add("active", 1)));
            tx.push(Write::upsert_changes(
                keys::program_counters(tenant, old.program_id, old.id),
                Changes::new().add(old.status.as_str(), -1),
            ));
        }
        if let Some(at) = e.due_at {
            tx.push(repo::due_marker(tenant, &e, at)?);
        }
        let e = Enrolment { version: old.version + 1, ..e };
        match engine.store.transact(tx).await {
            Ok(()) => {
                counts.enrolled += 1;
                if e.due_at.is_some_and(|d| d <= now) {
                    due_now.push(reference(&e));
                }
            }
            Err(err) if err.is_version_conflict() => counts.already += 1,
            Err(err) => return Err(err.into()),
        }
    }
    // What is due at once goes now rather than at the next tick (its marker stays: a duplicate is absorbed).
    let messages: Vec<Message> =
        due_now.chunks(super::due::PER_MESSAGE).map(|c| Message::Advance { enrolments: c.to_vec() }).collect();
    engine.queue.send_all_for(tenant, &messages).await?;
    Ok(counts)
}

fn reference(e: &Enrolment) -> EnrolmentRef {
    EnrolmentRef { program_id: e.program_id, worker_id: e.worker_id }
}

/// New enrolments, their markers, and the program's counters (one change per shard).
fn create_all(tenant: &TenantId, enrolments: &[Enrolment]) -> Result<Tx, StoreError> {
    let mut tx = Tx::new();
    let mut shards: BTreeMap<String, (nudge_core::keys::Key, i64)> = BTreeMap::new();
    for e in enrolments {
        tx.push(Write::create(repo::put_enrolment(tenant, e)?, repo::ENROLMENT_EXISTS));
        if let Some(at) = e.due_at {
            tx.push(repo::due_marker(tenant, e, at)?);
        }
        let key = keys::program_counters(tenant, e.program_id, e.id);
        shards.entry(key.sk.clone()).or_insert((key, 0)).1 += 1;
    }
    for (_, (key, n)) in shards {
        tx.push(Write::upsert_changes(key, Changes::new().add("enrolled", n).add("active", n)));
    }
    Ok(tx)
}
