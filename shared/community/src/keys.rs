//! The key layout of the community (pinned by the test below).
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | suggestion | `T#<t>#SUGGESTIONS` | `<suggestionId v7>` | `T#<t>#SUGGESTIONS#<status>` / `<suggestionId>` | `T#<t>#SUGGESTION-VOTES#<status>` / `<voteCount, 10 digits>#<suggestionId>` |
//! | vote | `T#<t>#SUGGESTION#<suggestionId>` | `VOTE#<userId>` | | |
//! | comment | `T#<t>#SUGGESTION#<suggestionId>` | `COMMENT#<commentId v7>` | | |
//! | radar post | `T#<t>#RADAR` | `<postId v7>` | `T#<t>#RADAR#<status>` / `<entered status, epoch ms, 13 digits>#<postId>` | approved only: `T#<t>#RADAR-FEED` / `<1 pinned, 0 not>#<approvedAt, epoch ms, 13 digits>#<postId>` |
//! | seen mark | `T#<t>#RADAR-MEMBER#<userId>` | `SEEN` | | |
//! | saved post | `T#<t>#RADAR-MEMBER#<userId>` | `SAVE#<postId>` | | |
//! | chat message | `T#<t>#CHAT` | `<messageId v7>` | `T#<t>#CHAT#TENANT` or `T#<t>#CHAT#MODULE#<moduleId>` / `<messageId>` | |
//! | module comment | `T#<t>#MODULE-COMMENTS#<moduleId>` | `<commentId v7>` | | |
//! | usage session | `T#<t>#USAGE#<userId>` | `<sessionId v7>` | | |
//! | usage of a day | `T#<t>#USAGE-DAYS` | `<YYYY-MM-DD>` (the organization's) | | |
//!
//! The platform changelog's items are the platform's, not a tenant's: see [`crate::changelog`].
//!
//! Access patterns: the newest suggestions are one query of the tenant's partition (ids are v7), those
//! of a status one of gsi1, the most voted of a status one descending query of gsi2. A vote's key is the
//! (suggestion, user) pair, so a user votes once; the suggestion's voters (told of its review) and its
//! comments (oldest first) are one query of its own partition each. The feed is one descending query of
//! gsi2 (pinned first, then newest approved); the unseen count one range of gsi1's approved list after the
//! member's mark. A member's mark and saves share their partition.
//!
//! A chat message is read by its id alone (`GET /chat/messages/{id}`, a confirmation) from the tenant's
//! chat partition; a channel (the organization's, or a module's) is one descending query of gsi1, newest
//! first (ids are v7). A module's comments are one ascending query of their own partition, oldest first,
//! and a comment is read by (module, id).
//!
//! The vote sort key is derived from the exact count after each vote (written only while the count is
//! still the one read), so the ranking follows the count and never goes back to a stale one.

use crate::model::{RadarPost, RadarPostStatus, SuggestionStatus};
use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use uuid::Uuid;

pub fn suggestions(tenant: &TenantId) -> String {
    tenant_partition(tenant, "SUGGESTIONS")
}

pub fn suggestion(tenant: &TenantId, id: Uuid) -> Key {
    Key { pk: suggestions(tenant), sk: id.to_string() }
}

pub fn by_status(tenant: &TenantId, status: SuggestionStatus) -> String {
    tenant_partition(tenant, &format!("SUGGESTIONS#{}", status.as_str()))
}

pub fn by_votes(tenant: &TenantId, status: SuggestionStatus) -> String {
    tenant_partition(tenant, &format!("SUGGESTION-VOTES#{}", status.as_str()))
}

pub fn vote_sort(votes: u64, id: Uuid) -> String {
    format!("{votes:010}#{id}")
}

/// The partition of a suggestion's votes and comments.
pub fn suggestion_partition(tenant: &TenantId, id: Uuid) -> String {
    tenant_partition(tenant, &format!("SUGGESTION#{id}"))
}

pub fn vote(tenant: &TenantId, suggestion: Uuid, user: Uuid) -> Key {
    Key { pk: suggestion_partition(tenant, suggestion), sk: format!("VOTE#{user}") }
}

pub fn comment(tenant: &TenantId, suggestion: Uuid, id: Uuid) -> Key {
    Key { pk: suggestion_partition(tenant, suggestion), sk: format!("COMMENT#{id}") }
}

pub fn radar(tenant: &TenantId) -> String {
    tenant_partition(tenant, "RADAR")
}

pub fn radar_post(tenant: &TenantId, id: Uuid) -> Key {
    Key { pk: radar(tenant), sk: id.to_string() }
}

pub fn radar_status(tenant: &TenantId, status: RadarPostStatus) -> String {
    tenant_partition(tenant, &format!("RADAR#{}", status.as_str()))
}

pub fn millis(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{:013}", at.timestamp_millis().max(0))
}

pub fn radar_status_sort(post: &RadarPost) -> String {
    format!("{}#{}", millis(post.status_at()), post.id)
}

pub fn radar_feed(tenant: &TenantId) -> String {
    tenant_partition(tenant, "RADAR-FEED")
}

/// Descending, pinned posts come first, then the newest approved.
pub fn radar_feed_sort(post: &RadarPost) -> String {
    let at = post.approved_at.unwrap_or(post.updated_at);
    format!("{}#{}#{}", u8::from(post.pinned), millis(at), post.id)
}

pub fn member(tenant: &TenantId, user: Uuid) -> String {
    tenant_partition(tenant, &format!("RADAR-MEMBER#{user}"))
}

pub fn seen(tenant: &TenantId, user: Uuid) -> Key {
    Key { pk: member(tenant, user), sk: "SEEN".into() }
}

pub fn save(tenant: &TenantId, user: Uuid, post: Uuid) -> Key {
    Key { pk: member(tenant, user), sk: format!("SAVE#{post}") }
}

pub fn chat(tenant: &TenantId) -> String {
    tenant_partition(tenant, "CHAT")
}

pub fn chat_message(tenant: &TenantId, id: Uuid) -> Key {
    Key { pk: chat(tenant), sk: id.to_string() }
}

/// A channel's messages (gsi1): the organization's when `module` is absent, else the module's.
pub fn chat_channel(tenant: &TenantId, module: Option<Uuid>) -> String {
    match module {
        None => tenant_partition(tenant, "CHAT#TENANT"),
        Some(m) => tenant_partition(tenant, &format!("CHAT#MODULE#{m}")),
    }
}

pub fn module_comments(tenant: &TenantId, module: Uuid) -> String {
    tenant_partition(tenant, &format!("MODULE-COMMENTS#{module}"))
}

pub fn module_comment(tenant: &TenantId, module: Uuid, id: Uuid) -> Key {
    Key { pk: module_comments(tenant, module), sk: id.to_string() }
}

pub fn usage_sessions(tenant: &TenantId, user: Uuid) -> String {
    tenant_partition(tenant, &format!("USAGE#{user}"))
}

pub fn usage_session(tenant: &TenantId, user: Uuid, id: Uuid) -> Key {
    Key { pk: usage_sessions(tenant, user), sk: id.to_string() }
}

pub fn usage_day(tenant: &TenantId, day: chrono::NaiveDate) -> Key {
    Key::tenant(tenant, "USAGE-DAYS", day.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    #[test]
    fn verify_community_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (s, u, c) = (Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        let k = usage_session(&t, u, c);
        assert_eq!((k.pk, k.sk), (format!("T#{tenant}#USAGE#{u}"), c.to_string()));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            (usage_day(&t, day).pk, usage_day(&t, day).sk),
            (format!("T#{tenant}#USAGE-DAYS"), "2026-11-30".into())
        );
        let k = suggestion(&t, s);
        assert_eq!((k.pk, k.sk), (format!("T#{tenant}#SUGGESTIONS"), s.to_string()));
        assert_eq!(by_status(&t, SuggestionStatus::Open), format!("T#{tenant}#SUGGESTIONS#OPEN"));
        assert_eq!(by_votes(&t, SuggestionStatus::Approved), format!("T#{tenant}#SUGGESTION-VOTES#APPROVED"));
        assert_eq!(vote_sort(12, s), format!("0000000012#{s}"));
        assert!(vote_sort(9, s) < vote_sort(10, s));
        let v = vote(&t, s, u);
        assert_eq!((v.pk, v.sk), (format!("T#{tenant}#SUGGESTION#{s}"), format!("VOTE#{u}")));
        assert_eq!(comment(&t, s, c).sk, format!("COMMENT#{c}"));

        let at = DateTime::from_timestamp_millis(1_790_000_000_123).unwrap();
        let mut post = RadarPost::new(c, u, "https://a.example".into(), None, at);
        assert_eq!(radar_post(&t, c).pk, format!("T#{tenant}#RADAR"));
        assert_eq!(radar_status(&t, RadarPostStatus::Pending), format!("T#{tenant}#RADAR#PENDING"));
        assert_eq!(radar_status_sort(&post), format!("1790000000123#{c}"));
        post.approved_at = Some(at);
        assert_eq!(radar_feed(&t), format!("T#{tenant}#RADAR-FEED"));
        assert_eq!(radar_feed_sort(&post), format!("0#1790000000123#{c}"));
        let unpinned_later =
            radar_feed_sort(&RadarPost { approved_at: Some(at + chrono::Duration::days(1)), ..post.clone() });
        post.pinned = true;
        assert!(radar_feed_sort(&post) > unpinned_later, "pinned first in a descending read");
        let (m, sv) = (seen(&t, u), save(&t, u, c));
        assert_eq!((m.pk.clone(), m.sk), (format!("T#{tenant}#RADAR-MEMBER#{u}"), "SEEN".to_owned()));
        assert_eq!((sv.pk, sv.sk), (m.pk, format!("SAVE#{c}")));

        let msg = chat_message(&t, c);
        assert_eq!((msg.pk, msg.sk), (format!("T#{tenant}#CHAT"), c.to_string()));
        assert_eq!(chat_channel(&t, None), format!("T#{tenant}#CHAT#TENANT"));
        assert_eq!(chat_channel(&t, Some(s)), format!("T#{tenant}#CHAT#MODULE#{s}"));
        let mc = module_comment(&t, s, c);
        assert_eq!((mc.pk, mc.sk), (format!("T#{tenant}#MODULE-COMMENTS#{s}"), c.to_string()));
        assert_eq!(module_comments(&t, s), format!("T#{tenant}#MODULE-COMMENTS#{s}"));
    }
}
