//! The composition root of the gamification function: its API over the table.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_gamification::http::router(env.ctx()?))
}
