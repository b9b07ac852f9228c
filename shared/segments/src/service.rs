//! Segment operations behind the API: create, change and delete segments, edit members by hand, start syncs.

use super::error::SegmentError;
use super::input::{self, SegmentInput};
use super::jobs::{self, SyncJob, SyncTrigger};
use super::membership::{self, Change, WorkerCheck};
use super::messages::{Message, SegmentQueue};
use super::model::{Segment, SegmentState, SegmentType};
use super::repo::{self, Claim};
use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Attempt, Store, StoreError, optimistic};
use nudge_workers::repo as workers;
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

/// Worker ids per manual membership edit.
/// Rule-based segments a tenant may have.
pub(crate) const MAX_RULE_BASED: usize = 100;
pub(crate) const MAX_WORKER_IDS: usize = 100;
/// A sync that has not moved for this long is taken to have died (its messages in the DLQ): a new sync
/// may replace it.
const STALLED_AFTER: Duration = Duration::minutes(20);

pub(crate) struct Services<'a> {
    pub(crate) store: &'a Store,
    pub(crate) queue: &'a SegmentQueue,
}

fn apply_input(s: &mut Segment, input: SegmentInput) {
    s.name = input.name;
    s.description = input.description;
    s.kind = input.kind;
    s.time_relative = input.rule.as_ref().is_some_and(|(_, r)| r.is_time_relative());
    s.rule_definition = input.rule.map(|(raw, _)| raw);
}

impl Services<'_> {
    /// Creates a segment; a rule-based one starts its first sync. A tenant holds at most
    /// [`MAX_RULE_BASED`] rule-based segments: every worker change is re-evaluated against each (a few
    /// concurrent creations may pass the count together; it is a budget, not an invariant).
    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        input: SegmentInput,
        actor: Option<Uuid>,
    ) -> Result<(Segment, SegmentState), SegmentError> {
        let now = Utc::now();
        let mut segment = Segment {
            id: Uuid::now_v7(),
            name: String::new(),
            description: None,
            kind: input.kind,
            rule_definition: None,
            rule_version: 1,
            time_relative: false,
            created_by_id: actor,
            updated_by_id: actor,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        apply_input(&mut segment, input);
        if segment.kind == SegmentType::RuleBased {
            let rules =
                repo::all(self.store, tenant).await?.iter().filter(|s| s.kind == SegmentType::RuleBased).count();
            if rules >= MAX_RULE_BASED {
                return Err(SegmentError::TooManyRules(MAX_RULE_BASED));
            }
        }
        // A rule-based segment is written with its first sync claimed and that sync's message in the outbox:
        // no crash after the commit leaves it without members.
        let job =
            (segment.kind == SegmentType::RuleBased).then(|| SyncJob::new(segment.id, SyncTrigger::RuleChange, now));
        let mut tx = repo::create(tenant, &segment, job.as_ref())?;
        let start = match &job {
            Some(job) => {
                let (write, posted) =
                    self.queue.post_for(tenant, &Message::Sync { segment_id: segment.id, job_id: job.id }, now)?;
                tx.push(write);
                Some(posted)
            }
            None => None,
        };
        self.store.transact(tx).await?;
        if let Some(start) = start {
            start.deliver(self.store).await;
        }
        let state = SegmentState { active_job_id: job.map(|j| j.id), ..SegmentState::default() };
        Ok((segment, state))
    }

    /// Applies a patch (see [`input::patched`]); a changed rule starts a sync (or restarts the one running).
    pub(crate) async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        patch: Value,
        if_match: Option<u64>,
        actor: Option<Uuid>,
    ) -> Result<Segment, SegmentError> {
        let (next, rule_changed) = optimistic::retry(|| async {
            let current = repo::get(self.store, tenant, id).await?.ok_or(SegmentError::NotFound)?;
            if if_match.is_some_and(|expected| expected != current.version) {
                return Err(SegmentError::VersionMoved);
            }
            let stored = serde_json::to_value(&current).map_err(|e| SegmentError::Internal(e.to_string()))?;
            let Value::Object(stored) = stored else {
                return Err(SegmentError::Internal("a segment is not an object".into()));
            };
            let writable: serde_json::Map<String, Value> = stored
                .into_iter()
                .filter(|(k, _)| ["name", "description", "type", "ruleDefinition"].contains(&k.as_str()))
                .collect();
            let doc = input::patched(writable, patch.clone())?;
            let input = input::read(doc)?;
            let mut next = current.clone();
            apply_input(&mut next, input);
            let rule_changed = next.rule_definition != current.rule_definition;
            if next == current {
                return Ok(Attempt::Done((current, false)));
            }
            if rule_changed {
                next.rule_version += 1;
            }
            next.version += 1;
            next.updated_at = Utc::now();
            next.updated_by_id = actor;
            let written = self.store.transact(repo::replace(tenant, &current, &next)?).await;
            settle(written, (next, rule_changed), if_match)
        })
        .await?;
        if rule_changed {
            // A running job sees the new rule version at its next page and starts over.
            self.start_sync(tenant, &next, SyncTrigger::RuleChange).await?;
        }
        Ok(next)
    }

    /// Deletes a segment; its memberships and jobs are cleared by the sync function.
    pub(crate) async fn delete(&self, tenant: &TenantId, id: Uuid, if_match: Option<u64>) -> Result<(), SegmentError> {
        optimistic::retry(|| async {
            let current = repo::get(self.store, tenant, id).await?.ok_or(SegmentError::NotFound)?;
            if if_match.is_some_and(|expected| expected != current.version) {
                return Err(SegmentError::VersionMoved);
            }
            // The purge of its memberships and jobs goes in the outbox of the delete itself.
            let (purge, posted) = self.queue.post_for(tenant, &Message::Purge { segment_id: id }, Utc::now())?;
            let written = self.store.transact(repo::remove(tenant, &current).with(purge)).await;
            settle(written, posted, if_match)
        })
        .await?
        .deliver(self.store)
        .await;
        Ok(())
    }

    /// Starts a sync of a rule-based segment, or answers the one already pending or running (`false`).
    pub(crate) async fn start_sync(
        &self,
        tenant: &TenantId,
        segment: &Segment,
        trigger: SyncTrigger,
    ) -> Result<(SyncJob, bool), SegmentError> {
        if segment.kind != SegmentType::RuleBased {
            return Err(SegmentError::NoRule);
        }
        for _ in 0..3 {
            let now = Utc::now();
            let job = SyncJob::new(segment.id, trigger, now);
            let message = Message::Sync { segment_id: segment.id, job_id: job.id };
            let (start, posted) = self.queue.post_for(tenant, &message, now)?;
            match repo::claim(self.store, tenant, &job, start).await? {
                Claim::Claimed => {
                    posted.deliver(self.store).await;
                    tracing::info!(segment_id = %segment.id, job_id = %job.id, ?trigger, "segment sync queued");
                    return Ok((job, true));
                }
                Claim::Held => {
                    let state = repo::state(self.store, tenant, segment.id).await?;
                    let Some(active) = state.active_job_id else { continue };
                    match jobs::get(self.store, tenant, segment.id, active).await? {
                        Some(j) if !j.is_finished() && now - j.updated_at < STALLED_AFTER => return Ok((j, false)),
                        Some(j) if !j.is_finished() => {
                            self.abandon(tenant, j, "stalled: no progress for 20 minutes", now).await?
                        }
                        _ => repo::release(self.store, tenant, segment.id, active).await?,
                    }
                }
                Claim::Raced => {}
            }
        }
        Err(SegmentError::SyncContended)
    }

    async fn abandon(
        &self,
        tenant: &TenantId,
        mut job: SyncJob,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SegmentError> {
        let expected = job.version;
        job.fail(why, now);
        job.version += 1;
        job.updated_at = now;
        match jobs::replace(self.store, tenant, expected, &job).await {
            Ok(()) => {}
            Err(e) if e.is_version_conflict() => {}
            Err(e) => return Err(e.into()),
        }
        repo::release(self.store, tenant, job.segment_id, job.id).await?;
        Ok(())
    }

    /// Adds workers by hand; every id must be a worker of the tenant. Answers how many became members.
    pub(crate) async fn add_members(&self, tenant: &TenantId, id: Uuid, ids: &[Uuid]) -> Result<u64, SegmentError> {
        repo::get(self.store, tenant, id).await?.ok_or(SegmentError::NotFound)?;
        let found: HashSet<Uuid> =
            workers::get_many(self.store, tenant, ids).await?.into_iter().map(|w| w.id).collect();
        let unknown: Vec<usize> = ids.iter().enumerate().filter(|(_, w)| !found.contains(w)).map(|(i, _)| i).collect();
        if !unknown.is_empty() {
            return Err(SegmentError::UnknownWorkers(unknown));
        }
        self.edit(tenant, id, ids, |w, current, now| membership::add_by_hand(id, w, current, now), WorkerCheck::Exists)
            .await
    }

    /// Removes workers added by hand (those the rule matches stay). Answers how many left the segment.
    pub(crate) async fn remove_members(&self, tenant: &TenantId, id: Uuid, ids: &[Uuid]) -> Result<u64, SegmentError> {
        repo::get(self.store, tenant, id).await?.ok_or(SegmentError::NotFound)?;
        self.edit(tenant, id, ids, |_, current, now| membership::remove_by_hand(current, now), WorkerCheck::None).await
    }

    async fn edit(
        &self,
        tenant: &TenantId,
        segment: Uuid,
        ids: &[Uuid],
        decide: impl Fn(Uuid, Option<&super::model::Membership>, DateTime<Utc>) -> Option<Change>,
        check: WorkerCheck,
    ) -> Result<u64, SegmentError> {
        let applied = membership::until_applied(self.store, tenant, segment, || async {
            let current = repo::members_of(self.store, tenant, segment, ids).await?;
            let now = Utc::now();
            let changes: Vec<(Change, WorkerCheck)> =
                ids.iter().filter_map(|w| decide(*w, current.get(w), now).map(|c| (c, check))).collect();
            let moved: u64 = changes.iter().map(|(c, _)| c.delta().unsigned_abs()).sum();
            Ok((changes, moved))
        })
        .await;
        match applied {
            Ok(Some(moved)) => Ok(moved),
            Ok(None) => Err(SegmentError::NotFound),
            Err(StoreError::TransactionConflict) => Err(SegmentError::MembersContended),
            Err(e) => Err(e.into()),
        }
    }
}

/// Settles an attempt's conditional write of a segment: a moved version is another try, unless the caller
/// pinned the version, which then moved.
fn settle<T>(written: Result<(), StoreError>, value: T, if_match: Option<u64>) -> Result<Attempt<T>, SegmentError> {
    optimistic::settle(written, value, if_match.is_none()).map_err(|e| match e {
        e if e.is_version_conflict() => SegmentError::VersionMoved,
        other => SegmentError::Store(other),
    })
}
