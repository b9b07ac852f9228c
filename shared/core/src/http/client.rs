//! Who is on the other end of a request: the source IP (API Gateway's, else the first X-Forwarded-For hop)
//! and the User-Agent, for sessions and the audit log.

use axum::extract::FromRequestParts;
use http::request::Parts;
use lambda_http::request::RequestContext;
use std::convert::Infallible;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn from_parts(parts: &Parts) -> Self {
        Self::read(&parts.headers, &parts.extensions)
    }

    pub fn read(headers: &http::HeaderMap, extensions: &http::Extensions) -> Self {
        let gateway_ip = match extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
            _ => None,
        };
        let forwarded = || {
            headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let user_agent =
            headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|v| v.chars().take(512).collect());
        Self { ip: gateway_ip.or_else(forwarded), user_agent }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_forwarded_hop_and_the_user_agent_are_read() {
        let (parts, _) = http::Request::builder()
            .header("x-forwarded-for", "203.0.113.7, 10.0.0.1")
            .header("user-agent", "curl/8")
            .body(())
            .unwrap()
            .into_parts();
        let info = ClientInfo::from_parts(&parts);
        assert_eq!(info.ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(info.user_agent.as_deref(), Some("curl/8"));
    }
}
