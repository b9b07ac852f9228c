//! The segment-sync function's entry: sync jobs and their continuations, re-evaluations of changed workers,
//! purges of deleted segments and the schedule's ticks all arrive on the segment sync queue; each is
//! handled by [`crate::syncer`].

use crate::SegmentQueue;
use crate::syncer::Syncer;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use nudge_core::config::ConfigError;
use nudge_core::queue::Deadline;

/// The consumer from the environment: the table, and the queue it reads (continuations go back to it);
/// optionally `SYNC_PAGES_PER_RUN` (pages per invocation before continuing in a new message).
pub fn syncer(sdk: &nudge_core::config::SdkConfig, store: nudge_core::store::Store) -> Result<Syncer, ConfigError> {
    let mut syncer = Syncer::new(store, SegmentQueue::from_env(sdk)?);
    if let Ok(pages) = std::env::var("SYNC_PAGES_PER_RUN") {
        let pages = pages
            .parse()
            .map_err(|_| ConfigError::Invalid { name: "SYNC_PAGES_PER_RUN", reason: "not a whole number".into() })?;
        syncer.limits.pages_per_run = Some(pages);
    }
    Ok(syncer)
}

/// One SQS batch: each message handled in turn, failures reported so only they are retried.
pub async fn handle(syncer: &Syncer, event: SqsEvent, deadline: Deadline) -> SqsBatchResponse {
    nudge_core::jobs::consume(syncer, event, deadline).await
}
