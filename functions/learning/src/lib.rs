//! The composition roots of the learning functions. `learning`: its API over the table, with the learning
//! queue (reports) and the bucket (their downloads). `learning-schedule`: the learning queue's consumer
//! (the hourly tick, expiry, deadline and live-event notices, recertification, reports, module builds),
//! sending through the notifications queue.

mod bedrock;

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_learning::builder::{FakeStructurer, NoStructurer, Structurer};
use nudge_learning::schedule::{LearningJob, Scheduler};
use std::sync::Arc;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let deps = nudge_learning::http::Deps {
        queue: env.queue("LEARNING_QUEUE_URL")?,
        objects: env.objects()?,
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
    };
    Ok(nudge_learning::http::router(env.ctx()?, deps))
}

pub fn schedule(env: &Env) -> Result<Consumer, ConfigError> {
    let scheduler = Scheduler {
        store: env.ctx()?.store,
        queue: env.queue("LEARNING_QUEUE_URL")?,
        notifications: env.queue("NOTIFICATIONS_QUEUE_URL")?,
        objects: env.objects()?,
        structurer: structurer(env),
        clock: env.clock.clone(),
    };
    Ok(job(LearningJob(scheduler)))
}

/// The module builder's language-model step, by `MODULE_BUILDER_MODEL`: unset, empty or `none`: no step
/// (builds keep their document's structure); `fake`: the deterministic fake (the local cloud sets it);
/// anything else: that Bedrock model (or inference profile) id.
fn structurer(env: &Env) -> Arc<dyn Structurer> {
    match env.var("MODULE_BUILDER_MODEL").ok().as_deref() {
        None | Some("none") => Arc::new(NoStructurer),
        Some("fake") => Arc::new(FakeStructurer),
        Some(model) => Arc::new(bedrock::Bedrock::new(&env.sdk, model.to_owned())),
    }
}
