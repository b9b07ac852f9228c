//! A module's quizzes (seed 002 Quiz with its QuizQuestions), written whole, each change under the
//! module's version like any change of its body.

use super::AuthoringError;
use crate::model::Module;
use crate::quiz::Quiz;
use crate::{keys, repo};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Store, Tx, Write};
use uuid::Uuid;

/// Quizzes in one module, at most.
pub const MAX_QUIZZES: usize = 10;

pub struct Quizzes<'a> {
    pub store: &'a Store,
}

/// The module as a change of its body leaves it (see `sections::touched`).
fn touched(m: &Module, by: Option<Uuid>, now: DateTime<Utc>) -> Module {
    Module {
        draft_changed: m.draft_changed || m.published_version > 0,
        updated_by: by,
        updated_at: now,
        version: m.version + 1,
        ..m.clone()
    }
}

impl Quizzes<'_> {
    pub async fn list(&self, tenant: &TenantId, module: &Module) -> Result<Vec<Quiz>, AuthoringError> {
        Ok(repo::quizzes(self.store, tenant, module.id).await?)
    }

    pub async fn get(&self, tenant: &TenantId, module: &Module, id: Uuid) -> Result<Quiz, AuthoringError> {
        repo::get_quiz(self.store, tenant, module.id, id).await?.ok_or(AuthoringError::NotFound)
    }

    /// Stores `quiz` (read and checked) as new, or over the stored one at `if_match` (any version when none).
    pub(crate) async fn save(
        &self,
        tenant: &TenantId,
        module: &Module,
        quiz: Quiz,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Quiz, AuthoringError> {
        let current = repo::get_quiz(self.store, tenant, module.id, quiz.id).await?;
        if if_match.is_some_and(|v| Some(v) != current.as_ref().map(|q| q.version)) {
            return Err(AuthoringError::VersionMoved);
        }
        if current.is_none() && repo::quizzes(self.store, tenant, module.id).await?.len() >= MAX_QUIZZES {
            return Err(AuthoringError::Conflict(format!("a module has at most {MAX_QUIZZES} quizzes")));
        }
        let read = current.as_ref().map_or(0, |q| q.version);
        let next = Quiz { version: read + 1, ..quiz };
        let tx = Tx::new()
            .with(Write::replace(repo::put_module(tenant, &touched(module, by, now))?, module.version))
            .with(Write::versioned(repo::put_quiz(tenant, &next)?, read));
        self.store.transact(tx).await.map_err(AuthoringError::settle)?;
        Ok(next)
    }

    pub(crate) async fn delete(
        &self,
        tenant: &TenantId,
        module: &Module,
        id: Uuid,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), AuthoringError> {
        let current = self.get(tenant, module, id).await?;
        let tx = Tx::new()
            .with(Write::replace(repo::put_module(tenant, &touched(module, by, now))?, module.version))
            .with(Write::delete(keys::quiz(tenant, module.id, id)).if_version(current.version));
        self.store.transact(tx).await.map_err(AuthoringError::settle)
    }
}
