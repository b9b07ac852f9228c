//! The delivery step: each pending delivery of a `Deliver` message is checked (the request not cancelled,
//! the recipient reachable on the channel, see [`super::recipients`]), rendered (the template or the
//! request's own text, every variable filled or refused), held to the tenant's policy (a worker's quiet
//! hours defer it, the daily cap refuses it, WhatsApp free text needs an open window: see
//! [`crate::policy`]), paced to the channel's send rate, sent and moved to its outcome, with the request's
//! counts, in one transaction. Deferred deliveries are released by an outbox entry dated when the quiet
//! hours end, written before they are moved (a crash between the two sends them at that time anyway). A delivery that is no longer pending is skipped, so a
//! redelivered message sends nothing twice; a send whose provider is throttled or down leaves its delivery
//! queued and fails the message, which SQS retries with backoff (the rest of the batch already settled),
//! and on the last receive the job marks what is still queued failed.

use super::model::{
    ChannelKind, Delivery, DeliveryState, NotificationRequest, Recipient, RecipientType, RequestStatus,
};
use super::recipients::{self, Reach, UserDirectory, UserRecipient};
use super::{repo, status, window};
use crate::NotificationError;
use crate::channels::{Channel, Content, Outgoing, SendError, WhatsappChannel};
use crate::inbox::{self, NewInApp, NotificationPriority};
use crate::message::Message;
use crate::policy::pace::{self, Scope};
use crate::policy::quiet::local_day;
use crate::policy::{NotificationSettings, cap, settings};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use nudge_content::message_template::{self, MessageTemplate};
use nudge_core::TenantId;
use nudge_core::clock::Clock;
use nudge_core::crypto::DataKey;
use nudge_core::outbox::GRACE;
use nudge_core::queue::Queue;
use nudge_core::store::{Store, StoreError, Tx};
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
    /// Emails and texts a second the platform's SES and SNS accounts take (every tenant together).
    pub email_per_second: u32,
    pub sms_per_second: u32,
}

/// What a delivery comes to before it is moved.
enum Outcome {
    Sent {
        provider_message_id: Option<String>,
        segments: Option<u32>,
    },
    /// Inside the worker's quiet hours: sent when they end.
    Deferred {
        until: DateTime<Utc>,
        reason: String,
    },
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
    /// Where deferred deliveries' release messages go (through the outbox).
    pub(crate) queue: &'a Queue,
    pub(crate) clock: &'a Clock,
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
        let policy = Policy::load(self.store, tenant).await?;
        let windows = if request.channel == ChannelKind::Whatsapp && request.template_id.is_none() {
            window::last_inbound(self.store, tenant, &workers.keys().copied().collect::<Vec<_>>()).await?
        } else {
            HashMap::new()
        };
        let ctx = Attempt {
            tenant,
            request: &request,
            template: template.as_ref(),
            whatsapp: whatsapp.as_ref(),
            policy: &policy,
            windows: &windows,
        };
        let mut retry = None;
        let mut deferred: BTreeMap<DateTime<Utc>, Vec<(Delivery, Delivery, String)>> = BTreeMap::new();
        let mut stored = repo::get_deliveries(self.store, tenant, request_id, recipients).await?;
        for recipient in recipients {
            let Some(found) = stored.remove(recipient) else { continue };
            // Held before anything is sent: a duplicate message running at the same time skips it.
            let Some(mut delivery) = self.claim(tenant, &found).await? else { continue };
            let outcome = match (recipient.kind, &request.status) {
                (_, RequestStatus::Cancelled) => Ok(Outcome::Cancelled),
                (RecipientType::Worker, _) => match workers.get(&recipient.id) {
                    Some(worker) => self.to_worker(&ctx, &mut delivery, worker).await,
                    None => Ok(Outcome::Refused("the worker no longer exists".into())),
                },
                (RecipientType::User, _) => match users.get(&recipient.id) {
                    Some(user) => self.to_user(&ctx, &delivery, user).await,
                    None => Ok(Outcome::Refused("not a member of the organization".into())),
                },
            };
            match outcome {
                // Settled together after the loop, once their release is in the outbox.
                Ok(Outcome::Deferred { until, reason }) => {
                    deferred.entry(until).or_default().push((found, delivery, reason))
                }
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
        for (until, group) in deferred {
            self.defer(tenant, request_id, until, group).await?;
        }
        retry.map_or(Ok(()), |e| Err(NotificationError::Retry(e.to_string())))
    }

    /// Releases `group` at `until` (an outbox entry, unless each was already waiting for that very time and
    /// so has one), then moves each to `deferred`.
    async fn defer(
        &self,
        tenant: &TenantId,
        request_id: Uuid,
        until: DateTime<Utc>,
        group: Vec<(Delivery, Delivery, String)>,
    ) -> Result<(), NotificationError> {
        if group.iter().any(|(found, _, _)| found.deferred_until != Some(until)) {
            let release =
                Message::Deliver { request_id, recipients: group.iter().map(|(_, d, _)| d.recipient).collect() };
            // The sweep sends an entry once it is GRACE old: dated GRACE early, it goes out at `until`.
            let (entry, _posted) = self.queue.post_for(tenant, &release, until - GRACE)?;
            self.store.write(entry).await?;
        }
        for (_, delivery, reason) in group {
            self.settle(tenant, &delivery, Outcome::Deferred { until, reason }).await?;
        }
        Ok(())
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

    async fn to_worker(
        &self,
        ctx: &Attempt<'_>,
        delivery: &mut Delivery,
        worker: &Worker,
    ) -> Result<Outcome, SendError> {
        let address = match recipients::worker_reach(worker, ctx.request.channel) {
            Reach::Address(a) => a,
            Reach::Refused(why) => return Ok(Outcome::Refused(why)),
            Reach::Inbox(_) => return Ok(Outcome::Refused("workers have no in-app inbox".into())),
        };
        let values = recipients::worker_variables(worker, &ctx.request.variables);
        let contact = worker.fields.contact.as_ref();
        let language = contact.map(|c| c.preferred_language.to_string());
        let content = match content(ctx, &values, language) {
            Ok(content) => content,
            Err(why) => return Ok(Outcome::Refused(why)),
        };
        let now = self.clock.now();
        if ctx.request.channel == ChannelKind::Whatsapp
            && matches!(content, Content::Text { .. })
            && !window::is_open(ctx.windows.get(&worker.id).copied(), now)
        {
            return Ok(Outcome::Refused(
                "outside WhatsApp's 24-hour window (no message from the worker in the last 24 hours) free text cannot be sent; use an approved template".into(),
            ));
        }
        if ctx.request.priority != NotificationPriority::High {
            let zone = contact.and_then(|c| c.time_zone.as_ref()).map_or(ctx.policy.zone, |z| z.tz());
            if let Some(quiet) = ctx.policy.settings.quiet_hours
                && let Some(until) = quiet.ends_after(now, zone)
            {
                let local = until.with_timezone(&zone).format("%H:%M");
                return Ok(Outcome::Deferred { until, reason: format!("quiet hours until {local} {zone}") });
            }
            if let Some(limit) = ctx.policy.settings.daily_cap {
                let day = local_day(now, zone);
                match self.count(ctx.tenant, delivery, day, limit).await {
                    Ok(true) => {}
                    Ok(false) => {
                        return Ok(Outcome::Refused(format!("the daily cap of {limit} messages is reached for {day}")));
                    }
                    Err(e) => return Err(SendError::Retryable(e.to_string())),
                }
            }
        }
        self.provider(ctx, delivery, address, content).await
    }

    /// Counts the delivery's send against the worker's cap for `day` (once: a retried send was counted
    /// already), with the delivery marked in the same transaction; `false` when the cap is reached.
    async fn count(
        &self,
        tenant: &TenantId,
        delivery: &mut Delivery,
        day: NaiveDate,
        limit: u32,
    ) -> Result<bool, StoreError> {
        if delivery.counted_on == Some(day) {
            return Ok(true);
        }
        let mut next = delivery.clone();
        next.counted_on = Some(day);
        next.version += 1;
        let tx: Tx = repo::move_delivery(tenant, delivery, &next)?.with(cap::count_one(
            tenant,
            delivery.recipient.id,
            day,
            limit,
        )?);
        match self.store.transact(tx).await {
            Ok(()) => {
                *delivery = next;
                Ok(true)
            }
            Err(StoreError::Condition(cap::CAPPED)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn to_user(
        &self,
        ctx: &Attempt<'_>,
        delivery: &Delivery,
        user: &UserRecipient,
    ) -> Result<Outcome, SendError> {
        let values = recipients::user_variables(user, &ctx.request.variables);
        match recipients::user_reach(user, ctx.request.channel, ctx.request.kind, &ctx.policy.settings.type_defaults) {
            Reach::Refused(why) => Ok(Outcome::Refused(why)),
            Reach::Address(address) => match content(ctx, &values, None) {
                Ok(content) => self.provider(ctx, delivery, address, content).await,
                Err(why) => Ok(Outcome::Refused(why)),
            },
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
                let priority = item.priority;
                if let Err(e) = inbox::deliver(self.store, ctx.tenant, user_id, item).await {
                    return Err(SendError::Retryable(e.to_string()));
                }
                // A low-priority one also waits for the user's digest, when they chose one.
                if let (NotificationPriority::Low, Some(frequency)) = (priority, user.digest) {
                    let zone = user.time_zone.as_ref().map_or(ctx.policy.zone, |z| z.tz());
                    let due = crate::digest::due_after(self.clock.now(), zone, frequency);
                    let marker = crate::digest::due(ctx.tenant, user_id, due)
                        .map_err(|e| SendError::Retryable(e.to_string()))?;
                    self.store.write(marker).await.map_err(|e| SendError::Retryable(e.to_string()))?;
                }
                Ok(Outcome::Sent { provider_message_id: None, segments: None })
            }
        }
    }

    /// Sends rendered `content` on the request's provider channel, paced to its send rate.
    async fn provider(
        &self,
        ctx: &Attempt<'_>,
        delivery: &Delivery,
        to: String,
        content: Content,
    ) -> Result<Outcome, SendError> {
        let channel: &dyn Channel = match ctx.request.channel {
            ChannelKind::Email => self.senders.email.as_ref(),
            ChannelKind::Sms => self.senders.sms.as_ref(),
            ChannelKind::Whatsapp => match ctx.whatsapp {
                Some(w) => w,
                None => return Ok(Outcome::Failed("the organization has no active WhatsApp integration".into())),
            },
            ChannelKind::InApp => return Ok(Outcome::Refused("in-app notifications go to users".into())),
        };
        let (scope, per_second) = match ctx.request.channel {
            ChannelKind::Whatsapp => (Scope::Tenant(ctx.tenant, "whatsapp"), ctx.policy.settings.whatsapp_per_second),
            ChannelKind::Email => (Scope::Platform("email"), self.senders.email_per_second),
            _ => (Scope::Platform("sms"), self.senders.sms_per_second),
        };
        pace::take(self.store, &scope, per_second).await.map_err(|e| SendError::Retryable(e.to_string()))?;
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
        let now = self.clock.now();
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
        let now = self.clock.now();
        let mut next = match &outcome {
            Outcome::Sent { .. } => delivery.moved(DeliveryState::Sent, None, now),
            Outcome::Deferred { until, reason } => delivery.deferred(*until, reason.clone(), now),
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
            let mut tx = repo::move_delivery(tenant, delivery, &next)?;
            // With the provider's id, so its status callbacks find the delivery.
            if let Some(id) = &next.provider_message_id {
                tx.push(status::sent_as(tenant, &next, id, now)?);
            }
            match self.store.transact(tx).await {
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
    tenant: &'a TenantId,
    request: &'a NotificationRequest,
    template: Option<&'a MessageTemplate>,
    whatsapp: Option<&'a WhatsappChannel>,
    policy: &'a Policy,
    /// Workers' last inbound WhatsApp message, for free-form WhatsApp text.
    windows: &'a HashMap<Uuid, DateTime<Utc>>,
}

/// The tenant's sending policy and the time zone of workers who name none.
struct Policy {
    settings: NotificationSettings,
    zone: Tz,
}

impl Policy {
    async fn load(store: &Store, tenant: &TenantId) -> Result<Self, NotificationError> {
        let settings = settings::load(store, tenant).await?;
        let org = nudge_organizations::service::find(store, tenant)
            .await
            .map_err(|e| NotificationError::Port(e.to_string()))?;
        let zone = org.map_or(Tz::UTC, |o| o.fields.time_zone.tz());
        Ok(Self { settings, zone })
    }
}

/// The provider content of a delivery: text, or an approved WhatsApp template with its parameters in
/// order (in `language`, default `en`); a refusal reason when it cannot be rendered.
fn content(ctx: &Attempt<'_>, values: &BTreeMap<String, String>, language: Option<String>) -> Result<Content, String> {
    Ok(match render(ctx, values)? {
        Rendered::Text { title, text } => Content::Text { subject: title, text },
        Rendered::Template { name, parameters } => {
            Content::WhatsappTemplate { name, language: language.unwrap_or_else(|| "en".into()), parameters }
        }
    })
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
