//! Resumable background jobs on a queue: imports, exports, segment syncs, and the journeys and sends to
//! come. A job is a name, what it needs (its own struct), and `run`, which does as much as the invocation's
//! deadline allows and says whether to go on. What every job shares is here, once:
//!
//! - a message's tenant comes from the core's envelope ([`crate::queue::open`]), never from the body;
//! - a run that stops early names the message to continue with, which is sent for the same tenant only
//!   after the run returned (so after its checkpoint was saved: a lost send leaves the message to be
//!   redelivered, and the run resumes from the same checkpoint);
//! - a message failing on its queue's last receive (`maxReceiveCount`, 5 in template.yaml) gives up: the
//!   job records itself failed with the reason, instead of staying `processing` while SQS moves the
//!   message to the dead-letter queue; a job that [`Job::dead_letters`] the message still lets it go
//!   there after, to be redriven;
//! - a batch reports only the messages that failed (partial batch failures);
//! - a tenant's job stops when the tenant is not served (suspended or deleted, see [`crate::standing`]):
//!   its message gives up at once, with the standing as the reason, and is not retried.
//!
//! Checkpoints, leases and redelivery-safe resumption are each job's, next to its record: their shape is
//! what differs between jobs.

use crate::TenantId;
use crate::queue::{self, Deadline, Queue};
use crate::standing::{self, Standing};
use crate::store::{Store, StoreError};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Display;
use std::future::Future;

/// Receives of one message before SQS moves it to the dead-letter queue (template.yaml's
/// `maxReceiveCount`).
pub const MAX_RECEIVES: u32 = 5;

/// Where a job is: every background job's record carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting: for its upload, or queued.
    Pending,
    Processing,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

/// How a run ended.
#[derive(Debug, PartialEq)]
pub enum Outcome<M> {
    /// Finished, or nothing to do (a duplicate, a finished job, another run holds it).
    Settled,
    /// Stopped before the deadline with its checkpoint saved: go on with this message.
    Continue(M),
}

/// One kind of background work consumed from a queue.
pub trait Job: Send + Sync {
    /// The job's name in logs and in the failure it records.
    const NAME: &'static str;
    type Message: Serialize + DeserializeOwned + Send + Sync;
    type Error: Display + Send;

    /// Reads a message body: by default the core's envelope around [`Self::Message`].
    fn read(&self, body: &str) -> Result<(Option<TenantId>, Self::Message), String> {
        queue::open(body).map_err(|e| format!("unreadable {} message: {e}", Self::NAME))
    }

    /// Does as much of the work as `deadline` allows.
    fn run(
        &self,
        tenant: Option<TenantId>,
        message: &Self::Message,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Outcome<Self::Message>, Self::Error>> + Send;

    /// The message failed on its last receive: record the job as failed with `reason`.
    fn give_up(
        &self,
        tenant: Option<TenantId>,
        message: &Self::Message,
        reason: String,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Whether a message given up on its last receive still goes on to the dead-letter queue (after
    /// `give_up` recorded the failure), so it can be redriven once its cause is gone (a provider outage);
    /// by default it is settled: the job's record says what happened.
    fn dead_letters(&self, _message: &Self::Message) -> bool {
        false
    }

    /// The queue continuations go to: the one the job is consumed from.
    fn continuations(&self) -> &Queue;

    /// The table, where the tenant's standing is read before each run.
    fn store(&self) -> &Store;

    /// Whether the tenant is served (read before each run of a tenant's message).
    fn standing(&self, tenant: &TenantId) -> impl Future<Output = Result<Standing, StoreError>> + Send {
        standing::load(self.store(), tenant)
    }
}

/// How many times SQS has delivered `message` (1 the first time).
pub fn receive_count(message: &SqsMessage) -> u32 {
    message.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1)
}

/// Handles one record of a batch: read, run, continue or give up.
pub async fn handle<J: Job>(job: &J, record: SqsMessage, deadline: Deadline) -> Result<(), String> {
    let receives = receive_count(&record);
    let body = record.body.unwrap_or_default();
    let (tenant, message) = job.read(&body)?;
    if let Some(t) = &tenant {
        let standing = job.standing(t).await.map_err(|e| e.to_string())?;
        if !standing.is_served() {
            tracing::warn!(job = J::NAME, tenant_id = %t, "the tenant is not served; the job stops");
            return job.give_up(tenant, &message, standing.refusal().to_owned()).await.map_err(|e| e.to_string());
        }
    }
    match job.run(tenant, &message, deadline).await {
        Ok(Outcome::Settled) => Ok(()),
        Ok(Outcome::Continue(next)) => {
            let sent = match &tenant {
                Some(t) => job.continuations().send_for(t, &next).await,
                None => job.continuations().send(&next).await,
            };
            sent.map_err(|e| e.to_string())?;
            tracing::info!(job = J::NAME, "continues in a new message");
            Ok(())
        }
        Err(err) if receives >= MAX_RECEIVES => {
            tracing::error!(job = J::NAME, receives, error = %err, "failed on its last receive; giving up");
            let reason = format!("the {} failed {receives} times: {err}", J::NAME);
            job.give_up(tenant, &message, reason.clone()).await.map_err(|e| e.to_string())?;
            // Failing it once more is what moves it to the dead-letter queue.
            if job.dead_letters(&message) { Err(format!("left to the dead-letter queue: {reason}")) } else { Ok(()) }
        }
        Err(err) => Err(err.to_string()),
    }
}

/// One SQS batch: each record handled in turn, the failed ones reported so only they come back.
pub async fn consume<J: Job>(job: &J, event: SqsEvent, deadline: Deadline) -> SqsBatchResponse {
    // Boxed: job futures are deep, and an unboxed one can outgrow the compiler's layout limit.
    queue::each_record(event, |record| Box::pin(handle(job, record, deadline))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::sync::Mutex;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Step {
        n: u32,
    }

    /// Fails while `fail` is set; otherwise continues until step 2; records what it gave up.
    struct Counting {
        fail: bool,
        seen: Mutex<Vec<(Option<TenantId>, u32)>>,
        gave_up: Mutex<Vec<String>>,
        queue: Queue,
        store: Store,
        standing: Standing,
        dead_letter: bool,
    }

    impl Job for Counting {
        const NAME: &'static str = "count";
        type Message = Step;
        type Error = String;

        async fn run(&self, tenant: Option<TenantId>, m: &Step, _: Deadline) -> Result<Outcome<Step>, String> {
            self.seen.lock().unwrap().push((tenant, m.n));
            if self.fail {
                return Err("boom".into());
            }
            Ok(if m.n < 2 { Outcome::Continue(Step { n: m.n + 1 }) } else { Outcome::Settled })
        }

        async fn give_up(&self, _: Option<TenantId>, _: &Step, reason: String) -> Result<(), String> {
            self.gave_up.lock().unwrap().push(reason);
            Ok(())
        }

        fn dead_letters(&self, _: &Step) -> bool {
            self.dead_letter
        }

        fn continuations(&self) -> &Queue {
            &self.queue
        }

        fn store(&self) -> &Store {
            &self.store
        }

        async fn standing(&self, _: &TenantId) -> Result<Standing, StoreError> {
            Ok(self.standing)
        }
    }

    fn job(fail: bool) -> Counting {
        let sdk = aws_types::SdkConfig::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-east-1"))
            .build();
        Counting {
            fail,
            seen: Mutex::default(),
            gave_up: Mutex::default(),
            queue: Queue::new(aws_sdk_sqs::Client::new(&sdk), "http://127.0.0.1:9/none"),
            store: Store::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                "none",
                crate::store::CursorCodec::new(b"k".to_vec()),
            ),
            standing: Standing::Active,
            dead_letter: false,
        }
    }

    fn record(body: &str, receives: u32) -> SqsMessage {
        serde_json::from_value(serde_json::json!({
            "messageId": "m1", "body": body, "attributes": {"ApproximateReceiveCount": receives.to_string()}
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn the_tenant_comes_from_the_envelope_and_a_finished_run_settles() {
        let j = job(false);
        let tenant = TenantId::new(uuid::Uuid::from_u128(5));
        let body = format!(r#"{{"tenantId":"{tenant}","n":2}}"#);
        handle(&j, record(&body, 1), Deadline::after(std::time::Duration::from_secs(5))).await.unwrap();
        assert_eq!(j.seen.lock().unwrap().as_slice(), [(Some(tenant), 2)]);
        assert!(handle(&j, record("not json", 1), Deadline::after(std::time::Duration::ZERO)).await.is_err());
    }

    #[tokio::test]
    async fn a_failure_is_retried_until_the_last_receive_then_gives_up() {
        let j = job(true);
        let deadline = Deadline::after(std::time::Duration::from_secs(5));
        assert_eq!(handle(&j, record(r#"{"n":1}"#, 1), deadline).await, Err("boom".into()));
        assert!(j.gave_up.lock().unwrap().is_empty());
        handle(&j, record(r#"{"n":1}"#, MAX_RECEIVES), deadline).await.unwrap();
        assert_eq!(j.gave_up.lock().unwrap().as_slice(), ["the count failed 5 times: boom"]);
        // A job that dead-letters its messages records the failure and lets SQS move the message on.
        let mut k = job(true);
        k.dead_letter = true;
        let last = handle(&k, record(r#"{"n":1}"#, MAX_RECEIVES), deadline).await;
        assert_eq!(last, Err("left to the dead-letter queue: the count failed 5 times: boom".into()));
        assert_eq!(k.gave_up.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_job_of_a_tenant_not_served_gives_up_at_once_without_running() {
        let mut j = job(false);
        j.standing = Standing::Suspended;
        let tenant = TenantId::new(uuid::Uuid::from_u128(5));
        let body = format!(r#"{{"tenantId":"{tenant}","n":1}}"#);
        handle(&j, record(&body, 1), Deadline::after(std::time::Duration::from_secs(5))).await.unwrap();
        assert!(j.seen.lock().unwrap().is_empty(), "it did not run");
        assert_eq!(j.gave_up.lock().unwrap().as_slice(), ["the organization is suspended"]);
    }
}
