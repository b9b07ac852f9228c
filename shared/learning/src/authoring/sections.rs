//! A module's sections: added at a place, changed, removed and reordered, the order kept dense (see
//! [`crate::order`]). Each write carries the module on its version (marking a published module's draft
//! changed), so concurrent section edits of one module are serialised and none is lost.

use super::{AuthoringError, refs};
use crate::input::{AttachmentInput, SectionInput};
use crate::model::{Attachment, Module, Section, SectionType, VideoSource};
use crate::{keys, order, repo};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Store, Tx, Write};
use nudge_media::asset::MediaType;
use uuid::Uuid;

/// Sections in one module, at most: a move renumbers its siblings in the one transaction (of at most 100
/// writes) that also carries the module and the media usages.
pub const MAX_SECTIONS: usize = 50;

pub struct Sections<'a> {
    pub store: &'a Store,
}

/// The module as the section change leaves it: a new version, its draft changed once published.
fn touched(m: &Module, by: Option<Uuid>, now: DateTime<Utc>) -> Module {
    Module {
        draft_changed: m.draft_changed || m.published_version > 0,
        updated_by: by,
        updated_at: now,
        version: m.version + 1,
        ..m.clone()
    }
}

fn attachments(input: Vec<AttachmentInput>, previous: &[Attachment]) -> Vec<Attachment> {
    input
        .into_iter()
        .map(|a| Attachment {
            id: a.id.filter(|id| previous.iter().any(|p| p.id == *id)).unwrap_or_else(Uuid::now_v7),
            file_name: a.file_name,
            asset_id: a.asset_id,
            file_type: a.file_type,
        })
        .collect()
}

impl Sections<'_> {
    async fn module(&self, tenant: &TenantId, id: Uuid) -> Result<Module, AuthoringError> {
        repo::get_module(self.store, tenant, id).await?.ok_or(AuthoringError::NotFound)
    }

    pub async fn list(&self, tenant: &TenantId, module: Uuid) -> Result<Vec<Section>, AuthoringError> {
        self.module(tenant, module).await?;
        Ok(repo::sections(self.store, tenant, module).await?)
    }

    /// The problems of `s`'s references that changed from `before`: its media, its video, its attachments.
    async fn check(&self, tenant: &TenantId, s: &Section, before: Option<&Section>) -> Result<(), AuthoringError> {
        let mut problems = Vec::new();
        let kind = match (s.section_type, s.video_source) {
            (SectionType::Video, Some(VideoSource::Asset)) => Some(MediaType::Video),
            _ => None,
        };
        if let Some(a) = s.media_asset_id.filter(|a| before.is_none_or(|b| b.media_asset_id != Some(*a))) {
            refs::asset(self.store, tenant, a, kind, "/mediaAssetId", &mut problems).await?;
        }
        if s.video_source == Some(VideoSource::Asset) && s.media_asset_id.is_none() {
            problems.push(FieldError::body("/mediaAssetId", "is required when videoSource is asset"));
        }
        if s.video_source == Some(VideoSource::Url) && s.video_url.is_none() {
            problems.push(FieldError::body("/videoUrl", "is required when videoSource is url"));
        }
        for (i, a) in s.attachments.iter().enumerate() {
            let known = before.is_some_and(|b| b.attachments.iter().any(|p| p.asset_id == a.asset_id));
            if !known {
                let at = format!("/attachments/{i}/assetId");
                refs::asset(self.store, tenant, a.asset_id, None, &at, &mut problems).await?;
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(AuthoringError::Rejected(problems)) }
    }

    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        module: Uuid,
        input: SectionInput,
        now: DateTime<Utc>,
        by: Option<Uuid>,
    ) -> Result<Section, AuthoringError> {
        let m = self.module(tenant, module).await?;
        let siblings = repo::sections(self.store, tenant, module).await?;
        if siblings.len() >= MAX_SECTIONS {
            return Err(AuthoringError::Conflict(format!("a module has at most {MAX_SECTIONS} sections")));
        }
        let id = Uuid::now_v7();
        let ids: Vec<Uuid> = siblings.iter().map(|s| s.id).collect();
        let numbered = order::insert(&ids, id, input.position.map(|p| p as usize));
        let section = Section {
            id,
            module_id: module,
            title: input.title.unwrap_or_default(),
            content: input.content.unwrap_or_default(),
            section_type: input.section_type.unwrap_or_default(),
            sort_order: numbered.iter().find(|(s, _)| *s == id).map_or(1, |(_, n)| *n),
            media_asset_id: input.media_asset_id.flatten(),
            video_source: input.video_source.flatten(),
            video_url: input.video_url.flatten(),
            video_status: None,
            attachments: attachments(input.attachments.unwrap_or_default(), &[]),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.check(tenant, &section, None).await?;
        let mut tx = self.renumbered(tenant, &m, &siblings, &numbered, by, now)?;
        tx.push(Write::create(repo::put_section(tenant, &section)?, "section exists"));
        tx.extend(usage(tenant, None, Some(&section))?);
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        Ok(section)
    }

    pub(crate) async fn update(
        &self,
        tenant: &TenantId,
        module: Uuid,
        id: Uuid,
        input: SectionInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Section, AuthoringError> {
        let m = self.module(tenant, module).await?;
        let siblings = repo::sections(self.store, tenant, module).await?;
        let current = siblings.iter().find(|s| s.id == id).cloned().ok_or(AuthoringError::NotFound)?;
        let mut next = current.clone();
        if let Some(t) = input.title {
            next.title = t;
        }
        if let Some(c) = input.content {
            next.content = c;
        }
        if let Some(t) = input.section_type {
            next.section_type = t;
        }
        if let Some(a) = input.media_asset_id {
            next.media_asset_id = a;
        }
        if let Some(v) = input.video_source {
            next.video_source = v;
        }
        if let Some(u) = input.video_url {
            next.video_url = u;
        }
        if let Some(a) = input.attachments {
            next.attachments = attachments(a, &current.attachments);
        }
        self.check(tenant, &next, Some(&current)).await?;
        let ids: Vec<Uuid> = siblings.iter().map(|s| s.id).collect();
        let mut numbered = order::numbered(&ids);
        if let Some(p) = input.position {
            let without: Vec<Uuid> = ids.iter().copied().filter(|s| *s != id).collect();
            numbered = order::insert(&without, id, Some(p as usize));
        }
        next.sort_order = numbered.iter().find(|(s, _)| *s == id).map_or(current.sort_order, |(_, n)| *n);
        next.updated_at = now;
        next.version = current.version + 1;
        let others: Vec<(Uuid, u32)> = numbered.iter().copied().filter(|(s, _)| *s != id).collect();
        let mut tx = self.renumbered(tenant, &m, &siblings, &others, by, now)?;
        tx.push(Write::replace(repo::put_section(tenant, &next)?, current.version));
        tx.extend(usage(tenant, Some(&current), Some(&next))?);
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        Ok(next)
    }

    pub(crate) async fn delete(
        &self,
        tenant: &TenantId,
        module: Uuid,
        id: Uuid,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), AuthoringError> {
        let m = self.module(tenant, module).await?;
        let siblings = repo::sections(self.store, tenant, module).await?;
        let current = siblings.iter().find(|s| s.id == id).cloned().ok_or(AuthoringError::NotFound)?;
        let ids: Vec<Uuid> = siblings.iter().map(|s| s.id).collect();
        let numbered = order::remove(&ids, id);
        let mut tx = self.renumbered(tenant, &m, &siblings, &numbered, by, now)?;
        tx.push(Write::delete(keys::section(tenant, module, id)).if_version(current.version));
        tx.extend(usage(tenant, Some(&current), None)?);
        self.store.transact(tx).await.map_err(AuthoringError::settle)
    }

    /// Reorders the module's sections as `wanted` (each listed once).
    pub(crate) async fn reorder(
        &self,
        tenant: &TenantId,
        module: Uuid,
        wanted: &[Uuid],
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Section>, AuthoringError> {
        let m = self.module(tenant, module).await?;
        let siblings = repo::sections(self.store, tenant, module).await?;
        let ids: Vec<Uuid> = siblings.iter().map(|s| s.id).collect();
        let numbered = order::reorder(&ids, wanted).map_err(|errors| {
            let problems = errors.iter().map(|e| FieldError::body("/sectionIds", e.to_string())).collect();
            AuthoringError::Rejected(problems)
        })?;
        let tx = self.renumbered(tenant, &m, &siblings, &numbered, by, now)?;
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        let mut out: Vec<Section> = siblings
            .into_iter()
            .map(|s| {
                let n = numbered.iter().find(|(id, _)| *id == s.id).map_or(s.sort_order, |(_, n)| *n);
                Section { sort_order: n, ..s }
            })
            .collect();
        out.sort_by_key(|s| s.sort_order);
        Ok(out)
    }

    /// The module on its version (the lock of its body) and the siblings whose number `numbered` changes.
    fn renumbered(
        &self,
        tenant: &TenantId,
        m: &Module,
        siblings: &[Section],
        numbered: &[(Uuid, u32)],
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Tx, AuthoringError> {
        let mut tx = Tx::new().with(Write::replace(repo::put_module(tenant, &touched(m, by, now))?, m.version));
        let before: Vec<(Uuid, u32)> = siblings.iter().map(|s| (s.id, s.sort_order)).collect();
        for (id, n) in order::changed(&before, numbered) {
            if let Some(s) = siblings.iter().find(|s| s.id == id) {
                let moved = Section { sort_order: n, version: s.version + 1, ..s.clone() };
                tx.push(Write::replace(repo::put_section(tenant, &moved)?, s.version));
            }
        }
        Ok(tx)
    }
}

/// The media usage writes of a section's assets (its media and its attachments) moving from `before` to
/// `after`, so an asset a section shows cannot be deleted.
fn usage(tenant: &TenantId, before: Option<&Section>, after: Option<&Section>) -> Result<Tx, AuthoringError> {
    let assets = |s: Option<&Section>| -> Vec<Uuid> {
        let mut all: Vec<Uuid> = s
            .map(|s| s.media_asset_id.into_iter().chain(s.attachments.iter().map(|a| a.asset_id)).collect())
            .unwrap_or_default();
        all.sort();
        all.dedup();
        all
    };
    let (old, new) = (assets(before), assets(after));
    let owner = before.or(after).map(|s| s.id).unwrap_or_default();
    let mut tx = Tx::new();
    for gone in old.iter().filter(|a| !new.contains(a)) {
        for w in nudge_media::asset::repoint(tenant, owner, Some(*gone), None)? {
            tx.push(w);
        }
    }
    for added in new.iter().filter(|a| !old.contains(a)) {
        for w in nudge_media::asset::repoint(tenant, owner, None, Some(*added))? {
            tx.push(w);
        }
    }
    Ok(tx)
}
