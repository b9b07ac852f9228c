//! The verifying layer every function puts in front of its routes: a missing or bad bearer token is a 401
//! before any handler runs, as is one whose session has ended; a good one becomes the request's
//! [`Principal`] and tags the log span.

use crate::config::Ctx;
use crate::http::problem::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header;

pub async fn authenticate(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(token) = token else {
        return ApiError::Unauthorized("missing bearer token").into_response();
    };
    match ctx.verifier.verify(token) {
        Ok(principal) => {
            if let Err(err) = ctx.sessions.admit(&principal).await {
                return err.into_response();
            }
            let span = tracing::Span::current();
            span.record("user_id", tracing::field::display(principal.user_id));
            if let Some(tenant) = principal.tenant_opt() {
                span.record("tenant_id", tracing::field::display(tenant));
            }
            req.extensions_mut().insert(principal);
            next.run(req).await
        }
        Err(err) => err.into_response(),
    }
}
