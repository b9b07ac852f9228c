//! Lambda entry point: build the clients once, then serve API Gateway events with the same router the dev
//! server and tests use.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge::telemetry::init();
    let ctx = nudge::Ctx::from_env().await?;
    nudge::app::run_lambda(content::router(ctx, content::snapshots::Snapshots::default())).await
}
