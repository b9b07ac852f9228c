//! A full sync of one rule-based segment: the tenant's workers are read shard by shard, a page at a time;
//! each page is evaluated against the compiled rule and compared with the memberships of the same workers
//! (one range of the members partition, in the same order), and only the differences are written. After
//! each page the job's checkpoint and counts move under the job's version, so a redelivered or duplicated
//! message resumes from the last page done and a second runner of the same job stops at its first save.

use super::error::SyncError;
use super::jobs::{self, Checkpoint, SyncJob, SyncStatus};
use super::membership::{self, Change, WorkerCheck};
use super::model::{Membership, Segment, SegmentType};
use super::repo;
use super::rules::{Compiled, Rule};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Item, Store, StoreError};
use nudge_workers::Worker;
use nudge_workers::index::SHARDS;
use nudge_workers::repo as workers;
use std::collections::HashMap;
use uuid::Uuid;

/// What one page decided.
#[derive(Debug, Default)]
pub(crate) struct PagePlan {
    pub(crate) changes: Vec<(Change, WorkerCheck)>,
    pub(crate) matched: u64,
}

/// Decides a page (pure): each worker against the rule and its membership; memberships of workers not in
/// the page (deleted workers) go.
pub(crate) fn plan_page(
    rule: &Compiled,
    segment: Uuid,
    page: &[Worker],
    members: Vec<Membership>,
    now: DateTime<Utc>,
) -> PagePlan {
    let mut current: HashMap<Uuid, Membership> = members.into_iter().map(|m| (m.worker_id, m)).collect();
    let mut plan = PagePlan::default();
    for w in page {
        let verdict = if rule.matches(w) { rule.explain(w) } else { None };
        plan.matched += u64::from(verdict.is_some());
        let m = current.remove(&w.id);
        if let Some(change) = membership::by_rule(segment, w.id, m.as_ref(), verdict, now) {
            plan.changes.push((change, WorkerCheck::Version(w.version)));
        }
    }
    let mut orphans: Vec<Membership> = current.into_values().collect();
    orphans.sort_by_key(|m| m.worker_id);
    for m in orphans {
        if let Some(change) = membership::worker_gone(Some(&m)) {
            plan.changes.push((change, WorkerCheck::Absent));
        }
    }
    plan
}

/// What a compiled rule depends on: the rule version and the instant relative times are measured from.
type RuleClock = (u64, Option<DateTime<Utc>>);

/// How a run of a job ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Completed or failed for good, or nothing to do (finished before, or another runner owns it).
    Settled,
    /// Out of time or pages: continue in a new message.
    Continue,
}

/// The knobs of a run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Workers read per page.
    pub page_workers: u32,
    /// Pages per run before continuing (none: until `time_left` says stop).
    pub pages_per_run: Option<u32>,
}

/// Runs the job until done, or until `keep_going` says stop (then `Continue`).
pub async fn run(
    store: &Store,
    tenant: &TenantId,
    segment_id: Uuid,
    job_id: Uuid,
    limits: Limits,
    keep_going: impl Fn() -> bool,
) -> Result<Outcome, SyncError> {
    let Some(mut job) = jobs::get(store, tenant, segment_id, job_id).await? else {
        tracing::info!(%job_id, "sync job gone (segment deleted)");
        return Ok(Outcome::Settled);
    };
    if job.is_finished() {
        tracing::info!(%job_id, "sync job already finished; duplicate message ignored");
        return Ok(Outcome::Settled);
    }
    let mut pages = 0u32;
    // Parsed and compiled once per rule version and clock; the segment is still read every page, to see a
    // rule change.
    let mut compiled: Option<(RuleClock, Compiled)> = None;
    loop {
        let Some(segment) = repo::get(store, tenant, segment_id).await? else {
            return settle(store, tenant, job, |j, now| j.fail("the segment was deleted", now)).await;
        };
        if job.status == SyncStatus::Pending || job.rule_version != segment.rule_version {
            // First run, or the rule changed under the job: (re)start from the first worker.
            let expected = job.version;
            job.restart(segment.rule_version, Utc::now());
            if !save(store, tenant, expected, &mut job).await? {
                return Ok(Outcome::Settled);
            }
        }
        let key = (job.rule_version, job.evaluated_at);
        if compiled.as_ref().is_none_or(|(k, _)| *k != key) {
            let rule = match rule_of(&segment) {
                Ok(rule) => rule,
                Err(e) => return settle(store, tenant, job, |j, now| j.fail(e.to_string(), now)).await,
            };
            compiled = Some((key, rule.compile(job.evaluated_at.unwrap_or_else(Utc::now))));
        }
        let Some((_, rule)) = compiled.as_ref() else { continue };
        if job.checkpoint.shard >= SHARDS {
            finish(store, tenant, &mut job).await?;
            return Ok(Outcome::Settled);
        }
        if !keep_going() || limits.pages_per_run.is_some_and(|cap| pages >= cap) {
            return Ok(Outcome::Continue);
        }
        let Some(step) = page(store, tenant, &segment, rule, &job.checkpoint, limits.page_workers).await? else {
            return settle(store, tenant, job, |j, now| j.fail("the segment was deleted", now)).await;
        };
        let expected = job.version;
        job.processed_count += step.processed;
        job.match_count += step.matched;
        job.added_count += step.added;
        job.removed_count += step.removed;
        job.checkpoint = step.next;
        if !save(store, tenant, expected, &mut job).await? {
            return Ok(Outcome::Settled);
        }
        pages += 1;
    }
}

fn rule_of(segment: &Segment) -> Result<Rule, SyncError> {
    if segment.kind != SegmentType::RuleBased {
        return Err(SyncError::Rule("a static segment has no rule to sync".into()));
    }
    let raw = segment.rule_definition.as_ref().ok_or_else(|| SyncError::Rule("the segment has no rule".into()))?;
    Rule::parse(raw, "").map_err(|errors| {
        let first = errors.first().map(|e| e.message.clone()).unwrap_or_default();
        SyncError::Rule(format!("the stored rule no longer validates: {first}"))
    })
}

/// One page done.
struct Step {
    processed: u64,
    matched: u64,
    added: u64,
    removed: u64,
    next: Checkpoint,
}

/// Reads, decides and writes one page; decided again from fresh reads when a write finds its data moved.
/// `None`: the segment is gone.
async fn page(
    store: &Store,
    tenant: &TenantId,
    segment: &Segment,
    rule: &Compiled,
    at: &Checkpoint,
    page_workers: u32,
) -> Result<Option<Step>, StoreError> {
    let shard = at.shard;
    let start: Option<Item> = at.resume_sk.as_ref().map(|sk| {
        Item::from([
            ("pk".to_owned(), aws_sdk_dynamodb::types::AttributeValue::S(workers::shard_partition(tenant, shard))),
            ("sk".to_owned(), aws_sdk_dynamodb::types::AttributeValue::S(sk.clone())),
        ])
    });
    // A worker is about six items (core and records).
    let limit = page_workers.saturating_mul(6);
    membership::until_applied(store, tenant, segment.id, || async {
        let (page, resume) = workers::shard_page(store, tenant, shard, start.clone(), limit).await?;
        let members = match (&resume, page.last()) {
            // More follow: this page's memberships end at its last worker.
            (Some(_), Some(last)) => {
                repo::members_in_range(store, tenant, segment.id, shard, at.after, Some(last.id)).await?
            }
            (Some(_), None) => Vec::new(),
            // The shard's last page: memberships up to the shard's end, so those of deleted workers go too.
            (None, _) => repo::members_in_range(store, tenant, segment.id, shard, at.after, None).await?,
        };
        let plan = plan_page(rule, segment.id, &page, members, Utc::now());
        let next = match resume {
            Some(key) => Checkpoint {
                shard,
                after: page.last().map(|w| w.id).or(at.after),
                resume_sk: key.get("sk").and_then(|v| v.as_s().ok()).cloned(),
            },
            None => Checkpoint { shard: shard + 1, after: None, resume_sk: None },
        };
        let count = |d: i64| plan.changes.iter().filter(|(c, _)| c.delta() == d).count() as u64;
        let step =
            Step { processed: page.len() as u64, matched: plan.matched, added: count(1), removed: count(-1), next };
        Ok((plan.changes, step))
    })
    .await
}

/// Saves the job's next version; `false` when another runner moved it first (that runner carries on).
async fn save(store: &Store, tenant: &TenantId, expected: u64, job: &mut SyncJob) -> Result<bool, StoreError> {
    job.version = expected + 1;
    job.updated_at = Utc::now();
    match jobs::replace(store, tenant, expected, job).await {
        Ok(()) => Ok(true),
        Err(e) if e.is_version_conflict() => {
            tracing::info!(job_id = %job.id, "another runner advanced this sync job; stopping");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

async fn finish(store: &Store, tenant: &TenantId, job: &mut SyncJob) -> Result<(), StoreError> {
    let now = Utc::now();
    let expected = job.version;
    job.status = SyncStatus::Completed;
    job.completed_at = Some(now);
    if !save(store, tenant, expected, job).await? {
        return Ok(());
    }
    repo::stamp_synced(store, tenant, job.segment_id, now).await?;
    repo::release(store, tenant, job.segment_id, job.id).await?;
    tracing::info!(job_id = %job.id, processed = job.processed_count, matched = job.match_count,
        added = job.added_count, removed = job.removed_count, "segment sync completed");
    Ok(())
}

/// Ends the job with `edit` (a failure) and frees the segment for the next sync.
pub(crate) async fn settle(
    store: &Store,
    tenant: &TenantId,
    mut job: SyncJob,
    edit: impl FnOnce(&mut SyncJob, DateTime<Utc>),
) -> Result<Outcome, SyncError> {
    let expected = job.version;
    edit(&mut job, Utc::now());
    if save(store, tenant, expected, &mut job).await? {
        if let Some(message) = &job.error_message {
            tracing::warn!(job_id = %job.id, error = %message, "segment sync failed");
        }
        repo::release(store, tenant, job.segment_id, job.id).await?;
    }
    Ok(Outcome::Settled)
}
