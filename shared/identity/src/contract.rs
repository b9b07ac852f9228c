//! The request schemas against the readers: every body is a closed object, and each length, pattern and
//! enum the schemas state with a literal is the one the server checks.

use crate::fields::{PRESENTED_PASSWORD_MAX, TOKEN_MAX};
use crate::people::members::ROLE_NAME_MAX;
use crate::people::preferences::{self, DATE_FORMATS};
use crate::people::rules::{self, MAX_GRANTS};
use nudge_core::auth::permissions::CATALOGUE;
use nudge_core::crypto::password;
use nudge_core::validate;
use proptest::prelude::*;
use serde_json::{Value, json};

fn documents() -> [Value; 2] {
    [crate::signin::openapi(), crate::people::openapi()].map(|d| serde_json::to_value(d).unwrap())
}

fn people() -> Value {
    serde_json::to_value(crate::people::openapi()).unwrap()
}

fn signin() -> Value {
    serde_json::to_value(crate::signin::openapi()).unwrap()
}

/// The property `field` of component `schema`.
fn property<'a>(doc: &'a Value, schema: &str, field: &str) -> &'a Value {
    let p = &doc["components"]["schemas"][schema]["properties"][field];
    assert!(p.is_object(), "{schema}.{field} is not documented");
    p
}

fn lengths(p: &Value) -> (Option<u64>, Option<u64>) {
    (p["minLength"].as_u64(), p["maxLength"].as_u64())
}

#[test]
fn every_request_body_is_a_closed_object() {
    for doc in documents() {
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(body) = op.get("requestBody") else { continue };
                for (content_type, media) in body["content"].as_object().unwrap() {
                    let schema = &media["schema"];
                    // `Option<T>`: `oneOf: [null, T]` (an optional body that may also be `null`).
                    let reference = schema["$ref"]
                        .as_str()
                        .or_else(|| schema["oneOf"].as_array()?.iter().find_map(|s| s["$ref"].as_str()))
                        .unwrap_or_else(|| panic!("{method} {path}: {schema}"));
                    let name = reference.rsplit('/').next().unwrap();
                    assert!(name.ends_with("Request") || name.ends_with("Patch"), "{method} {path}: {name}");
                    let component = &doc["components"]["schemas"][name];
                    assert_eq!(component["type"], "object", "{name}");
                    assert_eq!(component["additionalProperties"], false, "{name}");
                    let merge = content_type == "application/merge-patch+json";
                    assert_eq!(merge, method == "patch", "{method} {path}: {content_type}");
                    if merge {
                        assert!(component.get("required").is_none(), "{name}: a merge patch requires nothing");
                    }
                }
            }
        }
    }
}

#[test]
fn passwords_and_tokens_have_the_servers_lengths() {
    let (signin, people) = (signin(), people());
    let new = (Some(password::MIN_LEN as u64), Some(password::MAX_LEN as u64));
    let presented = (Some(1), Some(PRESENTED_PASSWORD_MAX as u64));
    let token = (Some(1), Some(TOKEN_MAX as u64));
    for (doc, schema, field, expected) in [
        (&signin, "LoginRequest", "password", presented),
        (&signin, "RefreshRequest", "refreshToken", token),
        (&signin, "LogoutRequest", "refreshToken", token),
        (&signin, "PasswordResetConfirmRequest", "token", token),
        (&signin, "PasswordResetConfirmRequest", "password", new),
        (&signin, "InviteAcceptRequest", "token", token),
        (&signin, "InviteAcceptRequest", "password", new),
        (&people, "PasswordChangeRequest", "currentPassword", presented),
        (&people, "PasswordChangeRequest", "newPassword", new),
        (&people, "MfaDisableRequest", "password", presented),
    ] {
        let p = property(doc, schema, field);
        assert_eq!(lengths(p), expected, "{schema}.{field}");
        let non_blank = expected == new;
        assert_eq!(p["pattern"].as_str() == Some(validate::NON_BLANK), non_blank, "{schema}.{field}");
    }
}

#[test]
fn enums_and_bounds_are_the_servers() {
    let people = people();
    let schemas = &people["components"]["schemas"];
    assert_eq!(schemas["Permission"]["enum"], json!(CATALOGUE));
    assert_eq!(schemas["DateFormat"]["enum"], json!(DATE_FORMATS));
    assert_eq!(property(&people, "MemberPatch", "grants")["maxItems"], json!(MAX_GRANTS));
    let timezone = property(&people, "PreferencesRequest", "timezone");
    assert_eq!(timezone["pattern"], preferences::TIMEZONE_PATTERN);
    assert_eq!(timezone["maxLength"], json!(preferences::TIMEZONE_MAX));
    let language = property(&people, "PreferencesRequest", "language");
    assert_eq!(language["pattern"], preferences::LANGUAGE_PATTERN);
    assert_eq!(language["maxLength"], json!(preferences::LANGUAGE_MAX));
    assert_eq!(property(&people, "RoleRequest", "name")["pattern"], rules::ROLE_NAME_PATTERN);
    for schema in ["InviteRequest", "MemberPatch"] {
        let role = property(&people, schema, "role");
        assert_eq!(lengths(role), (Some(1), Some(ROLE_NAME_MAX as u64)), "{schema}.role");
    }
    // The email preferences a PUT sends are those the document shows, each optional.
    let shown: Vec<&String> = schemas["EmailPreference"]["properties"].as_object().unwrap().keys().collect();
    let sent: Vec<&String> = schemas["EmailPreferenceRequest"]["properties"].as_object().unwrap().keys().collect();
    assert_eq!(shown, sent);
    assert!(schemas["EmailPreferenceRequest"].get("required").is_none());
}

/// A schema's pattern, as a reader of the document matches it.
fn pattern(regex: &str) -> regex_lite::Regex {
    regex_lite::Regex::new(regex).unwrap()
}

fn within(value: &str, max: usize) -> bool {
    value.chars().count() <= max
}

proptest! {
    #[test]
    fn time_zones_the_pattern_allows_are_those_the_server_takes(
        tz in "(UTC|[A-Za-z0-9_+/ .é-]{0,70}|[A-Za-z]{1,8}(/[A-Za-z_+-]{0,12}){1,3})"
    ) {
        let stated = pattern(preferences::TIMEZONE_PATTERN).is_match(&tz) && within(&tz, preferences::TIMEZONE_MAX);
        prop_assert_eq!(stated, preferences::check_timezone(&tz).is_ok(), "{:?}", tz);
    }

    #[test]
    fn languages_the_pattern_allows_are_those_the_server_takes(
        tag in "([A-Za-z]{1,4}(-[A-Za-z0-9]{1,9}){0,5}|[A-Za-z0-9_ é-]{0,40})"
    ) {
        let stated = pattern(preferences::LANGUAGE_PATTERN).is_match(&tag) && within(&tag, preferences::LANGUAGE_MAX);
        prop_assert_eq!(stated, validate::locale(&tag).is_ok(), "{:?}", tag);
    }

    #[test]
    fn role_names_the_pattern_allows_are_those_the_server_takes(
        name in "([A-Za-z0-9_-]{0,70}|[A-Za-z][A-Za-z0-9_ é\u{212a}-]{0,64})"
    ) {
        let stated = pattern(rules::ROLE_NAME_PATTERN).is_match(&name) && (2..=64).contains(&name.chars().count());
        prop_assert_eq!(stated, rules::is_role_name(&name.to_ascii_lowercase()), "{:?}", name);
    }
}
