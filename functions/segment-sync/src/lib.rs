//! The segment-sync function's composition root: sync jobs and their continuations, re-evaluations of
//! changed workers, purges and the schedule's ticks, all from the segment sync queue (continuations go back
//! to it). `SYNC_PAGES_PER_RUN` and `SYNC_PAGE_WORKERS` tune a run (the local cloud makes them small).

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_segments::SegmentQueue;
use nudge_segments::syncer::Syncer;

pub fn compose(env: &Env) -> Result<Consumer, ConfigError> {
    let mut syncer = Syncer::new(env.ctx()?.store, SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    syncer.limits.pages_per_run = env.number("SYNC_PAGES_PER_RUN")?;
    if let Some(workers) = env.number("SYNC_PAGE_WORKERS")? {
        syncer.limits.page_workers = workers;
    }
    Ok(job(syncer))
}
