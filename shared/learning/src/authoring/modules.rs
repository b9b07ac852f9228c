//! Modules: create, change (with every reference checked), publish (a new numbered version and its
//! changelog entry), archive and restore.

use super::{AuthoringError, refs};
use crate::input::ModuleInput;
use crate::model::{ChangeLogEntry, Module, ModuleStatus};
use crate::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Store, Tx, Write};
use nudge_media::asset::MediaType;
use uuid::Uuid;

pub struct Modules<'a> {
    pub store: &'a Store,
}

/// `draft` → `published` (only by publishing) ⇄ `archived`; an archived module returns to draft.
fn may_become(from: ModuleStatus, to: ModuleStatus) -> bool {
    use ModuleStatus::*;
    from == to || matches!((from, to), (Draft | Published, Archived) | (Archived, Draft))
}

impl Modules<'_> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Module, AuthoringError> {
        repo::get_module(self.store, tenant, id).await?.ok_or(AuthoringError::NotFound)
    }

    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        input: ModuleInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Module, AuthoringError> {
        let blank = Module::draft(Uuid::now_v7(), String::new(), by, now);
        self.save(tenant, &blank, input, by, now).await
    }

    pub(crate) async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        input: ModuleInput,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Module, AuthoringError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(AuthoringError::VersionMoved);
        }
        self.save(tenant, &current, input, by, now).await
    }

    /// `input` over `current`, checked against the table, written on `current`'s version (a new module:
    /// created only if absent).
    async fn save(
        &self,
        tenant: &TenantId,
        current: &Module,
        input: ModuleInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Module, AuthoringError> {
        let mut next = current.clone();
        let mut problems = Vec::new();
        if let Some(t) = input.title {
            next.title = t;
        }
        if let Some(d) = input.description {
            next.description = d;
        }
        if let Some(d) = input.difficulty {
            next.difficulty = d;
        }
        if let Some(c) = input.cover_image {
            next.cover_image = c;
        }
        if let Some(c) = input.category_id {
            next.category_id = c;
        }
        if let Some(v) = input.validity_months {
            next.validity_months = v;
        }
        if let Some(t) = input.tag_ids {
            next.tag_ids = t;
        }
        if let Some(m) = input.mentor_ids {
            next.mentor_ids = m;
        }
        let edges_changed = input.prerequisite_ids.as_ref().is_some_and(|p| *p != current.prerequisite_ids);
        if let Some(p) = input.prerequisite_ids {
            next.prerequisite_ids = p;
        }
        if let Some(s) = input.status {
            if !may_become(current.status, s) {
                return Err(AuthoringError::Conflict(format!("a {:?} module cannot become {:?}", current.status, s)));
            }
            next.status = s;
        }
        // References are checked only where they changed: a stored one stays valid by its own rules.
        if let Some(c) = next.cover_image.filter(|c| Some(*c) != current.cover_image) {
            refs::asset(self.store, tenant, c, Some(MediaType::Image), "/coverImage", &mut problems).await?;
        }
        if let Some(c) = next.category_id.filter(|c| Some(*c) != current.category_id) {
            problems.extend(refs::category(self.store, tenant, c).await?);
        }
        if next.tag_ids != current.tag_ids {
            problems.extend(refs::tags(self.store, tenant, &next.tag_ids).await?);
        }
        if next.mentor_ids != current.mentor_ids {
            problems.extend(refs::mentors(self.store, tenant, &next.mentor_ids).await?);
        }
        let mut tx = Tx::new();
        if edges_changed {
            let graph = repo::graph(self.store, tenant).await?;
            let all = repo::all_modules(self.store, tenant).await?;
            problems.extend(refs::prerequisites(&next, &all));
            tx.push(repo::bump_graph(tenant, &graph)?);
        }
        if !problems.is_empty() {
            return Err(AuthoringError::Rejected(problems));
        }
        let body_changed = next.title != current.title
            || next.description != current.description
            || next.cover_image != current.cover_image
            || next.difficulty != current.difficulty;
        if current.published_version > 0 && body_changed {
            next.draft_changed = true;
        }
        next.updated_by = by;
        next.updated_at = now;
        next.version = current.version + 1;
        let put = repo::put_module(tenant, &next)?;
        tx.push(if current.version == 0 {
            Write::create(put, repo::MODULE_EXISTS)
        } else {
            Write::replace(put, current.version)
        });
        tx.extend(cover_usage(tenant, current, &next)?);
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        Ok(next)
    }

    /// Publishes `id`: its next version, with `summary` in the changelog (required after the first
    /// publication: learners who saw the earlier one are told what changed). A module needs a section.
    pub(crate) async fn publish(
        &self,
        tenant: &TenantId,
        id: Uuid,
        summary: Option<String>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Module, ChangeLogEntry), AuthoringError> {
        let current = self.get(tenant, id).await?;
        let mut problems = Vec::new();
        if current.status == ModuleStatus::Archived {
            return Err(AuthoringError::Conflict("an archived module is restored to draft before publishing".into()));
        }
        if repo::sections(self.store, tenant, id).await?.is_empty() {
            problems.push(FieldError::body("", "a module needs at least one section to be published"));
        }
        if current.published_version > 0 && summary.is_none() {
            problems.push(FieldError::body("/changeSummary", "is required: tell learners what changed"));
        }
        if !problems.is_empty() {
            return Err(AuthoringError::Rejected(problems));
        }
        let next = Module {
            status: ModuleStatus::Published,
            published_version: current.published_version + 1,
            published_at: Some(now),
            draft_changed: false,
            updated_by: by,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let entry = ChangeLogEntry {
            module_id: id,
            version: next.published_version,
            change_summary: summary.unwrap_or_else(|| "First publication".into()),
            published_by: by,
            published_at: now,
        };
        let tx = Tx::new()
            .with(Write::replace(repo::put_module(tenant, &next)?, current.version))
            .with(Write::create(repo::put_changelog(tenant, &entry)?, "changelog entry exists"));
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        Ok((next, entry))
    }
}

/// The media usage writes of a changed cover image (so the asset cannot be deleted while a module shows it).
fn cover_usage(tenant: &TenantId, current: &Module, next: &Module) -> Result<Tx, AuthoringError> {
    let mut tx = Tx::new();
    for w in nudge_media::asset::repoint(tenant, next.id, current.cover_image, next.cover_image)? {
        tx.push(w);
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_only_by_publishing_and_archived_back_to_draft() {
        use ModuleStatus::*;
        assert!(may_become(Draft, Archived) && may_become(Published, Archived) && may_become(Archived, Draft));
        assert!(!may_become(Draft, Published) && !may_become(Archived, Published) && !may_become(Published, Draft));
    }
}
