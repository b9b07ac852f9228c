//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

use nudge_content::snapshots::Snapshots;
use nudge_core::config::{Settings, aws_sdk_config};
use nudge_core::objects::Objects;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let snapshots = Snapshots::new(Objects::from_settings(&sdk, &settings)?);
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    nudge_core::app::run_lambda(nudge_content::router(ctx, snapshots)).await
}
