//! The segment sync function's work: every message of the segment sync queue.

use super::error::SyncError;
use super::jobs::SyncTrigger;
use super::messages::{Message, SegmentQueue};
use super::service::Services;
use super::sync::{self, Limits, Outcome};
use super::{incremental, jobs, repo};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::jobs::{self as framework, Job};
use nudge_core::keys::platform_partition;
use nudge_core::queue::{Deadline, Queue};
use nudge_core::store::{Query, Store};
use nudge_workers::marker;
use std::time::Duration;
use uuid::Uuid;

/// Runs of a job that may fail before the job is marked failed (SQS retries the message meanwhile).
const MAX_ATTEMPTS: u32 = 3;
/// Memberships or jobs deleted per purge step.
const PURGE_PAGE: u32 = 500;
/// How long a changed worker's re-evaluation may take before the scheduled tick asks for it again.
const MARKER_GRACE: chrono::Duration = chrono::Duration::minutes(15);

#[derive(Clone, Debug)]
pub struct Syncer {
    pub store: Store,
    /// This function's own queue: continuations, purges that go on, scheduled syncs.
    pub queue: SegmentQueue,
    pub limits: Limits,
    /// Stop and continue in a new message when less than this is left.
    pub margin: Duration,
}

impl Syncer {
    pub fn new(store: Store, queue: SegmentQueue) -> Self {
        Self {
            store,
            queue,
            limits: Limits { page_workers: 100, pages_per_run: None },
            margin: Duration::from_secs(60),
        }
    }

    async fn sync(&self, tenant: &TenantId, segment: Uuid, job: Uuid, deadline: Deadline) -> Result<Run, SyncError> {
        let margin = self.margin;
        let run = sync::run(&self.store, tenant, segment, job, self.limits, || deadline.remaining() > margin).await;
        match run {
            Ok(Outcome::Settled) => Ok(Run::Settled),
            Ok(Outcome::Continue) => Ok(Run::Continue(Message::Sync { segment_id: segment, job_id: job })),
            Err(e) => self.failed_run(tenant, segment, job, e).await.map(|()| Run::Settled),
        }
    }

    /// Counts a failed run on the job; after a few the job fails for good, with the error, and the message
    /// is settled (the DLQ then only holds what could not even record that).
    async fn failed_run(&self, tenant: &TenantId, segment: Uuid, job: Uuid, err: SyncError) -> Result<(), SyncError> {
        let Some(mut current) = jobs::get(&self.store, tenant, segment, job).await? else { return Ok(()) };
        if current.is_finished() {
            return Ok(());
        }
        if current.attempts + 1 >= MAX_ATTEMPTS {
            let message = format!("gave up after {MAX_ATTEMPTS} attempts: {err}");
            sync::settle(&self.store, tenant, current, |j, now| j.fail(message, now)).await?;
            return Ok(());
        }
        let expected = current.version;
        current.attempts += 1;
        current.version += 1;
        current.updated_at = chrono::Utc::now();
        match jobs::replace(&self.store, tenant, expected, &current).await {
            Ok(()) => {}
            Err(e) if e.is_version_conflict() => {}
            Err(e) => return Err(e.into()),
        }
        Err(err)
    }

    /// Clears a deleted segment's memberships and jobs, a page at a time, continuing in new messages.
    async fn purge(&self, tenant: &TenantId, segment: Uuid) -> Result<(), SyncError> {
        if repo::get(&self.store, tenant, segment).await?.is_some() {
            tracing::warn!(segment_id = %segment, "purge asked for a segment that exists; ignored");
            return Ok(());
        }
        let members_done = repo::purge_members(&self.store, tenant, segment, PURGE_PAGE).await?;
        let jobs_done = members_done && jobs::purge(&self.store, tenant, segment, PURGE_PAGE).await?;
        if !jobs_done {
            self.queue.send_for(tenant, &Message::Purge { segment_id: segment }).await?;
        }
        Ok(())
    }

    /// Starts a sync of every time-relative segment (one already running is left to finish).
    async fn schedule(&self) -> Result<(), SyncError> {
        let query = Query::partition(platform_partition("TIME-RELATIVE-SEGMENTS"));
        let due: Vec<repo::Scheduled> = self.store.all(&query).await?;
        let services = Services { store: &self.store, queue: &self.queue };
        let mut started = 0u32;
        for s in due {
            let tenant = s.tenant_id.tenant();
            let Some(segment) = repo::get(&self.store, &tenant, s.segment_id).await? else { continue };
            match services.start_sync(&tenant, &segment, SyncTrigger::Schedule).await {
                Ok((_, true)) => started += 1,
                Ok((_, false)) => {}
                Err(e) => tracing::warn!(segment_id = %s.segment_id, error = %e, "scheduled sync not started"),
            }
        }
        tracing::info!(started, "scheduled re-sync of time-relative segments");
        self.sweep_markers().await
    }

    /// Asks again for the re-evaluation of changed (and deleted) workers whose markers outlived
    /// [`MARKER_GRACE`]: the message sent after their write was lost or failed for good.
    async fn sweep_markers(&self) -> Result<(), SyncError> {
        let overdue = marker::overdue(&self.store, Utc::now(), MARKER_GRACE).await?;
        for (tenant, workers) in &overdue {
            tracing::warn!(tenant_id = %tenant, workers = workers.len(), "re-sending the re-evaluation of changed workers");
            self.queue.workers_changed(&tenant.tenant(), workers).await?;
        }
        Ok(())
    }
}

/// What a run of the segment sync consumer ended with.
type Run = framework::Outcome<Message>;

/// Every message of the segment sync queue: syncs continue through the framework; purges and the
/// schedule's re-sends send their own messages (several, or for many tenants).
impl Job for Syncer {
    const NAME: &'static str = "segment sync";
    type Message = Message;
    type Error = SyncError;

    async fn run(&self, tenant: Option<TenantId>, message: &Message, deadline: Deadline) -> Result<Run, SyncError> {
        let tenant = || tenant.ok_or_else(|| SyncError::Message(format!("{message:?} names no tenant")));
        match message {
            Message::Sync { segment_id, job_id } => self.sync(&tenant()?, *segment_id, *job_id, deadline).await,
            Message::WorkersChanged { worker_ids } => {
                incremental::reevaluate(&self.store, &tenant()?, worker_ids).await?;
                Ok(Run::Settled)
            }
            Message::Purge { segment_id } => self.purge(&tenant()?, *segment_id).await.map(|()| Run::Settled),
            Message::Schedule => self.schedule().await.map(|()| Run::Settled),
        }
    }

    /// A sync whose message keeps failing is failed with the reason (a run's own errors already fail it
    /// after a few attempts); other messages are retried by the next one of their kind.
    async fn give_up(&self, tenant: Option<TenantId>, message: &Message, reason: String) -> Result<(), SyncError> {
        if let (Some(tenant), Message::Sync { segment_id, job_id }) = (tenant, message)
            && let Some(job) = jobs::get(&self.store, &tenant, *segment_id, *job_id).await?
            && !job.is_finished()
        {
            sync::settle(&self.store, &tenant, job, |j, now| j.fail(reason, now)).await?;
        }
        Ok(())
    }

    fn continuations(&self) -> &Queue {
        &self.queue.0
    }

    fn store(&self) -> &Store {
        &self.store
    }
}
