//! Notifications: what the platform says to people, and its delivery. Account emails (an invitation, a
//! password reset) and send requests to workers and users on WhatsApp, SMS, email and in-app.
//!
//! Where things live:
//! - [`message`]: what travels on the notifications queue ([`Message`]), and an email [`Notification`]
//!   whose link (with its single-use token) is sealed with the data key, so the queue, its dead-letter
//!   queue and the outbox never hold a readable token;
//! - [`notifier`]: the senders' side ([`Notifier`]): an email as an outbox entry for the writer's own
//!   transaction, a reset request as a plain message;
//! - [`send`]: send requests (`POST /notifications`), their fan-out into deliveries and the delivery step
//!   (consent, rendering, sending, outcomes with exact counts);
//! - [`channels`]: the providers behind one [`Channel`] trait: email (SES v2), SMS (SNS) and WhatsApp (the
//!   Cloud API); each answers the provider's message id or a [`SendError`] that says retry or give up;
//! - [`policy`]: the tenant's sending policy: quiet hours and a daily cap in each worker's time zone, and
//!   the send rates (`/notifications/settings`);
//! - [`providers`]: what providers report after a send (WhatsApp's webhook, SES events, SNS SMS logs),
//!   parsed into one status shape;
//! - [`inbox`]: each user's in-app notifications (`/me/notifications`): unread first, an exact unread
//!   count, and [`inbox::deliver`], through which the send pipeline puts one in an inbox, once;
//! - [`digest`]: the daily or weekly email of a user's unread low-priority notifications;
//! - [`mailer`]: account emails, each sent at most once (a delivery record claimed before the send); a reset
//!   request becomes an email through the [`ResetMails`] port (identity), so the API answers it with the
//!   same work whether or not an account has the address;
//! - [`provider_events`]: SES events (SNS → SQS) and SNS SMS delivery logs applied to deliveries;
//! - [`webhook`]: the WhatsApp Cloud API's webhook (public, signed): statuses, workers' replies with
//!   their opt-out keywords, template approvals;
//! - [`job`]: the queue's one job ([`NotificationJob`]); [`http`]: the API's router.
//!
//! Failures below the edge are [`NotificationError`] (the job framework logs and retries them) and
//! [`send::service::RequestError`] (the edge's problems, in `send::routes`).

pub mod channels;
pub mod digest;
pub mod error;
pub mod http;
pub mod inbox;
pub mod job;
pub mod mailer;
pub mod message;
pub mod notifier;
pub mod policy;
pub mod provider_events;
pub mod providers;
pub mod send;
pub mod webhook;

pub use channels::{Channel, ChannelKind, Content, Outgoing, SendError, Sent};
pub use error::NotificationError;
pub use job::NotificationJob;
pub use mailer::{Mailer, ResetMails};
pub use message::{Message, Notification, NotificationKind};
pub use notifier::Notifier;
