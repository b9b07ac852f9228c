//! The learning schedule: what time alone makes due, sent through the notifications path exactly once.
//!
//! - A certificate that expires holds a timer (set in the completion's own transaction) at its next
//!   reminder: MODULE_EXPIRING 90, 60, 30 and 7 days before expiry, then MODULE_EXPIRED (the ladder is
//!   [`crate::certificate::reminders`]). Each reminder is recorded on the certificate in the same
//!   transaction as its send, on the certificate's version: a redelivered check finds it sent.
//! - An expired certificate of a module that is mandatory for its holder opens a new round
//!   (recertification): sections, quizzes and completion start over, the due date counts from the expiry,
//!   and the quiz attempts of the new round are counted afresh.
//! - A learner with assigned modules that have deadlines holds a timer at their next reminder: one
//!   DEADLINE_REMINDER [`crate::deadline::REMINDER_LEAD_DAYS`] days before each due date, under a request
//!   id derived from (learner, module, due date), so it goes out once. Joining a group sets the member's
//!   timer; assigning a module sets the group's, which sets each member's.
//! - A live event holds timers at its announcement (created, moved, given new groups, cancelled) and a day
//!   before it starts: each member of its groups is told once per kind and start time.
//! - The tick (an EventBridge rule every hour onto the learning queue; the dev server and the tests send it
//!   too) hands the timers due by now over in `Check` messages and removes them ([`nudge_core::timers`]).
//!
//! Every check reads its subject afresh and decides what is due from what it reads, so a stale, repeated
//! or early timer changes nothing.

mod certificates;
mod deadlines;
mod events;
mod notice;
mod report;
mod sweep;

use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::clock::Clock;
use nudge_core::jobs::{Job, Outcome};
use nudge_core::queue::{Deadline, Queue, QueueError};
use nudge_core::store::{Store, StoreError, Write};
use nudge_core::timers::Timers;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The learning timers (`P#LEARNING-DUE#<shard>`).
pub const TIMERS: Timers = Timers::new("LEARNING", 8);

/// What a timer is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A certificate's expiry reminders.
    Certificate { user: Uuid, certificate: Uuid },
    /// A learner's deadline reminders.
    Learner(Uuid),
    /// A group whose members' deadlines changed (a module assigned).
    Group(Uuid),
    /// A live event to tell its groups' members of.
    LiveEvent(Uuid),
}

impl Subject {
    pub fn name(self) -> String {
        match self {
            Self::Certificate { user, certificate } => format!("CERT#{user}#{certificate}"),
            Self::Learner(user) => format!("LEARNER#{user}"),
            Self::Group(group) => format!("GROUP#{group}"),
            Self::LiveEvent(event) => format!("EVENT#{event}"),
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        let id = |s: &str| Uuid::parse_str(s).ok();
        let (kind, rest) = name.split_once('#')?;
        match kind {
            "CERT" => {
                let (user, certificate) = rest.split_once('#')?;
                Some(Self::Certificate { user: id(user)?, certificate: id(certificate)? })
            }
            "LEARNER" => Some(Self::Learner(id(rest)?)),
            "GROUP" => Some(Self::Group(id(rest)?)),
            "EVENT" => Some(Self::LiveEvent(id(rest)?)),
            _ => None,
        }
    }

    /// The write that sets this subject's timer at `at` (for the caller's transaction).
    pub fn at(self, tenant: &TenantId, at: DateTime<Utc>) -> Result<Write, StoreError> {
        TIMERS.set(tenant, &self.name(), at)
    }
}

/// Everything on the learning queue (its JSON is the queue's contract).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Message {
    /// The schedule's tick (no tenant): hand over the timers due by now.
    Tick,
    /// One shard's timers, continued (no tenant).
    Sweep { shard: u32 },
    /// Check these subjects (the tenant in the envelope).
    Check { subjects: Vec<String> },
    /// Make a learning report (the tenant in the envelope).
    Report { report_id: Uuid },
    /// Build a draft module from a document (the tenant in the envelope): [`crate::builder`].
    Build { build_id: Uuid },
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Notification(#[from] nudge_notifications::NotificationError),
    #[error("{0}")]
    Conflict(String),
}

impl From<crate::groups::GroupError> for ScheduleError {
    fn from(e: crate::groups::GroupError) -> Self {
        match e {
            crate::groups::GroupError::Store(e) => Self::Store(e),
            other => Self::Conflict(other.to_string()),
        }
    }
}

/// What the schedule needs: the table, its own queue, the notifications queue (the sends' `Deliver`
/// messages), the bucket (reports written, documents read), the module builder's language-model step and
/// the clock.
#[derive(Clone)]
pub struct Scheduler {
    pub store: Store,
    pub queue: Queue,
    pub notifications: Queue,
    pub objects: nudge_core::objects::Objects,
    pub structurer: std::sync::Arc<dyn crate::builder::Structurer>,
    pub clock: Clock,
}

/// The learning queue's one job.
pub struct LearningJob(pub Scheduler);

impl Job for LearningJob {
    const NAME: &'static str = "learning";
    type Message = Message;
    type Error = ScheduleError;

    async fn run(
        &self,
        tenant: Option<TenantId>,
        message: &Message,
        deadline: Deadline,
    ) -> Result<Outcome<Message>, ScheduleError> {
        let s = &self.0;
        match message {
            Message::Tick => {
                let handed = sweep::tick(s).await?;
                tracing::info!(handed, "learning tick");
            }
            Message::Sweep { shard } => {
                sweep::sweep(s, *shard).await?;
            }
            Message::Report { report_id } => {
                let tenant = tenant.ok_or_else(|| ScheduleError::Conflict("a report names no tenant".into()))?;
                report::make(s, &tenant, *report_id).await?;
            }
            Message::Build { build_id } => {
                let tenant = tenant.ok_or_else(|| ScheduleError::Conflict("a build names no tenant".into()))?;
                // A build that may not finish in what is left of this invocation goes on in the next one.
                if deadline.remaining() < crate::builder::job::time_needed(s) {
                    return Ok(Outcome::Continue(message.clone()));
                }
                crate::builder::job::run(s, &tenant, *build_id).await?;
            }
            Message::Check { subjects } => {
                let tenant = tenant.ok_or_else(|| ScheduleError::Conflict("a check names no tenant".into()))?;
                for name in subjects {
                    match Subject::parse(name) {
                        Some(Subject::Certificate { user, certificate }) => {
                            certificates::check(s, &tenant, user, certificate).await?
                        }
                        Some(Subject::Learner(user)) => deadlines::check_learner(s, &tenant, user).await?,
                        Some(Subject::Group(group)) => deadlines::check_group(s, &tenant, group).await?,
                        Some(Subject::LiveEvent(event)) => events::check(s, &tenant, event).await?,
                        None => tracing::warn!(subject = %name, "unknown learning timer subject"),
                    }
                }
            }
        }
        Ok(Outcome::Settled)
    }

    async fn give_up(&self, tenant: Option<TenantId>, message: &Message, reason: String) -> Result<(), ScheduleError> {
        if let (Message::Report { report_id }, Some(t)) = (message, &tenant) {
            return report::fail(&self.0, t, *report_id, &reason).await;
        }
        if let (Message::Build { build_id }, Some(t)) = (message, &tenant) {
            return crate::builder::job::fail(&self.0, t, *build_id, &reason).await;
        }
        tracing::error!(message = ?std::mem::discriminant(message), reason = %reason, "learning message given up");
        Ok(())
    }

    /// A check that kept failing goes to the dead-letter queue, to be redriven once its cause is gone.
    fn dead_letters(&self, message: &Message) -> bool {
        matches!(message, Message::Check { .. })
    }

    fn continuations(&self) -> &Queue {
        &self.0.queue
    }

    fn store(&self) -> &Store {
        &self.0.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_read_back_and_nothing_else_does() {
        let (u, c) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let all = [
            Subject::Certificate { user: u, certificate: c },
            Subject::Learner(u),
            Subject::Group(c),
            Subject::LiveEvent(c),
        ];
        for s in all {
            assert_eq!(Subject::parse(&s.name()), Some(s));
        }
        assert_eq!(Subject::Learner(u).name(), format!("LEARNER#{u}"));
        for bad in ["", "LEARNER", "LEARNER#x", "CERT#{u}", "OTHER#00000000-0000-0000-0000-000000000001"] {
            assert_eq!(Subject::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_queue_contract_reads_as_documented() {
        let tick: Message = serde_json::from_str(r#"{"type":"tick"}"#).unwrap();
        assert_eq!(tick, Message::Tick);
        let check = Message::Check { subjects: vec!["LEARNER#x".into()] };
        assert_eq!(serde_json::to_string(&check).unwrap(), r#"{"type":"check","subjects":["LEARNER#x"]}"#);
        let build = Message::Build { build_id: Uuid::from_u128(1) };
        assert_eq!(
            serde_json::to_string(&build).unwrap(),
            r#"{"type":"build","buildId":"00000000-0000-0000-0000-000000000001"}"#
        );
    }
}
