//! The composition root of the community function: its API over the table, telling people through the
//! notifications queue.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_community::http::router(env.ctx()?, env.queue("NOTIFICATIONS_QUEUE_URL")?))
}
