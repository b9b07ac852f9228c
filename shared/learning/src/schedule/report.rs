//! Making a learning report ([`crate::insight::report`]): the standings read, the CSV written to S3, the
//! report completed. A finished report is left alone (a redelivered message).

use super::{ScheduleError, Scheduler};
use crate::insight::Insight;
use crate::insight::report::{self, LearningReport, Line, TAGGING};
use nudge_core::TenantId;
use nudge_core::jobs::JobStatus;
use nudge_core::store::Write;
use std::collections::BTreeMap;
use uuid::Uuid;

pub(super) async fn make(s: &Scheduler, tenant: &TenantId, id: Uuid) -> Result<(), ScheduleError> {
    let Some(current): Option<LearningReport> = s.store.get(&report::key(tenant, id)).await? else {
        return Ok(());
    };
    if current.status.is_finished() {
        return Ok(());
    }
    let now = s.clock.now();
    let standings = Insight { store: &s.store }.standings(tenant, now).await?;
    let mut names: BTreeMap<Uuid, String> = BTreeMap::new();
    for (_, rows) in &standings {
        for r in rows {
            if let std::collections::btree_map::Entry::Vacant(slot) = names.entry(r.user_id) {
                slot.insert(nudge_identity::user::public_name(&s.store, r.user_id).await?.unwrap_or_default());
            }
        }
    }
    let lines: Vec<Line<'_>> = standings
        .iter()
        .flat_map(|(m, rows)| {
            rows.iter().map(|r| Line {
                module_id: m.id,
                module_title: &m.title,
                learner_name: names.get(&r.user_id).map_or("", String::as_str),
                standing: r,
            })
        })
        .collect();
    let body = report::csv(&lines).map_err(|e| ScheduleError::Conflict(format!("writing the CSV: {e}")))?;
    let size = body.len() as u64;
    s.objects
        .put_tagged(&report::object(tenant, id), body, "text/csv; charset=utf-8", TAGGING)
        .await
        .map_err(|e| ScheduleError::Conflict(format!("storing the report: {e}")))?;
    let done = LearningReport {
        status: JobStatus::Completed,
        row_count: lines.len() as u64,
        size,
        completed_at: Some(now),
        updated_at: now,
        version: current.version + 1,
        ..current.clone()
    };
    s.store.write(Write::replace(report::put(tenant, &done)?, current.version)).await?;
    Ok(())
}

/// Records the report failed (its message kept failing).
pub(super) async fn fail(s: &Scheduler, tenant: &TenantId, id: Uuid, reason: &str) -> Result<(), ScheduleError> {
    let Some(current): Option<LearningReport> = s.store.get(&report::key(tenant, id)).await? else {
        return Ok(());
    };
    if current.status.is_finished() {
        return Ok(());
    }
    let now = s.clock.now();
    let failed = LearningReport {
        status: JobStatus::Failed,
        failure_reason: Some(reason.chars().take(500).collect()),
        updated_at: now,
        version: current.version + 1,
        ..current.clone()
    };
    s.store.write(Write::replace(report::put(tenant, &failed)?, current.version)).await?;
    Ok(())
}
