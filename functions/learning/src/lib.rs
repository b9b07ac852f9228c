//! The composition roots of the learning functions. `learning`: its API over the table, with the learning
//! queue (reports) and the bucket (their downloads). `learning-schedule`: the learning queue's consumer
//! (the hourly tick, expiry, deadline and live-event notices, recertification, reports), sending through
//! the notifications queue.

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_learning::schedule::{LearningJob, Scheduler};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let deps = nudge_learning::http::Deps { queue: env.queue("LEARNING_QUEUE_URL")?, objects: env.objects()? };
    Ok(nudge_learning::http::router(env.ctx()?, deps))
}

pub fn schedule(env: &Env) -> Result<Consumer, ConfigError> {
    let scheduler = Scheduler {
        store: env.ctx()?.store,
        queue: env.queue("LEARNING_QUEUE_URL")?,
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        objects: env.objects()?,
        clock: env.clock.clone(),
    };
    Ok(job(LearningJob(scheduler)))
}
