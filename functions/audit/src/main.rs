//! Lambda entry point of the audit log API: compose the function from its environment once per cold start, then serve
//! API Gateway events.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let router = audit::compose(&nudge_core::config::Env::from_process()?)?;
    nudge_core::app::run_lambda(router).await
}
