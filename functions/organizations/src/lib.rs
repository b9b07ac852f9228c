//! The organizations function's composition root.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_organizations::router(env.ctx()?))
}
