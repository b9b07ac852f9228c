//! What the community tells people, as in-app sends (pure). Each request id is derived from what makes the
//! notice happen once (a suggestion and the status it reached; a radar post and its review; a reply), so a
//! redone change cannot send it twice: the request exists and the transaction fails.

use crate::model::{ModuleComment, RadarPost, RadarPostStatus, Suggestion, SuggestionComment};
use nudge_core::values::Parse;
use nudge_notifications::ChannelKind;
use nudge_notifications::send::direct::{DirectSend, UsersSend};
use nudge_notifications::send::model::{Link, NotificationPriority, NotificationType, Recipient};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The ids of the community's sends live in this namespace.
const NAMESPACE: Uuid = Uuid::from_u128(0x5c3a_0d6e_91f4_4b27_a8d3_7e10_c2b9_4f65);

fn request_id(what: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, what.as_bytes())
}

fn link(path: &str) -> Option<Link> {
    Link::parse(path).ok()
}

/// SUGGESTION_STATUS_CHANGED to the author and every voter ("subscribers"), once per suggestion and status.
pub fn status_changed(s: &Suggestion, voters: &[Uuid]) -> UsersSend {
    let (title, message) = s.status_notice();
    let mut user_ids = vec![s.author_id];
    user_ids.extend_from_slice(voters);
    UsersSend {
        request_id: request_id(&format!("suggestion:{}:{}", s.id, s.status.as_str())),
        user_ids,
        channel: ChannelKind::InApp,
        kind: NotificationType::SuggestionStatusChanged,
        priority: NotificationPriority::Normal,
        title: Some(title),
        message: Some(message),
        link: link(&format!("/suggestions/{}", s.id)),
    }
}

/// SUGGESTION_POPULAR to its reviewers, once per suggestion.
pub fn popular(s: &Suggestion, reviewers: Vec<Uuid>) -> UsersSend {
    let (title, message) = s.popular_notice();
    UsersSend {
        request_id: request_id(&format!("suggestion:{}:popular", s.id)),
        user_ids: reviewers,
        channel: ChannelKind::InApp,
        kind: NotificationType::SuggestionPopular,
        priority: NotificationPriority::Normal,
        title: Some(title),
        message: Some(message),
        link: link(&format!("/suggestions/{}", s.id)),
    }
}

/// RADAR_APPROVED or RADAR_REJECTED to the post's author, once per post.
pub fn radar_reviewed(p: &RadarPost) -> DirectSend {
    let (title, message) = p.review_notice();
    let kind = match p.status {
        RadarPostStatus::Approved => NotificationType::RadarApproved,
        _ => NotificationType::RadarRejected,
    };
    DirectSend {
        request_id: request_id(&format!("radar:{}:{}", p.id, p.status.as_str())),
        to: Recipient::user(p.author_id),
        channel: ChannelKind::InApp,
        kind,
        priority: NotificationPriority::Normal,
        template_id: None,
        title: Some(title),
        message: Some(message),
        variables: BTreeMap::new(),
    }
}

fn reply_send(request: String, to: Uuid, (title, message): (String, String)) -> DirectSend {
    DirectSend {
        request_id: request_id(&request),
        to: Recipient::user(to),
        channel: ChannelKind::InApp,
        kind: NotificationType::CommentReply,
        priority: NotificationPriority::Normal,
        template_id: None,
        title: Some(title),
        message: Some(message),
        variables: BTreeMap::new(),
    }
}

/// COMMENT_REPLY to the author of the module comment `reply` answers (`parent_author`), once per reply.
pub fn module_comment_reply(reply: &ModuleComment, parent_author: Uuid, module_title: &str) -> DirectSend {
    reply_send(format!("module-comment:{}:reply", reply.id), parent_author, reply.reply_notice(module_title))
}

/// COMMENT_REPLY to the author of the suggestion comment `reply` answers (`parent_author`), once per reply.
pub fn suggestion_comment_reply(reply: &SuggestionComment, parent_author: Uuid, s: &Suggestion) -> DirectSend {
    reply_send(format!("suggestion-comment:{}:reply", reply.id), parent_author, reply.reply_notice(&s.title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SuggestionDecision;
    use chrono::DateTime;

    #[test]
    fn each_notice_has_one_request_id() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let (author, voter, reviewer) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let s = Suggestion::new(Uuid::from_u128(9), author, "Ladders".into(), "D".into(), now);
        let approved = s.decided(SuggestionDecision::Approved, None, None, reviewer, now).unwrap();
        let rejected = s.decided(SuggestionDecision::Rejected, None, None, reviewer, now).unwrap();
        let told = status_changed(&approved, &[voter]);
        assert_eq!(told.request_id, status_changed(&approved, &[]).request_id);
        assert_ne!(told.request_id, status_changed(&rejected, &[voter]).request_id);
        assert_eq!((told.user_ids, told.kind), (vec![author, voter], NotificationType::SuggestionStatusChanged));
        assert_eq!(told.link.map(|l| l.to_string()), Some(format!("/suggestions/{}", s.id)));
        assert_ne!(popular(&s, vec![reviewer]).request_id, told.request_id);

        let p = RadarPost::new(Uuid::from_u128(7), author, "https://a.example".into(), None, now);
        let yes = radar_reviewed(&p.reviewed(true, None, reviewer, now).unwrap());
        let no = radar_reviewed(&p.reviewed(false, None, reviewer, now).unwrap());
        assert_eq!((yes.kind, no.kind), (NotificationType::RadarApproved, NotificationType::RadarRejected));
        assert_ne!(yes.request_id, no.request_id);
        assert_eq!(yes.to, Recipient::user(author));
    }

    #[test]
    fn a_reply_tells_the_parents_author_once_per_reply() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let (asker, answerer, module) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let root = ModuleComment::new(Uuid::from_u128(10), module, asker, "Why?".into(), None, now);
        let answer = ModuleComment::new(Uuid::from_u128(11), module, answerer, "Because".into(), Some(&root), now);
        let told = module_comment_reply(&answer, asker, "Ladders");
        assert_eq!((told.to, told.kind), (Recipient::user(asker), NotificationType::CommentReply));
        assert_eq!(told.request_id, module_comment_reply(&answer, asker, "Renamed").request_id);
        let other = ModuleComment::new(Uuid::from_u128(12), module, answerer, "Also".into(), Some(&root), now);
        assert_ne!(told.request_id, module_comment_reply(&other, asker, "Ladders").request_id);

        let s = Suggestion::new(Uuid::from_u128(9), asker, "Forklift".into(), "D".into(), now);
        let c = SuggestionComment {
            id: Uuid::from_u128(11),
            suggestion_id: s.id,
            author_id: answerer,
            body: "Yes".into(),
            parent_id: Some(Uuid::from_u128(10)),
            created_at: now,
        };
        let on_suggestion = suggestion_comment_reply(&c, asker, &s);
        assert_eq!(on_suggestion.kind, NotificationType::CommentReply);
        assert_ne!(on_suggestion.request_id, told.request_id, "the same id in another domain is another send");
        assert_eq!(on_suggestion.title.as_deref(), Some("New reply on the suggestion “Forklift”"));
    }

    #[test]
    fn many_users_are_split_over_requests_of_derived_ids() {
        use nudge_notifications::send::direct::{USERS_PER_REQUEST, to_users};
        let sdk =
            aws_sdk_sqs::Config::builder().behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest()).build();
        let queue = nudge_core::queue::Queue::new(aws_sdk_sqs::Client::from_conf(sdk), "https://sqs.example/q");
        let tenant = nudge_core::testing::tenant(1);
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let s = Suggestion::new(Uuid::from_u128(9), Uuid::from_u128(0), "T".into(), "D".into(), now);
        let voters: Vec<Uuid> = (0..USERS_PER_REQUEST as u128 + 5).map(Uuid::from_u128).collect();
        let (tx, posted) = to_users(&tenant, &queue, status_changed(&s, &voters), now).unwrap();
        assert_eq!((tx.len(), posted.len()), (4, 2), "a request and its outbox entry per 1000 users, the author once");
        let (none, nothing) = to_users(&tenant, &queue, popular(&s, vec![]), now).unwrap();
        assert!(none.is_empty() && nothing.is_empty());
    }
}
