//! RFC 9457 `application/problem+json` errors. Every handler returns [`ApiError`]; bad input names every bad
//! field (a JSON pointer into the body, or a query/header parameter) and never answers 500.

use crate::store::StoreError;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One bad field: `pointer` is an RFC 6901 pointer into the JSON body, `parameter` names a query parameter
/// or header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn body(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { pointer: Some(pointer.into()), parameter: None, message: message.into() }
    }

    pub fn param(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self { pointer: None, parameter: Some(name.into()), message: message.into() }
    }
}

/// The problem document, as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request breaks its documented schema (a type, a length, a pattern, a missing or unknown field).
    #[error("the request is invalid")]
    Invalid(Vec<FieldError>),
    /// The request fits its schema but breaks a rule the schema cannot state: it names something that does
    /// not exist, or two fields disagree.
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error("authentication required: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String, Vec<FieldError>),
    #[error("precondition failed: the resource has changed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// Unexpected failure. The message is logged with its context and never sent to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The fields a 400 or 422 names (pointers, else parameters), in order; none for any other problem.
    pub fn pointers(&self) -> Vec<String> {
        match self {
            Self::Invalid(errors) | Self::Rejected(errors) => {
                errors.iter().map(|e| e.pointer.clone().or_else(|| e.parameter.clone()).unwrap_or_default()).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl ApiError {
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::Invalid(errors)
    }

    pub fn field(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::body(pointer, message)])
    }

    pub fn param(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::param(name, message)])
    }

    /// A well-formed field that breaks a rule (422): an id naming nothing, fields that disagree.
    pub fn rule(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Rejected(vec![FieldError::body(pointer, message)])
    }

    /// Errors of a read: any schema error makes it a 400 naming all of them; rule errors alone are a 422.
    pub fn of_read(invalid: Vec<FieldError>, rejected: Vec<FieldError>) -> Result<(), Self> {
        match (invalid.is_empty(), rejected.is_empty()) {
            (true, true) => Ok(()),
            (true, false) => Err(Self::Rejected(rejected)),
            (false, _) => Err(Self::Invalid(invalid.into_iter().chain(rejected).collect())),
        }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        Self::Internal(context.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(..) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, detail, errors) = match self {
            Self::Invalid(errors) => {
                ("invalid-request", "One or more fields are invalid; see errors.".to_owned(), errors.clone())
            }
            Self::Rejected(errors) => (
                "rule-violated",
                "The request is well-formed but breaks a rule; see errors.".to_owned(),
                errors.clone(),
            ),
            Self::Unauthorized(why) => ("unauthorized", (*why).to_owned(), vec![]),
            Self::Forbidden(why) => ("forbidden", why.clone(), vec![]),
            Self::NotFound => ("not-found", "No such resource.".to_owned(), vec![]),
            Self::Conflict(why, errors) => ("conflict", why.clone(), errors.clone()),
            Self::PreconditionFailed => (
                "precondition-failed",
                "The resource changed since the ETag given in If-Match; fetch it again.".to_owned(),
                vec![],
            ),
            Self::PayloadTooLarge => ("payload-too-large", "The request body is too large.".to_owned(), vec![]),
            Self::UnsupportedMediaType(why) => ("unsupported-media-type", why.clone(), vec![]),
            Self::Unprocessable(why) => ("unprocessable", why.clone(), vec![]),
            Self::TooManyRequests { retry_after_secs } => {
                ("too-many-requests", format!("Retry after {retry_after_secs} seconds."), vec![])
            }
            Self::Internal(_) => ("internal", "An unexpected error occurred.".to_owned(), vec![]),
        };
        Problem {
            kind: format!("https://nudge.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(context) = &self {
            tracing::error!(error = %context, "request failed");
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Store errors the domain did not turn into its own: a moved version is a 412, an existing item a 409, a
/// foreign cursor a 400, the rest 500.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            e if e.is_version_conflict() => ApiError::PreconditionFailed,
            StoreError::Condition(label) => ApiError::Conflict(format!("{label} already exists"), vec![]),
            StoreError::TransactionConflict => {
                ApiError::Conflict("a concurrent request changed the same data; retry".into(), vec![])
            }
            StoreError::Cursor => {
                ApiError::param("cursor", "is not a cursor issued for this list; start again without it")
            }
            StoreError::Contended => ApiError::Conflict("the resource is changing too fast; retry".into(), vec![]),
            other => ApiError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_names_each_field() {
        let err = ApiError::invalid(vec![
            FieldError::body("/name", "is required"),
            FieldError::param("limit", "must be between 1 and 100"),
        ]);
        let json = serde_json::to_value(err.problem()).unwrap();
        assert_eq!(json["status"], 400);
        assert_eq!(json["errors"][0]["pointer"], "/name");
        assert_eq!(json["errors"][1]["parameter"], "limit");
        assert!(json["errors"][1].get("pointer").is_none());
    }

    #[test]
    fn schema_errors_outrank_rule_errors() {
        let rule = || vec![FieldError::body("/supervisorId", "is not a worker of this organization")];
        let Err(ApiError::Rejected(errors)) = ApiError::of_read(vec![], rule()) else { panic!("not a 422") };
        assert_eq!(errors.len(), 1);
        let Err(err) = ApiError::of_read(vec![FieldError::body("/name", "is required")], rule()) else {
            panic!("accepted")
        };
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.problem().errors.len(), 2);
        assert!(ApiError::of_read(vec![], vec![]).is_ok());
    }

    #[test]
    fn internal_detail_is_not_leaked() {
        let problem = ApiError::internal("dynamodb: secret table name").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("dynamodb"));
    }
}
