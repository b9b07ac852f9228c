//! What authoring checks against the table before a write: the assets, categories, tags, mentors and
//! prerequisites a module or section names exist in the tenant and can be used, and no prerequisite
//! closes a cycle. Each problem is named by the field's pointer.

use crate::model::Module;
use crate::{prerequisites, repo};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Store, StoreError};
use nudge_media::asset::{AssetRef, MediaType, asset_key};
use uuid::Uuid;

/// Problems of an asset reference at `at`: it must be a ready asset of the tenant (of `kind`, if given).
pub async fn asset(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    kind: Option<MediaType>,
    at: &str,
    problems: &mut Vec<FieldError>,
) -> Result<(), StoreError> {
    let found: Option<AssetRef> = store.get(&asset_key(tenant, id)).await?;
    let why = match found {
        None => Some("names no media asset of this organization".to_owned()),
        Some(a) => match kind {
            Some(k) => a.unusable_for(k).map(|u| u.to_string()),
            None => a.unusable_for(a.kind).map(|u| u.to_string()),
        },
    };
    if let Some(why) = why {
        problems.push(FieldError::body(at, why));
    }
    Ok(())
}

/// Tags are the organization's one tag list, the content library's.
pub async fn tags(store: &Store, tenant: &TenantId, ids: &[Uuid]) -> Result<Vec<FieldError>, StoreError> {
    let found = nudge_content::repo::existing_tags(store, tenant, ids).await?;
    Ok(ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains(id))
        .map(|(i, _)| FieldError::body(format!("/tagIds/{i}"), "names no tag of this organization"))
        .collect())
}

pub async fn category(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Vec<FieldError>, StoreError> {
    Ok(match repo::get_category(store, tenant, id).await? {
        Some(_) => Vec::new(),
        None => vec![FieldError::body("/categoryId", "names no module category of this organization")],
    })
}

pub async fn mentors(store: &Store, tenant: &TenantId, ids: &[Uuid]) -> Result<Vec<FieldError>, StoreError> {
    let members = nudge_identity::members_among(store, tenant, ids).await?;
    Ok(ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !members.contains(id))
        .map(|(i, _)| FieldError::body(format!("/mentorIds/{i}"), "names no user of this organization"))
        .collect())
}

/// Problems of `module`'s new prerequisites against every module of the tenant (`all`, as stored): each
/// must exist, and none may close a cycle (the message names it by the modules' titles).
pub fn prerequisites(module: &Module, all: &[Module]) -> Vec<FieldError> {
    let mut edges: Vec<(Uuid, Uuid)> = all
        .iter()
        .filter(|m| m.id != module.id)
        .flat_map(|m| m.prerequisite_ids.iter().map(move |p| (m.id, *p)))
        .collect();
    let title = |id: Uuid| {
        if id == module.id {
            module.title.clone()
        } else {
            all.iter().find(|m| m.id == id).map_or_else(|| id.to_string(), |m| m.title.clone())
        }
    };
    let mut problems = Vec::new();
    for (i, p) in module.prerequisite_ids.iter().enumerate() {
        let at = format!("/prerequisiteIds/{i}");
        if *p != module.id && !all.iter().any(|m| m.id == *p) {
            problems.push(FieldError::body(at, "names no module of this organization"));
            continue;
        }
        match prerequisites::cycle(&edges, module.id, *p) {
            Some(cycle) => {
                let names: Vec<String> = cycle.into_iter().map(title).collect();
                problems.push(FieldError::body(at, format!("would close a cycle: {}", names.join(" → "))));
            }
            None => edges.push((module.id, *p)),
        }
    }
    problems
}
