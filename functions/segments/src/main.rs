//! Lambda entry point of the segments API: build the clients once, then serve API Gateway events with the
//! router the dev server and tests use.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_segments::SegmentQueue;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let queue = SegmentQueue::from_env(&sdk)?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    nudge_core::app::run_lambda(nudge_segments::http::router(ctx, queue)).await
}
