//! Module categories (seed 002 ModuleCategory: a name and a place in the list).

use super::AuthoringError;
use crate::model::Category;
use crate::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Store, Write};
use uuid::Uuid;

pub struct Catalogue<'a> {
    pub store: &'a Store,
}

impl Catalogue<'_> {
    pub(crate) async fn create_category(
        &self,
        tenant: &TenantId,
        name: String,
        sort_order: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Category, AuthoringError> {
        let order = match sort_order {
            Some(o) => o,
            None => repo::categories(self.store, tenant).await?.iter().map(|c| c.sort_order + 1).max().unwrap_or(1),
        };
        let c = Category { id: Uuid::now_v7(), name, sort_order: order, created_at: now, updated_at: now, version: 1 };
        self.store.write(Write::create(repo::put_category(tenant, &c)?, "category exists")).await?;
        Ok(c)
    }

    pub(crate) async fn update_category(
        &self,
        tenant: &TenantId,
        id: Uuid,
        name: Option<String>,
        sort_order: Option<u32>,
        if_match: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Category, AuthoringError> {
        let current = repo::get_category(self.store, tenant, id).await?.ok_or(AuthoringError::NotFound)?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(AuthoringError::VersionMoved);
        }
        let next = Category {
            name: name.unwrap_or_else(|| current.name.clone()),
            sort_order: sort_order.unwrap_or(current.sort_order),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        self.store
            .write(Write::replace(repo::put_category(tenant, &next)?, current.version))
            .await
            .map_err(AuthoringError::settle)?;
        Ok(next)
    }
}
