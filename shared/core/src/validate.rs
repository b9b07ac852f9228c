//! Field rules shared by every resource: text lengths, URLs, slugs, locales, JSON object sizes.

use regex_lite::Regex;
use serde_json::Value;
use std::sync::LazyLock;

static SLUG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap_or_else(|e| unreachable!("{e}")));
static LOCALE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$").unwrap_or_else(|e| unreachable!("{e}")));

/// Text of at most `max` characters; with `min` ≥ 1 it must also hold a character that is not white space.
/// Both are what the OpenAPI document can state: `maxLength: max` and [`NON_BLANK`] (`minLength` too when
/// `min` > 1), so a value the schema allows is never refused, nor one it refuses accepted.
pub fn text(value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if min >= 1 && value.chars().all(is_blank) {
        Err("must not be blank".into())
    } else if n < min {
        Err(format!("must be at least {min} characters"))
    } else if n > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

/// The schema pattern of text that is not blank (see [`is_blank`]).
pub const NON_BLANK: &str = r"\S";

/// White space as any reader of a pattern's `\s` may know it: Unicode's White_Space, the information
/// separators U+001C–U+001F that Python adds and the byte-order mark that ECMA-262 adds. The served document
/// spells the class out (see `http::contract`), so every reader draws the line here.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c) || c == '\u{feff}'
}

/// An absolute http(s) URL with a host, at most 2048 characters; `https_only` for assets shown in browsers.
/// A normalised email address: trimmed and lower-cased (addresses are unique case-insensitively).
pub fn email(value: &str) -> Result<String, String> {
    let email = value.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
    if valid { Ok(email) } else { Err("must be an email address".into()) }
}

/// The form of an http(s) URL, as the document's pattern states it: the scheme, a host of no white space,
/// slash, `?` or `#`, then anything without white space. The document adds `maxLength: 2048`.
pub const HTTP_URL: &str = r"^https?://[^\s/?#]+([/?#]\S*)?$";
/// [`HTTP_URL`] for assets shown in browsers: https only.
pub const HTTPS_URL: &str = r"^https://[^\s/?#]+([/?#]\S*)?$";

/// How a URL fails: its form breaks the documented pattern (400), or a URL of that form does not parse or
/// names no host (a rule the pattern cannot state: 422).
#[derive(Debug, PartialEq, Eq)]
pub enum UrlIssue {
    Form(String),
    Unusable(String),
}

/// An absolute http(s) URL with a host, at most 2048 characters; `https_only` for assets shown in browsers.
pub fn web_url(value: &str, https_only: bool) -> Result<(), UrlIssue> {
    let schemes: &[&str] = if https_only { &["https://"] } else { &["http://", "https://"] };
    let rest = schemes.iter().find_map(|s| value.strip_prefix(s));
    let form_ok = value.chars().count() <= 2048
        && rest.is_some_and(|rest| {
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            host_end > 0 && !rest.chars().any(is_blank)
        });
    if !form_ok {
        return Err(UrlIssue::Form(if https_only {
            "must be an https URL of at most 2048 characters, like https://acme.example/logo.png".into()
        } else {
            "must be an http or https URL of at most 2048 characters, like https://acme.example".into()
        }));
    }
    let url = url::Url::parse(value).map_err(|e| UrlIssue::Unusable(format!("must be a valid URL ({e})")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlIssue::Unusable("must name a host".into()));
    }
    Ok(())
}

/// A URL-safe slug: lowercase letters, digits and single hyphens, 3 to 63 characters.
pub fn slug(value: &str) -> Result<(), String> {
    if !(3..=63).contains(&value.len()) {
        return Err("must be 3 to 63 characters".into());
    }
    if !SLUG.is_match(value) {
        return Err("must be lowercase letters and digits separated by single hyphens".into());
    }
    Ok(())
}

/// Derives a slug from a name: ASCII-folded, lowercased, non-alphanumerics collapsed to single hyphens.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut slug: String = out.trim_matches('-').chars().take(63).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// A BCP 47 language tag such as `en`, `sl-SI` or `zh-Hant-TW`.
pub fn locale(value: &str) -> Result<(), String> {
    if value.len() <= 35 && LOCALE.is_match(value) {
        Ok(())
    } else {
        Err("must be a BCP 47 language tag such as `en` or `sl-SI`".into())
    }
}

/// A JSON object no larger than `max_bytes` serialized, no deeper than `max_depth`, and with no empty key at
/// any depth: the table stores it as a map, and an empty map key is not an attribute name (the emulator even
/// loses a level of the map on it).
pub fn json_object(value: &Value, max_bytes: usize, max_depth: usize) -> Result<(), String> {
    if !value.is_object() {
        return Err("must be a JSON object".into());
    }
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > max_bytes {
        return Err(format!("must be at most {max_bytes} bytes as JSON (is {size})"));
    }
    if depth(value) > max_depth {
        return Err(format!("must nest at most {max_depth} levels deep"));
    }
    if has_empty_key(value) {
        return Err("must not have an empty key, at any depth".into());
    }
    if let Some(n) = unstorable_number(value) {
        return Err(format!(
            "holds {n}, a number the table cannot store (non-zero magnitudes from 1e-130 to 9.9e125, 38 digits)"
        ));
    }
    Ok(())
}

/// The first number DynamoDB would refuse (a magnitude below 1e-130 or above 9.9e125), at any depth.
pub fn unstorable_number(value: &Value) -> Option<&serde_json::Number> {
    match value {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0).abs();
            (f != 0.0 && !(1e-130..1e126).contains(&f)).then_some(n)
        }
        Value::Object(m) => m.values().find_map(unstorable_number),
        Value::Array(a) => a.iter().find_map(unstorable_number),
        _ => None,
    }
}

fn has_empty_key(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.iter().any(|(k, v)| k.is_empty() || has_empty_key(v)),
        Value::Array(a) => a.iter().any(has_empty_key),
        _ => false,
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_table_cannot_store_are_refused_at_any_depth() {
        let ok = serde_json::json!({"a": 1.5, "b": [0, -2e100], "c": {"d": 1e-120}});
        assert!(json_object(&ok, 1024, 4).is_ok());
        for bad in [serde_json::json!({"a": 2.69e-192}), serde_json::json!({"a": {"b": [1e200]}})] {
            assert!(json_object(&bad, 1024, 4).unwrap_err().contains("cannot store"), "{bad}");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Ana@Example.COM ").unwrap(), "ana@example.com");
        for bad in ["", "ana", "@example.com", "ana@", "ana@example", "a b@example.com", "ana@exa_mple.com"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn urls() {
        assert!(web_url("https://acme.example/x", true).is_ok());
        assert!(web_url("http://acme.example", false).is_ok());
        assert!(web_url("http://acme.example", true).is_err());
        assert!(web_url("javascript:alert(1)", false).is_err());
        assert!(web_url("acme.example", false).is_err());
        for form in ["http:acme.example", "http://", "http:///x", "http://a b", "http://a/\u{a0}", " http://a"] {
            assert!(matches!(web_url(form, false), Err(UrlIssue::Form(_))), "{form:?}");
        }
        for unusable in ["http://[", "http://a%zz", "http://exa[mple"] {
            assert!(matches!(web_url(unusable, false), Err(UrlIssue::Unusable(_))), "{unusable:?}");
        }
    }

    #[test]
    fn slugs_and_locales() {
        assert!(slug("acme-co").is_ok());
        for bad in ["Acme", "a", "acme--co", "-acme", "acme_co"] {
            assert!(slug(bad).is_err(), "{bad}");
        }
        assert_eq!(slugify("  Ácme & Co. Ltd!"), "cme-co-ltd");
        assert!(locale("sl-SI").is_ok() && locale("en").is_ok() && locale("english!").is_err());
        assert!(text("  ", 1, 10).is_err() && text("ab", 1, 1).is_err());
    }

    #[test]
    fn json_objects_are_bounded() {
        assert!(json_object(&json!({"a": {"b": 1}}), 100, 2).is_ok());
        assert!(json_object(&json!({"a": {"b": {"c": 1}}}), 100, 2).is_err());
        assert!(json_object(&json!({"a": "x".repeat(200)}), 100, 4).is_err());
        assert!(json_object(&json!([1]), 100, 4).is_err());
        assert!(json_object(&json!({"a": [{"": 1}]}), 100, 4).is_err(), "an empty key, however deep");
    }

    proptest! {
        #[test]
        fn slugify_yields_valid_slugs_or_too_short(name in ".{0,100}") {
            let s = slugify(&name);
            prop_assert!(s.len() < 3 || slug(&s).is_ok(), "{s:?}");
        }
    }
}
