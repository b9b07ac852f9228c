//! An in-app notification: seed 002's Notification (`type`, `title`, `message`, `isRead`, `userId`,
//! `tenantId`, `createdAt`) merged with seed 004's (`content` is the `message`), plus what an inbox needs:
//! a `link`, a `priority`, the send `requestId` that made it, and when it was read, seen and archived.
//!
//! The read state moves only through [`InAppNotification::marked`], which keeps one rule: an archived
//! notification is read. So "unread" is exactly `!isRead`, which is what the counter counts.

use chrono::{DateTime, Utc};
use nudge_core::values::Parse;
use nudge_core::{TenantId, TenantRef, validate};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;
use uuid::Uuid;

/// At most this many characters of title.
pub const TITLE_MAX: usize = 200;
/// At most this many characters of message.
pub const MESSAGE_MAX: usize = 2000;
/// At most this many characters of link.
pub const LINK_MAX: usize = 2048;

/// What a notification is about: seed 002's NotificationType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationType {
    NewModule,
    DeadlineReminder,
    QuizResult,
    CommentReply,
    CertificateIssued,
    ProgressOverride,
    ModuleUpdated,
    #[default]
    System,
    RadarApproved,
    RadarRejected,
    NewKnowledge,
    XpEarned,
    RewardApproved,
    RewardRejected,
    SuggestionPopular,
    SuggestionStatusChanged,
    ModuleExpiring,
    ModuleExpired,
    /// A live event of the learner's groups: announced, moved, starting soon or cancelled (ours: seed 002
    /// has live events but no type for them).
    LiveEvent,
}

impl NotificationType {
    pub const ALL: [Self; 19] = [
        Self::NewModule,
        Self::DeadlineReminder,
        Self::QuizResult,
        Self::CommentReply,
        Self::CertificateIssued,
        Self::ProgressOverride,
        Self::ModuleUpdated,
        Self::System,
        Self::RadarApproved,
        Self::RadarRejected,
        Self::NewKnowledge,
        Self::XpEarned,
        Self::RewardApproved,
        Self::RewardRejected,
        Self::SuggestionPopular,
        Self::SuggestionStatusChanged,
        Self::ModuleExpiring,
        Self::ModuleExpired,
        Self::LiveEvent,
    ];

    /// The name as served and as written in keys (`NEW_MODULE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewModule => "NEW_MODULE",
            Self::DeadlineReminder => "DEADLINE_REMINDER",
            Self::QuizResult => "QUIZ_RESULT",
            Self::CommentReply => "COMMENT_REPLY",
            Self::CertificateIssued => "CERTIFICATE_ISSUED",
            Self::ProgressOverride => "PROGRESS_OVERRIDE",
            Self::ModuleUpdated => "MODULE_UPDATED",
            Self::System => "SYSTEM",
            Self::RadarApproved => "RADAR_APPROVED",
            Self::RadarRejected => "RADAR_REJECTED",
            Self::NewKnowledge => "NEW_KNOWLEDGE",
            Self::XpEarned => "XP_EARNED",
            Self::RewardApproved => "REWARD_APPROVED",
            Self::RewardRejected => "REWARD_REJECTED",
            Self::SuggestionPopular => "SUGGESTION_POPULAR",
            Self::SuggestionStatusChanged => "SUGGESTION_STATUS_CHANGED",
            Self::ModuleExpiring => "MODULE_EXPIRING",
            Self::ModuleExpired => "MODULE_EXPIRED",
            Self::LiveEvent => "LIVE_EVENT",
        }
    }
}

impl Parse for NotificationType {
    fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| "must be a notification type such as `SYSTEM` or `NEW_MODULE`".to_owned())
    }
}

/// How prominently a client shows it; `normal` by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationPriority {
    Low,
    #[default]
    Normal,
    High,
}

/// Where a notification leads: a path of the app (`/modules/42`) or an https URL, at most 2048 characters
/// without white space. Checked when made, so a stored one is shown as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Link(String);

impl Link {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Parse for Link {
    fn parse(text: &str) -> Result<Self, String> {
        // `//host` would leave the app for another host; a backslash does the same in some browsers.
        let app_path = text.starts_with('/')
            && !text.starts_with("//")
            && !text.starts_with("/\\")
            && text.chars().count() <= LINK_MAX
            && !text.chars().any(|c| validate::is_blank(c) || c.is_control());
        if app_path || validate::web_url(text, true).is_ok() {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!("must be a path of the app (`/modules/42`) or an https URL, at most {LINK_MAX} characters"))
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the send pipeline asks an inbox to show. `id` is the delivery's own (a UUIDv7, so the inbox is in
/// time order), which makes a redelivered message a no-op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInApp {
    pub id: Uuid,
    pub kind: NotificationType,
    pub title: String,
    pub message: String,
    pub link: Option<Link>,
    pub priority: NotificationPriority,
    /// The send request that made it, when one did.
    pub request_id: Option<Uuid>,
}

impl NewInApp {
    /// What [`crate::inbox::deliver`] refuses: a pipeline checks this when it accepts a send request, so
    /// its client hears of it.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.id.get_version_num() != 7 {
            return Err("an in-app notification's id must be a UUIDv7: its time orders the inbox");
        }
        if validate::text(&self.title, 1, TITLE_MAX).is_err() {
            return Err("an in-app notification's title must be 1–200 characters, not blank");
        }
        if validate::text(&self.message, 1, MESSAGE_MAX).is_err() {
            return Err("an in-app notification's message must be 1–2000 characters, not blank");
        }
        Ok(())
    }
}

/// Where a notification is: the first character of its index sort keys (see repo), chosen so that a
/// newest-first read of an inbox meets unread, then read, then archived ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum State {
    Archived,
    Read,
    Unread,
}

impl State {
    pub(crate) fn letter(self) -> char {
        match self {
            Self::Archived => 'A',
            Self::Read => 'R',
            Self::Unread => 'U',
        }
    }
}

/// What a user does to one of their notifications; each is idempotent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    Read,
    /// Also brings an archived notification back to the inbox.
    Unread,
    Seen,
    /// Also reads it.
    Archive,
}

impl Mark {
    /// The verb of its audit action (`notification.read`).
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Unread => "unread",
            Self::Seen => "seen",
            Self::Archive => "archived",
        }
    }
}

/// A notification in a user's inbox, as stored and as served.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InAppNotification {
    /// A UUIDv7: the inbox's time order.
    pub(crate) id: Uuid,
    #[schema(value_type = Uuid)]
    pub(crate) tenant_id: TenantRef,
    /// Whose inbox it is in.
    pub(crate) user_id: Uuid,
    #[serde(rename = "type")]
    pub(crate) kind: NotificationType,
    pub(crate) title: String,
    /// Seed 004's `content`.
    pub(crate) message: String,
    /// A path of the app or an https URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub(crate) link: Option<Link>,
    pub(crate) priority: NotificationPriority,
    /// The send request that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<Uuid>,
    /// True once read (archiving reads it); unread ones are counted.
    pub(crate) is_read: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_at: Option<DateTime<Utc>>,
    /// When it was first shown (reading or archiving shows it too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seen_at: Option<DateTime<Utc>>,
    /// Archived ones leave the default list; marking one unread brings it back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) archived_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    /// Increases by one on every change; served as the `ETag`.
    pub(crate) version: u64,
}

impl InAppNotification {
    pub(crate) fn new(tenant: &TenantId, user: Uuid, new: NewInApp, now: DateTime<Utc>) -> Self {
        Self {
            id: new.id,
            tenant_id: tenant.into(),
            user_id: user,
            kind: new.kind,
            title: new.title,
            message: new.message,
            link: new.link,
            priority: new.priority,
            request_id: new.request_id,
            is_read: false,
            read_at: None,
            seen_at: None,
            archived_at: None,
            created_at: now,
            version: 1,
        }
    }

    pub(crate) fn state(&self) -> State {
        match (self.archived_at.is_some(), self.is_read) {
            (true, _) => State::Archived,
            (false, true) => State::Read,
            (false, false) => State::Unread,
        }
    }

    /// The next version after `mark`, or `None` when it would change nothing (so a repeated mark writes
    /// nothing and counts nothing).
    pub(crate) fn marked(&self, mark: Mark, now: DateTime<Utc>) -> Option<Self> {
        let mut next = self.clone();
        match mark {
            Mark::Read if self.is_read => return None,
            Mark::Read => next.read(now),
            Mark::Unread if !self.is_read && self.archived_at.is_none() => return None,
            Mark::Unread => {
                next.is_read = false;
                next.read_at = None;
                next.archived_at = None;
            }
            Mark::Seen if self.seen_at.is_some() => return None,
            Mark::Seen => next.seen_at = Some(now),
            Mark::Archive if self.archived_at.is_some() => return None,
            Mark::Archive => {
                next.archived_at = Some(now);
                if !self.is_read {
                    next.read(now);
                }
                next.seen_at.get_or_insert(now);
            }
        }
        next.version += 1;
        Some(next)
    }

    fn read(&mut self, now: DateTime<Utc>) {
        self.is_read = true;
        self.read_at = Some(now);
        self.seen_at.get_or_insert(now);
    }
}

/// How a change moves the unread count: +1, −1 or 0.
pub(crate) fn unread_delta(before: &InAppNotification, after: &InAppNotification) -> i64 {
    i64::from(!after.is_read) - i64::from(!before.is_read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn item() -> InAppNotification {
        let new = NewInApp {
            id: Uuid::now_v7(),
            kind: NotificationType::default(),
            title: "Hello".into(),
            message: "World".into(),
            link: None,
            priority: NotificationPriority::default(),
            request_id: None,
        };
        InAppNotification::new(&nudge_core::testing::tenant(1), Uuid::from_u128(2), new, Utc::now())
    }

    #[test]
    fn types_are_served_and_keyed_as_the_seed_names_them() {
        for kind in NotificationType::ALL {
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.as_str())));
            assert_eq!(NotificationType::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(NotificationType::default().as_str(), "SYSTEM");
        assert!(NotificationType::parse("system").is_err());
        assert_eq!(serde_json::to_value(NotificationPriority::default()).ok(), Some(serde_json::json!("normal")));
    }

    #[test]
    fn a_link_is_an_app_path_or_an_https_url() {
        for ok in ["/modules/42", "/", "/a?b=c#d", "https://acme.example/x"] {
            assert_eq!(Link::parse(ok).map(|l| l.to_string()), Ok(ok.to_owned()), "{ok}");
        }
        let long = format!("/{}", "x".repeat(LINK_MAX));
        for bad in
            ["", "modules/42", "//evil.example/x", "/\\evil", "/a b", "http://acme.example", "javascript:x", &long]
        {
            assert!(Link::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn what_deliver_refuses() {
        let ok = NewInApp {
            id: Uuid::now_v7(),
            kind: NotificationType::NewModule,
            title: "t".into(),
            message: "m".into(),
            link: None,
            priority: NotificationPriority::High,
            request_id: None,
        };
        assert_eq!(ok.check(), Ok(()));
        assert!(NewInApp { id: Uuid::new_v4(), ..ok.clone() }.check().is_err());
        assert!(NewInApp { title: " ".into(), ..ok.clone() }.check().is_err());
        assert!(NewInApp { title: "x".repeat(TITLE_MAX + 1), ..ok.clone() }.check().is_err());
        assert!(NewInApp { message: String::new(), ..ok.clone() }.check().is_err());
        assert!(NewInApp { message: "x".repeat(MESSAGE_MAX), ..ok }.check().is_ok());
    }

    #[test]
    fn a_new_notification_is_unread_and_counts_one() {
        let n = item();
        assert_eq!((n.state(), n.is_read, n.version), (State::Unread, false, 1));
        let served = serde_json::to_value(&n).unwrap_or_default();
        assert_eq!(served["type"], "SYSTEM");
        assert_eq!(served["priority"], "normal");
        assert_eq!(served["isRead"], false);
        assert!(served.get("readAt").is_none() && served.get("link").is_none());
    }

    #[test]
    fn each_mark_is_idempotent_and_moves_the_count_once() {
        let now = Utc::now();
        let n = item();
        let read = n.marked(Mark::Read, now).unwrap_or_else(|| panic!("read changes an unread one"));
        assert_eq!((read.state(), read.read_at, read.seen_at, read.version), (State::Read, Some(now), Some(now), 2));
        assert_eq!(unread_delta(&n, &read), -1);
        assert_eq!(read.marked(Mark::Read, now + Duration::seconds(1)), None);

        let unread = read.marked(Mark::Unread, now).unwrap_or_else(|| panic!("unread changes a read one"));
        assert_eq!((unread.state(), unread.read_at, unread.seen_at), (State::Unread, None, Some(now)));
        assert_eq!(unread_delta(&read, &unread), 1);
        assert_eq!(unread.marked(Mark::Unread, now), None);

        let seen = n.marked(Mark::Seen, now).unwrap_or_else(|| panic!("seen changes an unseen one"));
        assert_eq!((seen.state(), seen.seen_at, unread_delta(&n, &seen)), (State::Unread, Some(now), 0));
        assert_eq!(seen.marked(Mark::Seen, now + Duration::seconds(1)), None);
    }

    #[test]
    fn archiving_reads_and_unread_brings_it_back() {
        let now = Utc::now();
        let n = item();
        let archived = n.marked(Mark::Archive, now).unwrap_or_else(|| panic!("archive changes an inbox one"));
        assert_eq!((archived.state(), archived.is_read, archived.archived_at), (State::Archived, true, Some(now)));
        assert_eq!(unread_delta(&n, &archived), -1);
        assert_eq!(archived.marked(Mark::Archive, now), None);
        assert_eq!(archived.marked(Mark::Read, now), None, "archived is read already");

        // A read one archived keeps when it was read, and counts nothing.
        let later = now + Duration::minutes(5);
        let read = n.marked(Mark::Read, now).unwrap_or_else(|| panic!("read"));
        let archived_read = read.marked(Mark::Archive, later).unwrap_or_else(|| panic!("archive"));
        assert_eq!((archived_read.read_at, unread_delta(&read, &archived_read)), (Some(now), 0));

        let back = archived.marked(Mark::Unread, later).unwrap_or_else(|| panic!("unread unarchives"));
        assert_eq!((back.state(), back.archived_at, unread_delta(&archived, &back)), (State::Unread, None, 1));
    }

    #[test]
    fn states_sort_unread_then_read_then_archived_newest_first() {
        let mut letters = [State::Read, State::Archived, State::Unread].map(State::letter);
        letters.sort_by(|a, b| b.cmp(a));
        assert_eq!(letters, ['U', 'R', 'A']);
    }
}
