//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

use nudge::config::{Settings, aws_sdk_config};
use nudge::objects::Objects;
use nudge::queue::Queue;
use nudge::workers::export::ExportQueue;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let objects = Objects::from_settings(&sdk, &settings)?;
    let segments = settings.segment_queue(&sdk)?;
    let exports = ExportQueue(Queue::from_env(&sdk, "WORKER_EXPORTS_QUEUE_URL")?);
    let ctx = nudge::Ctx::from_parts(&sdk, &settings)?;
    nudge::app::run_lambda(workers::router(ctx, objects, segments, exports)).await
}
