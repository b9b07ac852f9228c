//! A certificate's check: the expiry reminder due now, if any, sent and recorded in one transaction on the
//! certificate's version, with the next timer; at expiry, recertification of a mandatory module.

use super::{ScheduleError, Scheduler, Subject, notice};
use crate::certificate::{Reminder, due_reminder, next_check};
use crate::learner::model::{Attempts, Certificate};
use crate::learner::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Tx, Write};
use uuid::Uuid;

/// Fresh reads before a contended check gives up (the message is then retried).
const TRIES: usize = 5;

pub(super) async fn check(s: &Scheduler, tenant: &TenantId, user: Uuid, id: Uuid) -> Result<(), ScheduleError> {
    for _ in 0..TRIES {
        let now = s.clock.now();
        let Some(c) = repo::certificate(&s.store, tenant, user, id).await? else {
            return Ok(());
        };
        if c.revoked_at.is_some() {
            return Ok(());
        }
        let sent: Vec<Reminder> = c.reminders_sent.iter().filter_map(|k| Reminder::from_key(k)).collect();
        let subject = Subject::Certificate { user, certificate: id };
        let Some(reminder) = due_reminder(c.expires_at, &sent, now) else {
            // Early (the expiry moved, or a stale timer): look again when the next one falls due.
            if let Some(at) = next_check(c.expires_at, &sent, now) {
                s.store.write(subject.at(tenant, at)?).await?;
            }
            return Ok(());
        };
        let mut tx = Tx::new();
        let renewing = reminder == Reminder::Expired && renew(s, tenant, &c, &mut tx).await?;
        let mut next = c.clone();
        next.reminders_sent.push(reminder.key());
        next.version += 1;
        tx.push(Write::replace(repo::put_certificate(tenant, &next)?, c.version));
        let mut after = sent;
        after.push(reminder);
        if let Some(at) = next_check(c.expires_at, &after, now) {
            tx.push(subject.at(tenant, at)?);
        }
        let expires_at = c.expires_at.unwrap_or(now);
        let send = notice::certificate(c.id, user, &c.module_title, expires_at, reminder, renewing);
        let (writes, posted) = nudge_notifications::send::direct::direct(tenant, &s.notifications, send, now)?;
        tx.extend(writes);
        match s.store.transact(tx).await {
            Ok(()) => {
                posted.deliver(&s.store).await;
                tracing::info!(reminder = %reminder.key(), renewing, "certificate reminder sent");
                return Ok(());
            }
            Err(e) if e.is_contended() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScheduleError::Conflict("the certificate kept changing during its check".into()))
}

/// At expiry: when the module is mandatory for the holder and this certificate is their current round's,
/// adds to `tx` the new round (progress and quiz attempts start over, on the versions read) and the
/// learner's deadline timer. Answers whether it did.
async fn renew(s: &Scheduler, tenant: &TenantId, c: &Certificate, tx: &mut Tx) -> Result<bool, ScheduleError> {
    let assigned = crate::groups::Groups { store: &s.store }.assigned_to(tenant, c.user_id).await?;
    if !assigned.iter().any(|(a, _)| a.module_id == c.module_id && a.is_mandatory) {
        return Ok(false);
    }
    let Some(progress) = repo::progress(&s.store, tenant, c.user_id, c.module_id).await? else {
        return Ok(false);
    };
    if progress.certificate_id != Some(c.id) {
        return Ok(false);
    }
    let expired_at: DateTime<Utc> = c.expires_at.unwrap_or_else(|| s.clock.now());
    let mut next = progress.clone();
    next.renew(c.id, expired_at);
    next.version = progress.version + 1;
    tx.push(repo::save_progress(tenant, &next, progress.version)?);
    for quiz in crate::repo::quizzes(&s.store, tenant, c.module_id).await? {
        let read = repo::attempts(&s.store, tenant, c.user_id, quiz.id).await?;
        if read.used == 0 {
            continue;
        }
        let fresh = Attempts { before_round: read.used, version: read.version + 1, ..read.clone() };
        tx.push(repo::save_attempts(tenant, c.user_id, quiz.id, &fresh, read.version)?);
    }
    tx.push(Subject::Learner(c.user_id).at(tenant, s.clock.now())?);
    Ok(true)
}
