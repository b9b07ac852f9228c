//! Lambda entry point of the workers API: build the clients once, then serve API Gateway events with the
//! router the dev server and tests use. Changed workers are announced to segments.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_core::objects::Objects;
use nudge_core::queue::Queue;
use nudge_segments::SegmentQueue;
use nudge_workers::WorkerEvents;
use nudge_workers::export::ExportQueue;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let objects = Objects::from_settings(&sdk, &settings)?;
    let events = WorkerEvents::to(SegmentQueue::from_env(&sdk)?);
    let exports = ExportQueue(Queue::from_env(&sdk, "WORKER_EXPORTS_QUEUE_URL")?);
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    nudge_core::app::run_lambda(nudge_workers::http::router(ctx, objects, events, exports)).await
}
