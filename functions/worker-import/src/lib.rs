//! The composition roots of the workers' bulk jobs. `worker-import`: S3 notifications of uploaded rows and
//! the continuations imports send themselves, from the imports queue; changed workers are told to segments,
//! and a row's link to a user account is checked against identity's memberships.
//! `worker-export`: export jobs and their continuations, from the exports queue. The `*_PER_RUN`, `*_BYTES`
//! and `*_PAGE_WORKERS` variables tune a run (the local cloud makes them small to exercise continuations).

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_segments::SegmentQueue;
use nudge_workers::export::Exporter;
use nudge_workers::import::Importer;
use nudge_workers::{Users, WorkerEvents};

pub fn import(env: &Env) -> Result<Consumer, ConfigError> {
    let store = env.ctx()?.store;
    let mut importer = Importer::new(store.clone(), env.objects()?, env.queue("WORKER_IMPORTS_QUEUE_URL")?);
    importer.events = WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?));
    importer.users = Users::of(nudge_identity::WorkerAccounts(store));
    importer.rows_per_run = env.number("IMPORT_ROWS_PER_RUN")?;
    if let Some(bytes) = env.number("IMPORT_CHUNK_BYTES")? {
        importer.chunk_bytes = bytes;
    }
    Ok(job(importer))
}

pub fn export(env: &Env) -> Result<Consumer, ConfigError> {
    let mut exporter = Exporter::new(env.ctx()?.store, env.objects()?, env.queue("WORKER_EXPORTS_QUEUE_URL")?);
    exporter.rows_per_run = env.number("EXPORT_ROWS_PER_RUN")?;
    if let Some(bytes) = env.number("EXPORT_PART_BYTES")? {
        exporter.part_bytes = bytes;
    }
    if let Some(workers) = env.number("EXPORT_PAGE_WORKERS")? {
        exporter.page_workers = workers;
    }
    Ok(job(exporter))
}
