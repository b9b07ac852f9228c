//! The email channel: SES v2 `SendEmail` with simple content (text), from the stack's sender address.

use crate::NotificationError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message as SesMessage, MessageTag};

#[derive(Clone, Debug)]
pub struct EmailChannel {
    ses: aws_sdk_sesv2::Client,
    /// `EMAIL_FROM`: a verified SES identity.
    from: String,
}

/// SES refuses a tag value outside `[A-Za-z0-9_-]`; a UUID fits.
fn tag(name: &str, value: &str) -> Result<MessageTag, NotificationError> {
    MessageTag::builder().name(name).value(value).build().map_err(|e| NotificationError::Email(e.to_string()))
}

impl EmailChannel {
    pub fn new(ses: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        Self { ses, from: from.into() }
    }

    /// Sends one email; answers the provider's message id. `send_id` tags it, so SES events join back.
    pub async fn send(&self, to: &str, subject: &str, text: &str, send_id: &str) -> Result<String, NotificationError> {
        let content = |data: &str| {
            Content::builder().data(data).charset("UTF-8").build().map_err(|e| NotificationError::Email(e.to_string()))
        };
        let message =
            SesMessage::builder().subject(content(subject)?).body(Body::builder().text(content(text)?).build()).build();
        let out = self
            .ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag("send_id", send_id)?)
            .send()
            .await
            .map_err(|e| NotificationError::Email(aws_sdk_sesv2::error::DisplayErrorContext(&e).to_string()))?;
        Ok(out.message_id.unwrap_or_default())
    }
}
