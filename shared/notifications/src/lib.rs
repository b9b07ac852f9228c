//! Notifications: what the platform says to people, and its delivery. Today: the account emails (an
//! invitation, a password reset), delivered by the notifications function through SES v2. The wider
//! product voice (WhatsApp, SMS, in-app, consent, quiet hours) builds on the same message and job.
//!
//! Where things live:
//! - [`message`]: what travels on the notifications queue ([`Message`]), and an email [`Notification`]
//!   whose link (with its single-use token) is sealed with the data key, so the queue, its dead-letter
//!   queue and the outbox never hold a readable token;
//! - [`notifier`]: the senders' side ([`Notifier`]): an email as an outbox entry for the writer's own
//!   transaction, a reset request as a plain message;
//! - [`channels`]: the providers behind one [`Channel`] trait: email (SES v2), SMS (SNS) and WhatsApp (the
//!   Cloud API); each answers the provider's message id or a [`SendError`] that says retry or give up;
//! - [`inbox`]: each user's in-app notifications (`/me/notifications`): unread first, an exact unread
//!   count, and [`inbox::deliver`], through which the send pipeline puts one in an inbox, once;
//! - [`mailer`]: the notifications function's job ([`Mailer`]): opens the link, renders, sends each email
//!   at most once (a delivery record claimed before the send), and asks the [`ResetMails`] port (identity)
//!   to turn a reset request into an email, so the API answers a reset request with the same work whether
//!   or not an account has the address.
//!
//! No HTTP edge yet; failures are [`NotificationError`], which the job framework logs and retries.

pub mod channels;
pub mod error;
pub mod http;
pub mod inbox;
pub mod job;
pub mod mailer;
pub mod message;
pub mod notifier;
pub mod send;

pub use channels::{Channel, ChannelKind, Content, Outgoing, SendError, Sent};
pub use error::NotificationError;
pub use job::NotificationJob;
pub use mailer::{Mailer, ResetMails};
pub use message::{Message, Notification, NotificationKind};
pub use notifier::Notifier;
