//! A deleted worker's supervisees. The seed's supervisor relation has no cascade: like SET NULL, they keep
//! their place with no supervisor. A supervisor may have thousands of them, so the delete does not clear
//! them itself: its transaction puts an [`Unsupervise`] message in the outbox, and the workers' background
//! function (the imports queue's consumer) clears them a page at a time, continuing in a new message when
//! its invocation runs short. Each one is cleared under the version it was read at and only while it
//! still names the deleted supervisor, so a supervisee moved to someone else meanwhile keeps its new one,
//! and a redelivered message changes nothing twice.

use crate::accounts::Users;
use crate::error::WorkerError;
use crate::index::{Filter, plan};
use crate::service::{self, Updated};
use crate::{Worker, repo};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::outbox::{OutboxError, Posted};
use nudge_core::queue::Queue;
use nudge_core::store::{Store, Write};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Supervisees read per page.
const PAGE: u32 = 100;
/// Tries per supervisee whose version keeps moving.
const TRIES: usize = 5;

/// Clear the supervisor of every worker that reported to `supervisor_removed`, from `cursor` on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unsupervise {
    pub supervisor_removed: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The queue of the workers' background work, as the API holds it.
#[derive(Clone, Debug)]
pub struct WorkerJobs(pub Queue);

impl WorkerJobs {
    /// The clearing of `removed`'s supervisees, as an outbox entry for the delete's transaction.
    pub(crate) fn unsupervise(
        &self,
        tenant: &TenantId,
        removed: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(Write, Posted), OutboxError> {
        self.0.post_for(tenant, &Unsupervise { supervisor_removed: removed, cursor: None }, at)
    }
}

/// Clears one page of supervisees: answers the workers it changed, and the message for the rest (`None`
/// when this was the last page).
pub(crate) async fn clear_page(
    store: &Store,
    tenant: &TenantId,
    message: &Unsupervise,
) -> Result<(Vec<Uuid>, Option<Unsupervise>), WorkerError> {
    let supervised_by = plan(&Filter { supervisor_id: Some(message.supervisor_removed), ..Default::default() });
    let page = repo::list(store, "internal", tenant, &supervised_by, PAGE, message.cursor.as_deref()).await?;
    let mut cleared = Vec::new();
    for worker in page.items {
        let id = worker.id;
        if clear(store, tenant, worker, message.supervisor_removed).await? {
            cleared.push(id);
        }
    }
    let rest = page.next_cursor.map(|cursor| Unsupervise { cursor: Some(cursor), ..message.clone() });
    Ok((cleared, rest))
}

/// Clears `worker`'s supervisor if it still is `removed` (the index read may be stale); whether it did.
async fn clear(store: &Store, tenant: &TenantId, mut worker: Worker, removed: Uuid) -> Result<bool, WorkerError> {
    let patch = serde_json::json!({ "supervisorId": null });
    for _ in 0..TRIES {
        if worker.fields.supervisor_id != Some(removed) {
            return Ok(false);
        }
        // Clearing the supervisor leaves the worker's user link as it is: no account needs asking.
        match service::update(store, &Users::default(), tenant, worker.id, &patch, Some(worker.version), None).await {
            Ok(Updated::Changed(_)) => return Ok(true),
            Ok(_) | Err(WorkerError::NotFound) => return Ok(false),
            Err(WorkerError::VersionMoved) => match service::get(store, tenant, worker.id).await {
                Ok(fresh) => worker = fresh,
                Err(WorkerError::NotFound) => return Ok(false),
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Err(WorkerError::Store(nudge_core::store::StoreError::Contended))
}
