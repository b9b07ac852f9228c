//! The notifications queue's one job: account emails and reset requests ([`Mailer`]), send requests'
//! fan-outs and their deliveries ([`crate::send`]), and the unread digests' tick and sends
//! ([`crate::digest`]).

use crate::NotificationError;
use crate::digest::Digester;
use crate::mailer::Mailer;
use crate::message::Message;
use crate::send::deliver::{Senders, Step};
use crate::send::fanout::{self, FanoutCursor, PER_MESSAGE};
use crate::send::model::{DeliveryState, NotificationRequest, RequestStatus};
use crate::send::repo;
use nudge_core::TenantId;
use nudge_core::clock::Clock;
use nudge_core::jobs::{Job, Outcome};
use nudge_core::queue::{Deadline, Queue};
use nudge_core::store::{Store, Write, optimistic};
use std::time::Duration;
use uuid::Uuid;

/// A fan-out continues in a new message with this much of its invocation left.
const MARGIN: Duration = Duration::from_secs(10);

pub struct NotificationJob {
    store: Store,
    queue: Queue,
    mailer: Mailer,
    senders: Senders,
    clock: Clock,
}

impl NotificationJob {
    pub fn new(store: Store, queue: Queue, mailer: Mailer, senders: Senders, clock: Clock) -> Self {
        Self { store, queue, mailer, senders, clock }
    }

    /// Pages of recipients into deliveries, each page announced in `Deliver` messages, until done or the
    /// invocation runs short.
    async fn fan_out(
        &self,
        tenant: &TenantId,
        request_id: Uuid,
        cursor: Option<&FanoutCursor>,
        deadline: Deadline,
    ) -> Result<Outcome<Message>, NotificationError> {
        let Some(request) = repo::get_request(&self.store, tenant, request_id).await? else {
            return Ok(Outcome::Settled);
        };
        if request.status == RequestStatus::Cancelled {
            return Ok(Outcome::Settled);
        }
        let mut cursor = cursor.cloned().unwrap_or_default();
        loop {
            let (pending, next) = fanout::page(&self.store, tenant, &request, cursor).await?;
            for chunk in pending.chunks(PER_MESSAGE) {
                let deliver = Message::Deliver { request_id, recipients: chunk.to_vec() };
                self.queue.send_for(tenant, &deliver).await?;
            }
            match next {
                None => {
                    self.fanned_out(tenant, request_id).await?;
                    return Ok(Outcome::Settled);
                }
                Some(next) if deadline.remaining() < MARGIN => {
                    return Ok(Outcome::Continue(Message::Fanout { request_id, cursor: Some(next) }));
                }
                Some(next) => cursor = next,
            }
        }
    }

    /// Records that every delivery exists (unless the request was cancelled meanwhile).
    async fn fanned_out(&self, tenant: &TenantId, id: Uuid) -> Result<(), NotificationError> {
        optimistic::retry(|| async {
            let Some(current) = repo::get_request(&self.store, tenant, id).await? else {
                return Ok(optimistic::Attempt::Done(()));
            };
            if !matches!(current.status, RequestStatus::Queued | RequestStatus::Scheduled) {
                return Ok(optimistic::Attempt::Done(()));
            }
            let now = self.clock.now();
            let next = NotificationRequest {
                status: RequestStatus::FannedOut,
                updated_at: now,
                version: current.version + 1,
                ..current.clone()
            };
            let written = self.store.write(Write::replace(repo::put_request(tenant, &next)?, current.version)).await;
            optimistic::settle(written.map_err(NotificationError::from), (), true)
        })
        .await
    }

    /// Deliveries still queued after the message's last receive: failed, with the reason.
    async fn fail_queued(
        &self,
        tenant: &TenantId,
        request_id: Uuid,
        recipients: &[crate::send::model::Recipient],
        reason: &str,
    ) -> Result<(), NotificationError> {
        for recipient in recipients {
            let Some(d) = repo::get_delivery(&self.store, tenant, request_id, recipient).await? else { continue };
            let now = self.clock.now();
            if d.state == DeliveryState::Queued && d.is_free(now) {
                let mut next = d.moved(DeliveryState::Failed, Some(reason.to_owned()), now);
                next.outage = true;
                match self.store.transact(repo::move_delivery(tenant, &d, &next)?).await {
                    Ok(()) => {}
                    Err(e) if e.is_version_conflict() => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

fn tenant_of(tenant: Option<TenantId>) -> Result<TenantId, NotificationError> {
    tenant.ok_or_else(|| NotificationError::Port("a send message names no tenant".into()))
}

impl Job for NotificationJob {
    const NAME: &'static str = "notification";
    type Message = Message;
    type Error = NotificationError;

    async fn run(
        &self,
        tenant: Option<TenantId>,
        message: &Message,
        deadline: Deadline,
    ) -> Result<Outcome<Message>, NotificationError> {
        match message {
            Message::Email(note) => self.mailer.deliver(note).await?,
            Message::ResetRequested { request_id, email } => self.mailer.reset(*request_id, email).await?,
            Message::Fanout { request_id, cursor } => {
                return self.fan_out(&tenant_of(tenant)?, *request_id, cursor.as_ref(), deadline).await;
            }
            Message::DigestTick => {
                let due = crate::digest::tick(&self.store, &self.queue, self.clock.now()).await?;
                tracing::info!(due, "unread digests due");
            }
            Message::Digest { user_id, due } => {
                let digester = Digester {
                    store: &self.store,
                    email: self.senders.email.as_ref(),
                    users: self.senders.users.as_ref(),
                };
                digester.send(&tenant_of(tenant)?, *user_id, *due, self.clock.now()).await?;
            }
            Message::Deliver { request_id, recipients } => {
                let step = Step { store: &self.store, senders: &self.senders, queue: &self.queue, clock: &self.clock };
                step.run(&tenant_of(tenant)?, *request_id, recipients).await?;
            }
        }
        Ok(Outcome::Settled)
    }

    /// A delivery's message that kept failing (its provider throttled or down through every retry) fails
    /// what it still had queued, with the reason, and goes on to the dead-letter queue: redriven after the
    /// outage, it sends them after all. Account emails and fan-outs are logged (their senders can ask
    /// again; the DLQ's alarm pages a human).
    async fn give_up(
        &self,
        tenant: Option<TenantId>,
        message: &Message,
        reason: String,
    ) -> Result<(), NotificationError> {
        match (message, tenant) {
            (Message::Deliver { request_id, recipients }, Some(tenant)) => {
                let why = format!("the provider kept failing: {reason}");
                self.fail_queued(&tenant, *request_id, recipients, &why).await
            }
            (Message::Email(note), _) => {
                tracing::error!(notification_id = %note.id, reason = %reason, "account email given up");
                Ok(())
            }
            (other, _) => {
                tracing::error!(message = ?std::mem::discriminant(other), reason = %reason, "notification message given up");
                Ok(())
            }
        }
    }

    fn dead_letters(&self, message: &Message) -> bool {
        matches!(message, Message::Deliver { .. })
    }

    fn continuations(&self) -> &Queue {
        &self.queue
    }

    fn store(&self) -> &Store {
        &self.store
    }
}
