//! Assembling a function: its routes behind the shared layers, served by Lambda or by the dev server.

use crate::audit;
use crate::auth::layer::authenticate;
use crate::config::Ctx;
use crate::http::contract::{QueryGuard, guard_query};
use crate::http::idempotency::idempotent;
use crate::http::problem::ApiError;
use crate::telemetry;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

/// Puts a function's routes behind telemetry, the verifying layer, idempotency, the audit log and the
/// query guard of its document (`doc`), outer to inner (a later `route_layer` wraps the earlier ones). The
/// audit layer is inside authentication, to see who acts, and inside idempotency, so a replayed response is
/// not recorded a second time.
pub fn protected(routes: Router<Ctx>, ctx: Ctx, doc: fn() -> utoipa::openapi::OpenApi) -> Router {
    routes
        .route_layer(from_fn_with_state(QueryGuard::new(doc), guard_query))
        .route_layer(from_fn_with_state(ctx.clone(), audit::record))
        .route_layer(from_fn_with_state(ctx.store.clone(), idempotent))
        .route_layer(from_fn_with_state(ctx.clone(), authenticate))
        .with_state(ctx)
        .layer(from_fn(telemetry::observe))
}

/// For routes without a bearer token (sign-in and the like): telemetry and the audit log only. Their
/// handlers name who acted, and whose log it goes to, with an [`audit::AuditNote`].
pub fn public(routes: Router<Ctx>, ctx: Ctx, doc: fn() -> utoipa::openapi::OpenApi) -> Router {
    routes
        .route_layer(from_fn_with_state(QueryGuard::new(doc), guard_query))
        .route_layer(from_fn_with_state(ctx.clone(), audit::record))
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
