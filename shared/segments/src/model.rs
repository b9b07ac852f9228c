//! Segments and their memberships (seed 000 Segment and SegmentMembership, seed 003 SEGMENT and
//! WORKER_SEGMENT). A segment's definition (name, type, rule) is versioned by its writers; its state
//! (workerCount, lastSyncAt, the running sync) is a separate item, changed in place by every membership
//! write, so a definition edit never overwrites a count.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentType {
    /// Members are added and removed by hand.
    Static,
    /// Members are the workers matching `ruleDefinition`, plus any added by hand.
    RuleBased,
}

/// A segment's definition as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: SegmentType,
    /// The rule as the client wrote it (validated on save), for rule-based segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_definition: Option<Value>,
    /// Moves on each rule change, so a sync started under an older rule starts over.
    #[serde(default)]
    pub rule_version: u64,
    /// The rule uses withinLastDays or olderThanDays: membership moves with the clock, so it is re-synced
    /// on a schedule.
    #[serde(default)]
    pub time_relative: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// What membership writes keep up to date.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentState {
    #[serde(default)]
    pub worker_count: i64,
    /// Members added or removed, ever: moves with every membership change.
    #[serde(default)]
    pub member_changes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The sync job pending or running, if any: one at a time per segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_job_id: Option<Uuid>,
}

/// A segment as the API answers it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SegmentView {
    pub id: Uuid,
    /// The tenant.
    pub organization_id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: SegmentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub rule_definition: Option<Value>,
    /// Exactly the members listed by `GET /segments/{id}/members`.
    pub worker_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The sync job pending or running, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_sync_job_id: Option<Uuid>,
    pub time_relative: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Segment {
    pub(crate) fn view(&self, tenant: Uuid, state: &SegmentState) -> SegmentView {
        SegmentView {
            id: self.id,
            organization_id: tenant,
            name: self.name.clone(),
            description: self.description.clone(),
            kind: self.kind,
            rule_definition: self.rule_definition.clone(),
            worker_count: state.worker_count,
            last_sync_at: state.last_sync_at,
            active_sync_job_id: state.active_job_id,
            time_relative: self.time_relative,
            created_by_id: self.created_by_id,
            updated_by_id: self.updated_by_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// One worker in one segment. A worker is a member while the rule matches it (`ruleMatch`) or while it was
/// added by hand (`manual`), or both: a sync never removes a manual member, and removing a manual member
/// by hand keeps it while the rule still matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Membership {
    pub id: Uuid,
    pub segment_id: Uuid,
    pub worker_id: Uuid,
    /// Whether the segment's rule matches the worker (false: a member added by hand).
    pub rule_match: bool,
    /// Added by hand (`POST /segments/{id}/members`).
    #[serde(default)]
    pub manual: bool,
    /// Which conditions matched, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_match_reason: Option<String>,
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves on every write, for conditional writes.
    pub version: u64,
}
