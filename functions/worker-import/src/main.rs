//! Lambda entry point: build the importer once, then consume the imports queue.

use nudge::config::{Settings, aws_sdk_config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge::Ctx::from_parts(&sdk, &settings)?;
    let importer = worker_import::importer(&sdk, &settings, ctx.store)?;
    nudge::queue::run_consumer(|event, deadline| worker_import::handle(&importer, event, deadline)).await
}
