//! The composition roots of the media functions. `media`: the routes, with the bucket they presign
//! uploads and downloads for. `media-ingest`: S3's notifications of uploaded originals, from the ingest
//! queue.

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::Consumer;
use nudge_media::ingest::Ingest;
use std::sync::Arc;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    Ok(nudge_media::router(env.ctx()?, env.objects()?))
}

pub fn ingest(env: &Env) -> Result<Consumer, ConfigError> {
    let ingest = Arc::new(Ingest::new(env.ctx()?.store, env.objects()?));
    Ok(Arc::new(move |event, deadline| {
        let ingest = ingest.clone();
        Box::pin(async move { ingest.handle(event, deadline).await })
    }))
}
