//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    let ctx = nudge_core::Ctx::from_env().await?;
    nudge_core::app::run_lambda(nudge_audit::router(ctx)).await
}
