//! The workers function's composition root: the routes, with the bucket imports upload to, the exports
//! queue, the imports queue for the workers' other background work, and segments told of changed workers
//! through the sync queue.

use nudge_core::config::{ConfigError, Env};
use nudge_segments::SegmentQueue;
use nudge_workers::WorkerEvents;
use nudge_workers::export::ExportQueue;
use nudge_workers::orphans::WorkerJobs;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let events = WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    let exports = ExportQueue(env.queue("WORKER_EXPORTS_QUEUE_URL")?);
    let jobs = WorkerJobs(env.queue("WORKER_IMPORTS_QUEUE_URL")?);
    Ok(nudge_workers::http::router(env.ctx()?, env.objects()?, events, exports, jobs))
}
