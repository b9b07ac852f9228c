//! The email channel: SES v2 `SendEmail` with simple content (text), from the stack's sender address.

use super::{Channel, ChannelKind, Content, Outgoing, SendError, Sent, aws};
use crate::NotificationError;
use aws_sdk_sesv2::types::{Body, Content as SesContent, Destination, EmailContent, Message as SesMessage, MessageTag};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// SES v2's codes for throttling and its own failures; every other refusal (`MessageRejected`, a
/// `BadRequestException` for an invalid address, an unverified sender) is permanent.
const RETRYABLE: &[&str] = &[
    "TooManyRequestsException",
    "LimitExceededException",
    "ThrottlingException",
    "Throttling",
    "InternalFailure",
    "ServiceUnavailable",
];

#[derive(Clone, Debug)]
pub struct EmailChannel {
    ses: aws_sdk_sesv2::Client,
    /// `EMAIL_FROM`: a verified SES identity.
    from: String,
    /// `EMAIL_CONFIGURATION_SET`: publishes each email's delivery, bounce, complaint and open events (to
    /// the provider-events queue); none locally, where SES publishes no events.
    configuration_set: Option<String>,
}

/// SES refuses a tag value outside `[A-Za-z0-9_-]`; a UUID fits.
fn tag(name: &str, value: &str) -> Result<MessageTag, SendError> {
    MessageTag::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|e| SendError::Permanent { code: None, reason: format!("email tag {name}: {e}") })
}

fn content(data: &str) -> Result<SesContent, SendError> {
    SesContent::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| SendError::Permanent { code: None, reason: format!("email content: {e}") })
}

impl EmailChannel {
    pub fn new(ses: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        Self { ses, from: from.into(), configuration_set: None }
    }

    /// Sends every email with `set` (its events published), when there is one.
    pub fn with_configuration_set(mut self, set: Option<String>) -> Self {
        self.configuration_set = set;
        self
    }

    /// Sends one email; answers the provider's message id. `send_id` tags it, so SES events join back.
    pub async fn send(&self, to: &str, subject: &str, text: &str, send_id: &str) -> Result<String, NotificationError> {
        self.send_email(to, subject, text, send_id).await.map_err(|e| NotificationError::Email(e.to_string()))
    }

    async fn send_email(&self, to: &str, subject: &str, text: &str, send_id: &str) -> Result<String, SendError> {
        let message =
            SesMessage::builder().subject(content(subject)?).body(Body::builder().text(content(text)?).build()).build();
        let out = self
            .ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag("send_id", send_id)?)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|e| aws::classify(e, RETRYABLE))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

impl Channel for EmailChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }

    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFuture<'a, Result<Sent, SendError>> {
        async move {
            let Content::Text { subject, text } = &out.content else {
                return Err(SendError::unsupported(self.kind(), &out.content));
            };
            let Some(subject) = subject else {
                return Err(SendError::permanent("missing_subject", "an email needs a subject"));
            };
            let id = self.send_email(&out.to, subject, text, &out.delivery_id.to_string()).await?;
            Ok(Sent { provider_message_id: id, segments: None })
        }
        .boxed()
    }
}
