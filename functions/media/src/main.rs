//! Lambda entry point of the media API: build the clients once, then serve API Gateway events with the same
//! router the dev server and tests use.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_core::objects::Objects;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let objects = Objects::from_settings(&sdk, &settings)?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    nudge_core::app::run_lambda(nudge_media::router(ctx, objects)).await
}
