//! The worker export consumer (binary `worker-export`): export requests and the continuations exports
//! send themselves arrive on the exports queue; each message is run by `crate::export`.

use crate::export::Exporter;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use nudge_core::config::{ConfigError, Settings};
use nudge_core::objects::Objects;
use nudge_core::queue::{Deadline, Queue};

/// The exporter from the environment: the table, the bucket, the queue continuations go to
/// (`WORKER_EXPORTS_QUEUE_URL`), and optionally `EXPORT_ROWS_PER_RUN` (rows per invocation before
/// continuing in a new message).
pub fn exporter(
    sdk: &nudge_core::config::SdkConfig,
    settings: &Settings,
    store: nudge_core::store::Store,
) -> Result<Exporter, ConfigError> {
    let queue = Queue::from_env(sdk, "WORKER_EXPORTS_QUEUE_URL")?;
    let mut exporter = Exporter::new(store, Objects::from_settings(sdk, settings)?, queue);
    if let Ok(rows) = std::env::var("EXPORT_ROWS_PER_RUN") {
        let rows = rows
            .parse()
            .map_err(|_| ConfigError::Invalid { name: "EXPORT_ROWS_PER_RUN", reason: "not a whole number".into() })?;
        exporter.rows_per_run = Some(rows);
    }
    Ok(exporter)
}

/// One SQS batch: each message run in turn, failures reported so only they are retried.
pub async fn handle(exporter: &Exporter, event: SqsEvent, deadline: Deadline) -> SqsBatchResponse {
    nudge_core::jobs::consume(exporter, event, deadline).await
}
