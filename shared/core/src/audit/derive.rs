//! Pure rules: what a mutating request that attached no note says about itself (entity type, action and
//! entity id from the matched route and the method), and redaction of what it sent: secrets are replaced,
//! personal fields masked.

use http::Method;
use serde_json::{Map, Value};

/// What a secret's value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// A key naming any of these (lower-cased, `_`/`-`/space/`.` removed) holds a secret: `password`,
/// `newPassword`, `client_secret`, `refreshToken`, `mfaCode`, `api-key`, `privateKey`, `credentials`. Over-
/// redacting (`postalCode`) costs an auditor a detail; under-redacting would put a secret in a permanent log.
const SECRET_WORDS: [&str; 7] = ["password", "secret", "token", "code", "apikey", "privatekey", "credential"];

/// What a personal value with no kind-specific mask (a name, a date of birth, an address) becomes.
pub const PERSONAL: &str = "[personal]";

/// What stands in for the hidden part of a masked email or phone number.
const HIDDEN: &str = "•••";

/// A key ending in any of these (normalised like [`SECRET_WORDS`]) holds personal data that the log, kept for
/// ever, must not: `firstName`, `contact.emailAddress`, `primaryPhoneNumber`, `dateOfBirth`. Matched on the
/// end so that `phoneNumberId` (an integration's business id) or `emailNotifications` (a preference) stay.
/// Plain `name` is not here: it names segments, content, roles and organizations far more often than people.
const EMAIL_WORDS: [&str; 2] = ["email", "emailaddress"];
const PHONE_WORDS: [&str; 4] = ["phone", "phonenumber", "mobile", "mobilenumber"];
const OTHER_PERSONAL_WORDS: [&str; 15] = [
    "firstname",
    "lastname",
    "middlename",
    "fullname",
    "givenname",
    "familyname",
    "surname",
    "dateofbirth",
    "birthdate",
    "dob",
    "address",
    "street",
    "postalcode",
    "nationalid",
    "ssn",
];
/// A worker's custom fields are free-form: the platform cannot tell which hold personal data (an emergency
/// contact, a licence number), so every value is masked and only the field names are kept.
const FREE_FORM_WORDS: [&str; 1] = ["customfields"];

/// Metadata above this many bytes of JSON is summarised: an item holds 400 KB, and a log entry needs what
/// changed, not a copy of a large document.
pub const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Longest entity type, entity id or action kept (they are index keys, which DynamoDB bounds).
const MAX_NAME_CHARS: usize = 256;

/// Only these change anything, and only these are audited.
pub fn is_mutation(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// The entity type and action a route and method stand for.
#[derive(Debug, PartialEq, Eq)]
pub struct Derived {
    pub entity_type: String,
    pub action: String,
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// From the matched route template: the entity is the first path segment, singular (`/organizations/{id}`
/// and `/organization` are both `organization`, `/me/preferences` is `me`). The action is
/// `<entity>.<created|updated|deleted>` by method, with the static segments after the first as qualifiers
/// (`DELETE /workers/{id}/tags/{tag}` → `worker.tags.deleted`), except that a POST whose route ends in a
/// static segment after the first is a named operation (`POST /workers/{id}/deactivate` →
/// `worker.deactivate`).
pub fn derive(method: &Method, route: &str) -> Derived {
    let segments: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    let entity_type = match segments.first() {
        Some(first) if !is_param(first) => singular(first),
        _ => "resource".to_owned(),
    };
    let qualifiers: Vec<&str> = segments.iter().skip(1).copied().filter(|s| !is_param(s)).collect();
    let ends_static = segments.len() > 1 && segments.last().is_some_and(|s| !is_param(s));
    let verb = match *method {
        Method::POST if ends_static => None,
        Method::POST => Some("created"),
        Method::PUT | Method::PATCH => Some("updated"),
        Method::DELETE => Some("deleted"),
        _ => Some(method.as_str()),
    };
    let action = std::iter::once(entity_type.as_str()).chain(qualifiers).chain(verb).collect::<Vec<_>>().join(".");
    Derived { entity_type, action }
}

/// `organizations` → `organization`, `categories` → `category`, `addresses` → `address`; words that are
/// not plural (`me`, `media`, `status`, `auth`) stay as they are.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes", "uses"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_owned();
        }
    }
    if ["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        return word.to_owned();
    }
    word.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(word).to_owned()
}

/// The entity id: the route's `{id}` parameter, else its first parameter, else the `id` the response body
/// names (a create answers with the new id). A parameter named like a secret (`/invites/{token}`) is never
/// an id: the log would keep the secret.
pub fn entity_id(params: &[(String, String)], response: Option<&Value>) -> Option<String> {
    let mut named = params.iter().filter(|(k, _)| !is_secret(k));
    let from_path = params.iter().find(|(k, _)| k == "id").or_else(|| named.next()).map(|(_, v)| v.clone());
    from_path.or_else(|| match response?.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A key lower-cased, without `_`, `-`, spaces and dots: `API_KEY`, `api-key` and `apiKey` are one word.
fn normalised(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '_' | '-' | ' ' | '.')).flat_map(char::to_lowercase).collect()
}

fn is_secret(key: &str) -> bool {
    let norm = normalised(key);
    SECRET_WORDS.iter().any(|w| norm.contains(w))
}

/// What kind of personal data a key holds, which decides how much of it an auditor still sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Personal {
    Email,
    Phone,
    Other,
}

fn personal_kind(key: &str) -> Option<Personal> {
    let norm = normalised(key);
    let ends = |words: &[&str]| words.iter().any(|w| norm.ends_with(w));
    if ends(&EMAIL_WORDS) {
        Some(Personal::Email)
    } else if ends(&PHONE_WORDS) {
        Some(Personal::Phone)
    } else if ends(&OTHER_PERSONAL_WORDS) || ends(&FREE_FORM_WORDS) {
        Some(Personal::Other)
    } else {
        None
    }
}

/// `ann@example.com` → `a•••@example.com`: the domain tells an auditor whose staff it was, the address
/// itself stays out of the log. Text that is no address is masked whole.
fn mask_email(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((local, domain)) if !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{HIDDEN}@{domain}")
        }
        _ => PERSONAL.to_owned(),
    }
}

/// `+14155552671` → `•••2671`: the last digits tell numbers apart, too few to dial. A short number keeps
/// two, one too short to hide anything keeps none.
fn mask_phone(text: &str) -> String {
    let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
    let kept = match digits.len() {
        n if n >= 10 => 4,
        n if n >= 6 => 2,
        _ => return PERSONAL.to_owned(),
    };
    let tail: String = digits[digits.len() - kept..].iter().collect();
    format!("{HIDDEN}{tail}")
}

fn masked_text(text: &str, kind: Personal) -> String {
    match kind {
        Personal::Email => mask_email(text),
        Personal::Phone => mask_phone(text),
        Personal::Other => PERSONAL.to_owned(),
    }
}

/// Replaces the value of every key that names a secret, at any depth, with [`REDACTED`], and masks every
/// value under a key that names personal data. A secret wins: `postalCode` is redacted (`code`).
pub fn redact(value: &mut Value) {
    scrub(value, None);
}

/// `personal`: the kind of the nearest personal key above, whose values are masked whatever their depth.
/// Masking keeps the shape (keys, array lengths) so an auditor sees what changed, and `null` stays: in a
/// merge patch it says a field was removed, which reveals nothing.
fn scrub(value: &mut Value, personal: Option<Personal>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret(key) {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    scrub(v, personal_kind(key).or(personal));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, personal)),
        Value::Null => {}
        Value::String(text) => {
            if let Some(kind) = personal {
                *text = masked_text(text, kind);
            }
        }
        Value::Number(n) => {
            if let Some(kind) = personal {
                *value = Value::String(masked_text(&n.to_string(), kind));
            }
        }
        Value::Bool(_) => {
            if personal.is_some() {
                *value = Value::String(PERSONAL.to_owned());
            }
        }
    }
}

/// Redacted and masked metadata, summarised when it is too large to keep whole.
pub fn metadata(mut value: Value) -> Value {
    redact(&mut value);
    let size = serde_json::to_vec(&value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size <= MAX_METADATA_BYTES {
        return value;
    }
    let mut summary = Map::new();
    summary.insert("truncated".into(), Value::Bool(true));
    summary.insert("bytes".into(), Value::from(size));
    if let Value::Object(fields) = &value {
        summary.insert("fields".into(), fields.keys().map(|k| Value::String(k.clone())).collect());
    }
    Value::Object(summary)
}

/// Cuts a name to the length an index key can hold, on a character boundary.
pub fn bounded(name: String) -> String {
    match name.char_indices().nth(MAX_NAME_CHARS) {
        Some((end, _)) => name[..end].to_owned(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(method: Method, route: &str) -> (String, String) {
        let Derived { entity_type, action } = derive(&method, route);
        (entity_type, action)
    }

    #[test]
    fn entity_type_and_action_come_from_route_and_method() {
        let cases = [
            (Method::POST, "/organizations", "organization", "organization.created"),
            (Method::PATCH, "/organizations/{id}", "organization", "organization.updated"),
            (Method::DELETE, "/organizations/{id}", "organization", "organization.deleted"),
            (Method::PATCH, "/organization", "organization", "organization.updated"),
            (Method::PUT, "/users/{id}", "user", "user.updated"),
            (Method::PATCH, "/me/preferences", "me", "me.preferences.updated"),
            (Method::POST, "/workers/{id}/deactivate", "worker", "worker.deactivate"),
            (Method::POST, "/auth/sign-in", "auth", "auth.sign-in"),
            (Method::POST, "/segments/{id}/members/{workerId}", "segment", "segment.members.created"),
            (Method::DELETE, "/workers/{id}/tags/{tag}", "worker", "worker.tags.deleted"),
            (Method::POST, "/categories", "category", "category.created"),
            (Method::POST, "/media", "media", "media.created"),
            (Method::POST, "/", "resource", "resource.created"),
        ];
        for (method, route, entity, action) in cases {
            assert_eq!(d(method, route), (entity.to_owned(), action.to_owned()), "{route}");
        }
        assert!(is_mutation(&Method::PATCH) && !is_mutation(&Method::GET) && !is_mutation(&Method::OPTIONS));
    }

    #[test]
    fn singular_forms() {
        for (plural, one) in [
            ("organizations", "organization"),
            ("users", "user"),
            ("addresses", "address"),
            ("batches", "batch"),
            ("statuses", "status"),
            ("status", "status"),
            ("me", "me"),
            ("s", "s"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }

    #[test]
    fn entity_id_prefers_the_id_parameter_then_the_response() {
        let params = vec![("workerId".to_owned(), "w1".to_owned()), ("id".to_owned(), "s1".to_owned())];
        assert_eq!(entity_id(&params, Some(&json!({"id": "x"}))).as_deref(), Some("s1"));
        assert_eq!(entity_id(&params[..1], None).as_deref(), Some("w1"));
        assert_eq!(entity_id(&[], Some(&json!({"id": "new"}))).as_deref(), Some("new"));
        assert_eq!(entity_id(&[], Some(&json!({"id": 7}))).as_deref(), Some("7"));
        assert_eq!(entity_id(&[], Some(&json!({"name": "x"}))), None);
        assert_eq!(entity_id(&[], None), None);
        let secret = vec![("token".to_owned(), "s3cr3t".to_owned())];
        assert_eq!(entity_id(&secret, None), None, "never the secret");
        assert_eq!(entity_id(&secret, Some(&json!({"id": "u1"}))).as_deref(), Some("u1"));
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut body = json!({
            "password": "hunter2",
            "profile": {"newPassword": "x", "name": "Ann", "API_KEY": "k", "private-key": "p"},
            "mfa": [{"code": "123456"}, {"label": "phone"}],
            "refreshToken": {"nested": "object"},
            "clientSecret": 5,
            "credentials": ["a"],
        });
        redact(&mut body);
        assert_eq!(
            body,
            json!({
                "password": REDACTED,
                "profile": {"newPassword": REDACTED, "name": "Ann", "API_KEY": REDACTED, "private-key": REDACTED},
                "mfa": [{"code": REDACTED}, {"label": "phone"}],
                "refreshToken": REDACTED,
                "clientSecret": REDACTED,
                "credentials": REDACTED,
            })
        );
    }

    fn scrubbed(mut value: Value) -> Value {
        redact(&mut value);
        value
    }

    #[test]
    fn emails_keep_their_first_character_and_domain() {
        assert_eq!(mask_email("ann.lee@example.com"), "a•••@example.com");
        assert_eq!(mask_email("émile@exämple.fr"), "é•••@exämple.fr", "characters, not bytes");
        assert_eq!(mask_email("a@b@example.com"), "a•••@example.com", "the domain follows the last @");
        assert_eq!(mask_email("@example.com"), "•••@example.com");
        assert_eq!(mask_email("not an address"), PERSONAL);
        assert_eq!(mask_email("ann@"), PERSONAL);
    }

    #[test]
    fn phones_keep_their_last_digits() {
        assert_eq!(mask_phone("+14155552671"), "•••2671");
        assert_eq!(mask_phone("+44 20 7946 0958"), "•••0958");
        assert_eq!(mask_phone("555-0199"), "•••99", "a short number keeps two");
        assert_eq!(mask_phone("112"), PERSONAL, "too short to hide anything");
        assert_eq!(mask_phone("call me"), PERSONAL);
    }

    #[test]
    fn personal_keys_are_recognised_by_their_ending() {
        for key in ["email", "emailAddress", "user_email", "Contact.Email"] {
            assert_eq!(personal_kind(key), Some(Personal::Email), "{key}");
        }
        for key in ["phone", "primaryPhoneNumber", "mobile", "mobile-number"] {
            assert_eq!(personal_kind(key), Some(Personal::Phone), "{key}");
        }
        for key in [
            "firstName",
            "last_name",
            "fullName",
            "dateOfBirth",
            "birthdate",
            "DOB",
            "address",
            "homeAddress",
            "street",
            "nationalId",
            "SSN",
            "customFields",
        ] {
            assert_eq!(personal_kind(key), Some(Personal::Other), "{key}");
        }
        for key in ["name", "displayName", "phoneNumberId", "emailNotifications", "description", "tags", "gender"] {
            assert_eq!(personal_kind(key), None, "{key} is not personal");
        }
    }

    #[test]
    fn personal_fields_are_masked_keeping_their_keys() {
        let body = json!({
            "firstName": "Ann",
            "lastName": "Lee",
            "dateOfBirth": "1990-04-01",
            "name": "Night shift",
            "tags": ["night"],
            "contact": {"primaryPhoneNumber": "+14155552671", "emailAddress": "ann@example.com", "locationCity": "Lyon"},
            "email": "bob@example.org",
            "phone": 4155550123u64,
            "address": {"street": "1 Main St", "city": "Lyon", "verified": true},
            "customFields": {"shift": "night", "badge": 42, "emergency": {"contact": "Bo"}, "remote": false},
        });
        assert_eq!(
            scrubbed(body),
            json!({
                "firstName": PERSONAL,
                "lastName": PERSONAL,
                "dateOfBirth": PERSONAL,
                "name": "Night shift",
                "tags": ["night"],
                "contact": {"primaryPhoneNumber": "•••2671", "emailAddress": "a•••@example.com", "locationCity": "Lyon"},
                "email": "b•••@example.org",
                "phone": "•••0123",
                "address": {"street": PERSONAL, "city": PERSONAL, "verified": PERSONAL},
                "customFields": {"shift": PERSONAL, "badge": PERSONAL, "emergency": {"contact": PERSONAL}, "remote": PERSONAL},
            })
        );
    }

    #[test]
    fn removals_stay_visible_and_secrets_win_over_personal_data() {
        let patch = json!({"contact": {"emailAddress": null}, "customFields": {"old": null}, "dateOfBirth": null});
        assert_eq!(scrubbed(patch.clone()), patch, "a removal reveals nothing");
        let nested = json!({"customFields": {"apiToken": "t", "mobile": "+33612345678"}, "postalCode": "69001"});
        assert_eq!(
            scrubbed(nested),
            json!({"customFields": {"apiToken": REDACTED, "mobile": "•••5678"}, "postalCode": REDACTED})
        );
        let people = json!({"members": [{"email": "x@y.z"}, {"email": "q@y.z"}]});
        assert_eq!(scrubbed(people), json!({"members": [{"email": "x•••@y.z"}, {"email": "q•••@y.z"}]}));
        assert_eq!(metadata(json!({"email": "ann@example.com"})), json!({"email": "a•••@example.com"}));
    }

    #[test]
    fn large_metadata_is_summarised_and_names_are_bounded() {
        let big = json!({"settings": "x".repeat(MAX_METADATA_BYTES), "name": "n"});
        let kept = metadata(big);
        assert_eq!(kept["truncated"], true);
        assert_eq!(kept["fields"], json!(["name", "settings"]));
        assert_eq!(metadata(json!({"token": "t"})), json!({"token": REDACTED}));
        assert_eq!(bounded("é".repeat(300)).chars().count(), MAX_NAME_CHARS);
        assert_eq!(bounded("short".into()), "short");
    }

    proptest! {
        /// Whatever the shape, no value under a secret-named key survives redaction.
        #[test]
        fn no_secret_survives(key in "[a-zA-Z_-]{0,6}(password|Token|secret|CODE)[a-z]{0,4}", value in "[a-z0-9]{1,12}",
                              depth in 0usize..5) {
            let mut doc = json!({ key.clone(): value.clone() });
            for i in 0..depth {
                doc = if i % 2 == 0 { json!({"level": doc}) } else { json!([doc]) };
            }
            redact(&mut doc);
            let quoted = format!("\"{value}\"");
            prop_assert!(!doc.to_string().contains(&quoted));
        }

        /// Whatever the shape, no email under a personal key keeps its local part past the first character.
        #[test]
        fn no_email_survives(key in "(contact_)?(e-?mail|emailAddress|customFields)", local in "[a-z]{2,10}",
                             depth in 0usize..5) {
            let address = format!("{local}@example.com");
            let mut doc = json!({ key: address.clone() });
            for i in 0..depth {
                doc = if i % 2 == 0 { json!({"level": doc}) } else { json!([doc]) };
            }
            redact(&mut doc);
            prop_assert!(!doc.to_string().contains(&address));
        }
    }
}
