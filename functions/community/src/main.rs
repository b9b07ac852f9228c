//! Lambda entry point of the community API: compose the router from its environment once per cold start,
//! then serve API Gateway's events.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let router = community::compose(&nudge_core::config::Env::from_process()?)?;
    nudge_core::app::run_lambda(router).await
}
