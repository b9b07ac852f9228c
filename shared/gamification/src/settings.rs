//! The tenant's XP amounts per source (a tenant setting; seed defaults until it sets its own).

use crate::keys;
use crate::model::XpSource;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Put, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct XpSettings {
    /// XP per source; a source not named gives its default. 0 turns a source off.
    pub amounts: BTreeMap<XpSource, u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

impl XpSettings {
    /// Every source with what it gives now.
    pub fn effective(&self) -> Self {
        let amounts = XpSource::EARNING.into_iter().map(|s| (s, self.amount(s))).collect();
        Self { amounts, ..self.clone() }
    }

    pub fn amount(&self, source: XpSource) -> u32 {
        self.amounts.get(&source).copied().unwrap_or_else(|| source.default_amount())
    }
}

pub async fn get(store: &Store, tenant: &TenantId) -> Result<XpSettings, StoreError> {
    Ok(store.get(&keys::settings(tenant)).await?.unwrap_or(XpSettings {
        amounts: BTreeMap::new(),
        updated_at: None,
        version: 0,
    }))
}

/// Replaces the amounts named in `amounts` (the others keep theirs), on the version read.
pub async fn put(
    store: &Store,
    tenant: &TenantId,
    amounts: BTreeMap<XpSource, u32>,
    now: DateTime<Utc>,
) -> Result<XpSettings, StoreError> {
    for _ in 0..5 {
        let read = get(store, tenant).await?;
        let mut next = read.clone();
        next.amounts.extend(amounts.iter().map(|(k, v)| (*k, *v)));
        next.updated_at = Some(now);
        next.version = read.version + 1;
        match store.write(Write::versioned(Put::new(&keys::settings(tenant), "XpSettings", &next)?, read.version)).await
        {
            Ok(()) => return Ok(next.effective()),
            Err(e) if e.is_version_conflict() => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::TransactionConflict)
}
