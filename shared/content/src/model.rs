//! The content library (seed 000's Content with its eight typed bodies, ContentVersion, Tag, ContentTag,
//! Collection, CollectionItem; seed 003's `mediaUrl` and `licenseType`; seed 002's quiz fields). A content
//! item carries its body under a key named by its type (`"quiz": {…}`). The organization is the tenant of
//! the key, not a field.

use crate::sms::Segments;
use crate::values::TagName;
use crate::workflow::ContentStatus;
use chrono::{DateTime, Utc};
use nudge_media::asset::MediaType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    Text,
    Image,
    Video,
    Audio,
    Document,
    Quiz,
    Reflection,
    Template,
}

impl ContentType {
    pub(crate) const ALL: [Self; 8] = [
        Self::Text,
        Self::Image,
        Self::Video,
        Self::Audio,
        Self::Document,
        Self::Quiz,
        Self::Reflection,
        Self::Template,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Quiz => "quiz",
            Self::Reflection => "reflection",
            Self::Template => "template",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The media type a body of this type references, if it references one.
    pub(crate) fn media(self) -> Option<MediaType> {
        match self {
            Self::Image => Some(MediaType::Image),
            Self::Video => Some(MediaType::Video),
            Self::Audio => Some(MediaType::Audio),
            Self::Document => Some(MediaType::Document),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextBody {
    /// 1–100,000 characters.
    pub text: String,
    /// Markup or styling data: a JSON object of at most 16 KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub formatting: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageBody {
    /// A ready image asset of this organization.
    pub media_asset_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// A video or an audio body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlayableBody {
    /// A ready asset of this organization, of the content's type.
    pub media_asset_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentBody {
    /// A ready document asset of this organization.
    pub media_asset_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    SingleChoice,
    MultipleChoice,
    TrueFalse,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuizOption {
    /// Unique within its question; `correctAnswers` name options by id.
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Unique within the quiz.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub text: String,
    /// 2–10 options; a true/false question has exactly the options `true` and `false` (filled in when
    /// left out).
    pub options: Vec<QuizOption>,
    /// Option ids: exactly one for single choice and true/false, at least one for multiple choice.
    pub correct_answers: Vec<String>,
    /// Default 1.
    pub points: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// How a quiz is scored: the sum of points, the share of points, or pass/fail against `passingScore`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoringType {
    Points,
    Percentage,
    PassFail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuizBody {
    /// 1–100 questions.
    pub questions: Vec<Question>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring_type: Option<ScoringType>,
    /// Seconds, 1–86,400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<u32>,
    /// Points needed to pass (required for `pass_fail`), at most the quiz's total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passing_score: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReflectionBody {
    pub prompt_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance_text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Whatsapp,
    Sms,
    Email,
}

/// The channel's own approval of a template (WhatsApp message templates are approved by Meta, which may
/// later pause one for low quality or disable it; neither is sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// What `{{name}}` in the template text refers to.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateBody {
    /// Text with `{{variable}}` placeholders, every one of them declared in `variables`.
    pub template_text: String,
    pub variables: Vec<Variable>,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_status: Option<ApprovalStatus>,
    /// Why the channel gave `approvalStatus` (WhatsApp's rejection or pause reason), at most 500 characters.
    /// Absent on items stored before the provider reported reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_reason: Option<String>,
    /// SMS templates: how the template text goes out (read-only, computed from `templateText`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub sms_segments: Option<Segments>,
}

/// The typed body, keyed by the content's type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    Text(TextBody),
    Image(ImageBody),
    Video(PlayableBody),
    Audio(PlayableBody),
    Document(DocumentBody),
    Quiz(QuizBody),
    Reflection(ReflectionBody),
    Template(TemplateBody),
}

impl Body {
    /// A video's or audio's duration from its asset, unless the body states one.
    pub(crate) fn default_duration(&mut self, asset_seconds: Option<u32>) {
        if let Self::Video(b) | Self::Audio(b) = self
            && b.duration.is_none()
        {
            b.duration = asset_seconds;
        }
    }

    /// The media asset the body shows, if any.
    pub(crate) fn media_asset(&self) -> Option<Uuid> {
        match self {
            Self::Image(b) => Some(b.media_asset_id),
            Self::Video(b) | Self::Audio(b) => Some(b.media_asset_id),
            Self::Document(b) => Some(b.media_asset_id),
            _ => None,
        }
    }
}

/// What a client writes (POST, and PATCH through JSON Merge Patch over these as read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentFields {
    /// 1–200 characters.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A link to the content elsewhere (seed 003), an http(s) URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    /// License information (seed 003), at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_type: Option<String>,
    /// At most 20 tags of this organization.
    #[serde(default)]
    pub tag_ids: Vec<Uuid>,
    #[serde(flatten)]
    pub body: Body,
}

/// A content item as stored and served. `version` is also the number of its latest [`ContentVersion`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ContentType,
    #[serde(flatten)]
    pub fields: ContentFields,
    pub status: ContentStatus,
    /// Increases by one on every change, and names the version that change stored; served as the `ETag`.
    pub version: u64,
    /// The version being delivered, if one was published and not archived since. An edit after publishing
    /// makes a new draft; this stays until that draft is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// When a version was last published; kept through archiving and reopening, so it tells whether
    /// workers were ever sent this content (deleting such content needs `content:publish`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub last_published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A content item without its body: what lists answer (a body may be 100 KB).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContentSummary {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ContentType,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_type: Option<String>,
    #[serde(default)]
    pub tag_ids: Vec<Uuid>,
    pub status: ContentStatus,
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Content {
    pub(crate) fn summary(&self) -> ContentSummary {
        let f = &self.fields;
        ContentSummary {
            id: self.id,
            kind: self.kind,
            title: f.title.clone(),
            description: f.description.clone(),
            media_url: f.media_url.clone(),
            license_type: f.license_type.clone(),
            tag_ids: f.tag_ids.clone(),
            status: self.status,
            version: self.version,
            published_version: self.published_version,
            published_at: self.published_at,
            created_by_id: self.created_by_id,
            updated_by_id: self.updated_by_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The writable document a merge patch applies to: the fields as read, less what is computed.
    pub(crate) fn writable(&self) -> Result<Value, serde_json::Error> {
        let mut doc = serde_json::to_value(&self.fields)?;
        if let Some(template) = doc.get_mut("template").and_then(Value::as_object_mut) {
            template.remove("smsSegments");
        }
        Ok(doc)
    }

    /// The next version: `fields` and `status` as given, by `actor`.
    pub(crate) fn revised(
        &self,
        fields: ContentFields,
        status: ContentStatus,
        actor: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        Self { fields, status, version: self.version + 1, updated_by_id: Some(actor), updated_at: now, ..self.clone() }
    }
}

/// One stored version: who changed what, and the whole item as it was after the change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentVersion {
    pub content_id: Uuid,
    pub version_number: u64,
    /// The status the change left the item in.
    pub status: ContentStatus,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The full content item after this change (served by `GET …/versions/{n}`, not in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Box<Content>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TagFields {
    /// 1–50 characters, unique within the organization (case-insensitively).
    #[schema(value_type = String)]
    pub name: TagName,
    /// A `#rrggbb` colour for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tag {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: TagFields,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CollectionFields {
    /// 1–200 characters.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Most entries a collection holds (it is one item, at most ~60 bytes an entry).
pub(crate) const MAX_ENTRIES: usize = 500;

/// One entry of a collection: its position is its index in the collection's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    pub content_id: Uuid,
    pub added_at: DateTime<Utc>,
}

/// A collection as stored: its entries in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: CollectionFields,
    #[serde(default)]
    pub entries: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A collection as served (its items are under `/collections/{id}/items`).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CollectionView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: CollectionFields,
    pub item_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A rendered template.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Rendered {
    pub text: String,
    /// SMS templates: how the rendered text goes out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_segments: Option<Segments>,
}

/// A collection item (seed 000's CollectionItem): `order` is its 0-based position, dense and stable.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CollectionItem {
    pub collection_id: Uuid,
    pub content_id: Uuid,
    pub order: usize,
    pub added_at: DateTime<Utc>,
}

impl Collection {
    pub(crate) fn view(&self) -> CollectionView {
        CollectionView {
            id: self.id,
            fields: self.fields.clone(),
            item_count: self.entries.len(),
            created_by_id: self.created_by_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub(crate) fn items(&self) -> Vec<CollectionItem> {
        self.entries
            .iter()
            .enumerate()
            .map(|(order, e)| CollectionItem {
                collection_id: self.id,
                content_id: e.content_id,
                order,
                added_at: e.added_at,
            })
            .collect()
    }

    pub(crate) fn position(&self, content: Uuid) -> Option<usize> {
        self.entries.iter().position(|e| e.content_id == content)
    }

    /// Takes `content` out (the entries after it move up one); `false` if it was not in here.
    pub(crate) fn remove_content(&mut self, content: Uuid) -> bool {
        crate::order::remove(&mut self.entries, |e| e.content_id == content).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_stored_before_approval_reasons_still_reads() {
        let old = serde_json::json!({"templateText": "Hi", "variables": [], "channel": "whatsapp", "approvalStatus": "approved"});
        let body: TemplateBody = serde_json::from_value(old.clone()).unwrap();
        assert_eq!((body.approval_status, body.approval_reason.as_deref()), (Some(ApprovalStatus::Approved), None));
        assert_eq!(serde_json::to_value(&body).unwrap(), old, "no reason, no key");
        let paused = TemplateBody { approval_reason: Some("FIRST_PAUSE".into()), ..body };
        assert_eq!(serde_json::to_value(&paused).unwrap()["approvalReason"], "FIRST_PAUSE");
    }

    #[test]
    fn removing_content_renumbers_the_rest_densely() {
        let now = Utc::now();
        let ids: Vec<Uuid> = (1..=4).map(Uuid::from_u128).collect();
        let mut c = Collection {
            id: Uuid::from_u128(9),
            fields: CollectionFields { name: "Week 1".into(), description: None },
            entries: ids.iter().map(|&content_id| Entry { content_id, added_at: now }).collect(),
            created_by_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        assert!(c.remove_content(ids[1]));
        assert!(!c.remove_content(ids[1]), "only once");
        let items = c.items();
        let got: Vec<(Uuid, usize)> = items.iter().map(|i| (i.content_id, i.order)).collect();
        assert_eq!(got, [(ids[0], 0), (ids[2], 1), (ids[3], 2)]);
        assert_eq!(c.view().item_count, 3);
        assert!(c.remove_content(ids[3]) && c.remove_content(ids[0]) && c.remove_content(ids[2]));
        assert_eq!((c.items().len(), c.view().item_count), (0, 0));
    }
}
