//! What travels on the segment sync queue, and the sender every writer of workers and segments uses.

use crate::TenantId;
use crate::queue::{Queue, QueueError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Worker ids per message: well under SQS's 256 KiB.
pub const IDS_PER_MESSAGE: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Message {
    /// Run (or go on with) a sync job; the job's checkpoint says where.
    Sync { tenant_id: Uuid, segment_id: Uuid, job_id: Uuid },
    /// These workers were created, changed or deleted: re-evaluate them against every segment.
    WorkersChanged { tenant_id: Uuid, worker_ids: Vec<Uuid> },
    /// A deleted segment's memberships and jobs to clear.
    Purge { tenant_id: Uuid, segment_id: Uuid },
    /// The schedule's tick (EventBridge, or the dev server): re-sync every time-relative segment.
    Schedule,
}

/// The segment sync queue, as a sender.
#[derive(Clone, Debug)]
pub struct SegmentQueue(pub Queue);

impl SegmentQueue {
    pub async fn send(&self, message: &Message) -> Result<(), QueueError> {
        self.0.send(message).await
    }

    /// Asks for these workers to be re-evaluated, in as many messages as it takes.
    pub async fn workers_changed(&self, tenant: &TenantId, ids: &[Uuid]) -> Result<(), QueueError> {
        for chunk in ids.chunks(IDS_PER_MESSAGE) {
            let message = Message::WorkersChanged { tenant_id: tenant.as_uuid(), worker_ids: chunk.to_vec() };
            self.send(&message).await?;
        }
        Ok(())
    }

    /// As [`Self::workers_changed`], logging instead of failing: the worker write it follows has landed,
    /// and a scheduled or manual sync repairs what a lost message leaves behind.
    pub async fn notify_workers(&self, tenant: &TenantId, ids: &[Uuid]) {
        if let Err(e) = self.workers_changed(tenant, ids).await {
            tracing::error!(error = %e, workers = ids.len(), "could not queue the segment re-evaluation of changed workers");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_stable_wire_form() {
        let m = Message::Sync { tenant_id: Uuid::nil(), segment_id: Uuid::nil(), job_id: Uuid::nil() };
        let text = serde_json::to_value(&m).unwrap();
        assert_eq!(text["kind"], "sync");
        assert!(text.get("segmentId").is_some());
        // The EventBridge target's fixed input.
        assert_eq!(serde_json::from_str::<Message>(r#"{"kind":"schedule"}"#).unwrap(), Message::Schedule);
        let changed: Message = serde_json::from_str(&format!(
            r#"{{"kind":"workersChanged","tenantId":"{}","workerIds":[]}}"#,
            Uuid::nil()
        ))
        .unwrap();
        assert!(matches!(changed, Message::WorkersChanged { .. }));
    }
}
