//! The table of a learner's side. Knows no HTTP; the layout is in [`crate::keys`].

use super::model::{Attempts, Certificate, CodeOwner, ModuleProgress};
use crate::keys;
use crate::quiz::Attempt;
use nudge_core::TenantId;
use nudge_core::store::{Index, Put, Query, Store, StoreError, Write};
use uuid::Uuid;

pub const CODE_TAKEN: &str = "certificate code taken";

pub async fn progress(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    module: Uuid,
) -> Result<Option<ModuleProgress>, StoreError> {
    store.get(&keys::progress(tenant, user, module)).await
}

/// Every progress item of a learner.
pub async fn all_progress(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Vec<ModuleProgress>, StoreError> {
    let query =
        Query { sort_prefix: Some("MODULE#".into()), ..Query::partition(keys::learner_partition(tenant, user)) };
    store.all(&query).await
}

/// `next` written over what was read at `read_version` (0: nothing yet), indexed under its module.
pub fn save_progress(tenant: &TenantId, next: &ModuleProgress, read_version: u64) -> Result<Write, StoreError> {
    let put = Put::new(&keys::progress(tenant, next.user_id, next.module_id), "LearnerProgress", next)?.index(
        Index::Gsi1,
        keys::module_learners(tenant, next.module_id),
        next.user_id.to_string(),
    );
    Ok(Write::versioned(put, read_version))
}

/// Every learner's progress in `module` (the index is eventually consistent).
pub async fn module_progress(
    store: &Store,
    tenant: &TenantId,
    module: Uuid,
) -> Result<Vec<ModuleProgress>, StoreError> {
    store.all(&Query::partition(keys::module_learners(tenant, module)).on(Index::Gsi1)).await
}

/// Every attempt at `quiz`, by every learner (the index is eventually consistent).
pub async fn quiz_attempts(store: &Store, tenant: &TenantId, quiz: Uuid) -> Result<Vec<Attempt>, StoreError> {
    store.all(&Query::partition(keys::quiz_attempts(tenant, quiz)).on(Index::Gsi1)).await
}

pub async fn attempts(store: &Store, tenant: &TenantId, user: Uuid, quiz: Uuid) -> Result<Attempts, StoreError> {
    Ok(store.get(&keys::attempts(tenant, user, quiz)).await?.unwrap_or_default())
}

pub fn save_attempts(
    tenant: &TenantId,
    user: Uuid,
    quiz: Uuid,
    next: &Attempts,
    read_version: u64,
) -> Result<Write, StoreError> {
    Ok(Write::versioned(Put::new(&keys::attempts(tenant, user, quiz), "QuizAttempts", next)?, read_version))
}

pub async fn attempt(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    quiz: Uuid,
    number: u32,
) -> Result<Option<Attempt>, StoreError> {
    store.get(&keys::attempt(tenant, user, quiz, number)).await
}

/// A learner's attempts at a quiz, in order.
pub async fn all_attempts(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    quiz: Uuid,
) -> Result<Vec<Attempt>, StoreError> {
    let query = Query {
        sort_prefix: Some(format!("ATTEMPT#{quiz}#")),
        ..Query::partition(keys::learner_partition(tenant, user))
    };
    store.all(&query).await
}

/// An attempt, indexed under its quiz.
pub fn put_attempt(tenant: &TenantId, a: &Attempt) -> Result<Put, StoreError> {
    Ok(Put::new(&keys::attempt(tenant, a.user_id, a.quiz_id, a.number), "QuizAttempt", a)?.index(
        Index::Gsi1,
        keys::quiz_attempts(tenant, a.quiz_id),
        format!("{}#{:04}", a.user_id, a.number),
    ))
}

pub fn put_certificate(tenant: &TenantId, c: &Certificate) -> Result<Put, StoreError> {
    Put::new(&keys::certificate(tenant, c.user_id, c.id), "Certificate", c)
}

/// The code's guard, created only if absent.
pub fn claim_code(code: &str, owner: &CodeOwner) -> Result<Write, StoreError> {
    Ok(Write::create(Put::new(&keys::certificate_code(code), "CertificateCode", owner)?, CODE_TAKEN))
}

pub async fn code_owner(store: &Store, code: &str) -> Result<Option<CodeOwner>, StoreError> {
    store.get(&keys::certificate_code(code)).await
}

pub async fn certificate(
    store: &Store,
    tenant: &TenantId,
    user: Uuid,
    id: Uuid,
) -> Result<Option<Certificate>, StoreError> {
    store.get(&keys::certificate(tenant, user, id)).await
}

/// A learner's certificates, oldest first.
pub async fn certificates(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Vec<Certificate>, StoreError> {
    let query = Query { sort_prefix: Some("CERT#".into()), ..Query::partition(keys::learner_partition(tenant, user)) };
    let mut all: Vec<Certificate> = store.all(&query).await?;
    all.sort_by_key(|c| c.issued_at);
    Ok(all)
}
