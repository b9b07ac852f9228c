//! The SMS channel: SNS `Publish` straight to a phone number (no topic), reporting the segments the carrier
//! sends, counted as the content library counts a template's.

use super::{Channel, ChannelKind, Content, Outgoing, SendError, Sent, aws, e164_digits, not_a_phone};
use aws_sdk_sns::types::MessageAttributeValue;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use nudge_core::values::sms;

/// SNS refuses a message longer than this (UTF-8 bytes).
pub const MAX_BYTES: usize = 1600;

/// SNS's codes for throttling and its own failures; every other refusal (`InvalidParameter`, an opted-out
/// or unreachable number, missing permissions) is permanent.
const RETRYABLE: &[&str] = &[
    "Throttling",
    "Throttled",
    "ThrottlingException",
    "KMSThrottling",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// `AWS.SNS.SMS.SMSType`: transactional messages (what a shift reminder is) are routed for reliability,
/// promotional ones for cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmsType {
    #[default]
    Transactional,
    Promotional,
}

impl SmsType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Transactional => "Transactional",
            Self::Promotional => "Promotional",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmsChannel {
    sns: aws_sdk_sns::Client,
    sms_type: SmsType,
}

impl SmsChannel {
    pub fn new(sns: aws_sdk_sns::Client, sms_type: SmsType) -> Self {
        Self { sns, sms_type }
    }
}

/// Refuses, before SNS is asked, what SNS would refuse anyway; answers the message's segment count.
fn check(to: &str, text: &str) -> Result<u32, SendError> {
    if e164_digits(to).is_none() {
        return Err(not_a_phone());
    }
    if text.is_empty() {
        return Err(SendError::permanent("empty_message", "an SMS needs text"));
    }
    if text.len() > MAX_BYTES {
        let reason = format!("the text is {} bytes; SNS sends at most {MAX_BYTES}", text.len());
        return Err(SendError::permanent("message_too_long", reason));
    }
    // 1600 bytes are at most 1600 segments: the conversion never saturates in practice.
    Ok(u32::try_from(sms::count(text).segments).unwrap_or(u32::MAX))
}

impl Channel for SmsChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }

    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFuture<'a, Result<Sent, SendError>> {
        async move {
            let Content::Text { text, .. } = &out.content else {
                return Err(SendError::unsupported(self.kind(), &out.content));
            };
            let segments = check(&out.to, text)?;
            let sms_type = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(self.sms_type.as_str())
                .build()
                .map_err(|e| SendError::Permanent { code: None, reason: format!("SMS type attribute: {e}") })?;
            let published = self
                .sns
                .publish()
                .phone_number(&out.to)
                .message(text)
                .message_attributes("AWS.SNS.SMS.SMSType", sms_type)
                .send()
                .await
                .map_err(|e| aws::classify(e, RETRYABLE))?;
            Ok(Sent { provider_message_id: published.message_id.unwrap_or_default(), segments: Some(segments) })
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: SendError) -> Option<String> {
        match err {
            SendError::Permanent { code, .. } => code,
            other => panic!("not permanent: {other:?}"),
        }
    }

    #[test]
    fn segments_follow_the_encoding() {
        assert_eq!(check("+14155552671", "Your shift starts at 9:00."), Ok(1));
        assert_eq!(check("+14155552671", &"a".repeat(161)), Ok(2));
        // One character outside GSM 03.38 makes the whole text UCS-2: 71 of them take two segments.
        assert_eq!(check("+14155552671", &"ž".repeat(71)), Ok(2));
    }

    #[test]
    fn what_sns_would_refuse_is_refused_first() {
        assert_eq!(code(check("0038640123456", "hi").unwrap_err()).as_deref(), Some("invalid_recipient"));
        assert_eq!(code(check("+38640123456", "").unwrap_err()).as_deref(), Some("empty_message"));
        assert_eq!(check("+38640123456", &"a".repeat(MAX_BYTES)).map(|_| ()), Ok(()));
        let long = code(check("+38640123456", &"a".repeat(MAX_BYTES + 1)).unwrap_err());
        assert_eq!(long.as_deref(), Some("message_too_long"));
        // Bytes, not characters: 801 two-byte letters are 1602 bytes.
        assert!(check("+38640123456", &"ž".repeat(801)).is_err());
    }
}
