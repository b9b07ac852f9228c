//! The key layout of journeys and programs (pinned by the test below).
//!
//! | item | pk | sk | gsi1 |
//! |---|---|---|---|
//! | journey (draft) | `T#<t>#JOURNEYS` | `<journeyId>` | |
//! | published version | `T#<t>#JOURNEY#<journeyId>` | `V#<n, 6 digits>` | |
//! | program | `T#<t>#PROGRAMS` | `<programId>` | |
//! | enrolment | `T#<t>#PROGRAM#<programId>#ENROLMENTS` | `<workerId>` | `T#<t>#WORKER-ENROLMENTS#<workerId>` / `<programId>` |
//! | progress | `T#<t>#ENROLMENT#<enrolmentId>` | `<touchpointId>` | |
//! | counters | `T#<t>#PROGRAM-STATS#<programId>` | `all#<shard>` or `tp#<touchpointId>#<shard>` | |
//! | enrolment job | `T#<t>#PROGRAM#<programId>#ENROL-JOBS` | `<jobId>` | |
//! | due marker | `P#JOURNEY-DUE#<shard 0..15>` | `<due ms, 13 digits>#<t>#<programId>#<workerId>` | |
//! | live program | `P#LIVE-PROGRAMS` | `<t>#<programId>` | |
//! | send | `T#<t>#JOURNEY-SENDS` | `<notification request id>` (ttl: 60 days) | |
//!
//! An enrolment is keyed by (program, worker): a worker is in a program at most once at a time, and a
//! redone enrolment page finds them there. Counters are sharded by enrolment so that thousands of
//! concurrent steps do not contend on one item; a figure is the sum of its shards.

use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::{Key, platform_partition, tenant_partition};
use uuid::Uuid;

/// Shards of the due markers and of each counter.
pub const DUE_SHARDS: u32 = 16;
pub const COUNTER_SHARDS: u32 = 8;

pub fn journeys_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "JOURNEYS")
}

pub fn journey(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "JOURNEYS", id.to_string())
}

pub fn versions_partition(tenant: &TenantId, journey: Uuid) -> String {
    tenant_partition(tenant, &format!("JOURNEY#{journey}"))
}

pub fn version(tenant: &TenantId, journey: Uuid, n: u32) -> Key {
    Key { pk: versions_partition(tenant, journey), sk: format!("V#{n:06}") }
}

pub fn programs_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "PROGRAMS")
}

pub fn program(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "PROGRAMS", id.to_string())
}

pub fn enrolments_partition(tenant: &TenantId, program: Uuid) -> String {
    tenant_partition(tenant, &format!("PROGRAM#{program}#ENROLMENTS"))
}

pub fn enrolment(tenant: &TenantId, program: Uuid, worker: Uuid) -> Key {
    Key { pk: enrolments_partition(tenant, program), sk: worker.to_string() }
}

pub fn worker_enrolments(tenant: &TenantId, worker: Uuid) -> String {
    tenant_partition(tenant, &format!("WORKER-ENROLMENTS#{worker}"))
}

pub fn progress_partition(tenant: &TenantId, enrolment: Uuid) -> String {
    tenant_partition(tenant, &format!("ENROLMENT#{enrolment}"))
}

pub fn progress(tenant: &TenantId, enrolment: Uuid, touchpoint: Uuid) -> Key {
    Key { pk: progress_partition(tenant, enrolment), sk: touchpoint.to_string() }
}

pub fn stats_partition(tenant: &TenantId, program: Uuid) -> String {
    tenant_partition(tenant, &format!("PROGRAM-STATS#{program}"))
}

fn counter_shard(enrolment: Uuid) -> u32 {
    (enrolment.as_u128() % u128::from(COUNTER_SHARDS)) as u32
}

/// The program-wide counters' shard an enrolment moves.
pub fn program_counters(tenant: &TenantId, program: Uuid, enrolment: Uuid) -> Key {
    Key { pk: stats_partition(tenant, program), sk: format!("all#{}", counter_shard(enrolment)) }
}

/// A touchpoint's counters' shard an enrolment moves.
pub fn touchpoint_counters(tenant: &TenantId, program: Uuid, touchpoint: Uuid, enrolment: Uuid) -> Key {
    Key { pk: stats_partition(tenant, program), sk: format!("tp#{touchpoint}#{}", counter_shard(enrolment)) }
}

pub fn enrol_job(tenant: &TenantId, program: Uuid, job: Uuid) -> Key {
    Key::tenant(tenant, &format!("PROGRAM#{program}#ENROL-JOBS"), job.to_string())
}

pub fn due_shard(worker: Uuid) -> u32 {
    (worker.as_u128() % u128::from(DUE_SHARDS)) as u32
}

pub fn due_partition(shard: u32) -> String {
    platform_partition(&format!("JOURNEY-DUE#{shard}"))
}

pub fn due(tenant: &TenantId, program: Uuid, worker: Uuid, at: DateTime<Utc>) -> Key {
    Key {
        pk: due_partition(due_shard(worker)),
        sk: format!("{:013}#{tenant}#{program}#{worker}", at.timestamp_millis().max(0)),
    }
}

/// The sort key bound of every marker due by `now`.
pub fn due_until(now: DateTime<Utc>) -> String {
    format!("{:013}~", now.timestamp_millis().max(0))
}

/// What a touchpoint's notification request was (a worker's reply names the request).
pub fn journey_send(tenant: &TenantId, request: Uuid) -> Key {
    Key::tenant(tenant, "JOURNEY-SENDS", request.to_string())
}

pub fn live_programs_partition() -> String {
    platform_partition("LIVE-PROGRAMS")
}

pub fn live_program(tenant: &TenantId, program: Uuid) -> Key {
    Key::platform("LIVE-PROGRAMS", format!("{tenant}#{program}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_journey_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (j, p, w, e, tp) =
            (Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(17), Uuid::from_u128(9), Uuid::from_u128(5));
        assert_eq!(journey(&t, j).pk, format!("T#{tenant}#JOURNEYS"));
        assert_eq!(version(&t, j, 3).sk, "V#000003");
        assert_eq!(version(&t, j, 3).pk, format!("T#{tenant}#JOURNEY#{j}"));
        assert_eq!(program(&t, p).sk, p.to_string());
        assert_eq!(enrolment(&t, p, w).pk, format!("T#{tenant}#PROGRAM#{p}#ENROLMENTS"));
        assert_eq!(enrolment(&t, p, w).sk, w.to_string());
        assert_eq!(worker_enrolments(&t, w), format!("T#{tenant}#WORKER-ENROLMENTS#{w}"));
        assert_eq!(progress(&t, e, tp).pk, format!("T#{tenant}#ENROLMENT#{e}"));
        assert_eq!(program_counters(&t, p, e).sk, "all#1");
        assert_eq!(touchpoint_counters(&t, p, tp, e).sk, format!("tp#{tp}#1"));
        let at = DateTime::parse_from_rfc3339("2026-01-14T07:00:00Z").unwrap().with_timezone(&Utc);
        let marker = due(&t, p, w, at);
        assert_eq!(marker.pk, "P#JOURNEY-DUE#1");
        assert_eq!(marker.sk, format!("1768374000000#{tenant}#{p}#{w}"));
        assert!(marker.sk < due_until(at));
        assert_eq!(live_program(&t, p).sk, format!("{tenant}#{p}"));
        assert_eq!(journey_send(&t, e).pk, format!("T#{tenant}#JOURNEY-SENDS"));
    }
}
