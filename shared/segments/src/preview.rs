//! Evaluating an unsaved rule over the tenant's workers: how many match, and a few of them. Reads the 16
//! shards at once and writes nothing. A request reads at most [`BUDGET`] workers: past that the counts
//! are over the workers read (the first of each shard; ids spread workers evenly over shards), and the
//! answer says it is not complete, so a viewer's preview cannot make the function read a whole large tenant.

use super::rules::Compiled;
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError};
use nudge_workers::repo as workers;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Workers one preview reads at most.
pub(crate) const BUDGET: u64 = 48_000;

/// A matching worker in a preview.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sampled {
    pub(crate) worker_id: Uuid,
    pub(crate) full_name: String,
    pub(crate) rule_match_reason: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Preview {
    /// Workers the rule matches now.
    pub(crate) match_count: u64,
    /// Workers evaluated: every worker of the organization when `complete`, else the first 48,000.
    pub(crate) processed_count: u64,
    /// Whether every worker was evaluated; when not, the counts are over a spread of them (a saved segment's
    /// sync counts them all).
    pub(crate) complete: bool,
    /// Up to `sampleSize` matching workers, by id; empty for a caller without `workers:read`.
    pub(crate) sample: Vec<Sampled>,
}

pub(crate) async fn preview(
    store: &Store,
    tenant: &TenantId,
    rule: &Compiled,
    sample: usize,
) -> Result<Preview, StoreError> {
    let per_shard = BUDGET / u64::from(workers::shards().len() as u32);
    let shards = workers::shards().map(|shard| async move {
        let (mut matched, mut processed, mut found) = (0u64, 0u64, Vec::new());
        let mut start = None;
        loop {
            if processed >= per_shard {
                return Ok::<_, StoreError>((matched, processed, found, false));
            }
            let page_size = (per_shard - processed).min(600) as u32;
            let (page, next) = workers::shard_page(store, tenant, shard, start, page_size).await?;
            for w in &page {
                processed += 1;
                if rule.matches(w) {
                    matched += 1;
                    if found.len() < sample
                        && let Some(reason) = rule.explain(w)
                    {
                        found.push(Sampled {
                            worker_id: w.id,
                            full_name: w.fields.full_name(),
                            rule_match_reason: reason,
                        });
                    }
                }
            }
            match next {
                Some(key) => start = Some(key),
                None => return Ok::<_, StoreError>((matched, processed, found, true)),
            }
        }
    });
    let mut out = Preview { match_count: 0, processed_count: 0, complete: true, sample: Vec::new() };
    for (matched, processed, found, complete) in futures_util::future::try_join_all(shards).await? {
        out.match_count += matched;
        out.processed_count += processed;
        out.complete &= complete;
        out.sample.extend(found);
    }
    out.sample.sort_by_key(|s| s.worker_id);
    out.sample.truncate(sample);
    Ok(out)
}
