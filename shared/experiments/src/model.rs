//! Experiments as stored and served (seed 003 EXPERIMENT, EXPERIMENT_VARIANT, EXPERIMENT_ASSIGNMENT).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentType {
    /// Control against one variant.
    Ab,
    /// Control against several variants.
    Multivariate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentStatus {
    Draft,
    Running,
    Paused,
    Completed,
}

impl ExperimentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Completed => "completed",
        }
    }

    /// `draft` → `running` ⇄ `paused` → `completed`.
    pub fn may_become(self, to: Self) -> bool {
        use ExperimentStatus::*;
        self == to
            || matches!(
                (self, to),
                (Draft, Running) | (Running, Paused) | (Paused, Running) | (Running | Paused, Completed)
            )
    }
}

/// What an experiment is judged on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrimaryMetric {
    /// Exposed workers who completed what they were sent.
    #[default]
    Completion,
    /// Their mean score (quizzes).
    Score,
}

/// EXPERIMENT_VARIANT.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub id: Uuid,
    pub experiment_id: Uuid,
    pub variant_name: String,
    /// Which content item the variant sends (`{"contentId": …}`), or the journey branch it takes.
    #[schema(value_type = Object)]
    pub variant_details: Value,
    /// Its share of the covered workers (the weights sum to 1).
    pub weight: f64,
}

/// EXPERIMENT.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Experiment {
    pub id: Uuid,
    pub experiment_type: ExperimentType,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hypothesis: Option<String>,
    #[serde(default)]
    pub primary_metric: PrimaryMetric,
    pub status: ExperimentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// The first is the control.
    pub variants: Vec<Variant>,
    /// Only members of this segment take part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_id: Option<Uuid>,
    /// The share of (targeted) workers in the experiment, 0–1.
    pub coverage: f64,
    /// Whether the tenant's holdout is kept out of it.
    #[serde(default)]
    pub use_holdout: bool,
    /// GrowthBook's hash version (2).
    pub hash_version: u8,
    /// Bumped by a deliberate re-randomisation: assignments made under an earlier one no longer count.
    pub bucket_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Experiment {
    /// How its workers are bucketed now.
    pub fn bucketing(&self) -> crate::hash::Bucketing {
        crate::hash::Bucketing {
            seed: self.id.to_string(),
            hash_version: self.hash_version,
            bucket_version: self.bucket_version,
            coverage: self.coverage,
            weights: self.variants.iter().map(|v| v.weight).collect(),
        }
    }
}

/// EXPERIMENT_ASSIGNMENT: a worker's variant, fixed at the first assignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: Uuid,
    pub experiment_id: Uuid,
    pub worker_id: Uuid,
    pub variant_id: Uuid,
    /// The variant's place (0: control).
    pub variant_index: usize,
    pub bucket_version: u32,
    pub assigned_at: DateTime<Utc>,
    /// When the worker first received the variant; only exposed workers count in the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub version: u64,
}
