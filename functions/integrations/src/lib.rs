//! The integrations function's composition root. A missing or malformed `DATA_KEY` stops the cold start: no
//! integration can be written without it.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_integrations::router(env.ctx()?, env.settings.data_key()?))
}
