//! The engine: what moves enrolments through their journeys, on the journeys queue.
//!
//! - Every active enrolment that has a next step holds its `dueAt`, and a due marker (one item per
//!   enrolment and time, sharded 16 ways) says so; [`due::tick`] (an EventBridge schedule every minute; the
//!   dev server and the tests send it too) reads the markers due by now, hands them over in `Advance`
//!   messages of 25 and removes them; a shard with more than a page continues in a `Sweep` message.
//! - [`step`] advances one enrolment as far as it can go now, in one transaction conditioned on the
//!   enrolment's version: its new place and due time, its new marker, the progress it made, the counters,
//!   and at most one send (written by `nudge_notifications::send::direct` into the same transaction, under a
//!   request id derived from (enrolment, touchpoint)). So at-least-once and out-of-order messages never
//!   send twice or skip: a duplicate finds the version moved, or nothing due yet.
//! - Sends go through the notifications path: consent, quiet hours, the daily cap, WhatsApp's window and the
//!   send rates apply there, once, for every domain.
//! - [`enrol`] puts workers in a program a page at a time (named workers, or a segment's members) under an
//!   enrolment job with a checkpoint; [`live`] keeps a live segment's program in step with the segment.
//!
//! Pausing: a paused enrolment or program sends nothing and no wait times out meanwhile (a marker that comes
//! due finds it paused and is dropped). Resuming puts the enrolment (or every enrolment of the program)
//! back on the schedule at its due time, or now if that passed: what came due meanwhile goes out then,
//! with gates and exit rules read afresh; a wait whose timeout passed during the pause takes its
//! `onTimeout` at once.

pub mod due;
pub mod enrol;
pub mod live;
mod place;
pub mod send;
pub mod step;

use crate::error::JourneyError;
use chrono::{DateTime, Utc};
use nudge_content::snapshots::Snapshots;
use nudge_core::TenantId;
use nudge_core::clock::Clock;
use nudge_core::crypto::DataKey;
use nudge_core::jobs::{Job, Outcome};
use nudge_core::queue::{Deadline, Queue};
use nudge_core::store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An enrolment, by its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolmentRef {
    pub program_id: Uuid,
    pub worker_id: Uuid,
}

/// Everything on the journeys queue (its JSON is the queue's contract).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Message {
    /// Every minute (no tenant): hand over what is due, and look at live segments.
    Tick,
    /// One shard's due markers, continued (no tenant).
    Sweep { shard: u32 },
    /// Advance these enrolments (the tenant in the envelope).
    Advance { enrolments: Vec<EnrolmentRef> },
    /// Run an enrolment job from its checkpoint.
    Enrol { program_id: Uuid, job_id: Uuid },
    /// Put a resumed program's enrolments back on the schedule, a page at a time.
    Resume {
        program_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cursor: Option<String>,
    },
    /// Withdraw every enrolment of a program still running, a page at a time.
    WithdrawAll {
        program_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cursor: Option<String>,
    },
    /// Bring a live segment's program in step with the segment's members.
    Reconcile {
        program_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<live::Stage>,
    },
}

/// What the engine needs: the table, its own queue, the notifications queue (sends' `Deliver`
/// messages), the key that signs the workers' links and where those links lead.
#[derive(Clone)]
pub struct Engine {
    pub store: Store,
    pub queue: Queue,
    pub notifications: Queue,
    pub key: DataKey,
    pub snapshots: Snapshots,
    /// The public base URL of the worker's page (`<base>/t/<token>`).
    pub page_url: String,
    pub clock: Clock,
}

fn tenant_of(tenant: Option<TenantId>) -> Result<TenantId, JourneyError> {
    tenant.ok_or_else(|| JourneyError::Conflict("a journeys message names no tenant".into()))
}

impl Engine {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// The journeys queue's one job.
pub struct JourneyJob(pub Engine);

impl Job for JourneyJob {
    const NAME: &'static str = "journey";
    type Message = Message;
    type Error = JourneyError;

    async fn run(
        &self,
        tenant: Option<TenantId>,
        message: &Message,
        deadline: Deadline,
    ) -> Result<Outcome<Message>, JourneyError> {
        let engine = &self.0;
        match message {
            Message::Tick => {
                let handed = due::tick(engine).await?;
                let live = live::tick(engine).await?;
                tracing::info!(handed, live, "journey tick");
                Ok(Outcome::Settled)
            }
            Message::Sweep { shard } => due::sweep(engine, *shard).await.map(|_| Outcome::Settled),
            Message::Advance { enrolments } => {
                step::Stepper::new(engine, tenant_of(tenant)?).advance_all(enrolments).await?;
                Ok(Outcome::Settled)
            }
            Message::Enrol { program_id, job_id } => {
                enrol::run(engine, &tenant_of(tenant)?, *program_id, *job_id, deadline).await
            }
            Message::Resume { program_id, cursor } => {
                step::resume_all(engine, &tenant_of(tenant)?, *program_id, cursor.clone(), deadline).await
            }
            Message::WithdrawAll { program_id, cursor } => {
                step::withdraw_all(engine, &tenant_of(tenant)?, *program_id, cursor.clone(), deadline).await
            }
            Message::Reconcile { program_id, stage } => {
                live::reconcile(engine, &tenant_of(tenant)?, *program_id, stage.clone(), deadline).await
            }
        }
    }

    async fn give_up(&self, tenant: Option<TenantId>, message: &Message, reason: String) -> Result<(), JourneyError> {
        match (message, tenant) {
            (Message::Enrol { program_id, job_id }, Some(t)) => {
                enrol::fail(&self.0, &t, *program_id, *job_id, &reason).await
            }
            (other, _) => {
                tracing::error!(message = ?std::mem::discriminant(other), reason = %reason, "journey message given up");
                Ok(())
            }
        }
    }

    /// A step that kept failing goes to the dead-letter queue: redriven, it advances the enrolments then.
    fn dead_letters(&self, message: &Message) -> bool {
        matches!(message, Message::Advance { .. })
    }

    fn continuations(&self) -> &Queue {
        &self.0.queue
    }

    fn store(&self) -> &Store {
        &self.0.store
    }
}
