//! The key layout of gamification (pinned by the test below).
//!
//! | item | pk | sk | gsi1pk | gsi1sk |
//! |---|---|---|---|---|
//! | balance | `T#<t>#XP#<subject>` | `BALANCE` | `T#<t>#XP-BOARD#<user\|worker>` | `<lifetime XP, 16 digits>#<subject id>` |
//! | ledger entry | `T#<t>#XP#<subject>` | `TX#<entryId v7>` | | |
//! | award guard | `T#<t>#XP#<subject>` | `SRC#<source>#<sourceEntityId>` | | |
//! | amounts per source | `T#<t>#XP-SETTINGS` | `SETTINGS` | | |
//!
//! `<subject>` is `user#<id>` or `worker#<id>`. A subject's items share one partition: its balance and its
//! newest entries are one query. The balance carries its place on the board's index, so the all-time
//! leaderboard is one descending index query, not a read of the ledger.

use crate::model::{Subject, SubjectType, XpSource};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};

pub fn subject_partition(tenant: &TenantId, subject: &Subject) -> String {
    tenant_partition(tenant, &format!("XP#{subject}"))
}

pub fn balance(tenant: &TenantId, subject: &Subject) -> Key {
    Key { pk: subject_partition(tenant, subject), sk: "BALANCE".into() }
}

pub fn entry(tenant: &TenantId, subject: &Subject, id: uuid::Uuid) -> Key {
    Key { pk: subject_partition(tenant, subject), sk: format!("TX#{id}") }
}

pub fn guard(tenant: &TenantId, subject: &Subject, source: XpSource, source_entity_id: &str) -> Key {
    Key { pk: subject_partition(tenant, subject), sk: format!("SRC#{}#{source_entity_id}", source.as_str()) }
}

pub fn board(tenant: &TenantId, kind: SubjectType) -> String {
    let kind = match kind {
        SubjectType::User => "user",
        SubjectType::Worker => "worker",
    };
    tenant_partition(tenant, &format!("XP-BOARD#{kind}"))
}

pub fn board_sort(lifetime_xp: u64, subject: &Subject) -> String {
    format!("{lifetime_xp:016}#{}", subject.subject_id)
}

pub fn settings(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "XP-SETTINGS", "SETTINGS")
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn verify_gamification_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (u, e) = (Uuid::from_u128(2), Uuid::from_u128(3));
        let s = Subject::user(u);
        assert_eq!((balance(&t, &s).pk, balance(&t, &s).sk), (format!("T#{tenant}#XP#user#{u}"), "BALANCE".into()));
        assert_eq!(entry(&t, &s, e).sk, format!("TX#{e}"));
        assert_eq!(guard(&t, &s, XpSource::ModuleCompleted, "c-1").sk, "SRC#MODULE_COMPLETED#c-1");
        assert_eq!(board(&t, SubjectType::Worker), format!("T#{tenant}#XP-BOARD#worker"));
        assert_eq!(board_sort(1500, &s), format!("0000000000001500#{u}"));
        assert!(board_sort(999, &s) < board_sort(1000, &s));
        assert_eq!(settings(&t).pk, format!("T#{tenant}#XP-SETTINGS"));
    }
}
