//! Reading request input. [`JsonBody`] accepts only JSON (415 otherwise) and turns a syntax error into a 400
//! naming where it is. [`Fields`] reads an object field by field so one response names every bad field, not
//! just the first one serde trips over, and rejects fields it does not know.

use crate::http::problem::{ApiError, FieldError};
use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use http::header;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Largest JSON body accepted (API Gateway allows 10 MB; nothing of ours needs more than this).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A request body that must be a JSON document (`application/json` or any `+json` type).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "The body must be JSON: send Content-Type: application/json.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| ApiError::PayloadTooLarge)?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON document, naming the line and column of a syntax error.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::field("", format!("the body is not valid JSON (line {}, column {}): {e}", e.line(), e.column()))
    })
}

/// A path id. One that is not a UUID names nothing: 404, exactly like another tenant's id.
pub fn path_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(|_| ApiError::NotFound)
}

/// One reference token of a JSON pointer (RFC 6901): `~` and `/` in a key escaped.
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Field-by-field reader of a JSON object that collects every error.
/// The JSON pointer (RFC 6901) of where inside a field serde failed: `/0`, `/name`, `/a/2` (empty at the
/// field itself).
fn inner_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(pointer_token(key)),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .map(|s| format!("/{s}"))
        .collect()
}

pub struct Fields {
    base: String,
    object: Map<String, Value>,
    seen: BTreeSet<String>,
    errors: Vec<FieldError>,
    /// Rule violations of well-formed fields (422 when they are all there is).
    broken: Vec<FieldError>,
}

impl Fields {
    /// Reads the body as an object; anything else is one error at the root.
    pub fn new(body: Value) -> Result<Self, ApiError> {
        Self::nested("", body).map_err(|e| ApiError::invalid(vec![e]))
    }

    /// Reads a nested value that is not a named field (an array's element) at `base`, the JSON pointer of
    /// where it sits, so its errors point inside the body; hand it back with [`Fields::absorb`].
    pub fn at(base: &str, value: Value) -> Result<Self, FieldError> {
        Self::nested(base, value)
    }

    fn nested(base: &str, value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Object(object) => Ok(Self {
                base: base.to_owned(),
                object,
                seen: BTreeSet::new(),
                errors: Vec::new(),
                broken: Vec::new(),
            }),
            _ => Err(FieldError::body(base, "must be a JSON object")),
        }
    }

    pub fn pointer(&self, name: &str) -> String {
        format!("{}/{}", self.base, pointer_token(name))
    }

    /// An optional field: absent and `null` are both `None`; a value of the wrong type is recorded.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        self.seen.insert(name.to_owned());
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => {
                let pointer = self.pointer(name);
                // JSON Schema counts 2.0 as an integer; serde's integers refuse it, so read it once more
                // with whole floats written as integers.
                let read = serde_path_to_error::deserialize::<_, T>(value)
                    .or_else(|e| whole_numbers(value).map_or(Err(e), serde_path_to_error::deserialize));
                match read {
                    Ok(v) => Some(v),
                    Err(e) => {
                        let at = format!("{pointer}{}", inner_pointer(e.path()));
                        self.errors.push(FieldError::body(at, describe(e.inner())));
                        None
                    }
                }
            }
        }
    }

    /// A required field: absent or `null` is recorded as missing.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        let present = !matches!(self.object.get(name), None | Some(Value::Null));
        let value = self.optional(name);
        if !present {
            let pointer = self.pointer(name);
            self.errors.push(FieldError::body(pointer, "is required"));
        }
        value
    }

    /// A nested object field, read with its own reader (pointers under `/<name>`); hand it back with
    /// [`Fields::absorb`]. Absent or `null` is `None`; anything but an object is recorded.
    pub fn object(&mut self, name: &str) -> Option<Fields> {
        self.seen.insert(name.to_owned());
        let pointer = self.pointer(name);
        match self.object.get(name).cloned() {
            None | Some(Value::Null) => None,
            Some(value) => match Self::nested(&pointer, value) {
                Ok(fields) => Some(fields),
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            },
        }
    }

    /// Ends a nested read: its errors, and its unknown fields, become this reader's.
    pub fn absorb(&mut self, child: Fields) {
        let (errors, broken) = child.into_errors();
        self.errors.extend(errors);
        self.broken.extend(broken);
    }

    /// Records a rule violation on a field.
    pub fn reject(&mut self, name: &str, message: impl Into<String>) {
        let pointer = self.pointer(name);
        self.errors.push(FieldError::body(pointer, message));
    }

    /// Records a rule the schema cannot state, broken by a well-formed field: fields that disagree, an id
    /// naming nothing. Alone, such errors are a 422; with a schema error, all are a 400.
    pub fn break_rule(&mut self, name: &str, message: impl Into<String>) {
        let pointer = self.pointer(name);
        self.broken.push(FieldError::body(pointer, message));
    }

    /// [`Fields::break_rule`] at a pointer of the caller's making (deep inside a field).
    pub fn break_rule_at(&mut self, pointer: String, message: impl Into<String>) {
        self.broken.push(FieldError::body(pointer, message));
    }

    /// Records a rule violation on an element of a field (`reject_item("permissions", 2, …)` →
    /// `/permissions/2`).
    pub fn reject_item(&mut self, name: &str, index: usize, message: impl Into<String>) {
        let pointer = format!("{}/{index}", self.pointer(name));
        self.errors.push(FieldError::body(pointer, message));
    }

    /// A text field of 1 to `max` characters, trimmed; an optional one left blank is absent (a patch clears
    /// it so). Blank is [`crate::validate::is_blank`], which the served document's patterns spell out.
    pub fn text(&mut self, name: &str, max: usize, required: bool) -> Option<String> {
        let value: Option<String> = if required { self.required(name) } else { self.optional(name) };
        let blank = |v: &String| v.chars().all(crate::validate::is_blank);
        let value = if required { value } else { value.filter(|v| !blank(v)) };
        self.check(name, &value, |v| crate::validate::text(v, 1, max));
        value.map(|v| v.trim_matches(crate::validate::is_blank).to_owned())
    }

    /// A text field read as the value type `T` (an [`crate::values::Email`], a domain's own): a missing (when
    /// `required`) or refused one is recorded, in `T`'s words.
    pub fn parse<T: crate::values::Parse>(&mut self, name: &str, required: bool) -> Option<T> {
        let raw: Option<String> = if required { self.required(name) } else { self.optional(name) };
        match T::parse(raw.as_deref()?) {
            Ok(value) => Some(value),
            Err(message) => {
                self.reject(name, message);
                None
            }
        }
    }

    /// A time zone field: text outside [`crate::values::TIME_ZONE_PATTERN`] is a schema error, a name of
    /// that form the tz database does not know breaks a rule (the schema cannot list the zones).
    pub fn time_zone(&mut self, name: &str, required: bool) -> Option<crate::values::TimeZone> {
        use crate::values::{Parse, TIME_ZONE_MAX, TimeZone};
        let raw: Option<String> = if required { self.required(name) } else { self.optional(name) };
        let raw = raw?;
        let formed = raw.len() <= TIME_ZONE_MAX
            && (raw == "UTC"
                || (raw.contains('/')
                    && raw.split('/').all(|part| {
                        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
                    })));
        if !formed {
            self.reject(name, "must be an IANA time zone name such as `Europe/Ljubljana`, or `UTC`");
            return None;
        }
        match TimeZone::parse(&raw) {
            Ok(zone) => Some(zone),
            Err(message) => {
                self.break_rule(name, message);
                None
            }
        }
    }

    /// An optional http(s) URL field (see [`crate::validate::web_url`]): a bad form is a schema error, a URL
    /// of good form that does not parse breaks a rule.
    pub fn web_url(&mut self, name: &str, https_only: bool) -> Option<String> {
        let value: Option<String> = self.optional(name);
        match crate::validate::web_url(value.as_deref()?, https_only) {
            Ok(()) => value,
            Err(crate::validate::UrlIssue::Form(message)) => {
                self.reject(name, message);
                None
            }
            Err(crate::validate::UrlIssue::Unusable(message)) => {
                self.break_rule(name, message);
                None
            }
        }
    }

    /// Validates a present value with `check`, recording its message on failure.
    pub fn check<T>(&mut self, name: &str, value: &Option<T>, check: impl FnOnce(&T) -> Result<(), String>) {
        if let Some(v) = value
            && let Err(message) = check(v)
        {
            self.reject(name, message);
        }
    }

    /// [`Fields::check`] for a rule the schema cannot state (a date's bounds that move with today, a size in
    /// bytes): its failure is a 422 unless a schema error comes with it.
    pub fn check_rule<T>(&mut self, name: &str, value: &Option<T>, check: impl FnOnce(&T) -> Result<(), String>) {
        if let Some(v) = value
            && let Err(message) = check(v)
        {
            self.break_rule(name, message);
        }
    }

    /// Records errors found by a reader of its own (a nested language with its own pointers).
    pub fn extend(&mut self, errors: Vec<FieldError>) {
        self.errors.extend(errors);
    }

    /// [`Fields::extend`] for rules the schema states in words only (422 when alone).
    pub fn extend_rules(&mut self, errors: Vec<FieldError>) {
        self.broken.extend(errors);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || !self.broken.is_empty()
    }

    /// Ends the read: unknown fields are errors, and so is anything recorded before.
    pub fn finish(self) -> Result<(), ApiError> {
        let (errors, broken) = self.into_errors();
        ApiError::of_read(errors, broken)
    }

    fn into_errors(mut self) -> (Vec<FieldError>, Vec<FieldError>) {
        let unknown: Vec<String> = self.object.keys().filter(|k| !self.seen.contains(*k)).cloned().collect();
        for name in unknown {
            let pointer = self.pointer(&name);
            self.errors.push(FieldError::body(pointer, "is not a known or writable field"));
        }
        (self.errors, self.broken)
    }
}

/// `value` with every float that is a whole number in the i64 or u64 range written as that integer; `None`
/// when there is none.
fn whole_numbers(value: &Value) -> Option<Value> {
    fn walk(value: &Value, changed: &mut bool) -> Value {
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let whole = f.fract() == 0.0;
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let integer = if whole && f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                    Some(Value::from(f as i64))
                } else if whole && f >= 0.0 && f < 2f64.powi(64) {
                    Some(Value::from(f as u64))
                } else {
                    None
                };
                integer.inspect(|_| *changed = true).unwrap_or_else(|| value.clone())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, changed)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v, changed))).collect()),
            other => other.clone(),
        }
    }
    let mut changed = false;
    let out = walk(value, &mut changed);
    changed.then_some(out)
}

/// serde's messages, trimmed of the position suffix that means nothing to an API client.
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails_are_normalised_and_items_are_named() {
        let mut f = Fields::new(json!({"email": " Ana@Example.COM", "other": "nope", "list": [1, 2]})).unwrap();
        let email = f.parse::<crate::values::Email>("email", true);
        assert_eq!(email.as_deref(), Some("ana@example.com"));
        assert_eq!(f.parse::<crate::values::Email>("other", false), None);
        assert_eq!(f.parse::<crate::values::Email>("missing", true), None);
        let _: Option<Vec<u8>> = f.optional("list");
        f.reject_item("list", 1, "too big");
        let Err(ApiError::Invalid(errors)) = f.finish() else { panic!("accepted") };
        let pointers: Vec<_> = errors.into_iter().filter_map(|e| e.pointer).collect();
        assert_eq!(pointers, ["/other", "/missing", "/list/1"]);
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Client,
        Expert,
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = Fields::new(json!({"name": 5, "type": "bogus", "extra": true})).unwrap();
        let name: Option<String> = f.required("name");
        let kind: Option<Kind> = f.required("type");
        let _: Option<String> = f.required("slug");
        assert!(name.is_none() && kind.is_none());
        let ApiError::Invalid(errors) = f.finish().unwrap_err() else { panic!("expected 400") };
        let pointers: Vec<_> = errors.iter().filter_map(|e| e.pointer.as_deref()).collect();
        assert_eq!(pointers, vec!["/name", "/type", "/slug", "/extra"]);
        assert!(errors[1].message.contains("unknown variant"), "{}", errors[1].message);
    }

    #[test]
    fn nested_type_errors_point_inside_the_value() {
        let mut f = Fields::new(json!({"terms": {"a": 1}})).unwrap();
        let _: Option<std::collections::BTreeMap<String, String>> = f.optional("terms");
        let ApiError::Invalid(errors) = f.finish().unwrap_err() else { panic!("expected 400") };
        assert_eq!(errors[0].pointer.as_deref(), Some("/terms/a"));
    }

    #[test]
    fn whole_floats_read_as_integers() {
        let mut f = Fields::new(json!({"order": 3.0, "size": 2.5, "ids": [1.0, 2], "ratio": 1.5})).unwrap();
        assert_eq!(f.optional::<usize>("order"), Some(3));
        assert_eq!(f.optional::<u64>("size"), None, "2.5 is no integer");
        assert_eq!(f.optional::<Vec<u8>>("ids"), Some(vec![1, 2]));
        assert_eq!(f.optional::<f64>("ratio"), Some(1.5));
        assert!(f.finish().is_err());
    }

    #[test]
    fn null_is_absent_and_non_objects_are_rejected() {
        let mut f = Fields::new(json!({"description": null})).unwrap();
        assert_eq!(f.optional::<String>("description"), None);
        assert!(f.finish().is_ok());
        assert!(Fields::new(json!([1])).is_err());
        assert!(parse_json(b"{\"a\":").is_err());
    }
}
