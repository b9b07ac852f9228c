//! Asking for a build and reading builds (below HTTP): the document is checked (a ready PDF or DOCX asset
//! of the organization, not too large); the route writes the build with its queue message in one
//! transaction (the outbox), so a build is never queued twice nor left unqueued.

use super::extract::MAX_DOCUMENT_BYTES;
use super::model::{ModuleBuild, ModuleBuildSource};
use crate::authoring::AuthoringError;
use crate::keys;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Put, Store, StoreError};
use nudge_media::asset::{AssetRef, MediaStatus, MediaType};
use serde::Deserialize;
use uuid::Uuid;

/// A build asked for, as read from the request.
pub struct BuildInput {
    pub media_asset_id: Uuid,
    pub title: Option<String>,
    pub structure_with_ai: bool,
}

/// What a build reads of its media asset (the rest of the item is media's).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceAsset {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: MediaType,
    pub status: MediaStatus,
    pub mime_type: String,
    pub file_name: String,
    pub file_size: u64,
}

impl SourceAsset {
    /// Why a module cannot be built from it, or the kind of document it is.
    pub(crate) fn source(&self) -> Result<ModuleBuildSource, String> {
        let as_ref = AssetRef { id: self.id, kind: self.kind, status: self.status, metadata: None };
        if let Some(unfit) = as_ref.unusable_for(MediaType::Document) {
            return Err(unfit.to_string());
        }
        let source = ModuleBuildSource::of_mime(&self.mime_type)
            .ok_or_else(|| format!("is a {} document; a module is built from a PDF or a DOCX", self.mime_type))?;
        if self.file_size > MAX_DOCUMENT_BYTES {
            return Err(format!("is larger than {} MB", MAX_DOCUMENT_BYTES / 1024 / 1024));
        }
        Ok(source)
    }
}

pub(crate) async fn asset(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<SourceAsset>, StoreError> {
    store.get(&nudge_media::asset::asset_key(tenant, id)).await
}

pub(crate) fn put(tenant: &TenantId, b: &ModuleBuild) -> Result<Put, StoreError> {
    Put::new(&keys::module_build(tenant, b.id), "ModuleBuild", b)
}

pub struct Builds<'a> {
    pub store: &'a Store,
}

impl Builds<'_> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<ModuleBuild, AuthoringError> {
        self.store.get(&keys::module_build(tenant, id)).await?.ok_or(AuthoringError::NotFound)
    }

    /// The build `input` asks for, checked against its document (written by the caller, with its queue
    /// message, in one transaction: see [`put`]).
    pub(crate) async fn prepare(
        &self,
        tenant: &TenantId,
        input: BuildInput,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<ModuleBuild, AuthoringError> {
        let found = asset(self.store, tenant, input.media_asset_id).await?;
        let source = match found.as_ref().map(SourceAsset::source) {
            None => Err("names no media asset of the organization".to_owned()),
            Some(checked) => checked,
        }
        .map_err(|why| AuthoringError::Rejected(vec![FieldError::body("/mediaAssetId", why)]))?;
        Ok(ModuleBuild::new(source, input.media_asset_id, input.title, input.structure_with_ai, by, now))
    }
}
