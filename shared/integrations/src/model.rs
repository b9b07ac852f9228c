//! The integration: seed 000's Integration (`type`, `config`, `status` default `inactive`), with a display
//! `name` and the sync workers' `lastError`. The organization is the tenant of the key, not a field.

use crate::secrets;
use chrono::{DateTime, Utc};
use nudge_core::values::Parse;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use utoipa::ToSchema;
use uuid::Uuid;

/// The external system an integration reaches (`whatsapp`, `slack`, `hris`, `webhook`): 1–64 characters of
/// `a-z`, `0-9`, `_`, `-`. Keys are built from it, and `#` cannot occur in one (see repo).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct IntegrationType(String);

impl Parse for IntegrationType {
    fn parse(text: &str) -> Result<Self, String> {
        let ok = (1..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err("must be 1–64 characters of a–z, 0–9, `_` and `-`, like `whatsapp`".into())
        }
    }
}

impl fmt::Display for IntegrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum IntegrationStatus {
    #[default]
    Inactive,
    Active,
    Error,
}

impl IntegrationStatus {
    pub(crate) const ALL: [Self; 3] = [Self::Inactive, Self::Active, Self::Error];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::Active => "active",
            Self::Error => "error",
        }
    }
}

/// The fields a client writes (POST, and PATCH through JSON Merge Patch). Stored, `config` holds sealed
/// secrets; served, it holds the placeholder in their place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IntegrationFields {
    /// The external system: 1–64 characters of `a-z`, `0-9`, `_`, `-` (`whatsapp`, `slack`, `hris`, `webhook`).
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub(crate) kind: IntegrationType,
    /// A display name of at most 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// How to reach the system: a JSON object of at most 16 KiB, nested at most 8 deep. Any key whose name
    /// contains `secret`, `token`, `password`, `apikey`, `api_key`, `privatekey`, `private_key` or
    /// `credential` (any case, any depth) holds a secret: it must be a string, is encrypted at rest and always
    /// reads as `"********"`. In a PATCH, `"********"` or leaving the key out keeps it, a new string replaces
    /// it and `null` removes it.
    #[schema(value_type = Object)]
    pub(crate) config: Map<String, Value>,
    /// Default `inactive`.
    pub(crate) status: IntegrationStatus,
    /// Why the integration is in `error`, at most 1000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_error: Option<String>,
}

impl IntegrationFields {
    /// The fields as a client sees them: every secret replaced by the placeholder.
    pub(crate) fn redacted(&self) -> Self {
        Self { config: secrets::redact(&self.config), ..self.clone() }
    }
}

/// An integration as stored: `config` holds sealed secrets. Never serialized into a response: see
/// [`IntegrationView`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Integration {
    pub(crate) id: Uuid,
    #[serde(flatten)]
    pub(crate) fields: IntegrationFields,
    /// Increases by one on every change; served as the `ETag`.
    pub(crate) version: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Integration {
    pub(crate) fn new(id: Uuid, fields: IntegrationFields, now: DateTime<Utc>) -> Self {
        Self { id, fields, version: 1, created_at: now, updated_at: now }
    }

    /// The next version with new fields.
    pub(crate) fn revised(&self, fields: IntegrationFields, now: DateTime<Utc>) -> Self {
        Self { fields, version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// What every response shows.
    pub(crate) fn view(&self) -> IntegrationView {
        IntegrationView {
            id: self.id,
            fields: self.fields.redacted(),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// An integration as served: secrets read as `"********"`. Only [`Integration::view`] makes one, so a
/// response cannot carry a sealed value by mistake.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IntegrationView {
    id: Uuid,
    #[serde(flatten)]
    fields: IntegrationFields,
    /// Increases by one on every change; served as the `ETag`.
    version: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl IntegrationView {
    pub(crate) fn version(&self) -> u64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_is_a_short_lowercase_identifier() {
        for ok in ["whatsapp", "hris", "web_hook-2", "x", &"x".repeat(64)] {
            assert_eq!(IntegrationType::parse(ok).map(|t| t.to_string()), Ok(ok.to_owned()));
        }
        for bad in ["", "WhatsApp", "a b", "slack#1", "café", &"x".repeat(65)] {
            assert_eq!(
                IntegrationType::parse(bad),
                Err("must be 1–64 characters of a–z, 0–9, `_` and `-`, like `whatsapp`".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_type_is_stored_and_served_as_its_text() -> Result<(), String> {
        let kind = IntegrationType::parse("slack")?;
        assert_eq!(serde_json::to_value(&kind).ok(), Some(Value::String("slack".into())));
        let back: IntegrationType = serde_json::from_str("\"slack\"").map_err(|e| e.to_string())?;
        assert_eq!(back, kind);
        Ok(())
    }
}
