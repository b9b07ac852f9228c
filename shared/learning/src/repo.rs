//! The table for authoring: modules, their sections and changelog, categories and the prerequisite graph's
//! guard. Knows no HTTP; the layout is in [`crate::keys`].

use crate::keys;
use crate::model::{Category, ChangeLogEntry, Module, Section};
use nudge_core::TenantId;
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MODULE_EXISTS: &str = "module exists";

pub fn put_module(tenant: &TenantId, m: &Module) -> Result<Put, StoreError> {
    Put::new(&keys::module(tenant, m.id), "Module", m)
}

pub async fn get_module(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Module>, StoreError> {
    store.get(&keys::module(tenant, id)).await
}

/// Every module of the tenant (the prerequisite graph is read whole: a tenant has hundreds, not millions).
pub async fn all_modules(store: &Store, tenant: &TenantId) -> Result<Vec<Module>, StoreError> {
    store.all(&Query::partition(keys::modules_partition(tenant)).consistent()).await
}

pub fn put_section(tenant: &TenantId, s: &Section) -> Result<Put, StoreError> {
    Put::new(&keys::section(tenant, s.module_id, s.id), "Section", s)
}

/// A module's sections in their order.
pub async fn sections(store: &Store, tenant: &TenantId, module: Uuid) -> Result<Vec<Section>, StoreError> {
    let query =
        Query { sort_prefix: Some("SECTION#".into()), ..Query::partition(keys::module_partition(tenant, module)) }
            .consistent();
    let mut sections: Vec<Section> = store.all(&query).await?;
    sections.sort_by_key(|s| s.sort_order);
    Ok(sections)
}

pub fn put_changelog(tenant: &TenantId, e: &ChangeLogEntry) -> Result<Put, StoreError> {
    Put::new(&keys::changelog(tenant, e.module_id, e.version), "ModuleChangeLog", e)
}

/// A module's changelog, newest first.
pub async fn changelog(store: &Store, tenant: &TenantId, module: Uuid) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let query =
        Query { sort_prefix: Some("CHANGELOG#".into()), ..Query::partition(keys::module_partition(tenant, module)) }
            .newest_first();
    store.all(&query).await
}

pub fn put_category(tenant: &TenantId, c: &Category) -> Result<Put, StoreError> {
    Put::new(&keys::category(tenant, c.id), "ModuleCategory", c)
}

pub async fn get_category(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<Category>, StoreError> {
    store.get(&keys::category(tenant, id)).await
}

pub async fn categories(store: &Store, tenant: &TenantId) -> Result<Vec<Category>, StoreError> {
    let mut all: Vec<Category> = store.all(&Query::partition(keys::categories_partition(tenant))).await?;
    all.sort_by(|a, b| a.sort_order.cmp(&b.sort_order).then_with(|| a.name.cmp(&b.name)));
    Ok(all)
}

/// The prerequisite graph's guard: its version moves with every change of a module's prerequisites.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Graph {
    #[serde(default)]
    pub version: u64,
}

pub async fn graph(store: &Store, tenant: &TenantId) -> Result<Graph, StoreError> {
    Ok(store.get(&keys::graph(tenant)).await?.unwrap_or_default())
}

/// The write that moves the guard from `read` (0: never written), for the transaction that changes edges.
pub fn bump_graph(tenant: &TenantId, read: &Graph) -> Result<Write, StoreError> {
    let next = Graph { version: read.version + 1 };
    Ok(Write::versioned(Put::new(&keys::graph(tenant), "ModuleGraph", &next)?, read.version))
}

pub fn put_quiz(tenant: &TenantId, q: &crate::quiz::Quiz) -> Result<Put, StoreError> {
    Put::new(&keys::quiz(tenant, q.module_id, q.id), "Quiz", q)
}

pub async fn get_quiz(
    store: &Store,
    tenant: &TenantId,
    module: Uuid,
    id: Uuid,
) -> Result<Option<crate::quiz::Quiz>, StoreError> {
    store.get(&keys::quiz(tenant, module, id)).await
}

/// A module's quizzes.
pub async fn quizzes(store: &Store, tenant: &TenantId, module: Uuid) -> Result<Vec<crate::quiz::Quiz>, StoreError> {
    let query = Query { sort_prefix: Some("QUIZ#".into()), ..Query::partition(keys::module_partition(tenant, module)) }
        .consistent();
    store.all(&query).await
}
