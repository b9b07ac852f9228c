//! The key layout of experiments (pinned by the test below).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | experiment (with its variants) | `T#<t>#EXPERIMENTS` | `<experimentId>` |
//! | assignment | `T#<t>#EXPERIMENT#<experimentId>#ASSIGNMENTS` | `<bucketVersion, 6 digits>#<workerId>` |
//! | the tenant's settings (holdout) | `T#<t>#EXPERIMENT-SETTINGS` | `SETTINGS` |
//! | counters of a variant | `T#<t>#EXPERIMENT#<experimentId>#COUNTS` | `<bucketVersion>#<variantIndex>#<shard 0..7>` |
//!
//! An assignment is keyed by (experiment, bucket version, worker): created only if absent, it is what
//! makes a worker's variant sticky whatever the weights do later; a re-randomisation starts a new bucket
//! version, and with it new assignments and new counts.

use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use uuid::Uuid;

pub const COUNTER_SHARDS: u32 = 8;

pub fn experiments_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "EXPERIMENTS")
}

pub fn experiment(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "EXPERIMENTS", id.to_string())
}

pub fn settings(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "EXPERIMENT-SETTINGS", "SETTINGS".to_owned())
}

pub fn assignments_partition(tenant: &TenantId, experiment: Uuid) -> String {
    tenant_partition(tenant, &format!("EXPERIMENT#{experiment}#ASSIGNMENTS"))
}

pub fn assignment(tenant: &TenantId, experiment: Uuid, bucket_version: u32, worker: Uuid) -> Key {
    Key { pk: assignments_partition(tenant, experiment), sk: format!("{bucket_version:06}#{worker}") }
}

pub fn counts_partition(tenant: &TenantId, experiment: Uuid) -> String {
    tenant_partition(tenant, &format!("EXPERIMENT#{experiment}#COUNTS"))
}

pub fn counts(tenant: &TenantId, experiment: Uuid, bucket_version: u32, variant: usize, worker: Uuid) -> Key {
    let shard = (worker.as_u128() % u128::from(COUNTER_SHARDS)) as u32;
    Key { pk: counts_partition(tenant, experiment), sk: format!("{bucket_version:06}#{variant:03}#{shard}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_experiment_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (e, w) = (Uuid::from_u128(2), Uuid::from_u128(11));
        assert_eq!(experiment(&t, e).pk, format!("T#{tenant}#EXPERIMENTS"));
        assert_eq!(assignment(&t, e, 1, w).pk, format!("T#{tenant}#EXPERIMENT#{e}#ASSIGNMENTS"));
        assert_eq!(assignment(&t, e, 1, w).sk, format!("000001#{w}"));
        assert_eq!(counts(&t, e, 0, 2, w).sk, "000000#002#3");
        assert_eq!((settings(&t).pk, settings(&t).sk), (format!("T#{tenant}#EXPERIMENT-SETTINGS"), "SETTINGS".into()));
    }
}
