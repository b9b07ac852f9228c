//! The composition root of the experiments function: its API over the table, with content snapshots in
//! the media bucket for the start's checks.

use nudge_content::snapshots::Snapshots;
use nudge_core::config::{ConfigError, Env};
use nudge_experiments::http::TableCatalogue;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let ctx = env.ctx()?;
    let catalogue = TableCatalogue { store: ctx.store.clone(), snapshots: Snapshots::new(env.objects()?) };
    Ok(nudge_experiments::http::router(ctx, catalogue))
}
