//! Lambda entry point of the journey engine: compose it once per cold start, then consume its queue.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let consumer = journeys::engine(&nudge_core::config::Env::from_process()?)?;
    nudge_core::queue::run(consumer).await
}
