//! Secrets inside an integration's `config`. Pure: no HTTP, no storage.
//!
//! A key holds a secret when its lower-cased name contains one of [`MARKERS`] (`-` counts as `_`, so
//! `x-api-key` is one too), at any depth, inside objects and arrays alike. Secret values must be strings.
//!
//! - At rest each secret string is replaced in place by `{"$sealed": "v1.…"}`: ChaCha20-Poly1305 under the
//!   deployment's data key, with associated data `T#<tenant>#INTEGRATION#<id>` + the field's JSON pointer
//!   inside `config` (e.g. `/webhook/verifyToken`). A ciphertext copied to another field, integration or
//!   tenant does not open.
//! - On every read a secret shows as [`PLACEHOLDER`]; the API never opens one.
//! - On write (POST, or the merged document of a PATCH) a secret string is sealed afresh, except the
//!   placeholder, which keeps the value stored at the same pointer. A merge patch is applied to the redacted
//!   document, so a secret the patch does not mention is still the placeholder there and is kept; `null`
//!   removes it (RFC 7396). Array elements are matched by position.
//! - [`open`] turns the stored form back into plaintext, for the sync workers only.

use nudge_core::TenantId;
use nudge_core::crypto::DataKey;
use nudge_core::http::input::pointer_token;
use nudge_core::keys::tenant_prefix;
use serde_json::{Map, Value};
use uuid::Uuid;

/// What a secret looks like on every read.
pub(crate) const PLACEHOLDER: &str = "********";

/// The one key of a sealed value's object. Clients may not use it: only this module writes it.
const SEALED: &str = "$sealed";

/// A key whose lower-cased name contains one of these holds a secret.
const MARKERS: [&str; 8] =
    ["secret", "token", "password", "apikey", "api_key", "privatekey", "private_key", "credential"];

/// Whether a config key names a secret.
fn is_secret(key: &str) -> bool {
    let name = key.to_lowercase().replace('-', "_");
    MARKERS.iter().any(|m| name.contains(m))
}

/// Where a config's secrets belong: the associated data of every value sealed in it starts with this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope(String);

impl Scope {
    pub(crate) fn new(tenant: &TenantId, integration: Uuid) -> Self {
        Self(format!("{}INTEGRATION#{integration}", tenant_prefix(tenant)))
    }

    /// A scope from its text: unit tests cannot make a `TenantId`, which only the auth layer produces.
    #[cfg(test)]
    pub(crate) fn raw(text: &str) -> Self {
        Self(text.to_owned())
    }

    fn aad(&self, pointer: &str) -> String {
        format!("{}{pointer}", self.0)
    }
}

/// A rule a client's config broke; `pointer` is inside `config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Issue {
    pub(crate) pointer: String,
    pub(crate) message: &'static str,
}

#[derive(Debug)]
pub(crate) enum SealError {
    /// The config breaks the secret rules; every offending field is listed.
    Invalid(Vec<Issue>),
    /// The cipher failed (the system random source, in practice). Carries no secret.
    Crypto(String),
}

/// Turns a config as a client writes it into its stored form. `stored` is the config stored so far (PATCH),
/// from which a secret sent as [`PLACEHOLDER`] keeps its sealed value.
pub(crate) fn seal(
    config: &Map<String, Value>,
    stored: Option<&Map<String, Value>>,
    key: &DataKey,
    scope: &Scope,
) -> Result<Map<String, Value>, SealError> {
    let mut sealer = Sealer { key, scope, issues: Vec::new(), failure: None };
    let sealed = sealer.object(config, stored, "");
    match (sealer.failure, sealer.issues.is_empty()) {
        (Some(failure), _) => Err(SealError::Crypto(failure)),
        (None, false) => Err(SealError::Invalid(sealer.issues)),
        (None, true) => Ok(sealed),
    }
}

struct Sealer<'a> {
    key: &'a DataKey,
    scope: &'a Scope,
    issues: Vec<Issue>,
    failure: Option<String>,
}

impl Sealer<'_> {
    fn issue(&mut self, pointer: String, message: &'static str) -> Value {
        self.issues.push(Issue { pointer, message });
        Value::Null
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        stored: Option<&Map<String, Value>>,
        at: &str,
    ) -> Map<String, Value> {
        let mut out = Map::with_capacity(map.len());
        for (name, value) in map {
            let pointer = format!("{at}/{}", pointer_token(name));
            let before = stored.and_then(|s| s.get(name));
            let next = if name == SEALED {
                self.issue(pointer, "is a reserved key")
            } else if is_secret(name) {
                self.secret(value, before, pointer)
            } else {
                self.value(value, before, &pointer)
            };
            out.insert(name.clone(), next);
        }
        out
    }

    fn value(&mut self, value: &Value, stored: Option<&Value>, at: &str) -> Value {
        match value {
            Value::Object(map) => Value::Object(self.object(map, stored.and_then(Value::as_object), at)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(item, stored.and_then(|s| s.get(i)), &format!("{at}/{i}")))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn secret(&mut self, value: &Value, stored: Option<&Value>, pointer: String) -> Value {
        match value {
            Value::String(text) if text == PLACEHOLDER => match stored {
                Some(kept) if sealed_text(kept).is_some() => kept.clone(),
                _ => self.issue(pointer, "is the placeholder, but no secret is stored here to keep; send the secret"),
            },
            Value::String(text) => match self.key.seal(text, &self.scope.aad(&pointer)) {
                Ok(sealed) => Value::Object(Map::from_iter([(SEALED.to_owned(), Value::String(sealed))])),
                Err(e) => {
                    // The error names the cipher's failure only, never the value.
                    self.failure.get_or_insert_with(|| e.to_string());
                    Value::Null
                }
            },
            _ => self.issue(pointer, "holds a secret (its name says so) and must be a string"),
        }
    }
}

/// The ciphertext of a stored `{"$sealed": "…"}` value.
fn sealed_text(value: &Value) -> Option<&str> {
    match value.as_object() {
        Some(map) if map.len() == 1 => map.get(SEALED).and_then(Value::as_str),
        _ => None,
    }
}

/// The config as every read shows it: each secret (and anything sealed, wherever it is) is [`PLACEHOLDER`].
/// A secret key with an unsealed value, which this module never writes, is hidden all the same.
pub(crate) fn redact(stored: &Map<String, Value>) -> Map<String, Value> {
    stored
        .iter()
        .map(|(name, value)| {
            let shown = if is_secret(name) || sealed_text(value).is_some() {
                Value::String(PLACEHOLDER.to_owned())
            } else {
                redact_value(value)
            };
            (name.clone(), shown)
        })
        .collect()
}

fn redact_value(value: &Value) -> Value {
    match value {
        _ if sealed_text(value).is_some() => Value::String(PLACEHOLDER.to_owned()),
        Value::Object(map) => Value::Object(redact(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        other => other.clone(),
    }
}

/// A sealed value that did not open under this key and place: a wrong key, or a value moved or altered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OpenError {
    pub(crate) pointer: String,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the secret at config{} does not open with this key in this place", self.pointer)
    }
}

impl std::error::Error for OpenError {}

/// The stored config with every secret opened to its plaintext: for the sync workers that call the external
/// system, never for an API response.
pub(crate) fn open(stored: &Map<String, Value>, key: &DataKey, scope: &Scope) -> Result<Map<String, Value>, OpenError> {
    open_object(stored, key, scope, "")
}

fn open_object(
    map: &Map<String, Value>,
    key: &DataKey,
    scope: &Scope,
    at: &str,
) -> Result<Map<String, Value>, OpenError> {
    map.iter()
        .map(|(name, value)| {
            let pointer = format!("{at}/{}", pointer_token(name));
            Ok((name.clone(), open_value(value, key, scope, &pointer)?))
        })
        .collect()
}

fn open_value(value: &Value, key: &DataKey, scope: &Scope, at: &str) -> Result<Value, OpenError> {
    if let Some(sealed) = sealed_text(value) {
        return key.open(sealed, &scope.aad(at)).map(Value::String).map_err(|_| OpenError { pointer: at.to_owned() });
    }
    Ok(match value {
        Value::Object(map) => Value::Object(open_object(map, key, scope, at)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| open_value(item, key, scope, &format!("{at}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn key() -> DataKey {
        DataKey::generate().unwrap()
    }

    fn issues(result: Result<Map<String, Value>, SealError>) -> Vec<String> {
        match result {
            Err(SealError::Invalid(issues)) => issues.into_iter().map(|i| i.pointer).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn secret_names() {
        for name in [
            "accessToken",
            "verify_token",
            "PASSWORD",
            "apiKey",
            "x-api-key",
            "client_secret",
            "privateKey",
            "private_key",
            "Credentials",
            "webhookSecretV2",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in ["phoneNumberId", "api", "key", "url", "private", "cred", "tok"] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn seal_then_redact_hides_every_secret_and_keeps_the_rest() {
        let (key, scope) = (key(), Scope::raw("T#t#INTEGRATION#1"));
        let config = obj(json!({
            "phoneNumberId": "123",
            "accessToken": "EAAG-plain",
            "webhook": {"verifyToken": "v", "url": "https://hook.example"},
            "accounts": [{"password": "p0"}, {"name": "n"}],
        }));
        let stored = seal(&config, None, &key, &scope).unwrap();
        let text = Value::Object(stored.clone()).to_string();
        // Quoted, so a short plaintext cannot match inside random ciphertext by chance.
        for plain in ["\"EAAG-plain\"", "\"v\"", "\"p0\""] {
            assert!(!text.contains(plain), "{plain} in {text}");
        }
        assert!(sealed_text(&stored["accessToken"]).is_some_and(|s| s.starts_with("v1.")));
        assert_eq!(stored["phoneNumberId"], "123");
        assert_eq!(
            Value::Object(redact(&stored)),
            json!({
                "phoneNumberId": "123",
                "accessToken": PLACEHOLDER,
                "webhook": {"verifyToken": PLACEHOLDER, "url": "https://hook.example"},
                "accounts": [{"password": PLACEHOLDER}, {"name": "n"}],
            })
        );
        assert_eq!(open(&stored, &key, &scope).unwrap(), config);
    }

    #[test]
    fn seal_redact_patch_open_round_trip() {
        let (key, scope) = (key(), Scope::raw("T#t#INTEGRATION#1"));
        let first =
            obj(json!({"accessToken": "a1", "apiKey": "k1", "clientSecret": "s1", "webhook": {"verifyToken": "v1"}}));
        let stored = seal(&first, None, &key, &scope).unwrap();

        // What a PATCH does: merge the patch into the redacted document, then seal against what is stored.
        let mut doc = Value::Object(redact(&stored));
        let patch =
            json!({"apiKey": "k2", "clientSecret": null, "webhook": {"verifyToken": PLACEHOLDER}, "region": "eu"});
        nudge_core::http::merge_patch::apply(&mut doc, &patch).unwrap();
        let next = seal(&obj(doc), Some(&stored), &key, &scope).unwrap();
        assert_eq!(next["accessToken"], stored["accessToken"], "omitted: the very same sealed value");
        assert_eq!(next["webhook"]["verifyToken"], stored["webhook"]["verifyToken"], "placeholder: kept");
        assert_ne!(next["apiKey"], stored["apiKey"], "a new value is sealed afresh");
        assert!(!next.contains_key("clientSecret"), "null removes");
        assert_eq!(
            Value::Object(open(&next, &key, &scope).unwrap()),
            json!({"accessToken": "a1", "apiKey": "k2", "webhook": {"verifyToken": "v1"}, "region": "eu"})
        );
    }

    #[test]
    fn sealed_values_are_bound_to_their_place() {
        let key = key();
        let a = Scope::raw("T#a#INTEGRATION#1");
        let stored = seal(&obj(json!({"token": "t", "other": {"token": "u"}})), None, &key, &a).unwrap();
        assert!(open(&stored, &key, &Scope::raw("T#b#INTEGRATION#1")).is_err(), "another tenant");
        assert!(open(&stored, &key, &Scope::raw("T#a#INTEGRATION#2")).is_err(), "another integration");
        assert!(open(&stored, &DataKey::generate().unwrap(), &a).is_err(), "another key");
        // Moved to another field: does not open, and the error names where.
        let mut moved = stored.clone();
        moved.insert("token".into(), stored["other"]["token"].clone());
        assert_eq!(open(&moved, &key, &a).unwrap_err(), OpenError { pointer: "/token".into() });
    }

    #[test]
    fn every_bad_secret_is_named() {
        let (key, scope) = (key(), Scope::raw("s"));
        let config = obj(json!({
            "apiKey": 42,
            "credentials": {"user": "u"},
            "nested": {"password": null, "list": [{"secret": ["x"]}]},
            "fresh": {"token": PLACEHOLDER},
            "spoof": {"$sealed": "v1.forged"},
            "a/b~c": {"token": true},
        }));
        let mut got = issues(seal(&config, None, &key, &scope));
        got.sort();
        let mut want = [
            "/apiKey",
            "/credentials",
            "/nested/password",
            "/nested/list/0/secret",
            "/fresh/token",
            "/spoof/$sealed",
            "/a~1b~0c/token",
        ];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn a_placeholder_keeps_only_a_sealed_value_at_the_same_place() {
        let (key, scope) = (key(), Scope::raw("s"));
        let stored = seal(&obj(json!({"a": {"token": "t"}})), None, &key, &scope).unwrap();
        let elsewhere = obj(json!({"b": {"token": PLACEHOLDER}}));
        assert_eq!(issues(seal(&elsewhere, Some(&stored), &key, &scope)), ["/b/token"]);
        let same = obj(json!({"a": {"token": PLACEHOLDER}}));
        assert_eq!(seal(&same, Some(&stored), &key, &scope).unwrap(), stored);
    }

    #[test]
    fn redaction_hides_secrets_it_did_not_seal() {
        let stored = obj(json!({"token": "legacy-plain", "list": [{"$sealed": "v1.x"}], "n": 1}));
        assert_eq!(Value::Object(redact(&stored)), json!({"token": PLACEHOLDER, "list": [PLACEHOLDER], "n": 1}));
    }
}
