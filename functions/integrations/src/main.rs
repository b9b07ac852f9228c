//! Lambda entry point: build the clients and the data key once, then serve API Gateway events with the same
//! router the dev server and tests use.

use nudge_core::config::{Settings, aws_sdk_config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    // A missing or malformed DATA_KEY stops the cold start: no integration can be written without it.
    let key = settings.data_key()?;
    let ctx = nudge_core::Ctx::from_parts(&aws_sdk_config()?, &settings)?;
    nudge_core::app::run_lambda(nudge_integrations::router(ctx, key)).await
}
