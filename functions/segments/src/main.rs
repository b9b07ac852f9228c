//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

use nudge::config::{Settings, aws_sdk_config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let queue = settings.segment_queue(&sdk)?;
    let ctx = nudge::Ctx::from_parts(&sdk, &settings)?;
    nudge::app::run_lambda(segments::router(ctx, queue)).await
}
