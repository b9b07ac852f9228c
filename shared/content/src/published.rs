//! Content as it is delivered to workers (journeys' touchpoints): the version last published, read from
//! its snapshot, never the draft being edited. An item never published, archived since, or deleted has
//! nothing to deliver.

use crate::error::ContentError;
pub use crate::model::{
    Body, Channel, ContentType, DocumentBody, ImageBody, PlayableBody, Question, QuestionType, QuizBody, QuizOption,
    ReflectionBody, ScoringType, TemplateBody, TextBody,
};
use crate::repo;
use crate::snapshots::Snapshots;
use nudge_core::TenantId;
use nudge_core::store::Store;
use uuid::Uuid;

/// A published content item, as delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub id: Uuid,
    /// The published version's number.
    pub version: u64,
    pub kind: ContentType,
    pub title: String,
    pub description: Option<String>,
    pub media_url: Option<String>,
    pub body: Body,
}

impl Published {
    /// The type's name as the API spells it (`text`, `quiz`, ...).
    pub fn kind_name(&self) -> &'static str {
        self.kind.as_str()
    }
}

/// Why content could not be read (the table or the bucket failed).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Unreadable(#[from] ContentError);

/// The published version of `id`, if there is one.
pub async fn load(
    store: &Store,
    snapshots: &Snapshots,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Option<Published>, Unreadable> {
    let Some(current) = repo::get(store, tenant, id).await? else { return Ok(None) };
    let Some(n) = current.published_version else { return Ok(None) };
    // The item as read is the published version when nothing was edited since.
    let item = if current.version == n {
        current
    } else {
        let Some(stored) = repo::version(store, tenant, id, n).await? else { return Ok(None) };
        match snapshots.open(tenant, stored).await?.snapshot {
            Some(snapshot) => *snapshot,
            None => return Ok(None),
        }
    };
    Ok(Some(Published {
        id,
        version: n,
        kind: item.kind,
        title: item.fields.title,
        description: item.fields.description,
        media_url: item.fields.media_url,
        body: item.fields.body,
    }))
}
