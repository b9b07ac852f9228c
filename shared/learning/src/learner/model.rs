//! A learner's side as stored (seed 002 SectionCompletion, QuizAttempt, Certificate, UserModuleReview,
//! UserModuleLastAccess): one progress item per (learner, module), one attempts item per (learner, quiz),
//! the attempts themselves, certificates, and each certificate code's platform guard.

use chrono::{DateTime, Utc};
use nudge_core::TenantRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A learner's progress in one module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleProgress {
    pub user_id: Uuid,
    pub module_id: Uuid,
    pub started_at: DateTime<Utc>,
    /// SectionCompletion: each section completed, once, with when.
    #[serde(default)]
    pub sections: BTreeMap<Uuid, DateTime<Utc>>,
    /// Each quiz of the module passed, with when.
    #[serde(default)]
    pub quizzes_passed: BTreeMap<Uuid, DateTime<Utc>>,
    /// Every section complete and every quiz passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The certificate this completion issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<Uuid>,
    /// UserModuleReview: the module version the learner last saw (acknowledged).
    #[serde(default)]
    pub last_seen_version: u32,
    /// UserModuleLastAccess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_access_at: Option<DateTime<Utc>>,
    /// ModuleSelfAssessment: how the learner rates their own grasp of the module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_assessment: Option<SelfAssessment>,
    /// Recertification: when this round of the module began, the instant the previous certificate
    /// expired (a mandatory module is due again then); `None` for the first round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_started_at: Option<DateTime<Utc>>,
    /// The expired certificate this round renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_certificate_id: Option<Uuid>,
    /// ProgressOverride: a completion recorded by someone holding `progress:override`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_override: Option<ProgressOverride>,
    #[serde(default)]
    pub version: u64,
}

/// Seed 002 ModuleSelfAssessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelfAssessment {
    /// 1–5.
    pub rating: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub assessed_at: DateTime<Utc>,
}

/// Seed 002 ProgressOverride.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressOverride {
    pub override_by: Uuid,
    pub reason: String,
    /// Whether the completion issued a certificate.
    pub allow_certificate: bool,
    pub overridden_at: DateTime<Utc>,
}

impl ModuleProgress {
    pub fn new(user_id: Uuid, module_id: Uuid, now: DateTime<Utc>) -> Self {
        Self {
            user_id,
            module_id,
            started_at: now,
            sections: BTreeMap::new(),
            quizzes_passed: BTreeMap::new(),
            completed_at: None,
            certificate_id: None,
            last_seen_version: 0,
            last_access_at: None,
            self_assessment: None,
            round_started_at: None,
            renews_certificate_id: None,
            progress_override: None,
            version: 0,
        }
    }

    /// Opens a new round after `expired` (this round's certificate) expired at `at`: the sections, quizzes
    /// and completion start over; the self-assessment, the version seen and the history stay.
    pub fn renew(&mut self, expired: Uuid, at: DateTime<Utc>) {
        self.sections.clear();
        self.quizzes_passed.clear();
        self.completed_at = None;
        self.certificate_id = None;
        self.progress_override = None;
        self.round_started_at = Some(at);
        self.renews_certificate_id = Some(expired);
    }

    /// Whether `sections` and `quizzes` (the module's, now) are all done.
    pub fn is_complete(&self, sections: &[Uuid], quizzes: &[Uuid]) -> bool {
        !sections.is_empty()
            && sections.iter().all(|s| self.sections.contains_key(s))
            && quizzes.iter().all(|q| self.quizzes_passed.contains_key(q))
    }
}

/// A learner's attempts at one quiz: how many were started (what `maxAttempts` counts) and the one still
/// open. Every start moves it on its version, so parallel starts cannot exceed the limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempts {
    /// Attempts started, ever (each numbered in turn).
    pub used: u32,
    /// Of those, the ones started before the learner's current round (recertification): `maxAttempts`
    /// counts the rest.
    #[serde(default)]
    pub before_round: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<u32>,
    #[serde(default)]
    pub version: u64,
}

/// Seed 002 Certificate: issued once per completion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub id: Uuid,
    pub user_id: Uuid,
    pub module_id: Uuid,
    /// The uniqueCode, as printed (`XXXX-XXXX-XXXX`): anyone may verify it.
    pub unique_code: String,
    /// As shown on it, fixed at issue.
    pub holder_name: String,
    pub module_title: String,
    /// The module's published version completed.
    pub module_version: u32,
    pub issued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The expiry reminders sent, by key (`expiring-90` … `expired`), each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders_sent: Vec<String>,
    pub version: u64,
}

impl Attempts {
    /// Attempts counted against `maxAttempts`: those of the current round.
    pub fn in_round(&self) -> u32 {
        self.used.saturating_sub(self.before_round)
    }
}

/// Where a certificate code leads (the platform guard that makes codes unique).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeOwner {
    pub tenant: TenantRef,
    pub user_id: Uuid,
    pub certificate_id: Uuid,
}
