//! The tenant's sending policy document: item `T#<t>#NOTIFICATION-SETTINGS` / `policy`, absent until the
//! tenant saves one (the defaults: no quiet hours, no cap, WhatsApp's standard 80 messages a second).

use super::choice::{ByType, ChannelChoice};
use super::quiet::{QuietHours, hh_mm};
use crate::NotificationError;
use crate::inbox::NotificationType;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::input::pointer_token;
use nudge_core::http::{ApiError, Fields};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, StoreError, Write};
use nudge_core::values::Parse;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The most sends a worker may be given a day, when capped.
pub const CAP_MAX: u32 = 100;
/// WhatsApp Cloud API's default throughput per business number (messages a second).
pub const WHATSAPP_DEFAULT_PER_SECOND: u32 = 80;
/// The Cloud API's highest tier (after Meta raises a number's limit).
pub const WHATSAPP_MAX_PER_SECOND: u32 = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// A worker's local hours in which sends wait (`null`: none). `high` priority sends pass.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// The most messages a worker is sent in one local day across every request and journey (`null`: no
    /// cap); beyond it a send is refused with the reason. `high` priority sends pass and are not counted.
    #[serde(default)]
    pub daily_cap: Option<u32>,
    /// Messages a second the tenant's WhatsApp number may send (Cloud API throughput; default 80).
    #[serde(default = "whatsapp_default")]
    pub whatsapp_per_second: u32,
    /// Users' channels by notification type until they save preferences of their own, e.g.
    /// `{"XP_EARNED": {"email": false}}` (unsaid: on).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub type_defaults: ByType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

fn whatsapp_default() -> u32 {
    WHATSAPP_DEFAULT_PER_SECOND
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            quiet_hours: None,
            daily_cap: None,
            whatsapp_per_second: WHATSAPP_DEFAULT_PER_SECOND,
            type_defaults: ByType::new(),
            updated_at: None,
            version: 0,
        }
    }
}

/// `PUT /notifications/settings`: the whole document; what is left out (or `null`) takes its default.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read` reads the body")]
pub(crate) struct SettingsRequest {
    pub quiet_hours: Option<QuietHoursRequest>,
    #[schema(minimum = 1, maximum = 100)]
    pub daily_cap: Option<u32>,
    #[schema(minimum = 1, maximum = 1000)]
    pub whatsapp_per_second: Option<u32>,
    /// By notification type (`XP_EARNED` …): `{"email": bool?, "inApp": bool?}`; an unknown type is a 422.
    pub type_defaults: Option<BTreeMap<String, ChannelChoice>>,
}

/// Start and end differ; the window wraps midnight when the end is earlier.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only")]
pub(crate) struct QuietHoursRequest {
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "21:00")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub end: String,
}

/// Reads a whole settings document, naming every bad field.
pub(crate) fn read(body: Value) -> Result<NotificationSettings, ApiError> {
    let mut f = Fields::new(body)?;
    let quiet = f.object("quietHours").map(|mut q| {
        let mut time = |name: &str| {
            let text: Option<String> = q.required(name);
            match hh_mm::parse(text.as_deref()?) {
                Ok(t) => Some(t),
                Err(message) => {
                    q.reject(name, message);
                    None
                }
            }
        };
        let (start, end) = (time("start"), time("end"));
        if let (Some(s), Some(e)) = (start, end)
            && s == e
        {
            q.break_rule("end", "must differ from start (an empty window is no quiet hours: send null)");
        }
        let out = start.zip(end).filter(|(s, e)| s != e).map(|(start, end)| QuietHours { start, end });
        (q, out)
    });
    let quiet_hours = quiet.and_then(|(q, out)| {
        f.absorb(q);
        out
    });
    let daily_cap: Option<u32> = f.optional("dailyCap");
    f.check("dailyCap", &daily_cap, |c| in_range(*c, 1, CAP_MAX));
    let whatsapp: Option<u32> = f.optional("whatsappPerSecond");
    f.check("whatsappPerSecond", &whatsapp, |r| in_range(*r, 1, WHATSAPP_MAX_PER_SECOND));
    let type_defaults = by_type(&mut f, "typeDefaults");
    f.finish()?;
    Ok(NotificationSettings {
        quiet_hours,
        daily_cap,
        whatsapp_per_second: whatsapp.unwrap_or(WHATSAPP_DEFAULT_PER_SECOND),
        type_defaults,
        updated_at: None,
        version: 0,
    })
}

/// A field of channel choices by notification type: its form is the schema's (400), its keys must name a
/// type (422, as no schema lists a map's keys).
pub fn by_type(f: &mut Fields, name: &str) -> ByType {
    let raw: Option<BTreeMap<String, ChannelChoice>> = f.optional(name);
    let mut out = ByType::new();
    for (key, choice) in raw.unwrap_or_default() {
        match NotificationType::parse(&key) {
            Ok(_) => {
                out.insert(key, choice);
            }
            Err(message) => f.break_rule_at(format!("{}/{}", f.pointer(name), pointer_token(&key)), message),
        }
    }
    out
}

fn in_range(n: u32, lo: u32, hi: u32) -> Result<(), String> {
    if (lo..=hi).contains(&n) { Ok(()) } else { Err(format!("must be from {lo} to {hi}")) }
}

fn key(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "NOTIFICATION-SETTINGS", "policy")
}

/// The tenant's settings: the defaults until it saves some.
pub async fn load(store: &Store, tenant: &TenantId) -> Result<NotificationSettings, NotificationError> {
    let found: Option<NotificationSettings> = store.get(&key(tenant)).await?;
    Ok(found.unwrap_or_default())
}

/// Saves `next` over the version read (`expected`, 0 when none was saved): a concurrent save fails as a
/// version conflict.
pub(crate) async fn save(
    store: &Store,
    tenant: &TenantId,
    next: &NotificationSettings,
    expected: u64,
) -> Result<(), StoreError> {
    let put = Put::new(&key(tenant), "NotificationSettings", next)?;
    let write = if expected == 0 { Write::create(put, "settings exist") } else { Write::replace(put, expected) };
    store.write(write).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(err: ApiError) -> (u16, Vec<String>) {
        (err.status().as_u16(), err.pointers())
    }

    #[test]
    fn a_document_is_read_with_its_defaults() {
        let s = read(json!({"quietHours": {"start": "21:00", "end": "07:00"}, "dailyCap": 3})).unwrap();
        assert_eq!(s.quiet_hours.map(|q| q.start.to_string()), Some("21:00:00".into()));
        assert_eq!((s.daily_cap, s.whatsapp_per_second), (Some(3), 80));
        assert_eq!(read(json!({})).unwrap(), NotificationSettings::default());
        assert_eq!(read(json!({"quietHours": null, "dailyCap": null})).unwrap(), NotificationSettings::default());
        let typed = read(json!({"typeDefaults": {"XP_EARNED": {"email": false}}})).unwrap();
        assert_eq!(typed.type_defaults["XP_EARNED"].email, Some(false));
        let (status, got) = pointers(read(json!({"typeDefaults": {"NOPE": {"email": false}}})).unwrap_err());
        assert_eq!((status, got), (422, vec!["/typeDefaults/NOPE".to_owned()]));
        let (status, got) = pointers(read(json!({"typeDefaults": {"XP_EARNED": {"sms": true}}})).unwrap_err());
        assert_eq!((status, got), (400, vec!["/typeDefaults/XP_EARNED/sms".to_owned()]));
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = read(json!({"quietHours": {"start": "25:00"}, "dailyCap": 0, "whatsappPerSecond": 5000, "x": 1}));
        let (status, mut got) = pointers(err.unwrap_err());
        got.sort();
        assert_eq!(status, 400);
        assert_eq!(got, ["/dailyCap", "/quietHours/end", "/quietHours/start", "/whatsappPerSecond", "/x"]);
        let (status, got) = pointers(read(json!({"quietHours": {"start": "08:00", "end": "08:00"}})).unwrap_err());
        assert_eq!((status, got), (422, vec!["/quietHours/end".to_owned()]));
    }
}
