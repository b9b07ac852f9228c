//! Journeys, programs, enrolments and progress as stored and served (seed 003: JOURNEY_BLUEPRINT, PHASE,
//! TOUCHPOINT, PROGRAM, PROGRAM_BLUEPRINT, WORKER_ASSIGNMENT, WORKER_PROGRESS). Pure data; the key
//! layout is in [`crate::keys`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// How a touchpoint reaches a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TouchpointChannel {
    Whatsapp,
    Sms,
    Email,
}

impl TouchpointChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// TOUCHPOINT: one content item sent through a channel when its `ruleLogic` says so.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Touchpoint {
    pub id: Uuid,
    /// The PHASE it belongs to.
    #[serde(default)]
    pub phase_id: Uuid,
    /// A content item of this organization; publishing the journey needs it published.
    pub content_id: Uuid,
    pub channel: TouchpointChannel,
    /// An approved message template of the channel that carries the link (`{{link}}`, `{{title}}`): on
    /// WhatsApp the only way to reach a worker outside the 24-hour window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Uuid>,
    /// A running experiment whose variants' content (`variantDetails.contentId`) this touchpoint sends in
    /// place of `contentId`, each worker the content of their (sticky) variant; `contentId` goes to those
    /// who take no part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_id: Option<Uuid>,
    /// When and whether it is sent: see the `RuleLogic` description.
    #[schema(value_type = Object)]
    pub rule_logic: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// PHASE: touchpoints in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Phase {
    pub id: Uuid,
    /// The JOURNEY_BLUEPRINT it belongs to.
    #[serde(default)]
    pub journey_blueprint_id: Uuid,
    pub name: String,
    /// 1, 2, 3… in the journey's order (what a branch's `goTo` names).
    pub sequence_order: u32,
    pub touchpoints: Vec<Touchpoint>,
}

/// What a journey is made of: the draft's, and each published version's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Design {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub phases: Vec<Phase>,
    /// `{"rule": <segment rule>, "onDeactivation": true}`: a worker who matches the rule (or is
    /// deactivated) leaves the journey at their next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub exit_rules: Option<Value>,
}

impl Design {
    /// Touchpoints in journey order, with their phase's index.
    pub fn touchpoints(&self) -> impl Iterator<Item = (usize, &Touchpoint)> {
        self.phases.iter().enumerate().flat_map(|(p, phase)| phase.touchpoints.iter().map(move |t| (p, t)))
    }

    pub fn touchpoint_count(&self) -> usize {
        self.phases.iter().map(|p| p.touchpoints.len()).sum()
    }

    /// (phase, touchpoint) index of the touchpoint `id`.
    pub fn position_of(&self, id: Uuid) -> Option<(usize, usize)> {
        self.phases
            .iter()
            .enumerate()
            .find_map(|(p, phase)| phase.touchpoints.iter().position(|t| t.id == id).map(|t| (p, t)))
    }

    pub fn touchpoint(&self, phase: usize, index: usize) -> Option<&Touchpoint> {
        self.phases.get(phase)?.touchpoints.get(index)
    }

    /// The 1-based place of (phase, touchpoint) in the whole journey.
    pub fn ordinal(&self, phase: usize, index: usize) -> usize {
        self.phases.iter().take(phase).map(|p| p.touchpoints.len()).sum::<usize>() + index + 1
    }
}

/// JOURNEY_BLUEPRINT: the draft being edited, and where its published versions stand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Journey {
    pub id: Uuid,
    #[serde(flatten)]
    pub design: Design,
    /// The latest published version, if any: what new enrolments start on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// Whether the draft was edited since the latest version was published.
    #[serde(default)]
    pub draft_changed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The draft's version (the ETag).
    pub version: u64,
}

/// A published, immutable version of a journey: running enrolments keep the one they started on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JourneyVersion {
    pub journey_id: Uuid,
    pub version_number: u32,
    #[serde(flatten)]
    pub design: Design,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_by: Option<Uuid>,
    pub published_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    /// Being designed: no one can be enrolled yet.
    Draft,
    /// Admits workers and runs.
    Active,
    /// Admits no one and sends nothing; enrolments keep their place (see the engine's notes).
    Paused,
    /// Finished: no more steps; active enrolments are completed at their next step.
    Completed,
}

impl ProgramStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
        }
    }
}

/// Whether a worker whose enrolment ended may be enrolled again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reentry {
    /// Once per worker, ever.
    #[default]
    Never,
    /// Again once the previous enrolment completed, exited or was withdrawn (a new attempt).
    AfterEnd,
}

/// PROGRAM_BLUEPRINT: a journey's place in a program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramJourney {
    pub id: Uuid,
    pub journey_id: Uuid,
    /// 1, 2, 3…: the journeys run one after another in this order.
    pub order_in_program: u32,
}

/// PROGRAM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Program {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enrolments made before it start on this day (in the organization's time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// After this day nothing more is sent: enrolments still running exit at their next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub status: ProgramStatus,
    pub journeys: Vec<ProgramJourney>,
    #[serde(default)]
    pub reentry: Reentry,
    /// A live segment: its members are enrolled as they join and exit when they leave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_segment_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Active,
    Paused,
    Completed,
    Withdrawn,
    Exited,
}

impl EnrolmentStatus {
    pub const ALL: [Self; 5] = [Self::Active, Self::Paused, Self::Completed, Self::Withdrawn, Self::Exited];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
            Self::Exited => "exited",
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, Self::Completed | Self::Withdrawn | Self::Exited)
    }
}

/// How a worker came to be enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentSource {
    Workers,
    Segment,
    LiveSegment,
}

/// Where an enrolment is within its current touchpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Waiting for what the touchpoint's `waitFor` names (since `reachedAt`).
    Waiting,
    /// Sent (or skipped) at `dueAt`.
    Scheduled,
}

/// WORKER_ASSIGNMENT: one worker in one program, with their place and next due time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WorkerAssignment)]
pub struct Enrolment {
    pub id: Uuid,
    pub program_id: Uuid,
    pub worker_id: Uuid,
    pub enrollment_date: NaiveDate,
    pub enrolled_at: DateTime<Utc>,
    pub status: EnrolmentStatus,
    pub source: EnrolmentSource,
    /// 1 for a worker's first enrolment in the program, then one more per re-entry.
    pub attempt: u32,
    /// Index into the program's journeys.
    pub journey_index: usize,
    pub journey_id: Uuid,
    /// The published version the enrolment runs on (kept when the journey is published again).
    pub journey_version: u32,
    pub phase_index: usize,
    pub touchpoint_index: usize,
    pub step: StepState,
    /// When the engine next looks at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    pub journey_started_at: DateTime<Utc>,
    pub phase_started_at: DateTime<Utc>,
    /// When the current touchpoint was reached.
    pub reached_at: DateTime<Utc>,
    /// When the previous touchpoint of the journey was sent or skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_at: Option<DateTime<Utc>>,
    /// While waiting: whether the reminder went out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reminded: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it exited (or was withdrawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    /// Handed to the notifications path.
    Sent,
    /// Not sent: the gate did not admit the worker, or the wait before it timed out.
    Skipped,
    /// The worker opened the page.
    Started,
    Completed,
}

impl ProgressState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Skipped => "skipped",
            Self::Started => "started",
            Self::Completed => "completed",
        }
    }
}

/// WORKER_PROGRESS: one enrolment's one touchpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub id: Uuid,
    /// The WORKER_ASSIGNMENT.
    pub worker_assignment_id: Uuid,
    pub touchpoint_id: Uuid,
    pub program_id: Uuid,
    pub worker_id: Uuid,
    pub journey_id: Uuid,
    pub journey_version: u32,
    pub content_id: Uuid,
    pub state: ProgressState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The notification request that carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_request_id: Option<Uuid>,
    /// The experiment (and bucket version) the worker's variant of this touchpoint came from: its outcome
    /// counts there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_bucket_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_text: Option<String>,
    /// Quiz submissions so far.
    #[serde(default)]
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Progress {
    /// The first record of `enrolment`'s `touchpoint` (content `content`): sent or skipped at `now`.
    pub fn first(
        enrolment: &Enrolment,
        touchpoint: Uuid,
        content: Uuid,
        state: ProgressState,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            worker_assignment_id: enrolment.id,
            touchpoint_id: touchpoint,
            program_id: enrolment.program_id,
            worker_id: enrolment.worker_id,
            journey_id: enrolment.journey_id,
            journey_version: enrolment.journey_version,
            content_id: content,
            state,
            reason: None,
            notification_request_id: None,
            experiment_id: None,
            experiment_bucket_version: None,
            sent_at: (state == ProgressState::Sent).then_some(now),
            started_at: None,
            completed_at: None,
            score: None,
            passed: None,
            feedback_text: None,
            attempts: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}
