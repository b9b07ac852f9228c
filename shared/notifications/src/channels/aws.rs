//! What an AWS SDK failure means for a send. The SDK has already retried what it retries itself (standard
//! mode); what still fails is classified here: no answer at all, a throttle or a 5xx is retryable later, any
//! other refusal is permanent and keeps the service's error code.

// Every AWS SDK crate re-exports these same smithy types, so one helper serves SES and SNS.
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::SendError;

/// Classifies `err`; `retryable` lists the service's codes for throttling and internal failures, which come
/// back as 4xx in some services' protocols.
pub(super) fn classify<E>(err: SdkError<E>, retryable: &[&str]) -> SendError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::ServiceError(service) => {
            by_code(service.err().code(), service.raw().status().as_u16(), retryable, detail)
        }
        // Our request could not be built: sending it again builds it the same way.
        SdkError::ConstructionFailure(_) => SendError::Permanent { code: None, reason: detail },
        // Timeouts, connection failures and unreadable answers: the provider may not have seen it.
        _ => SendError::Retryable(detail),
    }
}

fn by_code(code: Option<&str>, status: u16, retryable: &[&str], detail: String) -> SendError {
    let listed = code.is_some_and(|c| retryable.contains(&c));
    if listed || status == 429 || status >= 500 {
        SendError::Retryable(detail)
    } else {
        SendError::Permanent { code: code.map(str::to_owned), reason: detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETRYABLE: &[&str] = &["Throttling", "InternalError"];

    #[test]
    fn throttles_and_outages_retry() {
        assert!(by_code(Some("Throttling"), 400, RETRYABLE, String::new()).is_retryable());
        assert!(by_code(Some("InternalError"), 500, RETRYABLE, String::new()).is_retryable());
        assert!(by_code(None, 503, RETRYABLE, String::new()).is_retryable());
        assert!(by_code(Some("TooManyRequestsException"), 429, RETRYABLE, String::new()).is_retryable());
    }

    #[test]
    fn refusals_are_permanent_with_their_code() {
        assert_eq!(
            by_code(Some("InvalidParameter"), 400, RETRYABLE, "bad number".into()),
            SendError::Permanent { code: Some("InvalidParameter".into()), reason: "bad number".into() }
        );
        assert_eq!(
            by_code(None, 403, RETRYABLE, "denied".into()),
            SendError::Permanent { code: None, reason: "denied".into() }
        );
    }
}
