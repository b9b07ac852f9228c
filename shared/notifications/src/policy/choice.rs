//! Whether a user hears of a notification type on a channel (seed 002 EmailPreference, seed 000
//! UserPreferences, seed 004 NotificationPreference), resolved in order, the first that speaks wins:
//!
//! 1. the user's own choice for that type and channel (`byType` of their preferences);
//! 2. their user-wide preferences, once they saved any: email only with `emailNotifications` and the
//!    email category the type belongs to (`newContent`, `reminders`, `results`, `comments`); the in-app
//!    inbox always;
//! 3. the organization's default for that type and channel (`typeDefaults` of the sending policy);
//! 4. on.
//!
//! Pure: identity supplies the user's side ([`crate::send::UserRecipient`]), the policy the tenant's.

use crate::channels::ChannelKind;
use crate::inbox::NotificationType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One type's channels, each on, off or unsaid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_app: Option<bool>,
}

impl ChannelChoice {
    fn on(&self, channel: ChannelKind) -> Option<bool> {
        match channel {
            ChannelKind::Email => self.email,
            ChannelKind::InApp => self.in_app,
            ChannelKind::Sms | ChannelKind::Whatsapp => None,
        }
    }
}

/// Choices by type (its wire name, `XP_EARNED`: checked when written), as preferences and the policy
/// hold them.
pub type ByType = BTreeMap<String, ChannelChoice>;

/// Seed 002's EmailPreference toggles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmailCategories {
    pub new_content: bool,
    pub reminders: bool,
    pub results: bool,
    pub comments: bool,
}

impl Default for EmailCategories {
    fn default() -> Self {
        Self { new_content: true, reminders: true, results: true, comments: true }
    }
}

impl EmailCategories {
    /// Whether the category `kind` belongs to is on; `SYSTEM` (the platform's own word) belongs to none.
    fn allow(&self, kind: NotificationType) -> bool {
        use NotificationType as T;
        match kind {
            T::NewModule | T::ModuleUpdated | T::NewKnowledge => self.new_content,
            T::DeadlineReminder | T::ModuleExpiring | T::ModuleExpired | T::LiveEvent => self.reminders,
            T::QuizResult
            | T::CertificateIssued
            | T::ProgressOverride
            | T::XpEarned
            | T::RewardApproved
            | T::RewardRejected
            | T::RadarApproved
            | T::RadarRejected
            | T::SuggestionPopular
            | T::SuggestionStatusChanged => self.results,
            T::CommentReply => self.comments,
            T::System => true,
        }
    }
}

/// A user's side of the resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserChoices {
    /// Whether they saved preferences at all (until then the organization's defaults speak).
    pub saved: bool,
    /// `emailNotifications`.
    pub email: bool,
    pub categories: EmailCategories,
    pub by_type: ByType,
}

/// `Ok` when `kind` may reach the user on `channel`; the reason otherwise.
pub fn allows(user: &UserChoices, tenant: &ByType, kind: NotificationType, channel: ChannelKind) -> Result<(), String> {
    let said = |on: bool, whose: &str| {
        if on { Ok(()) } else { Err(format!("{whose} turned {channel} off for {}", kind.as_str())) }
    };
    if let Some(on) = user.by_type.get(kind.as_str()).and_then(|c| c.on(channel)) {
        return said(on, "the user");
    }
    if user.saved {
        return match channel {
            ChannelKind::Email if !user.email => Err("the user turned email notifications off".into()),
            ChannelKind::Email => said(user.categories.allow(kind), "the user's email preferences"),
            _ => Ok(()),
        };
    }
    match tenant.get(kind.as_str()).and_then(|c| c.on(channel)) {
        Some(on) => said(on, "the organization"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotificationType as T;

    fn choice(email: Option<bool>, in_app: Option<bool>) -> ChannelChoice {
        ChannelChoice { email, in_app }
    }

    #[test]
    fn the_most_specific_word_wins() {
        let tenant: ByType = [("XP_EARNED".to_owned(), choice(Some(false), Some(false)))].into();
        let fresh = UserChoices { email: true, ..Default::default() };
        // Nothing saved: the organization's default speaks, then on.
        assert!(allows(&fresh, &tenant, T::XpEarned, ChannelKind::Email).is_err());
        assert!(allows(&fresh, &tenant, T::XpEarned, ChannelKind::InApp).is_err());
        assert!(allows(&fresh, &tenant, T::QuizResult, ChannelKind::Email).is_ok());
        // Saved preferences: user-wide, the category of the type.
        let saved = UserChoices {
            saved: true,
            email: true,
            categories: EmailCategories { reminders: false, ..Default::default() },
            by_type: ByType::new(),
        };
        assert!(allows(&saved, &tenant, T::XpEarned, ChannelKind::Email).is_ok(), "user-wide beats the default");
        assert!(allows(&saved, &tenant, T::XpEarned, ChannelKind::InApp).is_ok());
        assert_eq!(
            allows(&saved, &tenant, T::DeadlineReminder, ChannelKind::Email),
            Err("the user's email preferences turned email off for DEADLINE_REMINDER".into())
        );
        assert!(allows(&saved, &tenant, T::System, ChannelKind::Email).is_ok(), "system belongs to no category");
        let off = UserChoices { email: false, ..saved.clone() };
        assert!(allows(&off, &tenant, T::System, ChannelKind::Email).is_err());
        // The type's own choice beats everything.
        let own = UserChoices {
            by_type: [("DEADLINE_REMINDER".to_owned(), choice(Some(true), Some(false)))].into(),
            ..saved
        };
        assert!(allows(&own, &tenant, T::DeadlineReminder, ChannelKind::Email).is_ok());
        assert_eq!(
            allows(&own, &tenant, T::DeadlineReminder, ChannelKind::InApp),
            Err("the user turned in_app off for DEADLINE_REMINDER".into())
        );
    }
}
