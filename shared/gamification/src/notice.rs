//! What a person is told of their XP and rewards, as one in-app send each (pure). Each request id is
//! derived from what makes the notice happen once (the award, the decision), so a redone step cannot send
//! it twice.
//!
//! Earning XP is a low-priority notice, so people who chose a daily or weekly digest get it there instead
//! of one email per award; reaching a new rank, and a reviewer's decision, are normal priority.

use crate::model::{Rank, SubjectType, XpBalance, XpSource, XpTransaction};
use crate::rewards::model::{RedemptionStatus, RewardRedemption};
use nudge_notifications::ChannelKind;
use nudge_notifications::send::direct::DirectSend;
use nudge_notifications::send::model::{NotificationPriority, NotificationType, Recipient};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The ids of gamification's sends live in this namespace.
const NAMESPACE: Uuid = Uuid::from_u128(0x6a41_0c2e_9d53_4f7b_a1e8_3b7c_55d2_09f4);

fn send(
    request: &str,
    user: Uuid,
    kind: NotificationType,
    priority: NotificationPriority,
    title: String,
    message: String,
) -> DirectSend {
    DirectSend {
        request_id: Uuid::new_v5(&NAMESPACE, request.as_bytes()),
        to: Recipient::user(user),
        channel: ChannelKind::InApp,
        kind,
        priority,
        template_id: None,
        title: Some(title),
        message: Some(message),
        variables: BTreeMap::new(),
    }
}

fn what(source: XpSource) -> &'static str {
    match source {
        XpSource::ModuleCompleted => "completing a module",
        XpSource::QuizHighScore => "a high quiz score",
        XpSource::MentorConfirmation => "an answer a mentor confirmed",
        XpSource::TopSuggestion => "a top suggestion",
        XpSource::ComplianceRenewal => "renewing a certificate",
        XpSource::Manual => "an award",
        XpSource::TouchpointCompleted => "a completed touchpoint",
        XpSource::RewardRedemption | XpSource::RewardRefund => "a reward",
    }
}

fn rank_name(rank: Rank) -> &'static str {
    match rank {
        Rank::Vajenec => "Vajenec",
        Rank::Pomocnik => "Pomočnik",
        Rank::Mojster => "Mojster",
        Rank::Mentor => "Mentor",
    }
}

/// XP_EARNED for a user's entry that earned XP (`before`: their rank before it); none for a spend, a
/// refund, a correction or a worker (whose channels are the journeys').
pub fn earned(entry: &XpTransaction, before: Rank, after: &XpBalance) -> Option<DirectSend> {
    if entry.amount <= 0 || !entry.source_type.earns() || entry.subject.subject_type != SubjectType::User {
        return None;
    }
    let request = format!("xp:{}:{}:{}", entry.subject, entry.source_type.as_str(), entry.source_entity_id);
    let user = entry.subject.subject_id;
    let earned = format!("You earned {} XP for {}.", entry.amount, what(entry.source_type));
    Some(if after.rank > before {
        send(
            &request,
            user,
            NotificationType::XpEarned,
            NotificationPriority::Normal,
            format!("You reached the rank of {}", rank_name(after.rank)),
            format!("{earned} With {} XP you are now a {}.", after.lifetime_xp, rank_name(after.rank)),
        )
    } else {
        send(
            &request,
            user,
            NotificationType::XpEarned,
            NotificationPriority::Low,
            format!("+{} XP", entry.amount),
            format!("{earned} You have {} XP to spend.", after.total_xp),
        )
    })
}

/// REWARD_APPROVED or REWARD_REJECTED for a reviewed redemption; none when the redeemer cancelled it.
pub fn decided(r: &RewardRedemption) -> Option<DirectSend> {
    let request = format!("redemption:{}:{}", r.id, r.status.as_str());
    let user = r.subject.subject_id;
    let note = r.review_note.as_deref().map(|n| format!(" Note: {n}")).unwrap_or_default();
    match r.status {
        RedemptionStatus::Approved => Some(send(
            &request,
            user,
            NotificationType::RewardApproved,
            NotificationPriority::Normal,
            format!("Reward approved: {}", r.reward_title),
            format!("Your redemption of {} for {} XP was approved.{note}", r.reward_title, r.xp_spent),
        )),
        RedemptionStatus::Rejected => Some(send(
            &request,
            user,
            NotificationType::RewardRejected,
            NotificationPriority::Normal,
            format!("Reward rejected: {}", r.reward_title),
            format!("Your redemption of {} was rejected and its {} XP given back.{note}", r.reward_title, r.xp_spent),
        )),
        RedemptionStatus::Pending | RedemptionStatus::Cancelled => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subject;
    use chrono::Utc;

    fn entry(amount: i64, source: XpSource, subject: Subject) -> XpTransaction {
        XpTransaction {
            id: Uuid::from_u128(1),
            subject,
            amount,
            source_type: source,
            source_entity_id: "c-1".into(),
            reason: None,
            created_by: None,
            created_at: Utc::now(),
            lifetime_xp_after: 0,
            total_xp_after: 0,
        }
    }

    #[test]
    fn earning_is_a_digest_notice_and_a_new_rank_is_not() {
        let user = Subject::user(Uuid::from_u128(7));
        let before = XpBalance::empty(user, Utc::now());
        let small = before.apply(100, XpSource::ModuleCompleted, Utc::now()).unwrap();
        let e = entry(100, XpSource::ModuleCompleted, user);
        let n = earned(&e, Rank::Vajenec, &small).unwrap();
        assert_eq!(
            (n.kind, n.priority, n.to),
            (NotificationType::XpEarned, NotificationPriority::Low, Recipient::user(user.subject_id))
        );
        assert_eq!(n.request_id, earned(&e, Rank::Vajenec, &small).unwrap().request_id, "stable per award");
        let big = before.apply(1500, XpSource::ModuleCompleted, Utc::now()).unwrap();
        let up = earned(&entry(1500, XpSource::ModuleCompleted, user), Rank::Vajenec, &big).unwrap();
        assert_eq!(up.priority, NotificationPriority::Normal);
        assert!(up.title.unwrap().contains("Pomočnik"));
    }

    #[test]
    fn spends_refunds_corrections_and_workers_are_not_told() {
        let (user, worker) = (Subject::user(Uuid::from_u128(7)), Subject::worker(Uuid::from_u128(8)));
        let b = XpBalance::empty(user, Utc::now());
        assert!(earned(&entry(-100, XpSource::RewardRedemption, user), Rank::Vajenec, &b).is_none());
        assert!(earned(&entry(100, XpSource::RewardRefund, user), Rank::Vajenec, &b).is_none());
        assert!(earned(&entry(-5, XpSource::Manual, user), Rank::Vajenec, &b).is_none());
        assert!(earned(&entry(10, XpSource::TouchpointCompleted, worker), Rank::Vajenec, &b).is_none());
    }
}
