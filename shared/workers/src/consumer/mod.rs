//! The worker bulk-job consumers. `worker-import`: S3 notifications of uploaded import rows, and the
//! continuations imports send themselves, arrive on the imports queue; each message is applied by
//! `crate::import`. `worker-export` ([`export`]): export jobs on the exports queue.

pub mod export;

use crate::events::WorkerEvents;
use crate::import::Importer;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use nudge_core::config::{ConfigError, Settings};
use nudge_core::objects::Objects;
use nudge_core::queue::{Deadline, Queue};

/// The importer from the environment: the table, the bucket, the queue continuations go to, and
/// optionally `IMPORT_ROWS_PER_RUN` (rows per invocation before continuing in a new message).
pub fn importer(
    sdk: &nudge_core::config::SdkConfig,
    settings: &Settings,
    store: nudge_core::store::Store,
    events: WorkerEvents,
) -> Result<Importer, ConfigError> {
    let queue = Queue::from_env(sdk, "WORKER_IMPORTS_QUEUE_URL")?;
    let mut importer = Importer::new(store, Objects::from_settings(sdk, settings)?, queue);
    importer.events = events;
    if let Ok(rows) = std::env::var("IMPORT_ROWS_PER_RUN") {
        let rows = rows
            .parse()
            .map_err(|_| ConfigError::Invalid { name: "IMPORT_ROWS_PER_RUN", reason: "not a whole number".into() })?;
        importer.rows_per_run = Some(rows);
    }
    Ok(importer)
}

/// One SQS batch: each message applied in turn, failures reported so only they are retried; an import
/// whose message fails on its last receive is marked failed.
pub async fn handle(importer: &Importer, event: SqsEvent, deadline: Deadline) -> SqsBatchResponse {
    nudge_core::jobs::consume(importer, event, deadline).await
}
