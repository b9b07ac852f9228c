//! The composition root of the learning function: its API over the table.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_learning::http::router(env.ctx()?))
}
