//! Lambda entry point of the import consumer: build the importer once, then consume the imports queue.
//! Workers an import creates or changes are announced to segments.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_segments::SegmentQueue;
use nudge_workers::{WorkerEvents, consumer};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    let events = WorkerEvents::to(SegmentQueue::from_env(&sdk)?);
    let importer = consumer::importer(&sdk, &settings, ctx.store, events)?;
    nudge_core::queue::run_consumer(|event, deadline| consumer::handle(&importer, event, deadline)).await
}
