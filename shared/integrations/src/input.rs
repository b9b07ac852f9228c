//! Reading and checking integration input and list filters. No I/O: secrets are sealed here (in memory) so
//! their rule violations join the other field errors in one problem.

use crate::model::{IntegrationFields, IntegrationStatus, IntegrationType};
use crate::secrets::{self, Scope, SealError};
use nudge_core::crypto::DataKey;
use nudge_core::http::{ApiError, FieldError, Fields};
use nudge_core::validate;
use nudge_core::values::Parse;
use serde_json::{Map, Value};
use utoipa::ToSchema;

const CONFIG_MAX_BYTES: usize = 16 * 1024;
const CONFIG_MAX_DEPTH: usize = 8;
const LAST_ERROR_MAX: usize = 1000;

/// What sealing a config needs: the key, where the integration lives, and (PATCH) the config stored so far.
pub(crate) struct Sealing<'a> {
    pub(crate) key: &'a DataKey,
    pub(crate) scope: &'a Scope,
    pub(crate) stored: Option<&'a Map<String, Value>>,
}

/// `POST /integrations`. `config` is an object of at most 16 KiB nested at most 8 deep, and any key whose
/// name holds `secret`, `token`, `password`, `apikey`, `api_key`, `privatekey`, `private_key` or
/// `credential` (any case, any depth) is a secret whose value must be a string; those rules are a 422.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the body's schema for the document only: `read` reads the body")]
pub(crate) struct IntegrationRequest {
    /// The external system (`whatsapp`, `slack`, `hris`, `webhook`).
    #[serde(rename = "type")]
    #[schema(pattern = r"^[a-z0-9_-]{1,64}$")]
    kind: String,
    #[schema(max_length = 200, pattern = r"\S")]
    name: Option<String>,
    #[schema(value_type = Object)]
    config: Map<String, Value>,
    /// Default `inactive`.
    status: Option<IntegrationStatus>,
    #[schema(max_length = 1000)]
    last_error: Option<String>,
}

/// `PATCH /integrations/{id}`: JSON Merge Patch over the fields as read. In `config` a secret left out or
/// sent as `"********"` is kept, a new string replaces it and `null` removes it.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "the patch's schema for the document only: `read` reads the merged document")]
pub(crate) struct IntegrationPatch {
    #[serde(rename = "type")]
    #[schema(required = false, pattern = r"^[a-z0-9_-]{1,64}$")]
    kind: String,
    #[schema(max_length = 200, pattern = r"\S")]
    name: Option<String>,
    #[schema(required = false, value_type = Object)]
    config: Map<String, Value>,
    #[schema(required = false)]
    status: IntegrationStatus,
    #[schema(max_length = 1000)]
    last_error: Option<String>,
}

/// Reads a full field set (a POST body, or a PATCH's merged document) and seals its secrets. `creating`
/// lets `status` default to `inactive`.
pub(crate) fn read(body: Value, creating: bool, sealing: &Sealing) -> Result<IntegrationFields, ApiError> {
    let mut f = Fields::new(body)?;
    let kind: Option<IntegrationType> = f.parse("type", true);
    let name: Option<String> = f.optional("name");
    f.check("name", &name, |v| validate::text(v, 1, 200));
    let config_at = f.pointer("config");
    let config = match f.required::<Value>("config") {
        Some(value) => match validate::json_object(&value, CONFIG_MAX_BYTES, CONFIG_MAX_DEPTH) {
            // json_object checked it is an object.
            Ok(()) => match value {
                Value::Object(map) => Some(map),
                _ => None,
            },
            Err(message) => {
                // Size and depth: rules the document states in words only.
                f.break_rule("config", message);
                None
            }
        },
        None => None,
    };
    let status: Option<IntegrationStatus> = if creating { f.optional("status") } else { f.required("status") };
    let last_error: Option<String> = f.optional("lastError");
    f.check("lastError", &last_error, |v| validate::text(v, 0, LAST_ERROR_MAX));

    // Only a config that is otherwise fine is sealed; a secret-rule violation joins the other field errors.
    let sealed = config.map(|c| secrets::seal(&c, sealing.stored, sealing.key, sealing.scope)).transpose();
    let config = match sealed {
        Ok(config) => config,
        Err(SealError::Invalid(issues)) => {
            // A secret that is not a string: a rule of the config's key names, which no schema states.
            for issue in issues {
                f.break_rule_at(format!("{config_at}{}", issue.pointer), issue.message);
            }
            None
        }
        Err(SealError::Crypto(why)) => return Err(ApiError::internal(format!("sealing a config secret: {why}"))),
    };
    f.finish()?;
    match (kind, config) {
        (Some(kind), Some(config)) => Ok(IntegrationFields {
            kind,
            name: name.map(|n| n.trim().to_owned()),
            config,
            status: status.unwrap_or_default(),
            last_error,
        }),
        // Every missing field was reported above; this is unreachable in practice.
        _ => Err(ApiError::internal("integration input incomplete without a reported error")),
    }
}

/// Which integrations a list asks for; each is one key condition (see repo).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    All,
    Status(IntegrationStatus),
    Type(IntegrationType),
    StatusAndType(IntegrationStatus, IntegrationType),
}

/// Reads the `status` and `type` list parameters, naming each bad one.
pub(crate) fn filter(status: Option<&str>, kind: Option<&str>) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let status = match status {
        None => None,
        Some(s) => match IntegrationStatus::ALL.into_iter().find(|v| v.as_str() == s) {
            Some(v) => Some(v),
            None => {
                errors.push(FieldError::param("status", "must be `inactive`, `active` or `error`"));
                None
            }
        },
    };
    let kind = match kind.map(IntegrationType::parse).transpose() {
        Ok(kind) => kind,
        Err(message) => {
            errors.push(FieldError::param("type", message));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(match (status, kind) {
        (None, None) => Filter::All,
        (Some(s), None) => Filter::Status(s),
        (None, Some(k)) => Filter::Type(k),
        (Some(s), Some(k)) => Filter::StatusAndType(s, k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::PLACEHOLDER;
    use serde_json::json;

    fn pointers(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Invalid(errors) | ApiError::Rejected(errors) => {
                errors.into_iter().map(|e| e.pointer.or(e.parameter).unwrap_or_default()).collect()
            }
            other => panic!("expected 400 or 422, got {other:?}"),
        }
    }

    fn create(body: Value) -> Result<IntegrationFields, ApiError> {
        let (key, scope) = (DataKey::generate().unwrap(), Scope::raw("T#t#INTEGRATION#1"));
        read(body, true, &Sealing { key: &key, scope: &scope, stored: None })
    }

    #[test]
    fn create_defaults_the_status_and_seals_secrets() {
        let f = create(json!({"type": "whatsapp", "name": "  Main line ", "config": {"accessToken": "EAAG", "n": 1}}))
            .unwrap();
        assert_eq!(
            (f.kind.to_string().as_str(), f.name.as_deref(), f.status),
            ("whatsapp", Some("Main line"), IntegrationStatus::Inactive)
        );
        assert!(!Value::Object(f.config.clone()).to_string().contains("EAAG"));
        assert_eq!(Value::Object(f.redacted().config), json!({"accessToken": PLACEHOLDER, "n": 1}));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = create(json!({
            "type": "Whats App", "name": "", "status": "broken", "lastError": "x".repeat(1001),
            "config": {"apiKey": 7, "nested": {"password": {"a": 1}}}, "organizationId": "o"
        }))
        .unwrap_err();
        let mut got = pointers(err);
        got.sort();
        assert_eq!(
            got,
            ["/config/apiKey", "/config/nested/password", "/lastError", "/name", "/organizationId", "/status", "/type"]
        );
        assert_eq!(pointers(create(json!({})).unwrap_err()), ["/type", "/config"]);
        assert_eq!(pointers(create(json!({"type": "x".repeat(65), "config": []})).unwrap_err()), ["/type", "/config"]);
    }

    #[test]
    fn config_is_bounded() {
        let big = json!({"type": "hris", "config": {"blob": "x".repeat(16 * 1024)}});
        let err = create(big).unwrap_err();
        assert!(matches!(err, ApiError::Rejected(_)), "a rule the schema states in words only: 422");
        assert_eq!(pointers(err), ["/config"]);
        let secret = create(json!({"type": "hris", "config": {"apiKey": 7}})).unwrap_err();
        assert!(matches!(secret, ApiError::Rejected(_)), "{secret:?}");
        let deep = json!({"type": "hris", "config": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}});
        assert_eq!(pointers(create(deep).unwrap_err()), ["/config"]);
    }

    #[test]
    fn a_patch_may_not_drop_required_fields() {
        let (key, scope) = (DataKey::generate().unwrap(), Scope::raw("s"));
        let sealing = Sealing { key: &key, scope: &scope, stored: None };
        let err = read(json!({"type": "slack", "config": {}}), false, &sealing).unwrap_err();
        assert_eq!(pointers(err), ["/status"]);
    }

    #[test]
    fn list_filters() {
        let slack = || IntegrationType::parse("slack").unwrap();
        assert_eq!(filter(None, None).unwrap(), Filter::All);
        assert_eq!(filter(Some("error"), None).unwrap(), Filter::Status(IntegrationStatus::Error));
        assert_eq!(
            filter(Some("active"), Some("slack")).unwrap(),
            Filter::StatusAndType(IntegrationStatus::Active, slack())
        );
        assert_eq!(filter(None, Some("slack")).unwrap(), Filter::Type(slack()));
        assert_eq!(pointers(filter(Some("gone"), Some("Bad")).unwrap_err()), ["status", "type"]);
    }
}
