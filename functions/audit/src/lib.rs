//! The audit function's composition root: the audit log's routes, from the function's environment.

use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_audit::router(env.ctx()?))
}
