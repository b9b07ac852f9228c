//! For the functions that call an external system (the notifications' WhatsApp channel): the tenant's
//! active integration of a type, with its config's secrets opened. Never for an API response.

use crate::error::IntegrationError;
use crate::input::Filter;
use crate::model::{Integration, IntegrationStatus, IntegrationType};
use crate::secrets::{self, Scope};
use nudge_core::TenantId;
use nudge_core::crypto::DataKey;
use nudge_core::store::Store;
use nudge_core::values::Parse;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Why an integration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("`{0}` is not an integration type")]
    BadType(String),
    #[error("the integration's secrets do not open: {0}")]
    Sealed(String),
    #[error("{0}")]
    Store(String),
}

impl From<IntegrationError> for ConnectError {
    fn from(e: IntegrationError) -> Self {
        Self::Store(e.to_string())
    }
}

/// An active integration's id and opened config.
#[derive(Clone, Debug)]
pub struct Connection {
    pub id: Uuid,
    pub config: Map<String, Value>,
}

/// The oldest active integration of `kind` in the tenant, if any, with its secrets opened.
pub async fn active(
    store: &Store,
    key: &DataKey,
    tenant: &TenantId,
    kind: &str,
) -> Result<Option<Connection>, ConnectError> {
    let kind = IntegrationType::parse(kind).map_err(|_| ConnectError::BadType(kind.to_owned()))?;
    let filter = Filter::StatusAndType(IntegrationStatus::Active, kind);
    let page = crate::repo::list(store, "connect", tenant, &filter, 1, None).await?;
    let Some(Integration { id, fields, .. }) = page.items.into_iter().next() else { return Ok(None) };
    let config =
        secrets::open(&fields.config, key, &Scope::new(tenant, id)).map_err(|e| ConnectError::Sealed(e.to_string()))?;
    Ok(Some(Connection { id, config }))
}

/// The integration a provider's callback names by id (its webhook URL), with its tenant and its config's
/// secrets opened, and whether it is active; `None` when there is no such integration or it is not of
/// `kind`. Its status is the caller's to judge (an inactive one still hears about messages it sent).
pub async fn by_id(
    store: &Store,
    key: &DataKey,
    id: Uuid,
    kind: &str,
) -> Result<Option<(TenantId, Connection, bool)>, ConnectError> {
    let kind = IntegrationType::parse(kind).map_err(|_| ConnectError::BadType(kind.to_owned()))?;
    let Some(tenant) = crate::repo::tenant_of(store, id).await? else { return Ok(None) };
    let Some(Integration { fields, .. }) = crate::repo::get(store, &tenant, id).await? else { return Ok(None) };
    if fields.kind != kind {
        return Ok(None);
    }
    let config = secrets::open(&fields.config, key, &Scope::new(&tenant, id))
        .map_err(|e| ConnectError::Sealed(e.to_string()))?;
    Ok(Some((tenant, Connection { id, config }, fields.status == IntegrationStatus::Active)))
}
