//! Send requests behind the API: accept (checks against the table, then one transaction of the request,
//! its dedup key and its fan-out's outbox entry), read with counts, cancel.

use super::input::SendInput;
use super::model::{NotificationRequest, RequestStatus, RequestView};
use super::recipients::UserDirectory;
use super::repo;
use crate::NotificationError;
use crate::message::Message;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::outbox::GRACE;
use nudge_core::queue::Queue;
use nudge_core::store::{Store, StoreError, optimistic};
use uuid::Uuid;

/// Why a send request is refused or cannot be found.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no such notification request")]
    NotFound,
    /// Ids that name nothing usable in the tenant, by JSON pointer.
    #[error("the request names what the organization does not have")]
    Unknown(Vec<(String, String)>),
    #[error("the request was already cancelled")]
    Cancelled,
    #[error("the request changed meanwhile")]
    VersionMoved,
    #[error(transparent)]
    Notification(#[from] NotificationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl optimistic::VersionConflict for RequestError {
    fn is_version_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_version_conflict())
    }
}

/// Accepting, reading and cancelling send requests: the API's, and any domain's that sends (journeys).
pub struct Service<'a> {
    pub store: &'a Store,
    pub queue: &'a Queue,
    pub users: &'a dyn UserDirectory,
}

/// Whether a request was made now or answered from its dedup key.
pub enum Accepted {
    New(RequestView),
    Replayed(RequestView),
}

impl Service<'_> {
    /// Names every id the tenant does not have (or a template it may not send on the channel).
    async fn check(&self, tenant: &TenantId, input: &SendInput) -> Result<(), RequestError> {
        let mut unknown = Vec::new();
        let r = &input.recipients;
        if !r.worker_ids.is_empty() {
            let found = nudge_workers::repo::get_many(self.store, tenant, &r.worker_ids).await?;
            for (i, id) in r.worker_ids.iter().enumerate() {
                if !found.iter().any(|w| w.id == *id) {
                    unknown.push((format!("/recipients/workerIds/{i}"), "names no worker of this organization".into()));
                }
            }
        }
        if !r.user_ids.is_empty() {
            let found = self.users.members(tenant, &r.user_ids).await.map_err(NotificationError::Port)?;
            for (i, id) in r.user_ids.iter().enumerate() {
                if !found.iter().any(|u| u.id == *id) {
                    unknown.push((format!("/recipients/userIds/{i}"), "names no member of this organization".into()));
                }
            }
        }
        if let Some(segment) = r.segment_id
            && !nudge_segments::repo::exists(self.store, tenant, segment).await?
        {
            unknown.push(("/recipients/segmentId".into(), "names no segment of this organization".into()));
        }
        if let Some(id) = input.template_id {
            let template = nudge_content::message_template::load(self.store, tenant, id)
                .await
                .map_err(|e| NotificationError::Port(e.to_string()))?;
            match template {
                None => unknown.push(("/templateId".into(), "names no message template of this organization".into())),
                Some(t) => {
                    if let Err(why) = t.usable_on(input.channel.as_str()) {
                        unknown.push(("/templateId".into(), why.to_string()));
                    }
                }
            }
        }
        if unknown.is_empty() { Ok(()) } else { Err(RequestError::Unknown(unknown)) }
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        input: SendInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Accepted, RequestError> {
        if let Some(key) = &input.dedup_key
            && let Some(first) = repo::deduplicated(self.store, tenant, key, now).await?
        {
            return Ok(Accepted::Replayed(self.get(tenant, first).await?));
        }
        self.check(tenant, &input).await?;
        let request = NotificationRequest {
            id: Uuid::now_v7(),
            channel: input.channel,
            kind: input.kind,
            priority: input.priority,
            recipients: input.recipients,
            template_id: input.template_id,
            title: input.title,
            message: input.message,
            link: input.link,
            variables: input.variables,
            dedup_key: input.dedup_key,
            scheduled_for: input.scheduled_for,
            status: if input.scheduled_for.is_some() { RequestStatus::Scheduled } else { RequestStatus::Queued },
            created_by: by,
            created_at: now,
            updated_at: now,
            cancelled_at: None,
            version: 1,
        };
        // A scheduled send's fan-out waits in the outbox: the sweep sends an entry once it is GRACE old, so
        // one dated GRACE before `scheduledFor` goes out at that time (within the sweep's minute).
        let posted_at = request.scheduled_for.map_or(now, |at| at - GRACE);
        let fanout = Message::Fanout { request_id: request.id, cursor: None };
        let (entry, posted) = self.queue.post_for(tenant, &fanout, posted_at).map_err(NotificationError::from)?;
        match self.store.transact(repo::create_request(tenant, &request)?.with(entry)).await {
            Ok(()) => {}
            // The same key raced in: answer the request that won.
            Err(StoreError::Condition(repo::DUPLICATE)) => {
                let key = request.dedup_key.as_deref().unwrap_or_default();
                if let Some(first) = repo::deduplicated(self.store, tenant, key, now).await? {
                    return Ok(Accepted::Replayed(self.get(tenant, first).await?));
                }
                return Err(RequestError::VersionMoved);
            }
            Err(e) => return Err(e.into()),
        }
        if request.scheduled_for.is_none() {
            posted.deliver(self.store).await;
        }
        tracing::info!(request_id = %request.id, channel = request.channel.as_str(), "notification request accepted");
        Ok(Accepted::New(RequestView { request, counts: Default::default() }))
    }

    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<RequestView, RequestError> {
        let request = repo::get_request(self.store, tenant, id).await?.ok_or(RequestError::NotFound)?;
        let counts = repo::counts(self.store, tenant, id).await?;
        Ok(RequestView { request, counts })
    }

    /// Cancels what has not been sent: the request says so at once, and each pending delivery is moved to
    /// `cancelled` as the delivery step meets it (a send already with its provider goes out).
    pub(crate) async fn cancel(
        &self,
        tenant: &TenantId,
        id: Uuid,
        if_match: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<RequestView, RequestError> {
        optimistic::retry(|| async {
            let current = repo::get_request(self.store, tenant, id).await?.ok_or(RequestError::NotFound)?;
            if if_match.is_some_and(|v| v != current.version) {
                return Err(RequestError::VersionMoved);
            }
            if current.status == RequestStatus::Cancelled {
                return Err(RequestError::Cancelled);
            }
            let next = NotificationRequest {
                status: RequestStatus::Cancelled,
                cancelled_at: Some(now),
                updated_at: now,
                version: current.version + 1,
                ..current.clone()
            };
            let written = self
                .store
                .write(nudge_core::store::Write::replace(repo::put_request(tenant, &next)?, current.version))
                .await
                .map_err(RequestError::from);
            optimistic::settle(written, next, if_match.is_none())
        })
        .await?;
        self.get(tenant, id).await
    }
}
