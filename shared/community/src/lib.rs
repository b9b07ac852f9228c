//! Community (seed 002): knowledge suggestions (KnowledgeSuggestion with its votes and threaded comments,
//! reviewed by the holders of `suggestions:manage`) and the mentor radar (MentorRadarPost moderated by
//! `community:moderate` into the members' feed, with RadarSeen marks and RadarSave bookmarks), chat
//! (ChatMessage: the organization's channel and one per learning module, answers confirmed by the module's
//! mentors for MENTOR_CONFIRMATION XP) and threaded comments on learning modules (Comment, resolved by the
//! thread's author, a mentor or a moderator; a reply tells the parent's author, COMMENT_REPLY), usage
//! sessions (UserSession, with the organization's usage by day) and the platform changelog
//! (ChangelogEntry, with what is new since a reader's last visit).
//!
//! Layering: [`model`] is pure (states, their rules, the notices' words); [`keys`] is the layout;
//! [`notices`] the in-app sends (pure, with ids derived from what makes them happen once);
//! [`suggestions`], [`radar`], [`chat`], [`comments`], [`usage`] and [`changelog`] read and write the
//! table, knowing no HTTP;
//! [`http`] is the edge. Modules and their mentors are learning's, read through `nudge_learning::repo`.
//!
//! A state change and what it tells people are one transaction: a review writes the suggestion on the
//! version read together with the requests that tell its author and voters, and the author's XP
//! (`nudge_gamification`'s award writes); a radar review writes the post with its author's notice; a chat
//! confirmation writes the message on its version with its author's XP; a reply (to a module's comment or a
//! suggestion's) is written with its notice to the parent's author.

pub mod changelog;
pub mod chat;
pub mod comments;
pub mod http;
mod input;
pub mod keys;
pub mod model;
pub mod notices;
pub mod radar;
pub mod suggestions;
pub mod usage;

/// A notice that fails inside a service: the store's error stays the service's `Store` (its callers retry
/// on contention), anything else is its `Notify`.
macro_rules! notify_errors {
    ($($error:ty),+) => {$(
        impl From<nudge_notifications::NotificationError> for $error {
            fn from(e: nudge_notifications::NotificationError) -> Self {
                match e {
                    nudge_notifications::NotificationError::Store(e) => Self::Store(e),
                    other => Self::Notify(other.to_string()),
                }
            }
        }
    )+};
}

notify_errors!(suggestions::SuggestionError, radar::RadarError, comments::CommentError);
