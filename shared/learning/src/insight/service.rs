//! Insight read from the table. Knows no HTTP.

use super::figures::{self, LearnerStanding, ProgressFigures, QuizFigures};
use crate::certificate::{CertificateStatus, status};
use crate::groups::{GroupError, Groups, ModuleAssignment};
use crate::learner::model::ModuleProgress;
use crate::learner::repo;
use crate::model::Module;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleInsight {
    pub module_id: Uuid,
    pub title: String,
    pub figures: ProgressFigures,
    pub quizzes: Vec<QuizFigures>,
    /// Each learner assigned or started, by user id.
    pub learners: Vec<LearnerStanding>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupModule {
    pub module_id: Uuid,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    pub is_mandatory: bool,
    /// The group's members only.
    pub figures: ProgressFigures,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupInsight {
    pub group_id: Uuid,
    pub name: String,
    pub members: u64,
    pub modules: Vec<GroupModule>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LearnerModule {
    pub module_id: Uuid,
    pub title: String,
    #[serde(flatten)]
    pub standing: LearnerStanding,
    pub sections_completed: usize,
    /// Quiz attempts of the current round.
    pub attempts_used: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_status: Option<CertificateStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LearnerInsight {
    pub user_id: Uuid,
    /// The worker linked to this user: the same person's engagement as a worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<Uuid>,
    pub modules: Vec<LearnerModule>,
}

pub struct Insight<'a> {
    pub store: &'a Store,
}

/// Each user's group assignments of any module, with when they joined the group.
type Assigned = BTreeMap<Uuid, Vec<(ModuleAssignment, DateTime<Utc>)>>;

impl Insight<'_> {
    /// Every group assignment in the organization (or of one group), by member.
    async fn assigned(&self, tenant: &TenantId, only_group: Option<Uuid>) -> Result<Assigned, GroupError> {
        let groups = Groups { store: self.store };
        let ids: Vec<Uuid> = match only_group {
            Some(g) => vec![g],
            None => groups.list(tenant).await?.into_iter().map(|g| g.id).collect(),
        };
        let mut out: Assigned = BTreeMap::new();
        for g in ids {
            let assignments = groups.assignments(tenant, g).await?;
            if assignments.is_empty() {
                continue;
            }
            for m in groups.members(tenant, g).await? {
                out.entry(m.user_id).or_default().extend(assignments.iter().map(|a| (a.clone(), m.joined_at)));
            }
        }
        Ok(out)
    }

    /// The standings in `module` of the learners assigned or started (of `only`, when given), and its
    /// quizzes' figures over the same learners.
    async fn module_rows(
        &self,
        tenant: &TenantId,
        module: &Module,
        assigned: &Assigned,
        only: Option<&BTreeSet<Uuid>>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<LearnerStanding>, Vec<QuizFigures>), GroupError> {
        let within = |u: &Uuid| only.is_none_or(|o| o.contains(u));
        let progress: BTreeMap<Uuid, ModuleProgress> = repo::module_progress(self.store, tenant, module.id)
            .await?
            .into_iter()
            .filter(|p| within(&p.user_id))
            .map(|p| (p.user_id, p))
            .collect();
        let mut best: BTreeMap<Uuid, Vec<f64>> = BTreeMap::new();
        let mut quizzes = Vec::new();
        for quiz in crate::repo::quizzes(self.store, tenant, module.id).await? {
            let attempts: Vec<_> = repo::quiz_attempts(self.store, tenant, quiz.id)
                .await?
                .into_iter()
                .filter(|a| within(&a.user_id))
                .collect();
            for (user, score) in figures::best_scores(&attempts) {
                best.entry(user).or_default().push(score);
            }
            quizzes.push(figures::quiz_figures(&quiz, &attempts));
        }
        let mut users: BTreeSet<Uuid> = progress.keys().copied().collect();
        users.extend(
            assigned
                .iter()
                .filter(|(u, a)| within(u) && a.iter().any(|(a, _)| a.module_id == module.id))
                .map(|(u, _)| *u),
        );
        let rows = users
            .into_iter()
            .map(|u| {
                let none = Vec::new();
                let a = assigned.get(&u).unwrap_or(&none);
                figures::standing(u, a, module.id, progress.get(&u), best.get(&u).map_or(&[], Vec::as_slice), now)
            })
            .collect();
        Ok((rows, quizzes))
    }

    async fn module_of(&self, tenant: &TenantId, id: Uuid) -> Result<Option<Module>, GroupError> {
        Ok(crate::repo::get_module(self.store, tenant, id).await?)
    }

    pub async fn module(
        &self,
        tenant: &TenantId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<ModuleInsight>, GroupError> {
        let Some(m) = self.module_of(tenant, id).await? else {
            return Ok(None);
        };
        let assigned = self.assigned(tenant, None).await?;
        let (learners, quizzes) = self.module_rows(tenant, &m, &assigned, None, now).await?;
        Ok(Some(ModuleInsight {
            module_id: m.id,
            title: m.title,
            figures: figures::figures(&learners),
            quizzes,
            learners,
        }))
    }

    /// Every module with the standings of its learners (the report's lines), modules by title.
    pub async fn standings(
        &self,
        tenant: &TenantId,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Module, Vec<LearnerStanding>)>, GroupError> {
        let mut modules: Vec<Module> =
            self.store.all(&nudge_core::store::Query::partition(crate::keys::modules_partition(tenant))).await?;
        modules.sort_by_key(|m| (m.title.to_lowercase(), m.id));
        let assigned = self.assigned(tenant, None).await?;
        let mut out = Vec::with_capacity(modules.len());
        for m in modules {
            let (rows, _) = self.module_rows(tenant, &m, &assigned, None, now).await?;
            out.push((m, rows));
        }
        Ok(out)
    }

    pub async fn group(
        &self,
        tenant: &TenantId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<GroupInsight>, GroupError> {
        let groups = Groups { store: self.store };
        let g = match groups.get(tenant, id).await {
            Ok(g) => g,
            Err(GroupError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let members: BTreeSet<Uuid> = groups.members(tenant, id).await?.into_iter().map(|m| m.user_id).collect();
        // Due dates count every group a member is in, not this one alone.
        let assigned = self.assigned(tenant, None).await?;
        let mut modules = Vec::new();
        for a in groups.assignments(tenant, id).await? {
            let Some(m) = self.module_of(tenant, a.module_id).await? else { continue };
            let (rows, _) = self.module_rows(tenant, &m, &assigned, Some(&members), now).await?;
            modules.push(GroupModule {
                module_id: m.id,
                title: m.title,
                deadline_days: a.deadline_days,
                is_mandatory: a.is_mandatory,
                figures: figures::figures(&rows),
            });
        }
        modules.sort_by_key(|m| m.title.to_lowercase());
        Ok(Some(GroupInsight { group_id: g.id, name: g.name, members: members.len() as u64, modules }))
    }

    pub async fn learner(
        &self,
        tenant: &TenantId,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<LearnerInsight, GroupError> {
        let assigned = Groups { store: self.store }.assigned_to(tenant, user).await?;
        let progress = repo::all_progress(self.store, tenant, user).await?;
        let certificates = repo::certificates(self.store, tenant, user).await?;
        let mut ids: BTreeSet<Uuid> = progress.iter().map(|p| p.module_id).collect();
        ids.extend(assigned.iter().map(|(a, _)| a.module_id));
        let mut modules = Vec::new();
        for id in ids {
            let Some(m) = self.module_of(tenant, id).await? else { continue };
            let p = progress.iter().find(|p| p.module_id == id);
            let (mut best, mut used) = (Vec::new(), 0u32);
            for quiz in crate::repo::quizzes(self.store, tenant, id).await? {
                let attempts = repo::all_attempts(self.store, tenant, user, quiz.id).await?;
                best.extend(figures::best_scores(&attempts).into_values());
                used += repo::attempts(self.store, tenant, user, quiz.id).await?.in_round();
            }
            // The newest certificate of the module speaks for it.
            let certificate = certificates.iter().rev().find(|c| c.module_id == id);
            modules.push(LearnerModule {
                module_id: id,
                title: m.title,
                standing: figures::standing(user, &assigned, id, p, &best, now),
                sections_completed: p.map_or(0, |p| p.sections.len()),
                attempts_used: used,
                certificate_code: certificate.map(|c| c.unique_code.clone()),
                certificate_status: certificate.map(|c| status(c.expires_at, c.revoked_at, now)),
                certificate_expires_at: certificate.and_then(|c| c.expires_at),
            });
        }
        modules.sort_by(|a, b| {
            (a.standing.due_at.is_none(), a.standing.due_at, a.title.to_lowercase()).cmp(&(
                b.standing.due_at.is_none(),
                b.standing.due_at,
                b.title.to_lowercase(),
            ))
        });
        let worker_id = nudge_workers::worker_of_user(self.store, tenant, user).await?;
        Ok(LearnerInsight { user_id: user, worker_id, modules })
    }
}
