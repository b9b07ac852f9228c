//! The workers function's composition root: the routes, with the bucket imports upload to, the exports
//! queue, the imports queue for the workers' other background work, segments told of changed workers
//! through the sync queue, and identity's memberships for the user accounts workers are linked to.

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::config::{ConfigError, Env};
use nudge_core::store::{Store, StoreError};
use nudge_segments::SegmentQueue;
use nudge_workers::export::ExportQueue;
use nudge_workers::orphans::WorkerJobs;
use nudge_workers::{Accounts, Users, WorkerEvents};
use uuid::Uuid;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let events = WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    let exports = ExportQueue(env.queue("WORKER_EXPORTS_QUEUE_URL")?);
    let jobs = WorkerJobs(env.queue("WORKER_IMPORTS_QUEUE_URL")?);
    let users = Users::of(Members(ctx.store.clone()));
    Ok(nudge_workers::http::router(ctx, env.objects()?, events, exports, jobs, users))
}

/// The workers' port to user accounts, answered by identity's memberships (active, invited or suspended).
pub struct Members(pub Store);

impl Accounts for Members {
    fn is_member<'a>(&'a self, tenant: &'a TenantId, user: Uuid) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { Ok(nudge_identity::members_among(&self.0, tenant, &[user]).await?.contains(&user)) })
    }
}
