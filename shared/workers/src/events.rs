//! What the workers domain tells others: "these workers were created, changed or deleted". Segments (and
//! later journeys) implement [`WorkersChanged`]; the workers crate knows only this port, so the dependency
//! points from them to workers and never back.

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::queue::QueueError;
use std::sync::Arc;
use uuid::Uuid;

/// A listener for changed workers; sending must be at-least-once (a queue), listeners dedupe.
pub trait WorkersChanged: Send + Sync + 'static {
    fn workers_changed<'a>(&'a self, tenant: &'a TenantId, ids: &'a [Uuid]) -> BoxFuture<'a, Result<(), QueueError>>;
}

/// The listeners a workers writer tells, cheap to clone into a router or a consumer.
#[derive(Clone, Default)]
pub struct WorkerEvents(Vec<Arc<dyn WorkersChanged>>);

impl std::fmt::Debug for WorkerEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("WorkerEvents").field(&self.0.len()).finish()
    }
}

impl WorkerEvents {
    pub fn to(listener: impl WorkersChanged) -> Self {
        Self(vec![Arc::new(listener)])
    }

    /// Tells every listener; the first failure is returned (the caller retries the whole message).
    pub async fn changed(&self, tenant: &TenantId, ids: &[Uuid]) -> Result<(), QueueError> {
        if ids.is_empty() {
            return Ok(());
        }
        for listener in &self.0 {
            listener.workers_changed(tenant, ids).await?;
        }
        Ok(())
    }

    /// As [`Self::changed`], logging instead of failing: the worker write it follows has landed, and a
    /// scheduled or manual sync repairs what a lost message leaves behind.
    pub async fn notify(&self, tenant: &TenantId, ids: &[Uuid]) {
        if let Err(e) = self.changed(tenant, ids).await {
            tracing::error!(error = %e, workers = ids.len(), "could not announce changed workers");
        }
    }
}
