//! The community's model (pure): knowledge suggestions with their votes and comments, mentor radar posts,
//! and the rules of their states.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A suggestion's title, at most.
pub const TITLE_MAX: usize = 200;
/// A suggestion's description, at most.
pub const DESCRIPTION_MAX: usize = 5000;
/// A comment's body, at most.
pub const COMMENT_MAX: usize = 2000;
/// A reviewer's reason, at most.
pub const REASON_MAX: usize = 1000;
/// The votes that make a suggestion popular: the holders of `suggestions:manage` are told once when a vote
/// leaves it with at least this many (SUGGESTION_POPULAR).
pub const POPULAR_AT: u64 = 5;
/// A radar post's URL, at most.
pub const RADAR_URL_MAX: usize = 2000;
/// A radar post's description, at most.
pub const RADAR_DESCRIPTION_MAX: usize = 1000;
/// The feed's unseen count stops here (a badge, read from one index page).
pub const UNSEEN_MAX: u32 = 100;

/// Seed 002 SuggestionStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuggestionStatus {
    Open,
    Approved,
    Rejected,
    /// Turned into a learning module (`moduleId`).
    Converted,
}

impl SuggestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Converted => "CONVERTED",
        }
    }

    /// The words a notice uses.
    fn verb(self) -> &'static str {
        match self {
            Self::Open => "reopened",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Converted => "turned into a module",
        }
    }
}

/// A reviewer's decision on an open suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuggestionDecision {
    Approved,
    Rejected,
    /// Needs `moduleId`.
    Converted,
}

impl SuggestionDecision {
    pub fn status(self) -> SuggestionStatus {
        match self {
            Self::Approved => SuggestionStatus::Approved,
            Self::Rejected => SuggestionStatus::Rejected,
            Self::Converted => SuggestionStatus::Converted,
        }
    }

    /// Whether the author earns TOP_SUGGESTION XP by it.
    pub fn earns_xp(self) -> bool {
        matches!(self, Self::Approved | Self::Converted)
    }
}

/// Seed 002 KnowledgeSuggestion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: SuggestionStatus,
    pub author_id: Uuid,
    /// Exact: changed with each vote in the vote's own transaction.
    #[serde(default)]
    pub vote_count: u64,
    #[serde(default)]
    pub comment_count: u64,
    /// The module it was turned into (CONVERTED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<Uuid>,
    /// The reviewer's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When the reviewers were told it is popular (once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popular_notified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every change (votes and comments included): the ETag.
    pub version: u64,
}

/// Why a state change is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Only an open suggestion, or a pending radar post, is reviewed (or voted on).
    NotOpen(&'static str),
}

impl Suggestion {
    pub fn new(id: Uuid, author_id: Uuid, title: String, description: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            title,
            description,
            status: SuggestionStatus::Open,
            author_id,
            vote_count: 0,
            comment_count: 0,
            module_id: None,
            reason: None,
            reviewed_by_id: None,
            reviewed_at: None,
            popular_notified_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The suggestion once reviewed: only an open one is.
    pub fn decided(
        &self,
        decision: SuggestionDecision,
        module_id: Option<Uuid>,
        reason: Option<String>,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Self, Refusal> {
        if self.status != SuggestionStatus::Open {
            return Err(Refusal::NotOpen(self.status.as_str()));
        }
        Ok(Self {
            status: decision.status(),
            module_id: module_id.filter(|_| decision == SuggestionDecision::Converted),
            reason,
            reviewed_by_id: Some(by),
            reviewed_at: Some(now),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// What a vote (`up`) or an unvote on the suggestion as read does.
    pub fn counting(&self, up: bool) -> Counting {
        let count = if up { self.vote_count + 1 } else { self.vote_count.saturating_sub(1) };
        let waiting = up && self.status == SuggestionStatus::Open && self.popular_notified_at.is_none();
        let tells = waiting && count >= POPULAR_AT;
        Counting { count, tells, short: waiting && !tells }
    }

    /// The title and message telling the author and voters of its review.
    pub fn status_notice(&self) -> (String, String) {
        let title = clip(&format!("Suggestion {}: {}", self.status.verb(), self.title), 200);
        let mut message = format!("“{}” was {}.", self.title, self.status.verb());
        if let Some(reason) = &self.reason {
            message.push_str(&format!(" {reason}"));
        }
        (title, clip(&message, 2000))
    }

    /// The title and message telling the reviewers it is popular.
    pub fn popular_notice(&self) -> (String, String) {
        let title = clip(&format!("Popular suggestion: {}", self.title), 200);
        let message = format!("“{}” has {} votes and waits for a review.", self.title, self.vote_count);
        (title, clip(&message, 2000))
    }
}

/// A vote's or unvote's effect on the suggestion it read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counting {
    /// The count it leaves, unless another vote raced it.
    pub count: u64,
    /// It makes the suggestion popular: it tells the reviewers, once, on the count it read.
    pub tells: bool,
    /// It leaves the suggestion short of popular, so it is written only while the count still is.
    pub short: bool,
}

/// Seed 002 KnowledgeSuggestionVote: one per user and suggestion (its key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionVote {
    pub suggestion_id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Seed 002 KnowledgeSuggestionComment: threaded by `parentId` (a comment of the same suggestion).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionComment {
    pub id: Uuid,
    pub suggestion_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    /// The comment it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Seed 002 RadarPostStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RadarPostStatus {
    Pending,
    Approved,
    Rejected,
    Archived,
}

impl RadarPostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Archived => "ARCHIVED",
        }
    }
}

/// Seed 002 MentorRadarPost: a link worth reading, shown in the members' feed once a moderator approved it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RadarPost {
    pub id: Uuid,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: RadarPostStatus,
    /// Pinned posts lead the feed.
    #[serde(default)]
    pub pinned: bool,
    pub author_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// A rejection's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl RadarPost {
    pub fn new(id: Uuid, author_id: Uuid, url: String, description: Option<String>, now: DateTime<Utc>) -> Self {
        Self {
            id,
            url,
            description,
            status: RadarPostStatus::Pending,
            pinned: false,
            author_id,
            approved_at: None,
            reviewed_by_id: None,
            reviewed_at: None,
            reason: None,
            archived_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn next(&self, now: DateTime<Utc>, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.updated_at = now;
        next.version = self.version + 1;
        next
    }

    /// Approved or rejected by `by`: only a pending post is.
    pub fn reviewed(
        &self,
        approve: bool,
        reason: Option<String>,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Self, Refusal> {
        if self.status != RadarPostStatus::Pending {
            return Err(Refusal::NotOpen(self.status.as_str()));
        }
        Ok(self.next(now, |p| {
            p.status = if approve { RadarPostStatus::Approved } else { RadarPostStatus::Rejected };
            p.approved_at = approve.then_some(now);
            p.reason = reason;
            p.reviewed_by_id = Some(by);
            p.reviewed_at = Some(now);
        }))
    }

    /// Pinned or unpinned: only an approved post is; `None` when it already is so.
    pub fn pinned_as(&self, pinned: bool, now: DateTime<Utc>) -> Result<Option<Self>, Refusal> {
        if self.status != RadarPostStatus::Approved {
            return Err(Refusal::NotOpen(self.status.as_str()));
        }
        Ok((self.pinned != pinned).then(|| self.next(now, |p| p.pinned = pinned)))
    }

    /// Archived (out of the feed, unpinned): any post not archived yet.
    pub fn archived(&self, now: DateTime<Utc>) -> Result<Self, Refusal> {
        if self.status == RadarPostStatus::Archived {
            return Err(Refusal::NotOpen(self.status.as_str()));
        }
        Ok(self.next(now, |p| {
            p.status = RadarPostStatus::Archived;
            p.pinned = false;
            p.archived_at = Some(now);
        }))
    }

    /// When it entered its status (its place in the moderators' list of that status).
    pub fn status_at(&self) -> DateTime<Utc> {
        match self.status {
            RadarPostStatus::Pending => self.created_at,
            RadarPostStatus::Approved => self.approved_at.unwrap_or(self.updated_at),
            RadarPostStatus::Rejected => self.reviewed_at.unwrap_or(self.updated_at),
            RadarPostStatus::Archived => self.archived_at.unwrap_or(self.updated_at),
        }
    }

    /// Whether a member whose seen mark is `mark` has seen it (approved at or before the mark).
    pub fn seen_by(&self, mark: Option<DateTime<Utc>>) -> bool {
        match (self.approved_at, mark) {
            (Some(at), Some(mark)) => at.timestamp_millis() <= mark.timestamp_millis(),
            _ => false,
        }
    }

    /// The title and message telling the author of its review.
    pub fn review_notice(&self) -> (String, String) {
        let url = clip(&self.url, 150);
        match self.status {
            RadarPostStatus::Approved => {
                ("Radar post approved".to_owned(), format!("Your radar post {url} is in the feed now."))
            }
            _ => {
                let mut message = format!("Your radar post {url} was not approved.");
                if let Some(reason) = &self.reason {
                    message.push_str(&format!(" {reason}"));
                }
                ("Radar post rejected".to_owned(), clip(&message, 2000))
            }
        }
    }
}

/// A member's seen-up-to mark of the radar feed (seed 002 RadarSeen): it only moves forward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RadarSeen {
    pub user_id: Uuid,
    pub seen_up_to: DateTime<Utc>,
    /// The mark in epoch milliseconds, what the forward-only condition compares.
    pub seen_up_to_ms: i64,
}

impl RadarSeen {
    /// The mark at `at` (to the millisecond; a time after `now` counts as now).
    pub fn at(user_id: Uuid, at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let ms = at.min(now).timestamp_millis();
        let seen_up_to = DateTime::from_timestamp_millis(ms).unwrap_or(now);
        Self { user_id, seen_up_to, seen_up_to_ms: ms }
    }
}

/// A member's saved radar post (seed 002 RadarSave).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RadarSave {
    pub user_id: Uuid,
    pub post_id: Uuid,
    pub saved_at: DateTime<Utc>,
}

/// A chat message's body, at most.
pub const CHAT_BODY_MAX: usize = 2000;
/// A module comment's body, at most.
pub const MODULE_COMMENT_MAX: usize = 2000;

/// Seed 002 ChatMessageType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChatMessageType {
    /// What members write (the default); the only kind a mentor confirms as an answer.
    #[default]
    Message,
    /// Someone joined the channel.
    Join,
    /// Said by the organization: only holders of `community:moderate` post it.
    System,
    /// Someone did something ("/me waves").
    Action,
}

impl ChatMessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "MESSAGE",
            Self::Join => "JOIN",
            Self::System => "SYSTEM",
            Self::Action => "ACTION",
        }
    }

    /// Whether only moderators post it.
    pub fn moderated(self) -> bool {
        self == Self::System
    }

    /// Whether a mentor may confirm it as an answer.
    pub fn answers(self) -> bool {
        self == Self::Message
    }
}

/// Seed 002 ChatMessage: in the organization's channel, or in a learning module's (`moduleId`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: Uuid,
    /// The module whose channel it is in; absent: the organization's channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<Uuid>,
    pub author_id: Uuid,
    #[serde(rename = "type")]
    pub message_type: ChatMessageType,
    pub body: String,
    /// A mentor of its module (or a moderator) confirmed it answers the question.
    #[serde(default)]
    pub is_confirmed_answer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// Why a message cannot be confirmed as an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// Nobody confirms their own message.
    OwnMessage,
    /// Only a MESSAGE answers (not a JOIN, SYSTEM or ACTION).
    NotAnswer(ChatMessageType),
}

impl ChatMessage {
    pub fn new(
        id: Uuid,
        module_id: Option<Uuid>,
        author_id: Uuid,
        message_type: ChatMessageType,
        body: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            module_id,
            author_id,
            message_type,
            body,
            is_confirmed_answer: false,
            confirmed_by_id: None,
            confirmed_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Confirmed as an answer by `by`; `None` when it is one already (nothing changes).
    pub fn confirmed(&self, by: Uuid, now: DateTime<Utc>) -> Result<Option<Self>, AnswerRefusal> {
        if self.author_id == by {
            return Err(AnswerRefusal::OwnMessage);
        }
        if !self.message_type.answers() {
            return Err(AnswerRefusal::NotAnswer(self.message_type));
        }
        if self.is_confirmed_answer {
            return Ok(None);
        }
        Ok(Some(Self {
            is_confirmed_answer: true,
            confirmed_by_id: Some(by),
            confirmed_at: Some(now),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }))
    }

    /// No longer a confirmed answer; `None` when it is not one (nothing changes). The XP its author earned
    /// stays: ledger entries are never edited.
    pub fn unconfirmed(&self, now: DateTime<Utc>) -> Option<Self> {
        self.is_confirmed_answer.then(|| Self {
            is_confirmed_answer: false,
            confirmed_by_id: None,
            confirmed_at: None,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

/// Seed 002 Comment: a comment on a learning module, threaded by `parentId` (a comment of the same module).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleComment {
    pub id: Uuid,
    pub module_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    /// The comment it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    /// The first comment of its thread (its own id for a comment that answers none).
    pub root_id: Uuid,
    #[serde(default)]
    pub is_resolved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl ModuleComment {
    /// A comment on `module_id`, answering `parent` (of the same module) when given.
    pub fn new(
        id: Uuid,
        module_id: Uuid,
        author_id: Uuid,
        body: String,
        parent: Option<&ModuleComment>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            module_id,
            author_id,
            body,
            parent_id: parent.map(|p| p.id),
            root_id: parent.map_or(id, |p| p.root_id),
            is_resolved: false,
            resolved_by_id: None,
            resolved_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Whether it starts its thread.
    pub fn is_root(&self) -> bool {
        self.root_id == self.id
    }

    /// Resolved (or, `false`, reopened) by `by`; `None` when it already is so (nothing changes).
    pub fn resolved_as(&self, resolved: bool, by: Uuid, now: DateTime<Utc>) -> Option<Self> {
        (self.is_resolved != resolved).then(|| Self {
            is_resolved: resolved,
            resolved_by_id: resolved.then_some(by),
            resolved_at: resolved.then_some(now),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The title and message telling the author of `parent` of this reply on `module_title`.
    pub fn reply_notice(&self, module_title: &str) -> (String, String) {
        reply_notice(&format!("the module “{module_title}”"), &self.body)
    }
}

/// Who asks, as far as the rights of chat and comments go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user: Uuid,
    /// Holds `community:moderate`.
    pub moderator: bool,
}

/// Who resolves a thread: the author of its first comment, a mentor of the module, or a moderator.
pub fn may_resolve(user: Uuid, root_author: Uuid, mentors: &[Uuid], moderator: bool) -> bool {
    moderator || user == root_author || mentors.contains(&user)
}

/// Who confirms an answer in a chat: a mentor of the message's module (the organization's channel has
/// none), or a moderator.
pub fn may_confirm(user: Uuid, mentors: &[Uuid], moderator: bool) -> bool {
    moderator || mentors.contains(&user)
}

/// COMMENT_REPLY's title and message: a reply of `body` to a comment on `on`.
pub fn reply_notice(on: &str, body: &str) -> (String, String) {
    let title = clip(&format!("New reply on {on}"), 200);
    let message = format!("Someone answered your comment on {on}: “{}”", clip(body, 300));
    (title, clip(&message, 2000))
}

impl SuggestionComment {
    /// The title and message telling the author of `parent` of this reply on the suggestion `title`.
    pub fn reply_notice(&self, title: &str) -> (String, String) {
        reply_notice(&format!("the suggestion “{title}”"), &self.body)
    }
}

/// `text` cut to at most `max` characters (an ellipsis marks the cut).
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap()
    }

    #[test]
    fn only_an_open_suggestion_is_decided_and_the_module_goes_with_conversion_only() {
        let (author, reviewer, module) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let s = Suggestion::new(Uuid::from_u128(9), author, "Ladders".into(), "Safe use".into(), at(0));
        let approved = s.decided(SuggestionDecision::Approved, Some(module), None, reviewer, at(5)).unwrap();
        assert_eq!(
            (approved.status, approved.module_id, approved.reviewed_by_id, approved.version),
            (SuggestionStatus::Approved, None, Some(reviewer), 2)
        );
        assert_eq!(
            approved.decided(SuggestionDecision::Rejected, None, None, reviewer, at(6)),
            Err(Refusal::NotOpen("APPROVED"))
        );
        let converted =
            s.decided(SuggestionDecision::Converted, Some(module), Some("Done".into()), reviewer, at(5)).unwrap();
        assert_eq!((converted.status, converted.module_id), (SuggestionStatus::Converted, Some(module)));
        assert!(SuggestionDecision::Converted.earns_xp() && !SuggestionDecision::Rejected.earns_xp());
        let (title, message) = converted.status_notice();
        assert_eq!(title, "Suggestion turned into a module: Ladders");
        assert_eq!(message, "“Ladders” was turned into a module. Done");
    }

    #[test]
    fn the_vote_reaching_the_threshold_tells_once_while_open() {
        let mut s = Suggestion::new(Uuid::from_u128(9), Uuid::from_u128(1), "T".into(), "D".into(), at(0));
        let counting = |count, tells, short| Counting { count, tells, short };
        s.vote_count = POPULAR_AT - 2;
        assert_eq!(s.counting(true), counting(POPULAR_AT - 1, false, true));
        s.vote_count = POPULAR_AT - 1;
        assert_eq!(s.counting(true), counting(POPULAR_AT, true, false));
        assert_eq!(s.counting(false), counting(POPULAR_AT - 2, false, false), "an unvote never tells");
        // Past the threshold without a notice (an older suggestion): the next vote tells.
        s.vote_count = POPULAR_AT + 3;
        assert!(s.counting(true).tells);
        s.popular_notified_at = Some(at(1));
        assert_eq!(s.counting(true), counting(POPULAR_AT + 4, false, false));
        s.popular_notified_at = None;
        s.status = SuggestionStatus::Rejected;
        assert!(!s.counting(true).tells);
        s.vote_count = 0;
        assert_eq!(s.counting(false).count, 0);
    }

    #[test]
    fn notices_fit_the_inbox() {
        let long = "x".repeat(TITLE_MAX);
        let s = Suggestion::new(Uuid::from_u128(9), Uuid::from_u128(1), long, "D".into(), at(0));
        let (title, _) = s.popular_notice();
        assert_eq!(title.chars().count(), 200);
        assert!(title.ends_with('…'));
        assert_eq!(clip("short", 10), "short");
    }

    #[test]
    fn radar_posts_move_pending_to_reviewed_and_only_approved_ones_pin() {
        let (author, moderator) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let p = RadarPost::new(Uuid::from_u128(7), author, "https://a.example/x".into(), None, at(0));
        assert_eq!(p.pinned_as(true, at(1)), Err(Refusal::NotOpen("PENDING")));
        let approved = p.reviewed(true, None, moderator, at(10)).unwrap();
        assert_eq!(
            (approved.status, approved.approved_at, approved.status_at()),
            (RadarPostStatus::Approved, Some(at(10)), at(10))
        );
        assert!(approved.reviewed(false, None, moderator, at(11)).is_err());
        let pinned = approved.pinned_as(true, at(12)).unwrap().unwrap();
        assert!(pinned.pinned && pinned.version == 3);
        assert_eq!(pinned.pinned_as(true, at(13)), Ok(None));
        let archived = pinned.archived(at(14)).unwrap();
        assert_eq!((archived.status, archived.pinned), (RadarPostStatus::Archived, false));
        assert!(archived.archived(at(15)).is_err());
        let rejected = p.reviewed(false, Some("Paywalled".into()), moderator, at(10)).unwrap();
        assert_eq!(rejected.review_notice().1, "Your radar post https://a.example/x was not approved. Paywalled");
        assert_eq!(rejected.approved_at, None);
    }

    #[test]
    fn seen_marks_compare_to_the_millisecond_and_never_pass_now() {
        let p = RadarPost::new(Uuid::from_u128(7), Uuid::from_u128(1), "https://a.example".into(), None, at(0))
            .reviewed(true, None, Uuid::from_u128(2), at(10))
            .unwrap();
        assert!(!p.seen_by(None));
        assert!(!p.seen_by(Some(at(9))));
        assert!(p.seen_by(Some(at(10))));
        let mark = RadarSeen::at(Uuid::from_u128(1), at(100), at(50));
        assert_eq!((mark.seen_up_to, mark.seen_up_to_ms), (at(50), at(50).timestamp_millis()));
    }

    #[test]
    fn a_mentor_confirms_an_others_message_once_and_unconfirming_keeps_nothing() {
        let (author, mentor, module) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let m =
            ChatMessage::new(Uuid::from_u128(9), Some(module), author, ChatMessageType::Message, "Q?".into(), at(0));
        assert_eq!(m.confirmed(author, at(1)), Err(AnswerRefusal::OwnMessage));
        let yes = m.confirmed(mentor, at(5)).unwrap().unwrap();
        assert_eq!(
            (yes.is_confirmed_answer, yes.confirmed_by_id, yes.confirmed_at, yes.version),
            (true, Some(mentor), Some(at(5)), 2)
        );
        assert_eq!(yes.confirmed(mentor, at(6)), Ok(None), "again: as it is");
        let no = yes.unconfirmed(at(7)).unwrap();
        assert_eq!((no.is_confirmed_answer, no.confirmed_by_id, no.confirmed_at, no.version), (false, None, None, 3));
        assert_eq!(no.unconfirmed(at(8)), None);
        for kind in [ChatMessageType::Join, ChatMessageType::System, ChatMessageType::Action] {
            let other = ChatMessage { message_type: kind, ..m.clone() };
            assert_eq!(other.confirmed(mentor, at(1)), Err(AnswerRefusal::NotAnswer(kind)));
        }
        assert!(ChatMessageType::System.moderated() && !ChatMessageType::Join.moderated());
        assert_eq!(ChatMessageType::default(), ChatMessageType::Message);
        assert!(may_confirm(mentor, &[mentor], false) && may_confirm(author, &[], true));
        assert!(!may_confirm(author, &[mentor], false));
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            (&json["type"], &json["isConfirmedAnswer"]),
            (&serde_json::json!("MESSAGE"), &serde_json::json!(false))
        );
    }

    #[test]
    fn module_comments_thread_to_their_root_and_resolve_idempotently() {
        let (author, other, mentor, module) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        let root = ModuleComment::new(Uuid::from_u128(10), module, author, "Why?".into(), None, at(0));
        assert!(root.is_root() && root.parent_id.is_none());
        let reply = ModuleComment::new(Uuid::from_u128(11), module, other, "Because".into(), Some(&root), at(1));
        let deeper = ModuleComment::new(Uuid::from_u128(12), module, author, "Ok".into(), Some(&reply), at(2));
        assert_eq!((reply.parent_id, reply.root_id), (Some(root.id), root.id));
        assert_eq!((deeper.parent_id, deeper.root_id, deeper.is_root()), (Some(reply.id), root.id, false));
        let done = root.resolved_as(true, mentor, at(3)).unwrap();
        assert_eq!(
            (done.is_resolved, done.resolved_by_id, done.resolved_at, done.version),
            (true, Some(mentor), Some(at(3)), 2)
        );
        assert_eq!(done.resolved_as(true, author, at(4)), None);
        let open = done.resolved_as(false, author, at(5)).unwrap();
        assert_eq!((open.is_resolved, open.resolved_by_id, open.resolved_at), (false, None, None));
        assert_eq!(open.resolved_as(false, author, at(6)), None);
        assert!(may_resolve(author, author, &[], false));
        assert!(may_resolve(mentor, author, &[mentor], false));
        assert!(may_resolve(other, author, &[], true));
        assert!(!may_resolve(other, author, &[mentor], false));
        let (title, message) = reply.reply_notice("Ladders");
        assert_eq!(title, "New reply on the module “Ladders”");
        assert_eq!(message, "Someone answered your comment on the module “Ladders”: “Because”");
        let long = ModuleComment { body: "x".repeat(MODULE_COMMENT_MAX), ..reply };
        assert!(long.reply_notice("Ladders").1.chars().count() < 400);
    }
}
