//! Lambda entry point of the worker import consumer: compose the consumer from its environment once per cold start, then consume
//! its queue.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    nudge_core::telemetry::init();
    let consumer = worker_import::import(&nudge_core::config::Env::from_process()?)?;
    nudge_core::queue::run(consumer).await
}
