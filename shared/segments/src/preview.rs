//! Evaluating an unsaved rule over the tenant's workers: how many match, and a few of them. Reads every
//! worker (the 16 shards at once) and writes nothing.

use super::rules::Compiled;
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError};
use nudge_workers::repo as workers;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

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
    /// Workers evaluated (every worker of the organization).
    pub(crate) processed_count: u64,
    /// Up to `sampleSize` matching workers, by id.
    pub(crate) sample: Vec<Sampled>,
}

pub(crate) async fn preview(
    store: &Store,
    tenant: &TenantId,
    rule: &Compiled,
    sample: usize,
) -> Result<Preview, StoreError> {
    let shards = workers::shards().map(|shard| async move {
        let (mut matched, mut processed, mut found) = (0u64, 0u64, Vec::new());
        let mut start = None;
        loop {
            let (page, next) = workers::shard_page(store, tenant, shard, start, 600).await?;
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
                None => return Ok::<_, StoreError>((matched, processed, found)),
            }
        }
    });
    let mut out = Preview { match_count: 0, processed_count: 0, sample: Vec::new() };
    for (matched, processed, found) in futures_util::future::try_join_all(shards).await? {
        out.match_count += matched;
        out.processed_count += processed;
        out.sample.extend(found);
    }
    out.sample.sort_by_key(|s| s.worker_id);
    out.sample.truncate(sample);
    Ok(out)
}
