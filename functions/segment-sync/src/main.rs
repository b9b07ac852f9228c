//! Lambda entry point of the segment sync consumer: build it once, then consume the segment sync queue.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_segments::consumer;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    let syncer = consumer::syncer(&sdk, ctx.store)?;
    nudge_core::queue::run_consumer(|event, deadline| consumer::handle(&syncer, event, deadline)).await
}
