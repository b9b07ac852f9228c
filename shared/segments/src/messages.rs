//! What travels on the segment sync queue, and the sender every writer of workers and segments uses. The
//! tenant of a message travels in the core's envelope (`Queue::send_for`), beside these fields.

use futures_util::future::BoxFuture;
use nudge_core::TenantId;
use nudge_core::outbox::{OutboxError, Posted};
use nudge_core::queue::{Queue, QueueError};
use nudge_core::store::Write;
use nudge_workers::WorkersChanged;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Worker ids per message: well under SQS's 256 KiB.
const IDS_PER_MESSAGE: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Message {
    /// Run (or go on with) a sync job; the job's checkpoint says where.
    Sync { segment_id: Uuid, job_id: Uuid },
    /// These workers were created, changed or deleted: re-evaluate them against every segment.
    WorkersChanged { worker_ids: Vec<Uuid> },
    /// A deleted segment's memberships and jobs to clear.
    Purge { segment_id: Uuid },
    /// The schedule's tick (EventBridge, or the dev server): re-sync every time-relative segment.
    Schedule,
}

/// The segment sync queue, as a sender.
#[derive(Clone, Debug)]
pub struct SegmentQueue(pub Queue);

impl SegmentQueue {
    /// A tenant's work: syncs, purges, re-evaluations.
    pub async fn send_for(&self, tenant: &TenantId, message: &Message) -> Result<(), QueueError> {
        self.0.send_for(tenant, message).await
    }

    /// `message` as an outbox entry, for the transaction of the write that calls for it.
    pub(crate) fn post_for(
        &self,
        tenant: &TenantId,
        message: &Message,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Write, Posted), OutboxError> {
        self.0.post_for(tenant, message, at)
    }

    /// The schedule's tick (EventBridge sends the same body).
    pub async fn tick(&self) -> Result<(), QueueError> {
        self.0.send(&Message::Schedule).await
    }

    /// Asks for these workers to be re-evaluated, in as many messages as it takes.
    pub async fn workers_changed(&self, tenant: &TenantId, ids: &[Uuid]) -> Result<(), QueueError> {
        for chunk in ids.chunks(IDS_PER_MESSAGE) {
            self.send_for(tenant, &Message::WorkersChanged { worker_ids: chunk.to_vec() }).await?;
        }
        Ok(())
    }
}

/// Segments hear of changed workers through the workers' port: a re-evaluation message per thousand.
impl WorkersChanged for SegmentQueue {
    fn workers_changed<'a>(&'a self, tenant: &'a TenantId, ids: &'a [Uuid]) -> BoxFuture<'a, Result<(), QueueError>> {
        Box::pin(SegmentQueue::workers_changed(self, tenant, ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_stable_wire_form() {
        let m = Message::Sync { segment_id: Uuid::nil(), job_id: Uuid::nil() };
        let text = serde_json::to_value(&m).unwrap();
        assert_eq!(text["kind"], "sync");
        assert!(text.get("segmentId").is_some());
        // The EventBridge target's fixed input.
        assert_eq!(serde_json::from_str::<Message>(r#"{"kind":"schedule"}"#).unwrap(), Message::Schedule);
        // The tenant is the envelope's, beside the message's fields.
        let (tenant, changed) = nudge_core::queue::open::<Message>(&format!(
            r#"{{"kind":"workersChanged","tenantId":"{}","workerIds":[]}}"#,
            Uuid::nil()
        ))
        .unwrap();
        assert_eq!(tenant.map(|t| t.as_uuid()), Some(Uuid::nil()));
        assert!(matches!(changed, Message::WorkersChanged { .. }));
    }
}
