//! Reading and checking organization input, and the request schemas that state it: edge code, so its
//! refusals are problems ([`ApiError`]). Pure: no I/O.

use crate::model::{OrganizationFields, OrganizationType, SubscriptionTier, Theme};
use nudge_core::http::{ApiError, Fields};
use nudge_core::validate;
use nudge_core::values::{Locale, Parse, Slug};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;

const TERMINOLOGY_MAX_ENTRIES: usize = 100;
const TERMINOLOGY_MAX_BYTES: usize = 8 * 1024;
const SETTINGS_MAX_BYTES: usize = 16 * 1024;
const SETTINGS_MAX_DEPTH: usize = 8;
/// The locale of an organization that names none.
const DEFAULT_LOCALE: &str = "en";

/// `POST /organizations`. `customTerminology` holds at most 100 entries (keys of 1–100 bytes, not blank;
/// values of at most 200 characters; 8 KiB in all) and `settings` at most 16 KiB nested at most 8 deep:
/// those rules, and a slug that cannot be derived from the name, are a 422.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read` reads the body")]
pub(crate) struct OrganizationRequest {
    #[schema(max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(max_length = 2048, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    pub website: Option<String>,
    #[serde(rename = "type")]
    pub kind: OrganizationType,
    /// Default `free`; a platform admin's to choose.
    pub subscription_tier: Option<SubscriptionTier>,
    /// Unique across the platform; derived from the name when absent.
    #[schema(min_length = 3, max_length = 63, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// BCP 47, default `en`.
    #[schema(max_length = 35, pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub locale: Option<String>,
    /// IANA, default `UTC`: the tenant's local days and hours.
    #[schema(max_length = 64, pattern = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub time_zone: Option<String>,
    pub theme: Option<Theme>,
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$")]
    pub logo_url: Option<String>,
    pub custom_terminology: Option<BTreeMap<String, String>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
}

/// `PATCH /organization` and `PATCH /organizations/{id}`: JSON Merge Patch (RFC 7396) over the fields of
/// [`OrganizationRequest`]; `null` removes an optional one. `slug`, `type` and `subscriptionTier` need a
/// platform admin.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `read` reads the merged document")]
pub(crate) struct OrganizationPatch {
    #[schema(required = false, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(max_length = 2048, pattern = r"^https?://[^\s/?#]+([/?#]\S*)?$")]
    pub website: Option<String>,
    #[serde(rename = "type")]
    #[schema(required = false)]
    pub kind: OrganizationType,
    #[schema(required = false)]
    pub subscription_tier: SubscriptionTier,
    #[schema(required = false, min_length = 3, max_length = 63, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    #[schema(required = false, max_length = 35, pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    pub locale: String,
    #[schema(required = false, max_length = 64, pattern = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$")]
    pub time_zone: String,
    #[schema(required = false)]
    pub theme: Theme,
    #[schema(max_length = 2048, pattern = r"^https://[^\s/?#]+([/?#]\S*)?$")]
    pub logo_url: Option<String>,
    pub custom_terminology: Option<BTreeMap<String, String>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
}

/// Reads a full field set; `creating` fills defaults (tier, locale, theme, and a slug from the name).
pub(crate) fn read(body: Value, creating: bool) -> Result<OrganizationFields, ApiError> {
    // A slug sent as text but refused is reported as such, not replaced by one derived from the name.
    let slug_sent = matches!(body.get("slug"), Some(Value::String(_)));
    let mut f = Fields::new(body)?;
    let name: Option<String> = f.required("name");
    f.check("name", &name, |v| validate::text(v, 1, 200));
    let description: Option<String> = f.optional("description");
    f.check("description", &description, |v| validate::text(v, 0, 2000));
    let website = f.web_url("website", false);
    let kind: Option<OrganizationType> = f.required("type");
    let tier: Option<SubscriptionTier> =
        if creating { f.optional("subscriptionTier") } else { f.required("subscriptionTier") };
    let slug: Option<Slug> = f.parse("slug", !creating);
    let locale: Option<Locale> = f.parse("locale", !creating);
    let time_zone = f.time_zone("timeZone", !creating);
    let theme: Option<Theme> = if creating { f.optional("theme") } else { f.required("theme") };
    let logo_url = f.web_url("logoUrl", true);
    // Sizes and key rules are stated in words only: breaking them is a 422.
    let terms: Option<BTreeMap<String, String>> = f.optional("customTerminology");
    if let Some(Err(message)) = terms.as_ref().map(check_terminology) {
        f.break_rule("customTerminology", message);
    }
    let settings: Option<Map<String, Value>> = f.optional("settings");
    if let Some(Err(message)) = settings
        .as_ref()
        .map(|m| validate::json_object(&Value::Object(m.clone()), SETTINGS_MAX_BYTES, SETTINGS_MAX_DEPTH))
    {
        f.break_rule("settings", message);
    }

    // A slug derived from the name must itself be valid; say so on `slug` rather than guess.
    let slug = match (slug, &name) {
        (Some(s), _) => Some(s),
        (None, Some(n)) if creating && !slug_sent => {
            let derived = Slug::of_name(n);
            if derived.is_none() && validate::text(n, 1, 200).is_ok() {
                f.break_rule("slug", "could not be derived from the name; give a slug");
            }
            derived
        }
        (None, _) => None,
    };
    let has_errors = f.has_errors();
    f.finish()?;
    match (name, kind, slug) {
        (Some(name), Some(kind), Some(slug)) if !has_errors => Ok(OrganizationFields {
            name: name.trim().to_owned(),
            description,
            website,
            kind,
            subscription_tier: tier.unwrap_or_default(),
            slug,
            locale: match locale {
                Some(locale) => locale,
                None => Locale::parse(DEFAULT_LOCALE).map_err(ApiError::internal)?,
            },
            time_zone: time_zone.unwrap_or_default(),
            theme: theme.unwrap_or_default(),
            logo_url,
            custom_terminology: terms,
            settings,
        }),
        // finish() reported every missing field already; this is unreachable in practice.
        _ => Err(ApiError::internal("organization input incomplete without a reported error")),
    }
}

fn check_terminology(terms: &BTreeMap<String, String>) -> Result<(), String> {
    if terms.len() > TERMINOLOGY_MAX_ENTRIES {
        return Err(format!("must have at most {TERMINOLOGY_MAX_ENTRIES} entries"));
    }
    if let Some((k, _)) = terms.iter().find(|(k, v)| k.trim().is_empty() || k.len() > 100 || v.chars().count() > 200) {
        return Err(format!("entry `{k}` must have a key of 1–100 and a value of at most 200 characters"));
    }
    let value = serde_json::to_value(terms).unwrap_or_default();
    validate::json_object(&value, TERMINOLOGY_MAX_BYTES, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Invalid(errors) => errors.into_iter().filter_map(|e| e.pointer).collect(),
            other => panic!("expected 400, got {other:?}"),
        }
    }

    /// The pointers of a 422: well-formed fields that break a rule the schema states in words only.
    fn broken(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Rejected(errors) => errors.into_iter().filter_map(|e| e.pointer).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn create_fills_defaults_and_derives_the_slug() {
        let f = read(json!({"name": "  Acme Retail ", "type": "client"}), true).unwrap();
        assert_eq!(f.name, "Acme Retail");
        assert_eq!(f.slug.as_str(), "acme-retail");
        assert_eq!((f.locale.as_str(), f.theme, f.subscription_tier), ("en", Theme::Default, SubscriptionTier::Free));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let err = read(
            json!({
                "name": "", "type": "partner", "website": "ftp://x", "slug": "Bad Slug", "locale": "??",
                "logoUrl": "http://insecure.example/logo.png", "customTerminology": {"worker": 3},
                "settings": [], "subscriptionTier": "gold", "theme": "neon", "color": "red"
            }),
            true,
        )
        .unwrap_err();
        let mut got = pointers(err);
        got.sort();
        let mut want = vec![
            "/name",
            "/type",
            "/website",
            "/slug",
            "/locale",
            "/logoUrl",
            "/customTerminology/worker",
            "/settings",
            "/subscriptionTier",
            "/theme",
            "/color",
        ];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn a_patch_may_not_drop_required_fields() {
        let err =
            read(json!({"name": "A", "type": "client", "slug": "acme", "locale": "en", "theme": "default"}), false)
                .unwrap_err();
        assert_eq!(pointers(err), vec!["/subscriptionTier", "/timeZone"]);
    }

    #[test]
    fn settings_and_terminology_are_bounded() {
        let big = "x".repeat(17 * 1024);
        let err = read(json!({"name": "Acme", "type": "client", "settings": {"blob": big}}), true).unwrap_err();
        assert_eq!(broken(err), vec!["/settings"]);
        let terms: serde_json::Map<String, Value> = (0..101).map(|i| (format!("t{i}"), json!("v"))).collect();
        let err = read(json!({"name": "Acme", "type": "client", "customTerminology": terms}), true).unwrap_err();
        assert_eq!(broken(err), vec!["/customTerminology"]);
    }

    #[test]
    fn unsluggable_names_ask_for_a_slug() {
        let err = read(json!({"name": "日本", "type": "expert"}), true).unwrap_err();
        assert_eq!(broken(err), vec!["/slug"]);
        let err = read(json!({"name": "日本", "type": "expert", "website": "http://[::1"}), true).unwrap_err();
        assert_eq!(broken(err), vec!["/website", "/slug"], "a URL of good form that does not parse too");
    }

    #[test]
    fn url_patterns_are_the_readers() {
        use utoipa::PartialSchema;
        for schema in [OrganizationRequest::schema(), OrganizationPatch::schema()] {
            let json = serde_json::to_value(schema).unwrap();
            assert_eq!(json["properties"]["website"]["pattern"], validate::HTTP_URL);
            assert_eq!(json["properties"]["logoUrl"]["pattern"], validate::HTTPS_URL);
        }
    }
}
