//! The verifying layer every function puts in front of its routes: a missing or bad bearer token is a 401
//! before any handler runs, as is one whose session has ended; a good one becomes the request's
//! [`Principal`] and tags the log span.

use super::principal::Principal;
use crate::config::Ctx;
use crate::http::problem::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, header};

/// The caller behind a request's bearer token: signature and claims verified, session still live. Routes
/// outside the layer (sign-out, tenant switch) call it themselves.
pub async fn principal(ctx: &Ctx, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized("missing bearer token"))?;
    let principal = ctx.verifier.verify(token)?;
    ctx.sessions.admit(&principal).await?;
    Ok(principal)
}

pub async fn authenticate(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    match principal(&ctx, req.headers()).await {
        Ok(principal) => {
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
