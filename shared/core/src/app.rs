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
use axum::response::{IntoResponse, Response};
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;

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
        .layer(catch_panics())
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
        .layer(catch_panics())
        .layer(from_fn(telemetry::observe))
}

/// Turns a panic below it into the 500 problem any unexpected failure answers. Without it a panicking
/// handler would end the connection without an answer (and, on Lambda, the invocation); with the release
/// profile's unwinding, the warm instance then serves its next request. Inside telemetry, so the 500 is
/// measured like any other.
pub fn catch_panics() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(panicked as fn(Box<dyn Any + Send + 'static>) -> Response)
}

/// Logs the panic's message (the request is not logged: it may hold a secret) and answers 500.
fn panicked(payload: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal(format_args!("handler panicked: {}", panic_message(payload.as_ref()))).into_response()
}

/// `panic!` with a literal carries a `&str`, with arguments a `String`; anything else has no message.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(message) => message,
        None => payload.downcast_ref::<String>().map_or("no message", String::as_str),
    }
}

/// The answer for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Runs a function's router on the Lambda runtime (API Gateway HTTP API events).
pub async fn run_lambda(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router.fallback(not_found)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenVerifier;
    use crate::store::{CursorCodec, Store};
    use axum::routing::get;
    use http::{Request, StatusCode, header};
    use tower::ServiceExt;

    /// A context that reaches no AWS service: the routes under test read nothing.
    fn offline_ctx() -> Ctx {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build();
        let store = Store::new(aws_sdk_dynamodb::Client::from_conf(config), "t", CursorCodec::new(vec![7; 32]));
        let public_key = crate::auth::tokens::tests::keypair().1;
        let verifier = TokenVerifier::from_public_pem(&public_key, "iss", "aud").unwrap();
        Ctx::new(store, verifier, std::time::Duration::from_secs(1))
    }

    async fn boom() -> &'static str {
        panic!("the handler broke on purpose")
    }

    async fn fine() -> &'static str {
        "ok"
    }

    async fn call(router: &Router, path: &str) -> (StatusCode, Option<String>, String) {
        let request = Request::get(path).body(axum::body::Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let content_type = response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap();
        (status, content_type, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_500_problem_and_the_router_serves_on() {
        let doc = utoipa::openapi::OpenApiBuilder::new().build();
        let routes = Router::new().route("/boom", get(boom)).route("/fine", get(fine));
        let router = public(routes, offline_ctx(), &doc);
        for _ in 0..2 {
            let (status, content_type, body) = call(&router, "/boom").await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(content_type.as_deref(), Some(crate::http::problem::PROBLEM_JSON));
            let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(problem, serde_json::to_value(ApiError::internal("x").problem()).unwrap());
            assert!(!body.contains("on purpose"), "the panic's message is logged, never sent: {body}");
        }
        assert_eq!(call(&router, "/fine").await.0, StatusCode::OK);
    }

    #[test]
    fn panic_messages_are_read_from_both_payload_kinds() {
        let literal: Box<dyn Any + Send> = Box::new("literal");
        let formatted: Box<dyn Any + Send> = Box::new(format!("formatted {}", 1));
        let other: Box<dyn Any + Send> = Box::new(7u8);
        assert_eq!(panic_message(literal.as_ref()), "literal");
        assert_eq!(panic_message(formatted.as_ref()), "formatted 1");
        assert_eq!(panic_message(other.as_ref()), "no message");
    }
}
