//! Logs and metrics. Logs are JSON lines through `tracing`, each inside a request span carrying the request
//! id and tenant id. Metrics are CloudWatch Embedded Metric Format lines (latency, DynamoDB calls, cold start).

use crate::store::calls;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tracing::Instrument;

static COLD: AtomicBool = AtomicBool::new(true);

/// The request's id, in the request's extensions for inner layers (the audit log records it).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Installs the JSON subscriber once (later calls are no-ops). `RUST_LOG` filters, default `info`.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false)
        .without_time()
        .try_init();
}

/// The request id: API Gateway's on Lambda, the caller's `x-request-id` locally, else a new one.
fn request_id(req: &Request) -> String {
    use lambda_http::RequestExt;
    if let Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref()
        && let Some(id) = &ctx.request_id
    {
        return id.clone();
    }
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Wraps a function's routes: a span per request, its latency and DynamoDB calls as an EMF metric line,
/// and the request id echoed back.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let method = req.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        tenant_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
        method = %method,
        route = %route,
    );
    let started = Instant::now();
    let cold = COLD.swap(false, Ordering::Relaxed);
    let (mut response, ddb_calls) = calls::counted(next.run(req).instrument(span.clone())).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(status, latency_ms, ddb_calls, "request done");
    });
    emit_metrics(&route, method.as_str(), status, latency_ms, ddb_calls, cold);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// One EMF document on stdout; CloudWatch turns it into metrics without an API call.
fn emit_metrics(route: &str, method: &str, status: u16, latency_ms: f64, ddb_calls: u32, cold: bool) {
    if std::env::var("NUDGE_METRICS_OFF").is_ok_and(|v| !v.is_empty() && v != "0") {
        return;
    }
    let doc = json!({
        "_aws": {
            "Timestamp": chrono::Utc::now().timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": "Nudge",
                "Dimensions": [["Route"]],
                "Metrics": [
                    {"Name": "Latency", "Unit": "Milliseconds"},
                    {"Name": "DynamoDBCalls", "Unit": "Count"},
                    {"Name": "ColdStart", "Unit": "Count"},
                    {"Name": "ServerErrors", "Unit": "Count"}
                ]
            }]
        },
        "Route": format!("{method} {route}"),
        "Latency": latency_ms,
        "DynamoDBCalls": ddb_calls,
        "ColdStart": u8::from(cold),
        "ServerErrors": u8::from(status >= 500),
        "StatusCode": status,
    });
    println!("{doc}");
}
