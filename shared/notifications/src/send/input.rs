//! Reading `POST /notifications` (edge): every bad field named at once, into a [`SendInput`]. Rules that
//! need the table (ids that name nothing in the tenant, an unusable template) are checked by the service.

use super::model::{ChannelKind, Link, NotificationPriority, NotificationType, Recipients};
use crate::inbox::{MESSAGE_MAX, TITLE_MAX};
use chrono::{DateTime, Duration, Utc};
use nudge_core::http::ApiError;
use nudge_core::http::input::Fields;
use nudge_core::validate;
use nudge_core::values::Parse;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Named workers or users per request (a larger audience is a segment).
pub(crate) const MAX_NAMED: usize = 1000;
const MAX_VARIABLES: usize = 50;
const MAX_VARIABLE_CHARS: usize = 1000;
/// How far ahead a send may be scheduled.
const MAX_AHEAD: Duration = Duration::days(30);

/// `POST /notifications`, as its schema (the reader below is what enforces it).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SendRequest {
    channel: ChannelKind,
    recipients: RecipientsRequest,
    /// A content item of type template, approved, for this channel (WhatsApp: approved by Meta too).
    template_id: Option<Uuid>,
    /// Email subject or in-app title, 1–200 characters; not for SMS or WhatsApp.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: Option<String>,
    /// The text (with `{{variable}}` placeholders if wanted) when no template is named, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    message: Option<String>,
    /// Where an in-app notification leads: an app path (`/modules/42`) or an https URL (422 otherwise).
    #[schema(max_length = 2048)]
    link: Option<String>,
    /// Seed 002's notification type, `SYSTEM` by default.
    #[serde(rename = "type")]
    kind: Option<NotificationType>,
    priority: Option<NotificationPriority>,
    /// Values for placeholders the recipient's own fields do not fill (at most 50, each at most 1000
    /// characters).
    variables: Option<BTreeMap<String, String>>,
    /// A second request with the same key within 24 hours answers the first and sends nothing.
    #[schema(pattern = r"^[!-~]{1,255}$")]
    dedup_key: Option<String>,
    /// When to send (at most 30 days ahead); now when absent.
    scheduled_for: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct RecipientsRequest {
    #[schema(max_items = 1000)]
    worker_ids: Option<Vec<Uuid>>,
    /// Members of the organization.
    #[schema(max_items = 1000)]
    user_ids: Option<Vec<Uuid>>,
    segment_id: Option<Uuid>,
}

/// A read send request (or one a domain makes in code).
#[derive(Clone, Debug, PartialEq)]
pub struct SendInput {
    pub channel: ChannelKind,
    pub recipients: Recipients,
    pub template_id: Option<Uuid>,
    pub title: Option<String>,
    pub message: Option<String>,
    pub link: Option<Link>,
    pub kind: NotificationType,
    pub priority: NotificationPriority,
    pub variables: BTreeMap<String, String>,
    pub dedup_key: Option<String>,
    pub scheduled_for: Option<DateTime<Utc>>,
}

fn unique(ids: Vec<Uuid>) -> Vec<Uuid> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

pub(crate) fn read(body: Value, now: DateTime<Utc>) -> Result<SendInput, ApiError> {
    let mut f = Fields::new(body)?;
    let channel: Option<ChannelKind> = f.required("channel");
    let recipients = match f.object("recipients") {
        Some(mut r) => {
            let workers: Vec<Uuid> = r.optional("workerIds").unwrap_or_default();
            let users: Vec<Uuid> = r.optional("userIds").unwrap_or_default();
            let segment: Option<Uuid> = r.optional("segmentId");
            for (name, n) in [("workerIds", workers.len()), ("userIds", users.len())] {
                if n > MAX_NAMED {
                    r.reject(name, format!("must have at most {MAX_NAMED} ids (a larger audience is a segment)"));
                }
            }
            if workers.is_empty() && users.is_empty() && segment.is_none() && !r.has_errors() {
                r.break_rule("workerIds", "name at least one recipient: workerIds, userIds or segmentId");
            }
            f.absorb(r);
            Some(Recipients { worker_ids: unique(workers), user_ids: unique(users), segment_id: segment })
        }
        None => {
            f.reject("recipients", "is required");
            None
        }
    };
    let template_id: Option<Uuid> = f.optional("templateId");
    let title: Option<String> = f.optional("title");
    let message: Option<String> = f.optional("message");
    // Whether a link leads somewhere allowed is a rule (422): its schema is only a string.
    let link = match f.optional::<String>("link").map(|text| Link::parse(&text)) {
        Some(Ok(link)) => Some(link),
        Some(Err(why)) => {
            f.break_rule("link", why);
            None
        }
        None => None,
    };
    let kind = f.parse::<NotificationType>("type", false).unwrap_or_default();
    let priority: NotificationPriority = f.optional("priority").unwrap_or_default();
    let variables: BTreeMap<String, String> = f.optional("variables").unwrap_or_default();
    let dedup_key: Option<String> = f.optional("dedupKey");
    let scheduled_for: Option<DateTime<Utc>> = f.optional("scheduledFor");

    if let Some(t) = &title
        && let Err(e) = validate::text(t, 1, TITLE_MAX)
    {
        f.reject("title", e);
    }
    if let Some(m) = &message
        && let Err(e) = validate::text(m, 1, MESSAGE_MAX)
    {
        f.reject("message", e);
    }
    if variables.len() > MAX_VARIABLES {
        f.break_rule("variables", format!("must have at most {MAX_VARIABLES} entries"));
    }
    for (name, value) in &variables {
        if value.chars().count() > MAX_VARIABLE_CHARS {
            f.break_rule_at(
                format!("{}/{name}", f.pointer("variables")),
                format!("must be at most {MAX_VARIABLE_CHARS} characters"),
            );
        }
    }
    if let Some(key) = &dedup_key
        && (key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()))
    {
        f.reject("dedupKey", "must be 1–255 visible ASCII characters");
    }
    if let Some(at) = scheduled_for {
        if at <= now {
            f.break_rule("scheduledFor", "must be in the future");
        } else if at > now + MAX_AHEAD {
            f.break_rule("scheduledFor", "must be at most 30 days ahead");
        }
    }
    if let Some(channel) = channel {
        rules(&mut f, channel, recipients.as_ref(), template_id, title.as_deref(), message.as_deref(), link.as_ref());
    }
    f.finish()?;
    let (Some(channel), Some(recipients)) = (channel, recipients) else {
        return Err(ApiError::internal("send input incomplete after validation"));
    };
    Ok(SendInput {
        channel,
        recipients,
        template_id,
        title,
        message,
        link,
        kind,
        priority,
        variables,
        dedup_key,
        scheduled_for,
    })
}

/// What each channel takes.
#[allow(clippy::too_many_arguments)]
fn rules(
    f: &mut Fields,
    channel: ChannelKind,
    recipients: Option<&Recipients>,
    template: Option<Uuid>,
    title: Option<&str>,
    message: Option<&str>,
    link: Option<&Link>,
) {
    match (template, message) {
        (Some(_), Some(_)) => f.break_rule("message", "name a templateId or give a message, not both"),
        (None, None) => f.break_rule("message", "is required without a templateId"),
        _ => {}
    }
    let phone = matches!(channel, ChannelKind::Sms | ChannelKind::Whatsapp);
    if phone && title.is_some() {
        f.break_rule("title", "applies to email and in-app notifications only");
    }
    if channel == ChannelKind::Email && title.is_none() {
        f.break_rule("title", "is required for email: it is the subject");
    }
    if channel == ChannelKind::InApp {
        if template.is_some() {
            f.break_rule("templateId", "in-app notifications take a title and message, not a template");
        }
        if title.is_none() {
            f.break_rule("title", "is required for in-app notifications");
        }
    } else if link.is_some() {
        f.break_rule("link", "applies to in-app notifications only");
    }
    if let Some(r) = recipients {
        if phone && !r.user_ids.is_empty() {
            f.break_rule_at(
                format!("{}/userIds", f.pointer("recipients")),
                "users are reached by email or in-app, not by phone",
            );
        }
        if channel == ChannelKind::InApp && (!r.worker_ids.is_empty() || r.segment_id.is_some()) {
            let at = if r.worker_ids.is_empty() { "segmentId" } else { "workerIds" };
            f.break_rule_at(format!("{}/{at}", f.pointer("recipients")), "in-app notifications go to users only");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(e: ApiError) -> Vec<String> {
        e.pointers()
    }

    #[test]
    fn a_good_request_reads_with_its_defaults() {
        let id = Uuid::now_v7();
        let body = json!({"channel": "sms", "recipients": {"workerIds": [id, id]}, "message": "Hi {{firstName}}"});
        let input = read(body, Utc::now()).unwrap();
        assert_eq!(input.recipients.worker_ids, vec![id]);
        assert_eq!((input.kind, input.priority), (NotificationType::default(), NotificationPriority::Normal));
    }

    #[test]
    fn every_bad_field_is_named() {
        let body = json!({"channel": "sms", "recipients": {}, "title": "x", "dedupKey": "", "scheduledFor": "2001-01-01T00:00:00Z",
                          "variables": {"a": 1}, "unknown": true});
        let got = pointers(read(body, Utc::now()).unwrap_err());
        for p in
            ["/recipients/workerIds", "/title", "/dedupKey", "/scheduledFor", "/variables/a", "/unknown", "/message"]
        {
            assert!(got.iter().any(|g| g == p), "{p} not in {got:?}");
        }
    }

    #[test]
    fn each_channel_takes_its_own_shape() {
        let user = Uuid::now_v7();
        let in_app = json!({"channel": "in_app", "recipients": {"workerIds": [user]}, "message": "m"});
        let got = pointers(read(in_app, Utc::now()).unwrap_err());
        assert!(got.contains(&"/recipients/workerIds".to_owned()) && got.contains(&"/title".to_owned()), "{got:?}");
        let email = json!({"channel": "email", "recipients": {"userIds": [user]}, "message": "m"});
        assert_eq!(pointers(read(email, Utc::now()).unwrap_err()), ["/title"]);
        let both = json!({"channel": "sms", "recipients": {"userIds": [user]}, "message": "m", "templateId": user});
        let got = pointers(read(both, Utc::now()).unwrap_err());
        assert!(got.contains(&"/message".to_owned()) && got.contains(&"/recipients/userIds".to_owned()), "{got:?}");
    }
}
