//! The segments function's composition root: the routes, with the sync queue they start syncs on.

use nudge_core::config::{ConfigError, Env};
use nudge_segments::SegmentQueue;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_segments::http::router(env.ctx()?, SegmentQueue(env.queue("SEGMENT_SYNC_QUEUE_URL")?)))
}
