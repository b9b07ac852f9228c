//! What providers tell us after a send, parsed into one shape: [`StatusEvent`] (a message of ours moved
//! on: delivered, read, failed), plus what only WhatsApp says (a worker wrote to us, a template's
//! approval changed). Parsing is pure and tested on recorded payloads; applying the events to
//! deliveries, workers and templates is the send pipeline's (`crate::send::status`).
//!
//! - [`whatsapp`]: the Cloud API's webhook: its subscription challenge, the `X-Hub-Signature-256`
//!   check, statuses, inbound messages (with opt-out and opt-in keywords) and template status updates;
//! - [`ses`]: SES event publishing (through SNS to SQS): delivery, bounce, complaint, open, click;
//! - [`sns_sms`]: SNS SMS delivery status logs (CloudWatch Logs subscription records).

pub mod ses;
pub mod sns_sms;
pub mod whatsapp;

use chrono::{DateTime, Utc};

/// How far a message got, by the provider's word. Ordered: a delivery only moves forward, so a late or
/// repeated callback never takes it back (`Sent < Delivered < Read`; `Failed` stands alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The provider accepted it (WhatsApp's `sent`).
    Sent,
    /// It reached the recipient's device or mailbox.
    Delivered,
    /// The recipient opened it (WhatsApp's blue ticks, an SES open).
    Read,
    /// It could not be delivered (a bounce, a complaint, a carrier failure, a WhatsApp error).
    Failed { reason: String },
}

/// One provider callback about one message of ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEvent {
    /// The id the provider gave the message when it was sent (SES MessageId, SNS MessageId, wamid).
    pub provider_message_id: String,
    pub progress: Progress,
    /// When the provider says it happened.
    pub at: DateTime<Utc>,
}
