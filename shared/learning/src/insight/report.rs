//! The learning report (seed 002 EXPORT_REPORTS): every learner's standing in every module as one CSV
//! file in S3, made on the learning queue and downloaded with a presigned URL, like worker exports.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | report | `T#<t>#LEARNING-REPORTS` | `<reportId>` (UUIDv7), `ttl` at expiry |
//!
//! The file is `tenants/<t>/exports/learning/<reportId>.csv`, tagged for the bucket's export lifecycle
//! rule. A redelivered message finds the report finished and does nothing; one that runs again after a
//! crash writes the same file again.

use super::LearnerStanding;
use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::jobs::JobStatus;
use nudge_core::keys::{Key, tenant_partition};
use nudge_core::objects::ObjectKey;
use nudge_core::store::{Put, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use nudge_core::objects::EXPORT_TAGGING as TAGGING;

/// How long a report and its file are kept (the bucket's export rule says the same).
pub const RETENTION_DAYS: i64 = 7;
/// The header of the CSV.
pub const COLUMNS: [&str; 12] = [
    "moduleId",
    "moduleTitle",
    "userId",
    "learnerName",
    "assigned",
    "isMandatory",
    "dueAt",
    "startedAt",
    "completedAt",
    "overdue",
    "bestScore",
    "status",
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LearningReport {
    pub id: Uuid,
    pub status: JobStatus,
    #[serde(default)]
    pub row_count: u64,
    #[serde(default)]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub version: u64,
    /// A presigned GET of the file, when completed (answers only; never stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
}

impl LearningReport {
    pub fn new(created_by: Uuid, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            status: JobStatus::Pending,
            row_count: 0,
            size: 0,
            failure_reason: None,
            created_by,
            created_at: now,
            updated_at: now,
            completed_at: None,
            expires_at: now + Duration::days(RETENTION_DAYS),
            version: 1,
            download_url: None,
        }
    }

    /// What a file name is made of.
    pub fn file_name(&self) -> String {
        format!("learning-report-{}.csv", self.created_at.format("%Y-%m-%d"))
    }
}

pub fn key(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "LEARNING-REPORTS", id.to_string())
}

pub fn partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "LEARNING-REPORTS")
}

pub fn object(tenant: &TenantId, id: Uuid) -> ObjectKey {
    ObjectKey::tenant(tenant, &format!("exports/learning/{id}.csv"))
}

pub fn put(tenant: &TenantId, r: &LearningReport) -> Result<Put, StoreError> {
    Ok(Put::new(&key(tenant, r.id), "LearningReport", r)?.ttl(r.expires_at.timestamp()))
}

/// One line of the report.
pub struct Line<'a> {
    pub module_id: Uuid,
    pub module_title: &'a str,
    pub learner_name: &'a str,
    pub standing: &'a LearnerStanding,
}

/// A cell as spreadsheets may safely open it: text a spreadsheet would run as a formula is quoted with a
/// leading apostrophe (OWASP's advice on CSV injection).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
}

/// The CSV of `lines`, header first.
pub fn csv(lines: &[Line<'_>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for l in lines {
        let s = l.standing;
        let status = if s.completed_at.is_some() {
            "completed"
        } else if s.started_at.is_some() {
            "in_progress"
        } else {
            "not_started"
        };
        w.write_record([
            l.module_id.to_string(),
            cell(l.module_title),
            s.user_id.to_string(),
            cell(l.learner_name),
            s.assigned.to_string(),
            s.is_mandatory.to_string(),
            time(s.due_at),
            time(s.started_at),
            time(s.completed_at),
            s.overdue.to_string(),
            s.best_score.map(|b| format!("{b:.1}")).unwrap_or_default(),
            status.to_owned(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lines_are_csv_with_formulas_defused() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let s = LearnerStanding {
            user_id: Uuid::from_u128(2),
            assigned: true,
            is_mandatory: false,
            due_at: Some(at),
            started_at: Some(at),
            completed_at: None,
            overdue: true,
            best_score: Some(66.666),
        };
        let line = Line {
            module_id: Uuid::from_u128(1),
            module_title: "=HYPERLINK(\"x\")",
            learner_name: "Ana, \"A\"",
            standing: &s,
        };
        let text = String::from_utf8(csv(&[line]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(COLUMNS.join(",").as_str()));
        assert_eq!(
            lines.next(),
            Some(
                "00000000-0000-0000-0000-000000000001,\"'=HYPERLINK(\"\"x\"\")\",00000000-0000-0000-0000-000000000002,\
                 \"Ana, \"\"A\"\"\",true,false,2026-03-01T09:00:00Z,2026-03-01T09:00:00Z,,true,66.7,in_progress"
            )
        );
        assert_eq!(key(&nudge_core::testing::tenant(1), Uuid::from_u128(3)).sk, Uuid::from_u128(3).to_string());
        assert!(
            object(&nudge_core::testing::tenant(1), Uuid::from_u128(3))
                .as_str()
                .ends_with("/exports/learning/00000000-0000-0000-0000-000000000003.csv")
        );
    }
}
