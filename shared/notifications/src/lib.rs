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
//! - [`email`]: the SES v2 channel;
//! - [`mailer`]: the notifications function's job ([`Mailer`]): opens the link, renders, sends each email
//!   at most once (a delivery record claimed before the send), and asks the [`ResetMails`] port (identity)
//!   to turn a reset request into an email, so the API answers a reset request with the same work whether
//!   or not an account has the address.
//!
//! No HTTP edge yet; failures are [`NotificationError`], which the job framework logs and retries.

pub mod email;
pub mod error;
pub mod mailer;
pub mod message;
pub mod notifier;

pub use error::NotificationError;
pub use mailer::{Mailer, ResetMails};
pub use message::{Message, Notification, NotificationKind};
pub use notifier::Notifier;
