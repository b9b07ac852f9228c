//! Lambda entry point of the learning schedule: compose it once per cold start, then consume its queue.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let consumer = learning::schedule(&nudge_core::config::Env::from_process()?)?;
    nudge_core::queue::run(consumer).await
}
