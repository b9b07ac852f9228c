//! The composition roots of the journeys functions. `journeys`: the API (journeys, programs, enrolments,
//! progress) and the workers' touchpoint page. `journey-engine`: the journeys queue's consumer (the
//! minute tick, each enrolment's step, enrolment jobs, live segments), sending through the notifications
//! queue.

use nudge_content::snapshots::Snapshots;
use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_journeys::{Engine, JourneyJob};
use nudge_segments::SegmentQueue;
use nudge_workers::WorkerEvents;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let objects = env.objects()?;
    let deps = nudge_journeys::http::Deps {
        queue: env.queue("JOURNEYS_QUEUE_URL")?,
        snapshots: Snapshots::new(objects.clone()),
        key: env.settings.data_key()?,
        objects,
        workers: WorkerEvents::to(SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?)),
    };
    Ok(nudge_journeys::http::router(ctx, deps))
}

pub fn engine(env: &Env) -> Result<Consumer, ConfigError> {
    let engine = Engine {
        store: env.ctx()?.store,
        queue: env.queue("JOURNEYS_QUEUE_URL")?,
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        key: env.settings.data_key()?,
        snapshots: Snapshots::new(env.objects()?),
        page_url: env.var("PAGE_URL")?,
        clock: env.clock.clone(),
    };
    Ok(job(JourneyJob(engine)))
}
