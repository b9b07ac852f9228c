//! Re-evaluating a few workers (created, changed or deleted) against every segment of their tenant, without
//! a full sync: their memberships are read by key, decided like a sync page decides, and the differences
//! written under the same conditions.

use super::membership::{self, Change, WorkerCheck};
use super::model::{Segment, SegmentType};
use super::repo;
use super::rules::{Compiled, Rule};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError};
use nudge_workers::marker;
use nudge_workers::repo as workers;
use std::collections::HashMap;
use uuid::Uuid;

/// Workers re-evaluated at once (one BatchGetItem of memberships per segment).
const CHUNK: usize = 100;

fn compiled(segment: &Segment, now: chrono::DateTime<Utc>) -> Option<Compiled> {
    if segment.kind != SegmentType::RuleBased {
        return None;
    }
    let rule = Rule::parse(segment.rule_definition.as_ref()?, "").ok()?;
    Some(rule.compile(now))
}

/// Brings the memberships of `ids` in line with the workers as they are now: rule-based segments follow
/// their rules; deleted workers leave every segment, static ones included. The workers' change markers
/// read before are then settled (those no newer change replaced).
pub async fn reevaluate(store: &Store, tenant: &TenantId, ids: &[Uuid]) -> Result<(), StoreError> {
    let segments = repo::all(store, tenant).await?;
    let now = Utc::now();
    let rules: Vec<(Uuid, Option<Compiled>)> = segments.iter().map(|s| (s.id, compiled(s, now))).collect();
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        let seen = marker::read(store, tenant, chunk).await?;
        for (segment, rule) in &rules {
            settle_segment(store, tenant, *segment, rule.as_ref(), chunk).await?;
        }
        marker::settled(store, tenant, &seen).await?;
    }
    Ok(())
}

/// Settles `ids` in one segment (nothing to do when the segment is gone).
async fn settle_segment(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    rule: Option<&Compiled>,
    ids: &[Uuid],
) -> Result<(), StoreError> {
    membership::until_applied(store, tenant, segment, || async {
        let found: HashMap<Uuid, nudge_workers::Worker> =
            workers::get_many(store, tenant, ids).await?.into_iter().map(|w| (w.id, w)).collect();
        let current = repo::members_of(store, tenant, segment, ids).await?;
        let now = Utc::now();
        let changes: Vec<(Change, WorkerCheck)> = ids
            .iter()
            .filter_map(|id| match (found.get(id), rule) {
                (Some(w), Some(rule)) => {
                    let verdict = if rule.matches(w) { rule.explain(w) } else { None };
                    membership::by_rule(segment, *id, current.get(id), verdict, now)
                        .map(|c| (c, WorkerCheck::Version(w.version)))
                }
                (Some(_), None) => None,
                (None, _) => membership::worker_gone(current.get(id)).map(|c| (c, WorkerCheck::Absent)),
            })
            .collect();
        Ok((changes, ()))
    })
    .await
    .map(drop)
}
