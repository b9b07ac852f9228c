//! The key layout of gamification (pinned by the test below).
//!
//! | item | pk | sk | gsi1pk | gsi1sk |
//! |---|---|---|---|---|
//! | balance | `T#<t>#XP#<subject>` | `BALANCE` | `T#<t>#XP-BOARD#<user\|worker>` | `<lifetime XP, 16 digits>#<subject id>` |
//! | ledger entry | `T#<t>#XP#<subject>` | `TX#<entryId v7>` | | |
//! | award guard | `T#<t>#XP#<subject>` | `SRC#<source>#<sourceEntityId>` | | |
//! | XP earned in a week or month | `T#<t>#XP#<subject>` | `PERIOD#<W2026-48\|M2026-11>` | `T#<t>#XP-BOARD#<user\|worker>#<period>` | `<XP, 16 digits>#<subject id>` |
//! | amounts per source | `T#<t>#XP-SETTINGS` | `SETTINGS` | | |
//! | reward | `T#<t>#REWARDS` | `<rewardId>` | | |
//! | a person's redemptions of a reward in a month | `T#<t>#REWARD#<rewardId>` | `TAKEN#<subject>#<YYYY-MM>` | | |
//! | redemption | `T#<t>#REDEMPTIONS` | `<redemptionId v7>` | `T#<t>#REDEMPTIONS#<subject>` | `<redemptionId>` |
//!
//! A redemption also carries gsi2 `T#<t>#REDEMPTIONS-STATUS#<status>` / `<redemptionId>`: the reviewers'
//! queue of pending ones is one index query. The catalogue is one partition (a few dozen items).
//!
//! `<subject>` is `user#<id>` or `worker#<id>`. A subject's items share one partition: its balance and its
//! newest entries are one query. The balance carries its place on the board's index, so the all-time
//! leaderboard is one descending index query, not a read of the ledger; one's place on a board is a count
//! (`Select: COUNT`) of the board's keys from the next XP figure up.

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
    tenant_partition(tenant, &format!("XP-BOARD#{}", kind.as_str()))
}

/// The week's or month's leaderboard of users or workers.
pub fn period_board(tenant: &TenantId, kind: SubjectType, period: &str) -> String {
    format!("{}#{period}", board(tenant, kind))
}

pub fn period(tenant: &TenantId, subject: &Subject, period: &str) -> Key {
    Key { pk: subject_partition(tenant, subject), sk: format!("PERIOD#{period}") }
}

pub fn board_sort(lifetime_xp: u64, subject: &Subject) -> String {
    format!("{}#{}", board_sort_from(lifetime_xp), subject.subject_id)
}

/// The lowest board key of `xp` (what every key of that XP or more sorts after).
pub fn board_sort_from(xp: u64) -> String {
    format!("{xp:016}")
}

pub fn settings(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "XP-SETTINGS", "SETTINGS")
}

pub fn reward(tenant: &TenantId, id: uuid::Uuid) -> Key {
    Key::tenant(tenant, "REWARDS", id.to_string())
}

pub fn rewards(tenant: &TenantId) -> String {
    tenant_partition(tenant, "REWARDS")
}

/// The count of `subject`'s redemptions of reward `id` in `month` (`YYYY-MM`).
pub fn taken(tenant: &TenantId, id: uuid::Uuid, subject: &Subject, month: &str) -> Key {
    Key { pk: tenant_partition(tenant, &format!("REWARD#{id}")), sk: format!("TAKEN#{subject}#{month}") }
}

pub fn redemption(tenant: &TenantId, id: uuid::Uuid) -> Key {
    Key::tenant(tenant, "REDEMPTIONS", id.to_string())
}

pub fn redemptions(tenant: &TenantId) -> String {
    tenant_partition(tenant, "REDEMPTIONS")
}

pub fn redemptions_of(tenant: &TenantId, subject: &Subject) -> String {
    tenant_partition(tenant, &format!("REDEMPTIONS#{subject}"))
}

pub fn redemptions_in(tenant: &TenantId, status: &str) -> String {
    tenant_partition(tenant, &format!("REDEMPTIONS-STATUS#{status}"))
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
        // A standing counts the keys from the next figure up to `~`: all of more XP, none of as much.
        assert!(board_sort(999, &s) < board_sort_from(1000) && board_sort_from(1000) < board_sort(1000, &s));
        assert!(board_sort(u64::MAX, &s).as_str() < "~");
        assert_eq!(period(&t, &s, "W2026-48").sk, "PERIOD#W2026-48");
        assert_eq!(period_board(&t, SubjectType::User, "M2026-11"), format!("T#{tenant}#XP-BOARD#user#M2026-11"));
        assert_eq!(settings(&t).pk, format!("T#{tenant}#XP-SETTINGS"));
        let r = Uuid::from_u128(4);
        assert_eq!((reward(&t, r).pk, reward(&t, r).sk), (format!("T#{tenant}#REWARDS"), r.to_string()));
        assert_eq!(
            (taken(&t, r, &s, "2026-11").pk, taken(&t, r, &s, "2026-11").sk),
            (format!("T#{tenant}#REWARD#{r}"), format!("TAKEN#user#{u}#2026-11"))
        );
        assert_eq!((redemption(&t, e).pk, redemption(&t, e).sk), (format!("T#{tenant}#REDEMPTIONS"), e.to_string()));
        assert_eq!(redemptions_of(&t, &s), format!("T#{tenant}#REDEMPTIONS#user#{u}"));
        assert_eq!(redemptions_in(&t, "PENDING"), format!("T#{tenant}#REDEMPTIONS-STATUS#PENDING"));
    }
}
