//! The organization (tenant): seed 000's Organization, seed 002's Tenant and seed 004's Organization merged.
//! `subscriptionTier` is seed 000's field holding seed 002's plan values; `theme` and `locale` come from 002,
//! `slug` and `deletedAt` from 002 and 004.

use chrono::{DateTime, Utc};
use nudge_core::http::ApiResult;
use nudge_core::http::update::{Patchable, document_of};
use nudge_core::standing::Standing;
use nudge_core::values::{Locale, Slug, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationType {
    Client,
    Expert,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionTier {
    #[default]
    Free,
    Starter,
    Pro,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Default,
    Ocean,
    Sunset,
}

/// The fields a client writes (POST, and PATCH through JSON Merge Patch).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationFields {
    /// 1–200 characters.
    pub name: String,
    /// At most 2000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An http(s) URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(rename = "type")]
    pub kind: OrganizationType,
    /// Default `free`. Changing it needs a platform admin.
    pub subscription_tier: SubscriptionTier,
    /// Unique across the platform, URL-safe, 3–63 characters; derived from the name when omitted.
    /// Changing it needs a platform admin.
    #[schema(value_type = String)]
    pub slug: Slug,
    /// BCP 47 tag, default `en`.
    #[schema(value_type = String)]
    pub locale: Locale,
    /// IANA, default `UTC`: the zone of the tenant's local days and hours (quiet hours, daily caps,
    /// leaderboard weeks), for workers and users who name none of their own.
    #[serde(default)]
    #[schema(value_type = String)]
    pub time_zone: TimeZone,
    pub theme: Theme,
    /// An https URL of the logo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// The tenant's words for platform terms, e.g. `{"worker": "associate"}`: at most 100 entries of
    /// at most 200 characters, 8 KiB in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_terminology: Option<BTreeMap<String, String>>,
    /// Free-form organization settings: a JSON object of at most 16 KiB, nested at most 8 deep.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
}

/// An organization as stored and served.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Also the tenant id.
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: OrganizationFields,
    /// Increases by one on every change; served as the `ETag`.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether the platform serves it: `active`, `suspended` (by a platform admin) or `deleted`. While it is
    /// not active nobody can sign in to it or act in it, and its background jobs stop.
    #[serde(default)]
    pub status: Standing,
    /// Set while a platform admin has the organization suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended_at: Option<DateTime<Utc>>,
    /// Set when a platform admin deletes the organization (soft delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Patchable for Organization {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        document_of(&self.fields)
    }
}

impl Organization {
    pub(crate) fn new(id: Uuid, fields: OrganizationFields, now: DateTime<Utc>) -> Self {
        Self {
            id,
            fields,
            version: 1,
            created_at: now,
            updated_at: now,
            status: Standing::Active,
            suspended_at: None,
            deleted_at: None,
        }
    }

    /// The next version with new fields.
    pub(crate) fn revised(&self, fields: OrganizationFields, now: DateTime<Utc>) -> Self {
        Self { fields, version: self.version + 1, updated_at: now, ..self.clone() }
    }

    pub(crate) fn deleted(&self, now: DateTime<Utc>) -> Self {
        let next = Self { status: Standing::Deleted, deleted_at: Some(now), ..self.clone() };
        next.next_version(now)
    }

    pub(crate) fn suspended(&self, now: DateTime<Utc>) -> Self {
        let next = Self { status: Standing::Suspended, suspended_at: Some(now), ..self.clone() };
        next.next_version(now)
    }

    /// Served again: neither suspended nor deleted.
    pub(crate) fn restored(&self, now: DateTime<Utc>) -> Self {
        let next = Self { status: Standing::Active, suspended_at: None, deleted_at: None, ..self.clone() };
        next.next_version(now)
    }

    fn next_version(self, now: DateTime<Utc>) -> Self {
        Self { version: self.version + 1, updated_at: now, ..self }
    }

    /// The standing its tenant has (an organization deleted before standing was kept reads as deleted).
    pub fn standing(&self) -> Standing {
        if self.deleted_at.is_some() { Standing::Deleted } else { self.status }
    }

    pub fn is_deleted(&self) -> bool {
        self.standing() == Standing::Deleted
    }
}
