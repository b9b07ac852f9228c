//! The content function's composition root: the library's routes, with the bucket its snapshots go to.

use nudge_content::snapshots::Snapshots;
use nudge_core::config::{ConfigError, Env};

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_content::router(env.ctx()?, Snapshots::new(env.objects()?)))
}
