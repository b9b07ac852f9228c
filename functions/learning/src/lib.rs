//! The composition roots of the learning functions. `learning`: its API over the table.
//! `learning-schedule`: the learning queue's consumer (the hourly tick, expiry and deadline reminders,
//! recertification), sending through the notifications queue.

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_learning::schedule::{LearningJob, Scheduler};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_learning::http::router(env.ctx()?))
}

pub fn schedule(env: &Env) -> Result<Consumer, ConfigError> {
    let scheduler = Scheduler {
        store: env.ctx()?.store,
        queue: env.queue("LEARNING_QUEUE_URL")?,
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        clock: env.clock.clone(),
    };
    Ok(job(LearningJob(scheduler)))
}
