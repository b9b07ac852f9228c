//! A live event's check: every member of its groups told what is due now (announced, starting soon or
//! cancelled), each once per event, kind and start time; nothing once it has begun.

use super::notice::{self, EventNotice};
use super::{ScheduleError, Scheduler};
use crate::live::{LiveEventError, LiveEventStatus, LiveEvents, REMINDER_LEAD};
use nudge_core::TenantId;
use nudge_core::store::StoreError;
use nudge_notifications::send::direct::{SENT_BEFORE, direct};
use std::collections::BTreeSet;
use uuid::Uuid;

pub(super) async fn check(s: &Scheduler, tenant: &TenantId, id: Uuid) -> Result<(), ScheduleError> {
    let now = s.clock.now();
    let e = match (LiveEvents { store: &s.store }).get(tenant, id).await {
        Ok(e) => e,
        Err(LiveEventError::NotFound) => return Ok(()),
        Err(LiveEventError::Store(e)) => return Err(e.into()),
        Err(other) => return Err(ScheduleError::Conflict(other.to_string())),
    };
    if e.starts_at <= now {
        return Ok(());
    }
    let kind = match e.status {
        LiveEventStatus::Cancelled => EventNotice::Cancelled,
        LiveEventStatus::Scheduled if now >= e.starts_at - REMINDER_LEAD => EventNotice::StartingSoon,
        LiveEventStatus::Scheduled => EventNotice::Announced,
    };
    let groups = crate::groups::Groups { store: &s.store };
    let mut members = BTreeSet::new();
    for g in &e.group_ids {
        match groups.members(tenant, *g).await {
            Ok(list) => members.extend(list.into_iter().map(|m| m.user_id)),
            Err(crate::groups::GroupError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let mut told = 0usize;
    for user in members {
        let (tx, posted) = direct(tenant, &s.notifications, notice::live_event(user, &e, kind), now)?;
        match s.store.transact(tx).await {
            Ok(()) => {
                posted.deliver(&s.store).await;
                told += 1;
            }
            Err(StoreError::Condition(SENT_BEFORE)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(told, kind = ?kind, "live event notices");
    Ok(())
}
