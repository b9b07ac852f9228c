//! `/me/preferences`: seed 000's UserPreferences (theme, language, notifications, timezone, date format,
//! custom settings) and seed 002's EmailPreference (per user per tenant: toggles and digest frequency), one
//! document per user per tenant with the seeds' defaults.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | preferences | `T#<tid>#USER#<uid>` | `PREFERENCES` |

use crate::error::IdentityError;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use nudge_core::auth::Principal;
use nudge_core::auth::permissions::{PROFILE_READ, PROFILE_WRITE};
use nudge_core::http::{ApiResult, Fields, JsonBody};
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, Write};
use nudge_core::values::Locale;
use nudge_core::{Ctx, TenantId, validate};
use nudge_notifications::policy::{ByType, ChannelChoice};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// The app's colour scheme (named `UiTheme` in the API document: an organization's branding has a `Theme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = UiTheme)]
pub(crate) enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Frequency {
    #[default]
    Immediate,
    Daily,
    Weekly,
    Never,
}

pub(crate) const DATE_FORMATS: &[&str] = &["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];

/// How dates are shown (stored as its string, one of `DATE_FORMATS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) enum DateFormat {
    #[serde(rename = "YYYY-MM-DD")]
    YearMonthDay,
    #[serde(rename = "DD/MM/YYYY")]
    DaySlashMonth,
    #[serde(rename = "MM/DD/YYYY")]
    MonthSlashDay,
    #[serde(rename = "DD.MM.YYYY")]
    DayDotMonth,
}

/// The pattern of `check_timezone`: `UTC`, or an IANA-style name of two or more `/`-separated parts of
/// letters, digits, `_`, `+` and `-`, at most [`TIMEZONE_MAX`] characters.
#[cfg(test)] // what the request schema states, checked against `check_timezone` by the contract test
pub(crate) const TIMEZONE_PATTERN: &str = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$";
pub(crate) const TIMEZONE_MAX: usize = 64;
/// The pattern of `validate::locale` (a BCP 47 tag), at most `LANGUAGE_MAX` characters.
#[cfg(test)] // what the request schema states, checked against the core's rule by the contract test
pub(crate) const LANGUAGE_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$";
#[cfg(test)]
pub(crate) const LANGUAGE_MAX: usize = 35;
/// `customSettings`: at most this many bytes as JSON and this deep (a 422 beyond: no schema states it).
const CUSTOM_SETTINGS_BYTES: usize = 8 * 1024;
const CUSTOM_SETTINGS_DEPTH: usize = 6;

/// Which emails the user gets from this tenant, and how often.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct EmailPreference {
    pub frequency: Frequency,
    pub new_content: bool,
    pub reminders: bool,
    pub results: bool,
    pub comments: bool,
    pub product_updates: bool,
}

impl Default for EmailPreference {
    fn default() -> Self {
        Self {
            frequency: Frequency::Immediate,
            new_content: true,
            reminders: true,
            results: true,
            comments: true,
            product_updates: false,
        }
    }
}

/// `email` of `PUT /me/preferences`: each field left out takes its default (`null` is refused).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read` reads it as an `EmailPreference`")]
pub(crate) struct EmailPreferenceRequest {
    #[schema(required = false)]
    pub frequency: Frequency,
    #[schema(required = false)]
    pub new_content: bool,
    #[schema(required = false)]
    pub reminders: bool,
    #[schema(required = false)]
    pub results: bool,
    #[schema(required = false)]
    pub comments: bool,
    #[schema(required = false)]
    pub product_updates: bool,
}

/// `PUT /me/preferences`: the whole document; a field left out (or `null`) takes its default.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read` reads the body")]
pub(crate) struct PreferencesRequest {
    pub theme: Option<Theme>,
    /// A BCP 47 language tag such as `en` or `sl-SI`.
    #[schema(max_length = 35, pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub language: Option<String>,
    pub email_notifications: Option<bool>,
    pub push_notifications: Option<bool>,
    /// `UTC` or an IANA time zone name such as `Europe/Ljubljana`.
    #[schema(max_length = 64, pattern = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub timezone: Option<String>,
    pub date_format: Option<DateFormat>,
    /// Any JSON object of at most 8 KiB as JSON, nested at most 6 levels deep (422 beyond).
    #[schema(value_type = Option<Object>)]
    pub custom_settings: Option<Map<String, Value>>,
    pub email: Option<EmailPreferenceRequest>,
    /// Seed 004's NotificationPreference: by notification type (`XP_EARNED` …), `{"email": bool?,
    /// "inApp": bool?}`, which beats the user-wide toggles; an unknown type is a 422.
    pub by_type: Option<std::collections::BTreeMap<String, ChannelChoice>>,
}

// The stored and served document (a `//` comment: a doc comment would become the schema's description).
// `language` stays a string, its default built without a parse; a read one is a `Locale` (see `read`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Preferences {
    pub theme: Theme,
    pub language: String,
    pub email_notifications: bool,
    pub push_notifications: bool,
    pub timezone: String,
    #[schema(value_type = DateFormat)]
    pub date_format: String,
    #[schema(value_type = Option<Object>)]
    pub custom_settings: Option<Map<String, Value>>,
    pub email: EmailPreference,
    /// Channels by notification type, beating the toggles above.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub by_type: ByType,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            language: "en".into(),
            email_notifications: true,
            push_notifications: true,
            timezone: "UTC".into(),
            date_format: "YYYY-MM-DD".into(),
            custom_settings: None,
            email: EmailPreference::default(),
            by_type: ByType::new(),
            updated_at: None,
        }
    }
}

/// IANA zone names (`Europe/Ljubljana`, `America/Argentina/Buenos_Aires`) or `UTC`: `TIMEZONE_PATTERN`.
pub(crate) fn check_timezone(tz: &str) -> Result<(), String> {
    let part_ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c));
    if tz == "UTC" || (tz.len() <= TIMEZONE_MAX && tz.contains('/') && tz.split('/').all(part_ok)) {
        Ok(())
    } else {
        Err("must be an IANA time zone such as `Europe/Ljubljana`, or `UTC`".into())
    }
}

/// Reads a whole preferences document (PUT): absent fields take their defaults.
fn read(body: Value) -> ApiResult<Preferences> {
    let d = Preferences::default();
    let mut f = Fields::new(body)?;
    let theme: Option<Theme> = f.optional("theme");
    let language: Option<Locale> = f.parse("language", false);
    let email_notifications: Option<bool> = f.optional("emailNotifications");
    let push_notifications: Option<bool> = f.optional("pushNotifications");
    let timezone: Option<String> = f.optional("timezone");
    f.check("timezone", &timezone, |t| check_timezone(t));
    let date_format: Option<String> = f.optional("dateFormat");
    f.check("dateFormat", &date_format, |v| {
        if DATE_FORMATS.contains(&v.as_str()) {
            Ok(())
        } else {
            Err(format!("must be one of {}", DATE_FORMATS.join(", ")))
        }
    });
    let custom: Option<Map<String, Value>> = f.optional("customSettings");
    if let Some(m) = &custom
        && let Err(message) =
            validate::json_object(&Value::Object(m.clone()), CUSTOM_SETTINGS_BYTES, CUSTOM_SETTINGS_DEPTH)
    {
        f.break_rule("customSettings", message);
    }
    // Each field left out takes its default; `null` in one is refused (the type is not nullable).
    let email: Option<EmailPreference> = f.optional("email");
    let by_type = nudge_notifications::policy::settings::by_type(&mut f, "byType");
    // `updatedAt` is the server's: sent back, it is an unknown field like any other.
    f.finish()?;
    Ok(Preferences {
        theme: theme.unwrap_or(d.theme),
        language: language.map(String::from).unwrap_or(d.language),
        email_notifications: email_notifications.unwrap_or(d.email_notifications),
        push_notifications: push_notifications.unwrap_or(d.push_notifications),
        timezone: timezone.unwrap_or(d.timezone),
        date_format: date_format.unwrap_or(d.date_format),
        custom_settings: custom,
        email: email.unwrap_or_default(),
        by_type,
        updated_at: None,
    })
}

fn key(tenant: &TenantId, user: Uuid) -> Key {
    Key::tenant(tenant, &format!("USER#{user}"), "PREFERENCES")
}

/// A user's preferences in a tenant: the defaults until they save some.
pub(crate) async fn load(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Preferences, IdentityError> {
    let prefs: Option<Preferences> = store.get(&key(tenant, user)).await?;
    Ok(prefs.unwrap_or_default())
}

/// Saves the whole document: the last write wins, as PUT means.
async fn save(store: &Store, tenant: &TenantId, user: Uuid, prefs: &Preferences) -> Result<(), IdentityError> {
    Ok(store.write(Write::upsert(Put::new(&key(tenant, user), "Preferences", prefs)?)).await?)
}

#[utoipa::path(get, path = "/me/preferences", tag = "me",
    responses(
        (status = 200, description = "Your preferences in this organization (defaults until you save some)", body = Preferences),
    ),
    security(("bearer" = [])))]
pub(crate) async fn get_preferences(principal: Principal, State(ctx): State<Ctx>) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_READ)?;
    let prefs = load(&ctx.store, &tenant, principal.user_id).await?;
    Ok(axum::Json(prefs).into_response())
}

#[utoipa::path(put, path = "/me/preferences", tag = "me",
    request_body(content = PreferencesRequest, description = "The whole document: what is left out takes its default"),
    responses(
        (status = 200, description = "Saved", body = Preferences),
    ),
    security(("bearer" = [])))]
pub(crate) async fn put_preferences(
    principal: Principal,
    State(ctx): State<Ctx>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let tenant = principal.require(PROFILE_WRITE)?;
    let mut prefs = read(body)?;
    prefs.updated_at = Some(Utc::now());
    save(&ctx.store, &tenant, principal.user_id, &prefs).await?;
    Ok(axum::Json(prefs).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::http::ApiError;
    use serde_json::json;

    #[test]
    fn absent_fields_take_the_seed_defaults() {
        let p = read(json!({"theme": "dark"})).unwrap();
        assert_eq!(p.theme, Theme::Dark);
        assert_eq!((p.language.as_str(), p.timezone.as_str(), p.date_format.as_str()), ("en", "UTC", "YYYY-MM-DD"));
        assert!(p.email_notifications && p.push_notifications && p.email.new_content && !p.email.product_updates);
    }

    #[test]
    fn bad_fields_are_named() {
        let Err(ApiError::Invalid(errors)) = read(
            json!({"theme": "neon", "timezone": "Mars Base", "dateFormat": "DD-MM", "email": {"frequency": "hourly"}}),
        ) else {
            panic!("accepted")
        };
        let pointers: Vec<_> = errors.iter().filter_map(|e| e.pointer.clone()).collect();
        assert_eq!(pointers, ["/theme", "/timezone", "/dateFormat", "/email/frequency"]);
        assert!(check_timezone("America/Argentina/Buenos_Aires").is_ok());
    }

    #[test]
    fn what_the_request_schema_refuses_is_refused() {
        let status = |body: serde_json::Value| read(body).err().map(|e| e.status().as_u16());
        assert_eq!(status(json!({"updatedAt": null})), Some(400), "read-only");
        assert_eq!(status(json!({"email": {"reminders": null}})), Some(400));
        assert_eq!(status(json!({"email": {"hourly": true}})), Some(400));
        assert_eq!(status(json!({"language": "", "timezone": "", "dateFormat": ""})), Some(400));
        assert_eq!(status(json!({"customSettings": [1]})), Some(400));
        let nulls = json!({"theme": null, "language": null, "emailNotifications": null, "pushNotifications": null,
            "timezone": null, "dateFormat": null, "customSettings": null, "email": null});
        assert_eq!(read(nulls).unwrap(), Preferences::default());
        let p = read(json!({"email": {"frequency": "weekly"}, "dateFormat": "DD.MM.YYYY"})).unwrap();
        assert_eq!(
            (p.email.frequency, p.email.reminders, p.date_format.as_str()),
            (Frequency::Weekly, true, "DD.MM.YYYY")
        );
        // Size and depth are rules the schema cannot state.
        let deep = json!({"customSettings": {"a": {"b": {"c": {"d": {"e": {"f": {}}}}}}}});
        assert_eq!(status(deep), Some(422));
        assert_eq!(status(json!({"customSettings": {"a": "x".repeat(CUSTOM_SETTINGS_BYTES)}})), Some(422));
    }

    #[test]
    fn date_formats_are_the_enum() {
        let names: Vec<serde_json::Value> =
            [DateFormat::YearMonthDay, DateFormat::DaySlashMonth, DateFormat::MonthSlashDay, DateFormat::DayDotMonth]
                .iter()
                .map(|f| serde_json::to_value(f).unwrap())
                .collect();
        assert_eq!(names, DATE_FORMATS.iter().map(|f| json!(f)).collect::<Vec<_>>());
    }
}
