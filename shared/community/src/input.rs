//! Reading community requests (edge): every bad field named at once, into the domain's inputs.

use crate::model::{
    CHAT_BODY_MAX, COMMENT_MAX, ChatMessageType, DESCRIPTION_MAX, MODULE_COMMENT_MAX, RADAR_DESCRIPTION_MAX,
    RADAR_URL_MAX, REASON_MAX, SuggestionDecision, TITLE_MAX,
};
use crate::suggestions::Decision;
use chrono::{DateTime, Utc};
use nudge_core::http::ApiError;
use nudge_core::http::input::Fields;
use nudge_core::validate::{self, UrlIssue};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /suggestions`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SuggestionWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    description: String,
}

pub(crate) fn read_suggestion(body: Value) -> Result<(String, String), ApiError> {
    let mut f = Fields::new(body)?;
    let title = f.text("title", TITLE_MAX, true);
    let description = f.text("description", DESCRIPTION_MAX, true);
    f.finish()?;
    Ok((title.unwrap_or_default(), description.unwrap_or_default()))
}

/// `POST /suggestions/{id}/comments`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SuggestionCommentWrite {
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    body: String,
    /// The comment this one answers: a comment of the same suggestion (else 422).
    parent_id: Option<Uuid>,
}

pub(crate) fn read_comment(body: Value) -> Result<(String, Option<Uuid>), ApiError> {
    let mut f = Fields::new(body)?;
    let text = f.text("body", COMMENT_MAX, true);
    let parent: Option<Uuid> = f.optional("parentId");
    f.finish()?;
    Ok((text.unwrap_or_default(), parent))
}

/// `POST /suggestions/{id}/status`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SuggestionStatusWrite {
    status: SuggestionDecision,
    /// The module it became: required with CONVERTED, refused with the others (422); a module of the
    /// organization.
    module_id: Option<Uuid>,
    /// Why, told to the author and voters.
    #[schema(max_length = 1000)]
    reason: Option<String>,
}

pub(crate) fn read_decision(body: Value) -> Result<Decision, ApiError> {
    let mut f = Fields::new(body)?;
    let status: Option<SuggestionDecision> = f.required("status");
    let module_id: Option<Uuid> = f.optional("moduleId");
    let reason = f.text("reason", REASON_MAX, false);
    match (status, module_id) {
        (Some(SuggestionDecision::Converted), None) => {
            f.break_rule("moduleId", "is required when the status is CONVERTED")
        }
        (Some(SuggestionDecision::Approved | SuggestionDecision::Rejected), Some(_)) => {
            f.break_rule("moduleId", "is given only when the status is CONVERTED")
        }
        _ => {}
    }
    f.finish()?;
    Ok(Decision { status: status.unwrap_or(SuggestionDecision::Rejected), module_id, reason })
}

/// `POST /radar/posts`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RadarPostWrite {
    /// An http(s) link (one of this form that does not parse is a 422).
    #[schema(max_length = 2000, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    url: String,
    #[schema(max_length = 1000)]
    description: Option<String>,
}

pub(crate) fn read_radar_post(body: Value) -> Result<(String, Option<String>), ApiError> {
    let mut f = Fields::new(body)?;
    let url: Option<String> = f.required("url");
    let url = match url {
        Some(u) if u.chars().count() > RADAR_URL_MAX => {
            f.reject("url", "must be at most 2000 characters");
            None
        }
        Some(u) => match validate::web_url(&u, false) {
            Ok(()) => Some(u),
            Err(UrlIssue::Form(message)) => {
                f.reject("url", message);
                None
            }
            Err(UrlIssue::Unusable(message)) => {
                f.break_rule("url", message);
                None
            }
        },
        None => None,
    };
    let description = f.text("description", RADAR_DESCRIPTION_MAX, false);
    f.finish()?;
    Ok((url.unwrap_or_default(), description))
}

/// `POST /radar/posts/{id}/reject`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RadarReviewWrite {
    /// Why, told to the author.
    #[schema(max_length = 1000)]
    reason: Option<String>,
}

pub(crate) fn read_reason(body: Value) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new(body)?;
    let reason = f.text("reason", REASON_MAX, false);
    f.finish()?;
    Ok(reason)
}

/// `POST /radar/seen`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RadarSeenWrite {
    /// Everything approved up to this time is seen; now when absent (a later time counts as now). The mark
    /// never moves back.
    up_to: Option<DateTime<Utc>>,
}

pub(crate) fn read_seen(body: Value) -> Result<Option<DateTime<Utc>>, ApiError> {
    let mut f = Fields::new(body)?;
    let up_to: Option<DateTime<Utc>> = f.optional("upTo");
    f.finish()?;
    Ok(up_to)
}

/// `POST /changelog/seen`: the caller's last visit of the changelog.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ChangelogSeenWrite {
    /// Now when absent (a later time counts as now). The mark never moves back.
    up_to: Option<DateTime<Utc>>,
}

/// `POST /changelog`: an entry the platform publishes.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ChangelogEntryWrite {
    #[schema(min_length = 1, max_length = 32, pattern = r"\S")]
    version: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    summary: String,
    /// Now when absent.
    published_at: Option<DateTime<Utc>>,
}

pub(crate) struct ChangelogFields {
    pub version: String,
    pub title: String,
    pub summary: String,
    pub published_at: Option<DateTime<Utc>>,
}

pub(crate) fn read_changelog(body: Value) -> Result<ChangelogFields, ApiError> {
    let mut f = Fields::new(body)?;
    let version = f.text("version", 32, true);
    let title = f.text("title", 200, true);
    let summary = f.text("summary", 5000, true);
    let published_at: Option<DateTime<Utc>> = f.optional("publishedAt");
    f.finish()?;
    Ok(ChangelogFields {
        version: version.unwrap_or_default(),
        title: title.unwrap_or_default(),
        summary: summary.unwrap_or_default(),
        published_at,
    })
}

/// `POST /chat/messages`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ChatMessageWrite {
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    body: String,
    /// The module whose channel it goes to (one of the organization's, else 422); the organization's
    /// channel when absent.
    module_id: Option<Uuid>,
    /// MESSAGE when absent; SYSTEM only for holders of `community:moderate` (else 422).
    #[serde(rename = "type")]
    message_type: Option<ChatMessageType>,
}

/// A chat message as read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NewChatMessage {
    pub body: String,
    pub module_id: Option<Uuid>,
    pub message_type: ChatMessageType,
}

/// `moderator`: whether the caller may post SYSTEM messages.
pub(crate) fn read_chat_message(body: Value, moderator: bool) -> Result<NewChatMessage, ApiError> {
    let mut f = Fields::new(body)?;
    let text = f.text("body", CHAT_BODY_MAX, true);
    let module_id: Option<Uuid> = f.optional("moduleId");
    let message_type: Option<ChatMessageType> = f.optional("type");
    let message_type = message_type.unwrap_or_default();
    if message_type.moderated() && !moderator {
        f.break_rule("type", "SYSTEM messages are posted by holders of community:moderate only");
    }
    f.finish()?;
    Ok(NewChatMessage { body: text.unwrap_or_default(), module_id, message_type })
}

/// `POST /modules/{id}/comments`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ModuleCommentWrite {
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    body: String,
    /// The comment this one answers: a comment of the same module (else 422).
    parent_id: Option<Uuid>,
}

pub(crate) fn read_module_comment(body: Value) -> Result<(String, Option<Uuid>), ApiError> {
    let mut f = Fields::new(body)?;
    let text = f.text("body", MODULE_COMMENT_MAX, true);
    let parent: Option<Uuid> = f.optional("parentId");
    f.finish()?;
    Ok((text.unwrap_or_default(), parent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(e: ApiError) -> (u16, Vec<String>) {
        let status = e.status().as_u16();
        let mut p = e.pointers();
        p.sort();
        (status, p)
    }

    #[test]
    fn a_suggestion_names_every_bad_field() {
        let e = read_suggestion(json!({"title": " ", "description": "x".repeat(5001), "extra": 1})).unwrap_err();
        assert_eq!(pointers(e), (400, vec!["/description".into(), "/extra".into(), "/title".into()]));
        assert_eq!(
            read_suggestion(json!({"title": " Ladders ", "description": "Use"})).ok(),
            Some(("Ladders".into(), "Use".into()))
        );
    }

    #[test]
    fn a_decision_needs_its_module_only_when_converted() {
        let e = read_decision(json!({"status": "CONVERTED"})).unwrap_err();
        assert_eq!(pointers(e), (422, vec!["/moduleId".into()]));
        let e = read_decision(json!({"status": "APPROVED", "moduleId": Uuid::from_u128(1)})).unwrap_err();
        assert_eq!(pointers(e), (422, vec!["/moduleId".into()]));
        let e = read_decision(json!({"status": "OPEN", "reason": 5})).unwrap_err();
        assert_eq!(pointers(e), (400, vec!["/reason".into(), "/status".into()]));
        let ok =
            read_decision(json!({"status": "CONVERTED", "moduleId": Uuid::from_u128(1), "reason": "Built"})).unwrap();
        assert_eq!(
            (ok.status, ok.module_id, ok.reason.as_deref()),
            (SuggestionDecision::Converted, Some(Uuid::from_u128(1)), Some("Built"))
        );
    }

    #[test]
    fn radar_urls_are_http_of_at_most_2000_characters() {
        let long = format!("https://a.example/{}", "x".repeat(2000));
        assert_eq!(pointers(read_radar_post(json!({"url": long})).unwrap_err()), (400, vec!["/url".into()]));
        assert_eq!(
            pointers(read_radar_post(json!({"url": "ftp://a.example"})).unwrap_err()),
            (400, vec!["/url".into()])
        );
        assert_eq!(pointers(read_radar_post(json!({})).unwrap_err()), (400, vec!["/url".into()]));
        assert_eq!(pointers(read_radar_post(json!({"url": "https://a b"})).unwrap_err()).0, 400);
        let ok = read_radar_post(json!({"url": "https://a.example/read", "description": " Good "})).unwrap();
        assert_eq!(ok, ("https://a.example/read".into(), Some("Good".into())));
        assert!(read_seen(json!({"upTo": "yesterday"})).is_err());
        assert_eq!(read_seen(json!({})).ok(), Some(None));
        assert_eq!(
            pointers(read_comment(json!({"body": "", "parentId": "x"})).unwrap_err()),
            (400, vec!["/body".into(), "/parentId".into()])
        );
    }

    #[test]
    fn a_chat_message_is_a_message_by_default_and_system_is_for_moderators() {
        let ok = read_chat_message(json!({"body": " Hi "}), false).unwrap();
        assert_eq!(ok, NewChatMessage { body: "Hi".into(), module_id: None, message_type: ChatMessageType::Message });
        let module = Uuid::from_u128(7);
        let ok = read_chat_message(json!({"body": "Hi", "moduleId": module, "type": null}), false).unwrap();
        assert_eq!((ok.module_id, ok.message_type), (Some(module), ChatMessageType::Message));
        let e = read_chat_message(json!({"body": "x", "type": "SYSTEM"}), false).unwrap_err();
        assert_eq!(pointers(e), (422, vec!["/type".into()]));
        let sys = read_chat_message(json!({"body": "x", "type": "SYSTEM"}), true).unwrap();
        assert_eq!(sys.message_type, ChatMessageType::System);
        let e =
            read_chat_message(json!({"body": "x".repeat(2001), "moduleId": "nope", "type": "SHOUT", "extra": 1}), true)
                .unwrap_err();
        assert_eq!(pointers(e), (400, vec!["/body".into(), "/extra".into(), "/moduleId".into(), "/type".into()]));
        assert_eq!(pointers(read_chat_message(json!({"body": " \t"}), true).unwrap_err()), (400, vec!["/body".into()]));
        assert_eq!(pointers(read_chat_message(json!({}), true).unwrap_err()), (400, vec!["/body".into()]));
    }

    #[test]
    fn a_module_comment_needs_a_body_and_at_most_a_parent() {
        assert_eq!(read_module_comment(json!({"body": "Why?"})).ok(), Some(("Why?".into(), None)));
        let parent = Uuid::from_u128(3);
        assert_eq!(
            read_module_comment(json!({"body": "Because", "parentId": parent})).ok(),
            Some(("Because".into(), Some(parent)))
        );
        assert_eq!(
            pointers(read_module_comment(json!({"body": "", "parentId": 5})).unwrap_err()),
            (400, vec!["/body".into(), "/parentId".into()])
        );
    }
}
