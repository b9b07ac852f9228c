//! Lambda entry point of the upload consumer: S3 ObjectCreated notifications through the upload queue,
//! answered with partial batch failures.

use nudge_core::config::{Settings, aws_sdk_config};
use nudge_core::objects::Objects;
use nudge_media::ingest::Ingest;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let store = nudge_core::Ctx::from_parts(&sdk, &settings)?.store;
    let ingest = Ingest::new(store, Objects::from_settings(&sdk, &settings)?);
    nudge_core::queue::run_consumer(|event, _deadline| ingest.boxed(event)).await
}
