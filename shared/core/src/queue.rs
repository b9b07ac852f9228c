//! SQS for the background functions: sending JSON messages, and consuming a batch so that only the records
//! that failed come back (partial batch failures; `ReportBatchItemFailures` in template.yaml).

use crate::tenancy::TenantId;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, thiserror::Error)]
#[error("sending to the queue failed: {0}")]
pub struct QueueError(String);

/// One queue to send to.
#[derive(Clone, Debug)]
pub struct Queue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

impl Queue {
    pub fn new(sqs: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { sqs, url: url.into() }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends `message` for `tenant`: the tenant travels in the core's envelope beside the message's own
    /// fields, and the consumer gets it back from [`open`].
    pub async fn send_for<T: Serialize>(&self, tenant: &TenantId, message: &T) -> Result<(), QueueError> {
        self.send_body(Queue::body(Some(tenant), message)?).await
    }

    /// Sends many messages for `tenant`, ten per call (SendMessageBatch); an entry SQS refuses fails the
    /// whole send, so the caller retries it (consumers absorb the duplicates).
    pub async fn send_all_for<T: Serialize>(&self, tenant: &TenantId, messages: &[T]) -> Result<(), QueueError> {
        let bodies = messages.iter().map(|m| Queue::body(Some(tenant), m)).collect::<Result<Vec<_>, _>>()?;
        self.send_bodies(bodies).await
    }

    /// Sends bodies made by [`Queue::body`], ten per SendMessageBatch.
    pub(crate) async fn send_bodies(&self, bodies: Vec<String>) -> Result<(), QueueError> {
        use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
        for chunk in bodies.chunks(10) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, body) in chunk.iter().enumerate() {
                let entry = SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body.clone())
                    .build()
                    .map_err(|e| QueueError(e.to_string()))?;
                entries.push(entry);
            }
            crate::store::calls::record();
            let out = self
                .sqs
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| QueueError(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
            if let Some(failed) = out.failed.first() {
                return Err(QueueError(format!("SQS refused a batch entry: {}", failed.code)));
            }
        }
        Ok(())
    }

    /// Sends a message that belongs to no tenant (a schedule's tick, a platform sweep).
    pub async fn send<T: Serialize>(&self, message: &T) -> Result<(), QueueError> {
        self.send_body(Queue::body(None, message)?).await
    }

    /// The body [`Queue::send_for`] (`Some` tenant) or [`Queue::send`] would send, for a message that is
    /// sent later (an outbox entry).
    pub(crate) fn body<T: Serialize>(tenant: Option<&TenantId>, message: &T) -> Result<String, QueueError> {
        let envelope = Envelope { tenant_id: tenant.map(TenantId::as_uuid), body: message };
        serde_json::to_string(&envelope).map_err(|e| QueueError(e.to_string()))
    }

    /// Sends a body made by [`Queue::body`].
    pub(crate) async fn send_body(&self, body: String) -> Result<(), QueueError> {
        crate::store::calls::record();
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| QueueError(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

/// What travels on every queue: the message's own fields, and `tenantId` when the work is a tenant's. Only
/// [`Queue::send_for`] writes the tenant and only [`open`] reads it, so a consumer's [`TenantId`] comes from
/// the core (as an S3 key's does from `ObjectKey::parse`), never from a domain's own parsing.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tenant_id: Option<uuid::Uuid>,
    #[serde(flatten)]
    body: T,
}

/// A message body as a consumer receives it: the tenant it was sent for (if any) and the message.
pub fn open<T: DeserializeOwned>(body: &str) -> Result<(Option<TenantId>, T), serde_json::Error> {
    let envelope: Envelope<T> = serde_json::from_str(body)?;
    Ok((envelope.tenant_id.map(TenantId::new), envelope.body))
}

/// When the invocation must have finished: Lambda's deadline, or the dev server's stand-in for it.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(budget: Duration) -> Self {
        Self(Instant::now() + budget)
    }

    /// From the Lambda context's deadline (wall-clock).
    pub fn at(when: SystemTime) -> Self {
        let left = when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
        Self::after(left)
    }

    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

/// Runs `handle` on each record in turn and reports the ones that failed, so SQS redelivers only those (and,
/// past `maxReceiveCount`, moves them to the DLQ). A record's error is logged with its message id.
pub async fn each_record<F, Fut, E>(event: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: FnMut(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    records(event, None, handle).await
}

/// [`each_record`] within an invocation's time: a record whose turn comes with less than `margin` left is
/// not started but reported for redelivery, so one slow message costs the batch's later messages a
/// retry, never a timeout that fails them all (again and again, into the DLQ).
pub async fn each_record_before<F, Fut, E>(
    event: SqsEvent,
    deadline: Deadline,
    margin: Duration,
    handle: F,
) -> SqsBatchResponse
where
    F: FnMut(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    records(event, Some((deadline, margin)), handle).await
}

/// The loop of both: each record in turn, unless `time` says too little is left to start it.
async fn records<F, Fut, E>(event: SqsEvent, time: Option<(Deadline, Duration)>, mut handle: F) -> SqsBatchResponse
where
    F: FnMut(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        if time.is_some_and(|(deadline, margin)| deadline.remaining() < margin) {
            tracing::warn!(message_id = %id, "too little time left to start it; it will be retried");
            response.add_failure(id);
            continue;
        }
        if let Err(err) = handle(record).await {
            tracing::error!(message_id = %id, error = %err, "message failed; it will be retried");
            response.add_failure(id);
        }
    }
    response
}

/// A queue consumer as a function's composition root builds it: one SQS batch and the invocation's deadline
/// in, the records to retry out. `main.rs` runs it on Lambda ([`run`]); the local cloud polls the queue
/// into the same value.
pub type Consumer = std::sync::Arc<
    dyn Fn(SqsEvent, Deadline) -> std::pin::Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>> + Send + Sync,
>;

/// A resumable job (see [`crate::jobs`]) as a consumer.
pub fn job<J: crate::jobs::Job + 'static>(job: J) -> Consumer {
    let job = std::sync::Arc::new(job);
    std::sync::Arc::new(move |event, deadline| {
        let job = job.clone();
        Box::pin(async move { crate::jobs::consume(job.as_ref(), event, deadline).await })
    })
}

/// Runs a composed consumer on the Lambda runtime.
pub async fn run(consumer: Consumer) -> Result<(), lambda_runtime::Error> {
    run_consumer(|event, deadline| consumer(event, deadline)).await
}

/// Runs a queue consumer on the Lambda runtime; `handle` gets the batch and the invocation's deadline.
pub async fn run_consumer<F, Fut>(handle: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(SqsEvent, Deadline) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    lambda_runtime::run(lambda_runtime::service_fn(|event: lambda_runtime::LambdaEvent<SqsEvent>| {
        let deadline = Deadline::at(event.context.deadline());
        let out = handle(event.payload, deadline);
        async move { Ok::<_, lambda_runtime::Error>(out.await) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ids: &[&str]) -> SqsEvent {
        let records: Vec<_> =
            ids.iter().map(|id| serde_json::json!({"messageId": id, "body": id, "attributes": {}})).collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    #[tokio::test]
    async fn records_without_time_left_are_not_started_but_retried() {
        let started = std::sync::Mutex::new(Vec::new());
        let deadline = Deadline::after(Duration::from_millis(300));
        let out = each_record_before(event(&["a", "b", "c"]), deadline, Duration::from_millis(200), |m| {
            started.lock().unwrap().push(m.body.clone().unwrap_or_default());
            async {
                tokio::time::sleep(Duration::from_millis(150)).await;
                Ok::<(), String>(())
            }
        })
        .await;
        assert_eq!(started.lock().unwrap().as_slice(), ["a"], "b's turn came with 150 ms left");
        let failed: Vec<_> = out.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        assert_eq!(failed, ["b", "c"]);
    }

    #[tokio::test]
    async fn only_failed_records_are_reported() {
        let out = each_record(event(&["a", "b", "c"]), |m| async move {
            if m.body.as_deref() == Some("b") { Err("boom") } else { Ok(()) }
        })
        .await;
        let failed: Vec<_> = out.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        assert_eq!(failed, ["b"]);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
    enum Work {
        Run { job_id: u32 },
        Tick,
    }

    #[test]
    fn the_envelope_carries_the_tenant_beside_the_message_fields() {
        let tenant = TenantId::new(uuid::Uuid::from_u128(7));
        let wire = serde_json::to_value(Envelope { tenant_id: Some(tenant.as_uuid()), body: &Work::Run { job_id: 3 } })
            .unwrap();
        assert_eq!(wire, serde_json::json!({"tenantId": tenant.to_string(), "kind": "run", "jobId": 3}));
        let (opened, work) = open::<Work>(&wire.to_string()).unwrap();
        assert_eq!((opened, work), (Some(tenant), Work::Run { job_id: 3 }));
        let (none, tick) = open::<Work>(r#"{"kind":"tick"}"#).unwrap();
        assert_eq!((none, tick), (None, Work::Tick));
        assert!(open::<Work>(r#"{"kind":"run","tenantId":"not a uuid","jobId":1}"#).is_err());
    }

    #[test]
    fn a_past_deadline_leaves_no_time() {
        assert_eq!(Deadline::at(SystemTime::now() - Duration::from_secs(5)).remaining(), Duration::ZERO);
        assert!(Deadline::after(Duration::from_secs(60)).remaining() > Duration::from_secs(59));
    }
}
