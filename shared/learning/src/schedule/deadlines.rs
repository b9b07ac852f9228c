//! A learner's deadline check: one DEADLINE_REMINDER per assigned module not yet complete whose reminder
//! time has come (once per due date: the send's request id), then the timer at the next one. A group's
//! check sets every member's timer (a module assigned to the group changed their due dates).

use super::{ScheduleError, Scheduler, Subject, notice};
use crate::deadline::{due_for, reminder_at};
use crate::groups::Groups;
use crate::model::ModuleStatus;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::StoreError;
use nudge_notifications::send::direct::{SENT_BEFORE, direct};
use std::collections::BTreeSet;
use uuid::Uuid;

pub(super) async fn check_learner(s: &Scheduler, tenant: &TenantId, user: Uuid) -> Result<(), ScheduleError> {
    let now = s.clock.now();
    let assigned = Groups { store: &s.store }.assigned_to(tenant, user).await?;
    let modules: BTreeSet<Uuid> =
        assigned.iter().filter(|(a, _)| a.deadline_days.is_some()).map(|(a, _)| a.module_id).collect();
    if modules.is_empty() {
        return Ok(());
    }
    let progress = crate::learner::repo::all_progress(&s.store, tenant, user).await?;
    let mut next: Option<DateTime<Utc>> = None;
    for module in modules {
        let p = progress.iter().find(|p| p.module_id == module);
        if p.is_some_and(|p| p.completed_at.is_some()) {
            continue;
        }
        let Some(due) = due_for(&assigned, module, p.and_then(|p| p.round_started_at)) else {
            continue;
        };
        let at = reminder_at(due);
        if at > now {
            next = Some(next.map_or(at, |n| n.min(at)));
            continue;
        }
        let Some(m) = crate::repo::get_module(&s.store, tenant, module).await? else {
            continue;
        };
        if m.status != ModuleStatus::Published {
            continue;
        }
        let (tx, posted) = direct(tenant, &s.notifications, notice::deadline(user, module, &m.title, due, now), now)?;
        match s.store.transact(tx).await {
            Ok(()) => {
                posted.deliver(&s.store).await;
                tracing::info!("deadline reminder sent");
            }
            // Sent before, for this due date.
            Err(StoreError::Condition(SENT_BEFORE)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(at) = next {
        s.store.write(Subject::Learner(user).at(tenant, at)?).await?;
    }
    Ok(())
}

pub(super) async fn check_group(s: &Scheduler, tenant: &TenantId, group: Uuid) -> Result<(), ScheduleError> {
    let now = s.clock.now();
    let members = match (Groups { store: &s.store }).members(tenant, group).await {
        Ok(members) => members,
        Err(crate::groups::GroupError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for chunk in members.chunks(25) {
        let mut tx = nudge_core::store::Tx::new();
        for m in chunk {
            tx.push(Subject::Learner(m.user_id).at(tenant, now)?);
        }
        s.store.transact(tx).await?;
    }
    Ok(())
}
