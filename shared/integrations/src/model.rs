//! The integration: seed 000's Integration (`type`, `config`, `status` default `inactive`), with a display
//! `name` and the sync workers' `lastError`. The organization is the tenant of the key, not a field.

use crate::secrets;
use chrono::{DateTime, Utc};
use nudge_core::http::ApiResult;
use nudge_core::http::update::{Patchable, document_of};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationStatus {
    #[default]
    Inactive,
    Active,
    Error,
}

impl IntegrationStatus {
    pub const ALL: [Self; 3] = [Self::Inactive, Self::Active, Self::Error];

    pub fn as_str(self) -> &'static str {
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
pub struct IntegrationFields {
    /// The external system: 1–64 characters of `a-z`, `0-9`, `_`, `-` (`whatsapp`, `slack`, `hris`, `webhook`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A display name of at most 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How to reach the system: a JSON object of at most 16 KiB, nested at most 8 deep. Any key whose name
    /// contains `secret`, `token`, `password`, `apikey`, `api_key`, `privatekey`, `private_key` or
    /// `credential` (any case, any depth) holds a secret: it must be a string, is encrypted at rest and always
    /// reads as `"********"`. In a PATCH, `"********"` or leaving the key out keeps it, a new string replaces
    /// it and `null` removes it.
    #[schema(value_type = Object)]
    pub config: Map<String, Value>,
    /// Default `inactive`.
    pub status: IntegrationStatus,
    /// Why the integration is in `error`, at most 1000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl IntegrationFields {
    /// The fields as a client sees them: every secret replaced by the placeholder.
    pub fn redacted(&self) -> Self {
        Self { config: secrets::redact(&self.config), ..self.clone() }
    }
}

/// An integration as stored: `config` holds sealed secrets. Never serialized into a response: see
/// [`IntegrationView`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: IntegrationFields,
    /// Increases by one on every change; served as the `ETag`.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A PATCH applies to the document as read: secrets redacted, so a secret left out is kept.
impl Patchable for Integration {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        document_of(&self.fields.redacted())
    }
}

impl Integration {
    pub fn new(id: Uuid, fields: IntegrationFields, now: DateTime<Utc>) -> Self {
        Self { id, fields, version: 1, created_at: now, updated_at: now }
    }

    /// The next version with new fields.
    pub fn revised(&self, fields: IntegrationFields, now: DateTime<Utc>) -> Self {
        Self { fields, version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// What every response shows.
    pub fn view(&self) -> IntegrationView {
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
pub struct IntegrationView {
    id: Uuid,
    #[serde(flatten)]
    fields: IntegrationFields,
    /// Increases by one on every change; served as the `ETag`.
    version: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl IntegrationView {
    pub fn version(&self) -> u64 {
        self.version
    }
}
