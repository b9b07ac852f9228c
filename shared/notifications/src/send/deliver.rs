//! The delivery step: each pending delivery of a `Deliver` message is checked (the request not cancelled,
//! the recipient reachable on the channel, see [`super::recipients`]), rendered (the template or the
//! request's own text, every variable filled or refused), sent on its channel and moved to its outcome,
//! with the request's counts, in one transaction. A delivery that is no longer pending is skipped, so a
//! redelivered message sends nothing twice; a send whose provider is throttled or down leaves its delivery
//! queued and fails the message, which SQS retries with backoff (the rest of the batch already settled),
//! and on the last receive the job marks what is still queued failed.

use super::model::{
    ChannelKind, Delivery, DeliveryState, NotificationRequest, Recipient, RecipientType, RequestStatus,
};
use super::recipients::{self, Reach, UserDirectory, UserRecipient};
use super::repo;
use crate::NotificationError;
use crate::channels::{Channel, Content, Outgoing, SendError, WhatsappChannel};
use crate::inbox::{self, NewInApp};
use chrono::Utc;
use nudge_content::message_template::{self, MessageTemplate};
use nudge_core::TenantId;
use nudge_core::crypto::DataKey;
use nudge_core::store::{Store, StoreError};
use nudge_workers::Worker;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// How long a run holds a delivery it is sending (a provider call takes seconds; the function's timeout is
/// 30 s).
const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// What the delivery step sends with.
#[derive(Clone)]
pub struct Senders {
    pub email: Arc<dyn Channel>,
    pub sms: Arc<dyn Channel>,
    /// The connection pool every tenant's WhatsApp channel shares.
    pub http: reqwest::Client,
    /// Opens the secrets of a tenant's WhatsApp integration.
    pub key: DataKey,
    pub users: Arc<dyn UserDirectory>,
}

/// What a delivery comes to before it is moved.
enum Outcome {
    Sent { provider_message_id: Option<String>, segments: Option<u32> },
    Refused(String),
    Failed(String),
    Cancelled,
}

/// The rendered message of one delivery.
enum Rendered {
    Text { title: Option<String>, text: String },
    Template { name: String, parameters: Vec<String> },
}

pub(crate) struct Step<'a> {
    pub(crate) store: &'a Store,
    pub(crate) senders: &'a Senders,
}

impl Step<'_> {
    /// Sends every pending delivery of `recipients`; an error after all were tried if any provider asked
    /// to retry.
    pub(crate) async fn run(
        &self,
        tenant: &TenantId,
        request_id: Uuid,
        recipients: &[Recipient],
    ) -> Result<(), NotificationError> {
        let Some(request) = repo::get_request(self.store, tenant, request_id).await? else { return Ok(()) };
        let template = match request.template_id {
            Some(id) => message_template::load(self.store, tenant, id)
                .await
                .map_err(|e| NotificationError::Port(e.to_string()))?,
            None => None,
        };
        let whatsapp = if request.channel == ChannelKind::Whatsapp { self.whatsapp(tenant).await? } else { None };
        let workers = self.workers(tenant, recipients).await?;
        let users = self.users(tenant, recipients).await?;
        let mut retry = None;
        for recipient in recipients {
            let Some(delivery) = repo::get_delivery(self.store, tenant, request_id, recipient).await? else {
                continue;
            };
            // Held before anything is sent: a duplicate message running at the same time skips it.
            let Some(delivery) = self.claim(tenant, &delivery).await? else { continue };
            let ctx = Attempt { request: &request, template: template.as_ref(), whatsapp: whatsapp.as_ref() };
            let outcome = match (recipient.kind, &request.status) {
                (_, RequestStatus::Cancelled) => Ok(Outcome::Cancelled),
                (RecipientType::Worker, _) => match workers.get(&recipient.id) {
                    Some(worker) => self.to_worker(&ctx, &delivery, worker).await,
                    None => Ok(Outcome::Refused("the worker no longer exists".into())),
                },
                (RecipientType::User, _) => match users.get(&recipient.id) {
                    Some(user) => self.to_user(tenant, &ctx, &delivery, user).await,
                    None => Ok(Outcome::Refused("not a member of the organization".into())),
                },
            };
            match outcome {
                Ok(outcome) => self.settle(tenant, &delivery, outcome).await?,
                Err(e) => {
                    // Let the retry (SQS's backoff) take it at once, not after the lease.
                    let released = Delivery { lease_until: None, version: delivery.version + 1, ..delivery.clone() };
                    if let Err(r) = self.store.transact(repo::move_delivery(tenant, &delivery, &released)?).await {
                        tracing::warn!(delivery_id = %delivery.id, error = %r, "could not release; its lease will lapse");
                    }
                    retry = Some(e);
                }
            }
        }
        retry.map_or(Ok(()), |e| Err(NotificationError::Retry(e.to_string())))
    }

    async fn workers(
        &self,
        tenant: &TenantId,
        recipients: &[Recipient],
    ) -> Result<HashMap<Uuid, Worker>, NotificationError> {
        let ids: Vec<Uuid> = recipients.iter().filter(|r| r.kind == RecipientType::Worker).map(|r| r.id).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = nudge_workers::repo::get_many(self.store, tenant, &ids).await?;
        Ok(found.into_iter().map(|w| (w.id, w)).collect())
    }

    async fn users(
        &self,
        tenant: &TenantId,
        recipients: &[Recipient],
    ) -> Result<HashMap<Uuid, UserRecipient>, NotificationError> {
        let ids: Vec<Uuid> = recipients.iter().filter(|r| r.kind == RecipientType::User).map(|r| r.id).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = self.senders.users.members(tenant, &ids).await.map_err(NotificationError::Port)?;
        Ok(found.into_iter().map(|u| (u.id, u)).collect())
    }

    /// The tenant's WhatsApp channel, from its active `whatsapp` integration (config `phoneNumberId`,
    /// secret `accessToken`, optional `baseUrl`).
    async fn whatsapp(&self, tenant: &TenantId) -> Result<Option<WhatsappChannel>, NotificationError> {
        let found = nudge_integrations::connect::active(self.store, &self.senders.key, tenant, "whatsapp")
            .await
            .map_err(|e| NotificationError::Port(e.to_string()))?;
        Ok(found.and_then(|c| {
            let text = |name: &str| c.config.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            let base = text("baseUrl").unwrap_or_else(|| crate::channels::whatsapp::GRAPH_API.to_owned());
            Some(WhatsappChannel::new(self.senders.http.clone(), base, text("accessToken")?, text("phoneNumberId")?))
        }))
    }

    async fn to_worker(&self, ctx: &Attempt<'_>, delivery: &Delivery, worker: &Worker) -> Result<Outcome, SendError> {
        let address = match recipients::worker_reach(worker, ctx.request.channel) {
            Reach::Address(a) => a,
            Reach::Refused(why) => return Ok(Outcome::Refused(why)),
            Reach::Inbox(_) => return Ok(Outcome::Refused("workers have no in-app inbox".into())),
        };
        let values = recipients::worker_variables(worker, &ctx.request.variables);
        let language = worker.fields.contact.as_ref().map(|c| c.preferred_language.to_string());
        self.provider(ctx, delivery, address, &values, language).await
    }

    async fn to_user(
        &self,
        tenant: &TenantId,
        ctx: &Attempt<'_>,
        delivery: &Delivery,
        user: &UserRecipient,
    ) -> Result<Outcome, SendError> {
        let values = recipients::user_variables(user, &ctx.request.variables);
        match recipients::user_reach(user, ctx.request.channel) {
            Reach::Refused(why) => Ok(Outcome::Refused(why)),
            Reach::Address(address) => self.provider(ctx, delivery, address, &values, None).await,
            Reach::Inbox(user_id) => {
                let (title, message) = match render(ctx, &values) {
                    Ok(Rendered::Text { title, text }) => (title.unwrap_or_else(|| "Notification".into()), text),
                    Ok(Rendered::Template { .. }) => {
                        return Ok(Outcome::Refused("an in-app notification needs text, not a template".into()));
                    }
                    Err(why) => return Ok(Outcome::Refused(why)),
                };
                let item = NewInApp {
                    id: delivery.id,
                    kind: ctx.request.kind,
                    title,
                    message,
                    link: ctx.request.link.clone(),
                    priority: ctx.request.priority,
                    request_id: Some(ctx.request.id),
                };
                match inbox::deliver(self.store, tenant, user_id, item).await {
                    Ok(_) => Ok(Outcome::Sent { provider_message_id: None, segments: None }),
                    Err(e) => Err(SendError::Retryable(e.to_string())),
                }
            }
        }
    }

    /// Renders and sends on a provider channel.
    async fn provider(
        &self,
        ctx: &Attempt<'_>,
        delivery: &Delivery,
        to: String,
        values: &BTreeMap<String, String>,
        language: Option<String>,
    ) -> Result<Outcome, SendError> {
        let content = match render(ctx, values) {
            Ok(Rendered::Text { title, text }) => Content::Text { subject: title, text },
            Ok(Rendered::Template { name, parameters }) => {
                Content::WhatsappTemplate { name, language: language.unwrap_or_else(|| "en".into()), parameters }
            }
            Err(why) => return Ok(Outcome::Refused(why)),
        };
        let channel: &dyn Channel = match ctx.request.channel {
            ChannelKind::Email => self.senders.email.as_ref(),
            ChannelKind::Sms => self.senders.sms.as_ref(),
            ChannelKind::Whatsapp => match ctx.whatsapp {
                Some(w) => w,
                None => return Ok(Outcome::Failed("the organization has no active WhatsApp integration".into())),
            },
            ChannelKind::InApp => return Ok(Outcome::Refused("in-app notifications go to users".into())),
        };
        let out = Outgoing { delivery_id: delivery.id, to, content };
        match channel.send(&out).await {
            Ok(sent) => {
                Ok(Outcome::Sent { provider_message_id: Some(sent.provider_message_id), segments: sent.segments })
            }
            Err(SendError::Permanent { code, reason }) => Ok(Outcome::Failed(match code {
                Some(code) => format!("{code}: {reason}"),
                None => reason,
            })),
            Err(SendError::WindowClosed) => Ok(Outcome::Refused(
                "outside WhatsApp's 24-hour window free text cannot be sent; use an approved template".into(),
            )),
            Err(e @ SendError::Retryable(_)) => Err(e),
        }
    }

    /// Holds a free delivery for this run (a lease under its version): `None` if it is settled, or another
    /// run holds it or took it first.
    async fn claim(&self, tenant: &TenantId, delivery: &Delivery) -> Result<Option<Delivery>, NotificationError> {
        let now = Utc::now();
        if !delivery.is_free(now) {
            return Ok(None);
        }
        let held = delivery.claimed(now + LEASE, now);
        match self.store.transact(repo::move_delivery(tenant, delivery, &held)?).await {
            Ok(()) => Ok(Some(held)),
            Err(e) if e.is_version_conflict() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves `delivery` to `outcome`, retried against a concurrent move (which wins if it settled it).
    async fn settle(&self, tenant: &TenantId, delivery: &Delivery, outcome: Outcome) -> Result<(), NotificationError> {
        let now = Utc::now();
        let mut next = match &outcome {
            Outcome::Sent { .. } => delivery.moved(DeliveryState::Sent, None, now),
            Outcome::Refused(why) => delivery.moved(DeliveryState::Refused, Some(why.clone()), now),
            Outcome::Failed(why) => delivery.moved(DeliveryState::Failed, Some(why.clone()), now),
            Outcome::Cancelled => {
                delivery.moved(DeliveryState::Cancelled, Some("the request was cancelled".into()), now)
            }
        };
        if let Outcome::Sent { provider_message_id, segments } = outcome {
            next.provider_message_id = provider_message_id;
            next.segments = segments;
        }
        let mut tries = 0;
        loop {
            tries += 1;
            match self.store.transact(repo::move_delivery(tenant, delivery, &next)?).await {
                Ok(()) => return Ok(()),
                // Another run settled it (a duplicate message): its outcome stands.
                Err(e) if e.is_version_conflict() => return Ok(()),
                // Another delivery moved a count of the same shard at that moment.
                Err(StoreError::TransactionConflict) if tries < repo::CONFLICT_TRIES => {}
                Err(StoreError::TransactionConflict) => {
                    return Err(NotificationError::Retry("a count shard stayed busy; the delivery is retried".into()));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// What every delivery of a message shares.
struct Attempt<'a> {
    request: &'a NotificationRequest,
    template: Option<&'a MessageTemplate>,
    whatsapp: Option<&'a WhatsappChannel>,
}

/// The delivery's message: the template rendered with `values` (WhatsApp templates as their ordered
/// parameters), or the request's own title and message (which may hold placeholders too); a refusal
/// reason when a variable is missing or the template may not be used.
fn render(ctx: &Attempt<'_>, values: &BTreeMap<String, String>) -> Result<Rendered, String> {
    let channel = ctx.request.channel.as_str();
    if let Some(template_id) = ctx.request.template_id {
        let Some(template) = ctx.template else { return Err(format!("template {template_id} no longer exists")) };
        template.usable_on(channel).map_err(|e| e.to_string())?;
        if ctx.request.channel == ChannelKind::Whatsapp {
            let parameters = template.parameters(values).map_err(|e| e.to_string())?;
            return Ok(Rendered::Template { name: template.name.clone(), parameters });
        }
        let text = template.render(values).map_err(|e| e.to_string())?;
        let title = ctx.request.title.as_deref().map(|t| fill(t, values)).transpose()?;
        return Ok(Rendered::Text { title, text });
    }
    let message = ctx.request.message.as_deref().ok_or("the request has no message")?;
    let title = ctx.request.title.as_deref().map(|t| fill(t, values)).transpose()?;
    Ok(Rendered::Text { title, text: fill(message, values)? })
}

/// Inline text with placeholders filled, every one of them given.
fn fill(text: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    nudge_content::message_template::fill(text, values).map_err(|e| e.to_string())
}
