//! The verifying layer every function puts in front of its routes: a missing or bad bearer token is a 401
//! before any handler runs, as is one whose session has ended; a good one becomes the request's
//! [`Principal`] and tags the log span. A session that must enrol MFA first reaches only the enrolment
//! routes.

use super::principal::Principal;
use crate::config::Ctx;
use crate::http::problem::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, header};

/// What a session that must enrol MFA first ([`Principal::must_enrol_mfa`]) may reach: who it is, MFA's
/// state, and the enrolment itself (logout, outside this layer, is open to it too). A short list of exact
/// paths, so every route added later is closed to it by default.
const ENROLMENT_ROUTES: [(Method, &str); 4] = [
    (Method::GET, "/me"),
    (Method::GET, "/me/mfa"),
    (Method::POST, "/me/mfa/enrol"),
    (Method::POST, "/me/mfa/activate"),
];

/// The 403 of every other route to such a session.
pub const MFA_ENROLMENT_REQUIRED: &str = "platform admins must enrol MFA: until it is on, this session may only \
    read /me and /me/mfa, enrol (POST /me/mfa/enrol, then POST /me/mfa/activate) and log out; then refresh the \
    session or sign in again with a code";

/// Whether `principal` may call `method path` as far as MFA enrolment goes.
fn enrolment_allows(principal: &Principal, method: &Method, path: &str) -> bool {
    !principal.must_enrol_mfa() || ENROLMENT_ROUTES.iter().any(|(m, p)| m == method && *p == path)
}

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
        Ok(principal) if !enrolment_allows(&principal, req.method(), req.uri().path()) => {
            ApiError::Forbidden(MFA_ENROLMENT_REQUIRED.into()).into_response()
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::claims::Claims;

    fn principal(mfa_enrol: bool) -> Principal {
        Principal::from_claims(Claims {
            sub: uuid::Uuid::now_v7().to_string(),
            tid: None,
            role: "platform_admin".into(),
            perms: vec![],
            sid: Some(uuid::Uuid::now_v7()),
            mfa_enrol,
            iss: "i".into(),
            aud: "a".into(),
            exp: 0,
            iat: 0,
            jti: "j".into(),
        })
        .unwrap()
    }

    #[test]
    fn a_session_that_must_enrol_reaches_the_enrolment_routes_alone() {
        let enrolling = principal(true);
        for (method, path) in [(Method::GET, "/me"), (Method::GET, "/me/mfa"), (Method::POST, "/me/mfa/enrol")] {
            assert!(enrolment_allows(&enrolling, &method, path), "{method} {path}");
        }
        assert!(enrolment_allows(&enrolling, &Method::POST, "/me/mfa/activate"));
        for (method, path) in [
            (Method::GET, "/organizations"),
            (Method::PATCH, "/me"),
            (Method::POST, "/me/password"),
            (Method::POST, "/me/mfa/disable"),
            (Method::GET, "/me/"),
            (Method::GET, "/me/mfa/../../organizations"),
        ] {
            assert!(!enrolment_allows(&enrolling, &method, path), "{method} {path}");
        }
        assert!(enrolment_allows(&principal(false), &Method::GET, "/organizations"), "a normal session");
    }
}
