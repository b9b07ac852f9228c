//! One message to one worker or user that another domain's own transaction makes (a journey's touchpoint,
//! a learner's deadline reminder): the
//! request, already fanned out, its one delivery and the outbox entry of its `Deliver` message, as writes
//! for the caller's transaction. So the caller's state change and the send happen together or not at all,
//! and the send goes through the same delivery step as every other (consent, quiet hours, the daily cap,
//! WhatsApp's window, send rates).
//!
//! The caller names the request's id, derived from what makes the send happen once (a journey: enrolment
//! and touchpoint): a redone step finds the request there and the transaction fails instead of sending
//! twice.
//!
//! [`to_users`] is the same for a message to many users at once (a suggestion's voters): queued requests
//! and the outbox entries of their fan-outs, two writes per [`USERS_PER_REQUEST`] users, so the caller's
//! transaction stays small however many are told; the fan-out makes one delivery per user.

use super::model::{
    ChannelKind, Delivery, Link, NotificationPriority, NotificationRequest, NotificationType, Recipient, RecipientType,
    Recipients, RequestStatus,
};
use super::repo;
use crate::NotificationError;
use crate::message::Message;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::outbox::Posted;
use nudge_core::queue::Queue;
use nudge_core::store::Tx;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The condition a caller's transaction fails with when the send's request exists already: it was sent.
pub use super::repo::REQUEST_EXISTS as SENT_BEFORE;

/// What a domain sends to one worker or user.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectSend {
    /// The request's id: the same for every try of the same send.
    pub request_id: Uuid,
    /// A worker, or a user (whose in-app inbox is [`ChannelKind::InApp`]).
    pub to: Recipient,
    pub channel: ChannelKind,
    pub kind: NotificationType,
    pub priority: NotificationPriority,
    /// An approved template for the channel (WhatsApp outside the 24-hour window needs one).
    pub template_id: Option<Uuid>,
    pub title: Option<String>,
    /// The text when no template is named.
    pub message: Option<String>,
    pub variables: BTreeMap<String, String>,
}

/// The writes of `send` for the caller's transaction, and the message to deliver once it committed.
pub fn direct(
    tenant: &TenantId,
    queue: &Queue,
    send: DirectSend,
    now: DateTime<Utc>,
) -> Result<(Tx, Posted), NotificationError> {
    let recipient = send.to;
    let recipients = match recipient.kind {
        RecipientType::Worker => Recipients { worker_ids: vec![recipient.id], ..Recipients::default() },
        RecipientType::User => Recipients { user_ids: vec![recipient.id], ..Recipients::default() },
    };
    let request = NotificationRequest {
        id: send.request_id,
        channel: send.channel,
        kind: send.kind,
        priority: send.priority,
        recipients,
        template_id: send.template_id,
        title: send.title,
        message: send.message,
        link: None,
        variables: send.variables,
        dedup_key: None,
        scheduled_for: None,
        status: RequestStatus::FannedOut,
        created_by: None,
        created_at: now,
        updated_at: now,
        cancelled_at: None,
        version: 1,
    };
    let delivery = Delivery::new(request.id, request.channel, recipient, now);
    let deliver = Message::Deliver { request_id: request.id, recipients: vec![recipient] };
    let (entry, posted) = queue.post_for(tenant, &deliver, now)?;
    let mut tx = repo::create_request(tenant, &request)?;
    tx.extend(repo::create_delivery(tenant, &delivery)?);
    tx.push(entry);
    Ok((tx, posted))
}

/// Users one request of [`to_users`] names at most: its item stays far below DynamoDB's 400 KB.
pub const USERS_PER_REQUEST: usize = 1000;

/// What a domain tells several users at once.
#[derive(Clone, Debug, PartialEq)]
pub struct UsersSend {
    /// The first request's id (the same for every try of the same send); the requests of further users
    /// (past [`USERS_PER_REQUEST`]) have ids derived from it.
    pub request_id: Uuid,
    /// Each user is told once, however often named.
    pub user_ids: Vec<Uuid>,
    pub channel: ChannelKind,
    pub kind: NotificationType,
    pub priority: NotificationPriority,
    pub title: Option<String>,
    pub message: Option<String>,
    pub link: Option<Link>,
}

/// The writes of `send` for the caller's transaction (each request, queued, and its fan-out's outbox
/// entry), and the messages to deliver once it committed. A request made before fails the transaction
/// as [`SENT_BEFORE`]. No users: no writes.
pub fn to_users(
    tenant: &TenantId,
    queue: &Queue,
    send: UsersSend,
    now: DateTime<Utc>,
) -> Result<(Tx, Vec<Posted>), NotificationError> {
    let mut users = send.user_ids.clone();
    let mut seen = std::collections::HashSet::with_capacity(users.len());
    users.retain(|u| seen.insert(*u));
    let mut tx = Tx::new();
    let mut posted = Vec::new();
    for (i, chunk) in users.chunks(USERS_PER_REQUEST).enumerate() {
        let id = if i == 0 { send.request_id } else { Uuid::new_v5(&send.request_id, &(i as u64).to_be_bytes()) };
        let request = NotificationRequest {
            id,
            channel: send.channel,
            kind: send.kind,
            priority: send.priority,
            recipients: Recipients { user_ids: chunk.to_vec(), ..Recipients::default() },
            template_id: None,
            title: send.title.clone(),
            message: send.message.clone(),
            link: send.link.clone(),
            variables: BTreeMap::new(),
            dedup_key: None,
            scheduled_for: None,
            status: RequestStatus::Queued,
            created_by: None,
            created_at: now,
            updated_at: now,
            cancelled_at: None,
            version: 1,
        };
        let (entry, p) = queue.post_for(tenant, &Message::Fanout { request_id: id, cursor: None }, now)?;
        tx.extend(repo::create_request(tenant, &request)?);
        tx.push(entry);
        posted.push(p);
    }
    Ok((tx, posted))
}
