//! Lambda entry point: build the consumer once, then consume the segment sync queue.

use nudge::config::{Settings, aws_sdk_config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge::Ctx::from_parts(&sdk, &settings)?;
    let syncer = segment_sync::syncer(&sdk, &settings, ctx.store)?;
    nudge::queue::run_consumer(|event, deadline| segment_sync::handle(&syncer, event, deadline)).await
}
