//! Lambda entry point of the upload consumer: S3 ObjectCreated notifications through the upload queue,
//! answered with partial batch failures.

use media::ingest::Ingest;
use nudge::config::{Settings, aws_sdk_config};
use nudge::objects::Objects;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge::telemetry::init();
    let settings = Settings::from_env()?;
    let sdk = aws_sdk_config()?;
    let store = nudge::Ctx::from_parts(&sdk, &settings)?.store;
    let ingest = Ingest::new(store, Objects::from_settings(&sdk, &settings)?);
    nudge::queue::run_consumer(|event, _deadline| ingest.boxed(event)).await
}
