//! Lambda entry point of the export consumer: build the exporter once, then consume the exports queue.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_workers::consumer::export;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let ctx = nudge_core::Ctx::from_parts(&sdk, &settings)?;
    let exporter = export::exporter(&sdk, &settings, ctx.store)?;
    nudge_core::queue::run_consumer(|event, deadline| export::handle(&exporter, event, deadline)).await
}
