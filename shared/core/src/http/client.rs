//! Who is on the other end of a request: the source IP (API Gateway's, else the first X-Forwarded-For hop)
//! and the User-Agent, for sessions and the audit log; and [`SourceIp`], the address throttles count by.

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use lambda_http::request::RequestContext;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

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

/// The address a request came from as the platform itself saw it, for per-address throttles: API Gateway's
/// `requestContext.http.sourceIp` on AWS, else the TCP peer when the server was started with
/// `into_make_service_with_connect_info::<SocketAddr>()` (the dev server, the tests), else unknown. Never a
/// header: `X-Forwarded-For` is the client's to write (API Gateway appends to it, it does not replace it), so
/// a throttle keyed on it is dodged by changing it each request. ([`ClientInfo`] may read it: it only
/// describes.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceIp(pub Option<IpAddr>);

impl SourceIp {
    pub fn read(extensions: &http::Extensions) -> Self {
        let from_gateway = match extensions.get::<RequestContext>() {
            // API Gateway writes a well-formed address; one that does not parse counts as unknown.
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.as_deref().and_then(|ip| ip.parse().ok()),
            _ => None,
        };
        let peer = || extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Self(from_gateway.or_else(peer))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SourceIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::read(&parts.extensions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_ip_is_the_gateways_else_the_peers_never_a_header() {
        let forged =
            || http::Request::builder().header("x-forwarded-for", "198.51.100.1").body(()).unwrap().into_parts().0;
        assert_eq!(SourceIp::read(&forged().extensions), SourceIp(None), "a header alone names nobody");

        let mut peer = forged();
        peer.extensions.insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 2], 5000))));
        assert_eq!(SourceIp::read(&peer.extensions).0, Some(IpAddr::from([127, 0, 0, 2])));

        let mut gateway = peer;
        let mut ctx = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        ctx.http.source_ip = Some("203.0.113.7".into());
        gateway.extensions.insert(RequestContext::ApiGatewayV2(ctx));
        assert_eq!(SourceIp::read(&gateway.extensions).0, Some(IpAddr::from([203, 0, 113, 7])), "API Gateway's first");
    }

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
