//! Lambda entry point of the export consumer: build the exporter once, then consume the exports queue.

use nudge::config::{Settings, aws_sdk_config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge::Ctx::from_parts(&sdk, &settings)?;
    let exporter = worker_import::export::exporter(&sdk, &settings, ctx.store)?;
    nudge::queue::run_consumer(|event, deadline| worker_import::export::handle(&exporter, event, deadline)).await
}
