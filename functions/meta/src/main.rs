//! Lambda entry point for `/health` and `/openapi.json`. Needs no AWS client.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    nudge_core::telemetry::init();
    nudge_core::app::run_lambda(meta::router()).await
}
