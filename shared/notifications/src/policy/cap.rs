//! The daily cap's counter: one item per worker and local day, `T#<t>#WORKER-SENDS#<workerId>` /
//! `<yyyy-mm-dd>`, `ADD`ed by one per counted send under the cap, in the transaction that marks the
//! delivery counted (so a retried send is not counted twice). It expires two days after its day.

use chrono::{Duration, NaiveDate};
use nudge_core::TenantId;
use nudge_core::keys::Key;
use nudge_core::store::{Changes, StoreError, Write};
use uuid::Uuid;

/// The condition label of a counter already at the cap.
pub const CAPPED: &str = "daily cap reached";

pub(crate) fn key(tenant: &TenantId, worker: Uuid, day: NaiveDate) -> Key {
    Key::tenant(tenant, &format!("WORKER-SENDS#{worker}"), day.format("%Y-%m-%d").to_string())
}

/// One more send of `worker` on `day`, refused ([`CAPPED`]) when `cap` were passed.
pub(crate) fn count_one(tenant: &TenantId, worker: Uuid, day: NaiveDate, cap: u32) -> Result<Write, StoreError> {
    let expires = day.and_hms_opt(0, 0, 0).map_or(0, |t| (t.and_utc() + Duration::days(3)).timestamp());
    let changes = Changes::new().add("count", 1).set("ttl", &expires)?;
    Ok(Write::upsert_changes(key(tenant, worker, day), changes).if_below("count", i64::from(cap), CAPPED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_cap_counter_keys_serialize_as_expected() {
        let tenant = nudge_core::testing::tenant(1);
        let worker = Uuid::from_u128(7);
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let key = key(&tenant, worker, day);
        assert_eq!(key.pk, format!("T#{}#WORKER-SENDS#{worker}", Uuid::from_u128(1)));
        assert_eq!(key.sk, "2026-03-09");
    }
}
