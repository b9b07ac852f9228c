//! `ETag` / `If-Match` over an item's `version`: a write with a stale `If-Match` answers 412 and changes
//! nothing.

use crate::http::problem::ApiError;
use axum::extract::FromRequestParts;
use http::{HeaderMap, HeaderValue, header, request::Parts};

/// The strong entity tag of a version.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// A JSON answer tagged with its version's `ETag`.
pub fn tagged<T: serde::Serialize>(status: http::StatusCode, body: &T, version: u64) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    response
}

/// A 201 for a created resource: its body, `ETag` and `Location`.
pub fn created<T: serde::Serialize>(body: &T, version: u64, location: &str) -> axum::response::Response {
    let mut response = tagged(http::StatusCode::CREATED, body, version);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The version a client expects, from `If-Match`. `None` when the header is absent or `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfMatch(pub Option<u64>);

impl IfMatch {
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let Some(raw) = headers.get(header::IF_MATCH) else { return Ok(Self(None)) };
        let text = raw.to_str().map_err(|_| bad())?.trim();
        if text == "*" {
            return Ok(Self(None));
        }
        // A weak tag names the same version for us: versions change on every write. A bare version (no
        // quotes) is read too: clients and tools that cannot send quotes in a header still mean it.
        let tag = text.strip_prefix("W/").unwrap_or(text);
        let bare = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(tag);
        let version = Some(bare)
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(bad)?;
        Ok(Self(Some(version)))
    }

    /// Checks the current version against the expected one.
    pub fn check(&self, current: u64) -> Result<(), ApiError> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::PreconditionFailed),
            _ => Ok(()),
        }
    }
}

fn bad() -> ApiError {
    ApiError::param("If-Match", "must be an entity tag from ETag, like \"3\"")
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Self::from_headers(&parts.headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> Result<IfMatch, ApiError> {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        IfMatch::from_headers(&h)
    }

    #[test]
    fn parses_strong_weak_and_star() {
        assert_eq!(parse("\"3\"").unwrap(), IfMatch(Some(3)));
        assert_eq!(parse("W/\"4\"").unwrap(), IfMatch(Some(4)));
        assert_eq!(parse("*").unwrap(), IfMatch(None));
        assert_eq!(parse("3").unwrap(), IfMatch(Some(3)), "a bare version is read too");
        assert!(parse("x").is_err() && parse("\"3").is_err() && parse("").is_err());
        assert_eq!(etag(7), "\"7\"");
    }

    #[test]
    fn stale_version_is_412() {
        assert!(matches!(IfMatch(Some(1)).check(2), Err(ApiError::PreconditionFailed)));
        assert!(IfMatch(Some(2)).check(2).is_ok());
        assert!(IfMatch(None).check(9).is_ok());
    }
}
