//! Lambda entry point of the outbox sweep: compose it once per cold start, then sweep on every scheduled
//! event.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let sweeper = outbox::compose(&nudge_core::config::Env::from_process()?)?;
    sweeper.run().await
}
