//! Who a delivery reaches and whether it may: the recipient's address on the channel, the variables a
//! template renders with (the recipient's own fields, then the request's), and the consent rules, pure.
//!
//! Rules, in order (a refusal is recorded with its reason, never dropped silently):
//! - a worker is reached on WhatsApp, SMS or email only with `communicationConsent`; on WhatsApp only
//!   `opted_in`; by email only with an email address; workers have no in-app inbox;
//! - a user is reached by email or in-app as their preferences and the organization's defaults say for
//!   the notification's type ([`crate::policy::choice`]); never by SMS or WhatsApp (users have no phone on
//!   record);
//! - an inactive worker or a user no longer an active member of the tenant is not reached.

use crate::channels::ChannelKind;
use crate::inbox::NotificationType;
use crate::policy::choice::{self, ByType};
use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_workers::Worker;
use nudge_workers::model::OptInStatus;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A user as the notifications see them (from identity, through [`UserDirectory`]).
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecipient {
    pub id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    /// Their channel preferences (see [`crate::policy::choice`]).
    pub choices: crate::policy::UserChoices,
    /// An active member of the tenant.
    pub active: bool,
    /// Their email preference's digest of unread low-priority notifications (`daily`, `weekly`), if any.
    pub digest: Option<Digest>,
    /// Their own time zone (preferences), when it is one the tz database knows.
    pub time_zone: Option<nudge_core::values::TimeZone>,
}

/// How often a user's unread digest goes out (seed 002 EmailPreference `frequency`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    Daily,
    Weekly,
}

/// Identity's side: the tenant's members among `ids` (others are absent from the answer).
pub trait UserDirectory: Send + Sync {
    fn members<'a>(
        &'a self,
        tenant: &'a TenantId,
        ids: &'a [Uuid],
    ) -> BoxFuture<'a, Result<Vec<UserRecipient>, String>>;
}

/// Where one delivery goes, or why it may not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A provider address: an E.164 number or an email address.
    Address(String),
    /// The user's in-app inbox.
    Inbox(Uuid),
    Refused(String),
}

pub fn worker_reach(worker: &Worker, channel: ChannelKind) -> Reach {
    let f = &worker.fields;
    if !f.is_active {
        return Reach::Refused("the worker is inactive".into());
    }
    let Some(contact) = &f.contact else { return Reach::Refused("the worker has no contact record".into()) };
    if channel == ChannelKind::InApp {
        return Reach::Refused("workers have no in-app inbox; use whatsapp, sms or email".into());
    }
    if !contact.communication_consent {
        return Reach::Refused("no communication consent".into());
    }
    match channel {
        ChannelKind::Whatsapp if contact.whatsapp_opt_in_status != OptInStatus::OptedIn => {
            Reach::Refused("not opted in to WhatsApp".into())
        }
        ChannelKind::Whatsapp | ChannelKind::Sms => Reach::Address(contact.primary_phone_number.to_string()),
        ChannelKind::Email => match &contact.email_address {
            Some(email) => Reach::Address(email.to_string()),
            None => Reach::Refused("the worker has no email address".into()),
        },
        ChannelKind::InApp => Reach::Refused("workers have no in-app inbox".into()),
    }
}

/// Where `user` hears of a `kind` notification on `channel`: their preferences, then the organization's
/// defaults (`tenant`), decide whether at all.
pub fn user_reach(user: &UserRecipient, channel: ChannelKind, kind: NotificationType, tenant: &ByType) -> Reach {
    if !user.active {
        return Reach::Refused("no longer an active member of the organization".into());
    }
    if matches!(channel, ChannelKind::InApp | ChannelKind::Email)
        && let Err(why) = choice::allows(&user.choices, tenant, kind, channel)
    {
        return Reach::Refused(why);
    }
    match channel {
        ChannelKind::InApp => Reach::Inbox(user.id),
        ChannelKind::Email => Reach::Address(user.email.clone()),
        ChannelKind::Sms | ChannelKind::Whatsapp => {
            Reach::Refused("users are reached by email or in-app, not by phone".into())
        }
    }
}

/// A custom field as a template value: text and numbers and booleans as written; anything else is not a
/// value a message can hold.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The values a template renders with for `worker`: its own fields, then what the request adds.
pub fn worker_variables(worker: &Worker, request: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let f = &worker.fields;
    let mut values = request.clone();
    values.insert("firstName".into(), f.first_name.clone());
    values.insert("lastName".into(), f.last_name.clone());
    values.insert("fullName".into(), f.full_name());
    if let Some(contact) = &f.contact {
        values.insert("preferredLanguage".into(), contact.preferred_language.to_string());
    }
    if let Some(custom) = &f.custom_fields {
        for (key, value) in custom {
            if let Some(text) = text_of(value) {
                values.insert(format!("custom.{key}"), text);
            }
        }
    }
    values
}

/// The values for `user`: their names, then what the request adds.
pub fn user_variables(user: &UserRecipient, request: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut values = request.clone();
    let full = user.name.clone().or_else(|| match (&user.first_name, &user.last_name) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        _ => None,
    });
    for (name, value) in [("firstName", &user.first_name), ("lastName", &user.last_name), ("fullName", &full)] {
        if let Some(v) = value {
            values.insert(name.into(), v.clone());
        }
    }
    values.insert("email".into(), user.email.clone());
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_workers::WorkerFields;

    fn worker(consent: bool, opt_in: OptInStatus, email: Option<&str>) -> Worker {
        let mut fields: WorkerFields = serde_json::from_value(serde_json::json!({
            "firstName": "Ana", "lastName": "Silva",
            "customFields": {"shift": "night", "level": 3, "nested": {"x": 1}},
            "contact": {"primaryPhoneNumber": "+5511912345678", "preferredLanguage": "pt-BR",
                        "whatsappOptInStatus": "pending", "communicationConsent": false}
        }))
        .unwrap();
        if let Some(c) = fields.contact.as_mut() {
            c.communication_consent = consent;
            c.whatsapp_opt_in_status = opt_in;
            c.email_address = email.map(|e| nudge_core::values::Parse::parse(e).unwrap());
        }
        Worker::new(Uuid::now_v7(), fields, chrono::Utc::now())
    }

    #[test]
    fn a_worker_needs_consent_and_the_channel_its_own_rule() {
        let refused = |r: Reach| matches!(r, Reach::Refused(_));
        assert!(refused(worker_reach(&worker(false, OptInStatus::OptedIn, None), ChannelKind::Sms)));
        assert_eq!(
            worker_reach(&worker(true, OptInStatus::Pending, None), ChannelKind::Sms),
            Reach::Address("+5511912345678".into())
        );
        assert!(refused(worker_reach(&worker(true, OptInStatus::Pending, None), ChannelKind::Whatsapp)));
        assert!(!refused(worker_reach(&worker(true, OptInStatus::OptedIn, None), ChannelKind::Whatsapp)));
        assert!(refused(worker_reach(&worker(true, OptInStatus::OptedIn, None), ChannelKind::Email)));
        assert_eq!(
            worker_reach(&worker(true, OptInStatus::OptedIn, Some("ana@example.com")), ChannelKind::Email),
            Reach::Address("ana@example.com".into())
        );
        assert!(refused(worker_reach(&worker(true, OptInStatus::OptedIn, None), ChannelKind::InApp)));
    }

    #[test]
    fn a_user_follows_their_email_preference_and_has_no_phone() {
        let user = UserRecipient {
            id: Uuid::now_v7(),
            email: "u@example.com".into(),
            first_name: Some("Uma".into()),
            last_name: None,
            name: None,
            choices: crate::policy::UserChoices { saved: true, email: false, ..Default::default() },
            active: true,
            digest: None,
            time_zone: None,
        };
        let reach = |u: &UserRecipient, c| user_reach(u, c, NotificationType::System, &ByType::new());
        assert!(matches!(reach(&user, ChannelKind::Email), Reach::Refused(_)));
        assert_eq!(reach(&user, ChannelKind::InApp), Reach::Inbox(user.id));
        assert!(matches!(reach(&user, ChannelKind::Sms), Reach::Refused(_)));
        let gone = UserRecipient { active: false, ..user.clone() };
        assert!(matches!(reach(&gone, ChannelKind::InApp), Reach::Refused(_)));
        assert_eq!(user_variables(&user, &BTreeMap::new())["fullName"], "Uma");
    }

    #[test]
    fn the_recipient_s_fields_win_over_the_request_s() {
        let w = worker(true, OptInStatus::OptedIn, None);
        let request: BTreeMap<String, String> =
            [("firstName", "Someone"), ("time", "06:00")].iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        let values = worker_variables(&w, &request);
        assert_eq!((values["firstName"].as_str(), values["time"].as_str()), ("Ana", "06:00"));
        assert_eq!((values["custom.shift"].as_str(), values["custom.level"].as_str()), ("night", "3"));
        assert!(!values.contains_key("custom.nested"));
        assert_eq!(values["preferredLanguage"], "pt-BR");
    }
}
