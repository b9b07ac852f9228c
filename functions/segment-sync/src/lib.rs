//! The segment sync consumer: sync jobs and their continuations, re-evaluations of changed workers, purges
//! of deleted segments and the schedule's ticks all arrive on the segment sync queue; each is handled by
//! `nudge::segments::consumer`.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use nudge::config::{ConfigError, Settings};
use nudge::queue::{Deadline, each_record};
use nudge::segments::consumer::Syncer;

/// The consumer from the environment: the table, and the queue it reads (continuations go back to it);
/// optionally `SYNC_PAGES_PER_RUN` (pages per invocation before continuing in a new message).
pub fn syncer(
    sdk: &nudge::config::SdkConfig,
    settings: &Settings,
    store: nudge::store::Store,
) -> Result<Syncer, ConfigError> {
    let mut syncer = Syncer::new(store, settings.segment_queue(sdk)?);
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
    each_record(event, |message| async move {
        let body = message.body.unwrap_or_default();
        Box::pin(syncer.handle(&body, deadline)).await
    })
    .await
}
