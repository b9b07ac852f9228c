//! Live events applied. Knows no HTTP.

use super::{
    LiveEvent, LiveEventDraft, LiveEventStatus, MAX_GROUPS, REMINDER_LEAD, event_key, events_partition, group_link_key,
};
use crate::schedule::Subject;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Put, Query, Store, StoreError, Tx, Write, decode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum LiveEventError {
    #[error("not found")]
    NotFound,
    #[error("it changed meanwhile")]
    VersionMoved,
    #[error("{0}")]
    Conflict(String),
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::groups::GroupError> for LiveEventError {
    fn from(e: crate::groups::GroupError) -> Self {
        match e {
            crate::groups::GroupError::Store(e) => Self::Store(e),
            other => Self::Conflict(other.to_string()),
        }
    }
}

/// A group's link to an event (LiveEventGroup).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Link {
    event_id: Uuid,
}

pub struct LiveEvents<'a> {
    pub store: &'a Store,
}

impl LiveEvents<'_> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<LiveEvent, LiveEventError> {
        self.store.get(&event_key(tenant, id)).await?.ok_or(LiveEventError::NotFound)
    }

    /// Every event of the organization, soonest first.
    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<LiveEvent>, LiveEventError> {
        let mut all: Vec<LiveEvent> = self.store.all(&Query::partition(events_partition(tenant))).await?;
        all.sort_by_key(|e| (e.starts_at, e.id));
        Ok(all)
    }

    /// The events of `user`'s groups not yet over at `now` (cancelled ones too, marked), soonest first.
    pub async fn of_learner(
        &self,
        tenant: &TenantId,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<LiveEvent>, LiveEventError> {
        let groups = crate::groups::Groups { store: self.store }.groups_of(tenant, user).await?;
        let mut ids = BTreeSet::new();
        for g in groups {
            let query = Query {
                sort_prefix: Some("EVENT#".into()),
                ..Query::partition(crate::groups::group_partition(tenant, g))
            };
            let links: Vec<Link> = self.store.all(&query).await?;
            ids.extend(links.into_iter().map(|l| l.event_id));
        }
        let keys: Vec<_> = ids.iter().map(|id| event_key(tenant, *id)).collect();
        let mut events: Vec<LiveEvent> =
            self.store.batch_get(&keys).await?.into_iter().map(decode).collect::<Result<_, _>>()?;
        events.retain(|e| e.ends_at() > now);
        events.sort_by_key(|e| (e.starts_at, e.id));
        Ok(events)
    }

    /// Refuses references that are not the organization's: the host, the groups (each named).
    async fn check_refs(&self, tenant: &TenantId, e: &LiveEvent, now: DateTime<Utc>) -> Result<(), LiveEventError> {
        let mut errors = Vec::new();
        if nudge_identity::members_among(self.store, tenant, &[e.host_id]).await?.is_empty() {
            errors.push(FieldError::body("/hostId", "names no user of this organization"));
        }
        let groups = crate::groups::Groups { store: self.store };
        for (i, g) in e.group_ids.iter().enumerate() {
            match groups.get(tenant, *g).await {
                Ok(_) => {}
                Err(crate::groups::GroupError::NotFound) => {
                    errors.push(FieldError::body(format!("/groupIds/{i}"), "names no group of this organization"))
                }
                Err(other) => return Err(other.into()),
            }
        }
        if e.starts_at <= now {
            errors.push(FieldError::body("/startsAt", "must be in the future"));
        }
        if errors.is_empty() { Ok(()) } else { Err(LiveEventError::Rejected(errors)) }
    }

    /// The timers that tell the members: the announcement now, the reminder a day before the start.
    fn timers(tenant: &TenantId, e: &LiveEvent, now: DateTime<Utc>) -> Result<Vec<Write>, StoreError> {
        let subject = Subject::LiveEvent(e.id);
        let mut out = vec![subject.at(tenant, now)?];
        let remind = e.starts_at - REMINDER_LEAD;
        if remind > now {
            out.push(subject.at(tenant, remind)?);
        }
        Ok(out)
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        draft: LiveEventDraft,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<LiveEvent, LiveEventError> {
        let mut group_ids = draft.group_ids.unwrap_or_default();
        dedup(&mut group_ids);
        let e = LiveEvent {
            id: Uuid::now_v7(),
            title: draft.title.unwrap_or_default(),
            description: draft.description.flatten(),
            starts_at: draft.starts_at.unwrap_or(now),
            duration_minutes: draft.duration_minutes.unwrap_or(60),
            meet_url: draft.meet_url.unwrap_or_default(),
            host_id: draft.host_id.unwrap_or(by),
            group_ids,
            status: LiveEventStatus::Scheduled,
            created_by: by,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.check_refs(tenant, &e, now).await?;
        let mut tx =
            Tx::new().with(Write::create(Put::new(&event_key(tenant, e.id), "LiveEvent", &e)?, "event exists"));
        for g in &e.group_ids {
            tx.push(link(tenant, *g, e.id)?);
        }
        for t in Self::timers(tenant, &e, now)? {
            tx.push(t);
        }
        self.store.transact(tx).await?;
        Ok(e)
    }

    /// Changes what `draft` names, on the version read (or `if_match`); a cancelled or past event is a 409.
    pub async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        draft: LiveEventDraft,
        if_match: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<LiveEvent, LiveEventError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(LiveEventError::VersionMoved);
        }
        if current.status == LiveEventStatus::Cancelled {
            return Err(LiveEventError::Conflict("the event is cancelled".into()));
        }
        if current.starts_at <= now {
            return Err(LiveEventError::Conflict("the event has started".into()));
        }
        let mut group_ids = draft.group_ids.unwrap_or_else(|| current.group_ids.clone());
        dedup(&mut group_ids);
        let next = LiveEvent {
            title: draft.title.unwrap_or_else(|| current.title.clone()),
            description: draft.description.unwrap_or_else(|| current.description.clone()),
            starts_at: draft.starts_at.unwrap_or(current.starts_at),
            duration_minutes: draft.duration_minutes.unwrap_or(current.duration_minutes),
            meet_url: draft.meet_url.unwrap_or_else(|| current.meet_url.clone()),
            host_id: draft.host_id.unwrap_or(current.host_id),
            group_ids,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        self.check_refs(tenant, &next, now).await?;
        let mut tx =
            Tx::new().with(Write::replace(Put::new(&event_key(tenant, id), "LiveEvent", &next)?, current.version));
        for g in current.group_ids.iter().filter(|g| !next.group_ids.contains(g)) {
            tx.push(Write::delete(group_link_key(tenant, *g, id)));
        }
        for g in next.group_ids.iter().filter(|g| !current.group_ids.contains(g)) {
            tx.push(link(tenant, *g, id)?);
        }
        // Moved, or new groups: tell whoever has not heard of it at this time yet.
        if next.starts_at != current.starts_at || next.group_ids != current.group_ids {
            for t in Self::timers(tenant, &next, now)? {
                tx.push(t);
            }
        }
        match self.store.transact(tx).await {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(LiveEventError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// Cancels it; its members are told. Again: the same answer.
    pub async fn cancel(&self, tenant: &TenantId, id: Uuid, now: DateTime<Utc>) -> Result<LiveEvent, LiveEventError> {
        let current = self.get(tenant, id).await?;
        if current.status == LiveEventStatus::Cancelled {
            return Ok(current);
        }
        if current.starts_at <= now {
            return Err(LiveEventError::Conflict("the event has started".into()));
        }
        let next = LiveEvent {
            status: LiveEventStatus::Cancelled,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let tx = Tx::new()
            .with(Write::replace(Put::new(&event_key(tenant, id), "LiveEvent", &next)?, current.version))
            .with(Subject::LiveEvent(id).at(tenant, now)?);
        match self.store.transact(tx).await {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(LiveEventError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }
}

fn link(tenant: &TenantId, group: Uuid, event: Uuid) -> Result<Write, StoreError> {
    Ok(Write::upsert(Put::new(&group_link_key(tenant, group, event), "LiveEventGroup", &Link { event_id: event })?))
}

fn dedup(ids: &mut Vec<Uuid>) {
    let mut seen = BTreeSet::new();
    ids.retain(|g| seen.insert(*g));
    ids.truncate(MAX_GROUPS);
}
