//! Learning as stored and served (seed 002: Module, Section, ModuleCategory, ModuleTag (the tags
//! are the content library's, the organization's one list), ModuleMentor,
//! ModulePrerequisite, Attachment, ModuleChangeLog). Pure data; the key layout is in [`crate::keys`].
//!
//! A module's seed `version` is [`Module::published_version`]: it counts publications (each one with its
//! changelog entry). `version` on every item here is the optimistic-concurrency counter conditional
//! writes check, as everywhere in this system.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Seed 002 ModuleStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModuleStatus {
    Draft,
    Published,
    Archived,
}

/// Seed 002 Difficulty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Difficulty {
    #[default]
    Beginner,
    Intermediate,
    Advanced,
}

/// Seed 002 Module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Module {
    pub id: Uuid,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: ModuleStatus,
    #[serde(default)]
    pub difficulty: Difficulty,
    /// A ready image asset of the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_image: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Uuid>,
    /// How long a certificate of it stays valid; none: for ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_months: Option<u32>,
    /// The seed's `version`: publications so far (0 while never published).
    #[serde(default)]
    pub published_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// Whether anything changed since the last publication.
    #[serde(default)]
    pub draft_changed: bool,
    /// ModuleTag: tags of the organization (`/tags`, shared with the content library).
    #[serde(default)]
    pub tag_ids: Vec<Uuid>,
    /// ModuleMentor: users of the organization.
    #[serde(default)]
    pub mentor_ids: Vec<Uuid>,
    /// ModulePrerequisite: modules to complete first (never a cycle).
    #[serde(default)]
    pub prerequisite_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Module {
    /// A new draft of `title` (an author's blank, a build's draft): version 0, nothing published.
    pub fn draft(id: Uuid, title: String, by: Option<Uuid>, now: DateTime<Utc>) -> Self {
        Self {
            id,
            title,
            description: None,
            status: ModuleStatus::Draft,
            difficulty: Default::default(),
            cover_image: None,
            category_id: None,
            validity_months: None,
            published_version: 0,
            published_at: None,
            draft_changed: false,
            tag_ids: Vec::new(),
            mentor_ids: Vec::new(),
            prerequisite_ids: Vec::new(),
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }
}

/// Seed 002 SectionType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SectionType {
    #[default]
    Text,
    Video,
    Attachment,
    Mixed,
}

/// Seed 002 Attachment file types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileType {
    Pdf,
    Word,
    Image,
    Other,
}

/// Seed 002 Attachment: a file of the media pipeline on a section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: Uuid,
    pub file_name: String,
    /// The media asset holding it (ready, of the organization): the seed's `storagePath`.
    pub asset_id: Uuid,
    pub file_type: FileType,
}

/// Where a video section's video comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VideoSource {
    /// A media asset of the organization (`mediaAssetId`).
    Asset,
    /// An external URL (`videoUrl`).
    Url,
}

/// Seed 002 Section: a chapter of a module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub id: Uuid,
    pub module_id: Uuid,
    pub title: String,
    /// HTML, sanitised on write to an allow-list (no script, no event handler).
    pub content: String,
    #[serde(rename = "type")]
    pub section_type: SectionType,
    /// 1, 2, 3… dense and stable.
    pub sort_order: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_asset_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_source: Option<VideoSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The video asset's status when the video is an asset (`ready` once playable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_status: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// Seed 002 ModuleCategory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub sort_order: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// Seed 002 ModuleChangeLog: one per publication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeLogEntry {
    pub module_id: Uuid,
    /// The publication it records.
    pub version: u32,
    pub change_summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_by: Option<Uuid>,
    pub published_at: DateTime<Utc>,
}
