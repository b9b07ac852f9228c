//! The workers function's composition root: the routes, with the bucket imports upload to, the exports
//! queue, the imports queue for the workers' other background work, segments told of changed workers
//! through the sync queue, and identity's memberships for the user accounts workers are linked to.

use nudge_core::config::{ConfigError, Env};
use nudge_segments::SegmentQueue;
use nudge_workers::export::ExportQueue;
use nudge_workers::orphans::WorkerJobs;
use nudge_workers::{Users, WorkerEvents};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let events = WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    let exports = ExportQueue(env.queue("WORKER_EXPORTS_QUEUE_URL")?);
    let jobs = WorkerJobs(env.queue("WORKER_IMPORTS_QUEUE_URL")?);
    let users = Users::of(nudge_identity::WorkerAccounts(ctx.store.clone()));
    Ok(nudge_workers::http::router(ctx, env.objects()?, events, exports, jobs, users))
}
