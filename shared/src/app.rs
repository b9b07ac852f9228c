//! Assembling a function: its routes behind the shared layers, served by Lambda or by the dev server.

use crate::auth::layer::authenticate;
use crate::config::Ctx;
use crate::http::idempotency::idempotent;
use crate::http::problem::ApiError;
use crate::telemetry;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

/// Puts a function's routes behind telemetry, the verifying layer and idempotency, in that order.
pub fn protected(routes: Router<Ctx>, ctx: Ctx) -> Router {
    routes
        .route_layer(from_fn_with_state(ctx.store.clone(), idempotent))
        .route_layer(from_fn_with_state(ctx.clone(), authenticate))
        .with_state(ctx)
        .layer(from_fn(telemetry::observe))
}

/// The answer for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Runs a function's router on the Lambda runtime (API Gateway HTTP API events).
pub async fn run_lambda(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router.fallback(not_found)).await
}
