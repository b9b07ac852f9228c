//! What a learner is told, as one in-app send each (pure): the request id is derived from what makes
//! the notice happen once, so a redone check cannot send it twice.

use crate::certificate::Reminder;
use chrono::{DateTime, Utc};
use nudge_notifications::ChannelKind;
use nudge_notifications::send::direct::DirectSend;
use nudge_notifications::send::model::{NotificationPriority, NotificationType, Recipient};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The ids of the learning sends live in this namespace.
const NAMESPACE: Uuid = Uuid::from_u128(0x1e4c_93d0_77b2_4a4e_8c1f_52d6_0b8e_a3c7);

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

fn send(request: &str, user: Uuid, kind: NotificationType, title: String, message: String) -> DirectSend {
    DirectSend {
        request_id: Uuid::new_v5(&NAMESPACE, request.as_bytes()),
        to: Recipient::user(user),
        channel: ChannelKind::InApp,
        kind,
        priority: match kind {
            NotificationType::ModuleExpired => NotificationPriority::High,
            _ => NotificationPriority::Normal,
        },
        template_id: None,
        title: Some(title),
        message: Some(message),
        variables: BTreeMap::new(),
    }
}

/// MODULE_EXPIRING or MODULE_EXPIRED for certificate `certificate` of `user` in `module`; `renewing`: the
/// module is on their list again.
pub fn certificate(
    certificate: Uuid,
    user: Uuid,
    module: &str,
    expires_at: DateTime<Utc>,
    reminder: Reminder,
    renewing: bool,
) -> DirectSend {
    let request = format!("certificate:{certificate}:{}", reminder.key());
    match reminder {
        Reminder::Expiring { days } => send(
            &request,
            user,
            NotificationType::ModuleExpiring,
            format!("Certificate expiring: {module}"),
            format!(
                "Your certificate for {module} expires on {} (in {days} days or less). Complete the module again to renew it.",
                day(expires_at)
            ),
        ),
        Reminder::Expired => send(
            &request,
            user,
            NotificationType::ModuleExpired,
            format!("Certificate expired: {module}"),
            if renewing {
                format!(
                    "Your certificate for {module} expired on {}. The module is on your list again.",
                    day(expires_at)
                )
            } else {
                format!("Your certificate for {module} expired on {}.", day(expires_at))
            },
        ),
    }
}

/// DEADLINE_REMINDER of `module` due at `due_at` for `user` (once per due date).
pub fn deadline(user: Uuid, module_id: Uuid, module: &str, due_at: DateTime<Utc>, now: DateTime<Utc>) -> DirectSend {
    let request = format!("deadline:{user}:{module_id}:{}", due_at.timestamp_millis());
    let message = if now > due_at {
        format!("{module} was due on {}. Please complete it as soon as you can.", day(due_at))
    } else {
        format!("{module} is due on {}.", day(due_at))
    };
    send(&request, user, NotificationType::DeadlineReminder, format!("Due soon: {module}"), message)
}

/// What a live event's members are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventNotice {
    Announced,
    StartingSoon,
    Cancelled,
}

/// LIVE_EVENT for `user`: once per event, kind and start time (a moved event is announced again).
pub fn live_event(user: Uuid, e: &crate::live::LiveEvent, kind: EventNotice) -> DirectSend {
    let kind_key = match kind {
        EventNotice::Announced => "announced",
        EventNotice::StartingSoon => "soon",
        EventNotice::Cancelled => "cancelled",
    };
    let request = format!("event:{}:{user}:{}:{kind_key}", e.id, e.starts_at.timestamp_millis());
    let when = e.starts_at.format("%-d %B %Y, %H:%M UTC");
    let (title, message) = match kind {
        EventNotice::Announced => {
            (format!("Live event: {}", e.title), format!("{} on {when}. Join at {}", e.title, e.meet_url))
        }
        EventNotice::StartingSoon => {
            (format!("Tomorrow: {}", e.title), format!("{} starts on {when}. Join at {}", e.title, e.meet_url))
        }
        EventNotice::Cancelled => (format!("Cancelled: {}", e.title), format!("{} on {when} is cancelled.", e.title)),
    };
    send(&request, user, NotificationType::LiveEvent, title, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn each_notice_has_one_request_id() {
        let (c, u, m) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
        let thirty = certificate(c, u, "Safety", at, Reminder::Expiring { days: 30 }, false);
        assert_eq!(
            thirty.request_id,
            certificate(c, u, "Renamed", at, Reminder::Expiring { days: 30 }, false).request_id
        );
        assert_ne!(
            thirty.request_id,
            certificate(c, u, "Safety", at, Reminder::Expiring { days: 7 }, false).request_id
        );
        assert_eq!(thirty.kind, NotificationType::ModuleExpiring);
        assert_eq!(thirty.to, Recipient::user(u));
        assert!(thirty.message.as_deref().unwrap_or_default().contains("1 March 2027"));
        let expired = certificate(c, u, "Safety", at, Reminder::Expired, true);
        assert_eq!((expired.kind, expired.priority), (NotificationType::ModuleExpired, NotificationPriority::High));
        assert!(expired.message.as_deref().unwrap_or_default().contains("on your list again"));

        let due = deadline(u, m, "Safety", at, at - chrono::Duration::days(3));
        assert_eq!(due.request_id, deadline(u, m, "Safety", at, at).request_id);
        assert_ne!(due.request_id, deadline(u, m, "Safety", at + chrono::Duration::days(1), at).request_id);
        assert_eq!(due.message.as_deref(), Some("Safety is due on 1 March 2027."));
        assert!(deadline(u, m, "Safety", at, at + chrono::Duration::days(1)).message.unwrap().contains("was due"));
    }
}
