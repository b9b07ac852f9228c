//! The due markers' tick: what is due by now is handed over in `Advance` messages, then removed. A crash
//! between the two hands a marker over twice, which the step absorbs (the second finds nothing due).

use super::{Engine, EnrolmentRef, Message};
use crate::error::JourneyError;
use crate::keys::{DUE_SHARDS, due_partition, due_until};
use crate::repo::Due;
use nudge_core::store::{Query, decode};
use std::collections::BTreeMap;

/// Enrolments per `Advance` message.
pub const PER_MESSAGE: usize = 25;
/// Markers one run of a shard hands over before it continues in a `Sweep` message.
const PER_RUN: u32 = 2_000;

/// Every shard once: answers how many markers were handed over.
pub(crate) async fn tick(engine: &Engine) -> Result<usize, JourneyError> {
    let mut handed = 0;
    for shard in 0..DUE_SHARDS {
        handed += sweep(engine, shard).await?;
    }
    Ok(handed)
}

/// One shard: up to [`PER_RUN`] markers, then a `Sweep` to go on if more are due.
pub(crate) async fn sweep(engine: &Engine, shard: u32) -> Result<usize, JourneyError> {
    let now = engine.now();
    let query = Query::partition(due_partition(shard)).consistent().between("0", due_until(now));
    let mut handed = 0usize;
    let mut start = None;
    loop {
        let (items, last) = engine.store.items_page(&query, 500, start).await?;
        let mut keys = Vec::with_capacity(items.len());
        let mut by_tenant: BTreeMap<nudge_core::TenantRef, Vec<EnrolmentRef>> = BTreeMap::new();
        for item in items {
            let key = nudge_core::store::item_key(&item);
            let marker: Due = decode(item)?;
            by_tenant
                .entry(marker.tenant_id)
                .or_default()
                .push(EnrolmentRef { program_id: marker.program_id, worker_id: marker.worker_id });
            keys.extend(key);
        }
        for (tenant, mut refs) in by_tenant {
            let tenant = tenant.tenant();
            let mut seen = std::collections::HashSet::new();
            refs.retain(|r| seen.insert(*r));
            let messages: Vec<Message> =
                refs.chunks(PER_MESSAGE).map(|c| Message::Advance { enrolments: c.to_vec() }).collect();
            engine.queue.send_all_for(&tenant, &messages).await?;
        }
        engine.store.batch_delete(&keys).await?;
        handed += keys.len();
        match last {
            None => return Ok(handed),
            Some(_) if handed as u32 >= PER_RUN => {
                engine.queue.send(&Message::Sweep { shard }).await?;
                return Ok(handed);
            }
            Some(next) => start = Some(next),
        }
    }
}
