//! A tenant's experiment settings: the holdout, a fraction of its workers kept out of every experiment that
//! uses it (`useHoldout`), the same workers for all of them (one hash of the worker, see
//! [`crate::assign::in_holdout`]). Once an experiment using it starts, the fraction is fixed: changing it
//! would move workers in or out of experiments already running. The lock is written in the transaction that
//! starts the experiment, on the settings' version, so a concurrent change of the fraction loses.

use crate::keys;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Put, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The share of the tenant's workers (0–1) held out of every experiment that uses the holdout.
    pub holdout_fraction: f64,
    /// When the first experiment using the holdout started: from then on the fraction is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout_locked_at: Option<DateTime<Utc>>,
    /// That experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout_locked_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// 0 until first written.
    #[serde(default)]
    pub version: u64,
}

/// Why a change of the settings is refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the holdout is fixed since experiment {0} started using it")]
    Locked(Uuid),
    #[error("the settings changed meanwhile")]
    VersionMoved,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn put(tenant: &TenantId, s: &Settings) -> Result<Put, StoreError> {
    Put::new(&keys::settings(tenant), "ExperimentSettings", s)
}

/// The tenant's settings (the defaults, version 0, when never written).
pub async fn get(store: &Store, tenant: &TenantId) -> Result<Settings, StoreError> {
    Ok(store.get(&keys::settings(tenant)).await?.unwrap_or_default())
}

/// The write that fixes the holdout as `experiment` starts using it, for the start's transaction; none when
/// it is fixed already.
pub fn lock(
    tenant: &TenantId,
    s: &Settings,
    experiment: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Write>, StoreError> {
    if s.holdout_locked_at.is_some() {
        return Ok(None);
    }
    let next = Settings {
        holdout_locked_at: Some(now),
        holdout_locked_by: Some(experiment),
        version: s.version + 1,
        ..s.clone()
    };
    Ok(Some(Write::versioned(put(tenant, &next)?, s.version)))
}

/// Sets the holdout `fraction` (refused once fixed, unless unchanged).
pub async fn set_holdout(
    store: &Store,
    tenant: &TenantId,
    fraction: f64,
    if_match: Option<u64>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Settings, SettingsError> {
    let current = get(store, tenant).await?;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(SettingsError::VersionMoved);
    }
    if let Some(experiment) = current.holdout_locked_by
        && fraction != current.holdout_fraction
    {
        return Err(SettingsError::Locked(experiment));
    }
    let next = Settings {
        holdout_fraction: fraction,
        updated_by: by,
        updated_at: Some(now),
        version: current.version + 1,
        ..current.clone()
    };
    match store.write(Write::versioned(put(tenant, &next)?, current.version)).await {
        Ok(()) => Ok(next),
        Err(e) if e.is_version_conflict() => Err(SettingsError::VersionMoved),
        Err(e) => Err(e.into()),
    }
}
