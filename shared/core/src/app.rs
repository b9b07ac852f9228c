//! Assembling a function: its routes behind the shared layers, served by Lambda or by the dev server.

use crate::audit;
use crate::auth::layer::authenticate;
use crate::config::Ctx;
use crate::http::contract::{QueryGuard, guard_query};
use crate::http::idempotency::idempotent;
use crate::http::problem::ApiError;
use crate::telemetry;
use axum::Router;
use axum::extract::FromRef;
use axum::middleware::{from_fn, from_fn_with_state};

/// Puts a function's routes behind telemetry, the verifying layer, idempotency, the audit log and the
/// query guard of its document (`doc`), outer to inner (a later `route_layer` wraps the earlier ones). The
/// audit layer is inside authentication, to see who acts, and inside idempotency, so a replayed response is
/// not recorded a second time.
///
/// `state` is the function's typed state: the [`Ctx`] and whatever else its handlers take with `State`
/// (a queue, the object store), so a handler cannot ask for something its router was not given.
pub fn protected<S>(routes: Router<S>, state: S, doc: &utoipa::openapi::OpenApi) -> Router
where
    S: Clone + Send + Sync + 'static,
    Ctx: FromRef<S>,
{
    let ctx = Ctx::from_ref(&state);
    routes
        .route_layer(from_fn_with_state(QueryGuard::new(doc), guard_query))
        .route_layer(from_fn_with_state(ctx.clone(), audit::record))
        .route_layer(from_fn_with_state(ctx.store.clone(), idempotent))
        .route_layer(from_fn_with_state(ctx, authenticate))
        .route_layer(from_fn(private))
        .with_state(state)
        .layer(from_fn(telemetry::observe))
}

/// What a bearer token reads is its holder's alone (presigned URLs among it): no cache may keep it, unless
/// the handler said otherwise.
async fn private(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut response = next.run(request).await;
    response.headers_mut().entry(http::header::CACHE_CONTROL).or_insert(http::HeaderValue::from_static("no-store"));
    response
}

/// For routes without a bearer token (sign-in and the like): telemetry and the audit log only. Their
/// handlers name who acted, and whose log it goes to, with an [`audit::AuditNote`].
pub fn public<S>(routes: Router<S>, state: S, doc: &utoipa::openapi::OpenApi) -> Router
where
    S: Clone + Send + Sync + 'static,
    Ctx: FromRef<S>,
{
    routes
        .route_layer(from_fn_with_state(QueryGuard::new(doc), guard_query))
        .route_layer(from_fn_with_state(Ctx::from_ref(&state), audit::record))
        .with_state(state)
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
