//! Designing and running experiments: create, change (variants fixed once it ran: re-randomise or start a
//! new one instead), status moves with the start's checks, re-randomisation.

use crate::input::{ExperimentInput, VariantInput};
use crate::model::{Experiment, ExperimentStatus, ExperimentType, PrimaryMetric, Variant};
use crate::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::http::FieldError;
use nudge_core::store::{Store, StoreError, Tx, Write};
use uuid::Uuid;

/// Why a change is refused.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("not found")]
    NotFound,
    #[error("the experiment changed meanwhile")]
    VersionMoved,
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the start checks against the table: whether a segment and content items exist and are usable.
pub trait Catalogue: Send + Sync {
    fn segment_exists(
        &self,
        tenant: &TenantId,
        id: Uuid,
    ) -> impl std::future::Future<Output = Result<bool, String>> + Send;
    fn content_published(
        &self,
        tenant: &TenantId,
        id: Uuid,
    ) -> impl std::future::Future<Output = Result<bool, String>> + Send;
}

fn variants(experiment: Uuid, input: Vec<VariantInput>, previous: &[Variant]) -> Result<Vec<Variant>, Vec<FieldError>> {
    let mut problems = Vec::new();
    let out = input
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let id = match v.id {
                Some(id) if previous.iter().any(|p| p.id == id) => id,
                Some(_) => {
                    problems.push(FieldError::body(format!("/variants/{i}/id"), "names no variant of this experiment"));
                    Uuid::now_v7()
                }
                None => Uuid::now_v7(),
            };
            Variant {
                id,
                experiment_id: experiment,
                variant_name: v.name,
                variant_details: v.details,
                weight: v.weight,
            }
        })
        .collect();
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// The type's rule on the number of variants.
fn shape(kind: ExperimentType, n: usize) -> Option<FieldError> {
    match kind {
        ExperimentType::Ab if n != 2 => {
            Some(FieldError::body("/variants", "an ab experiment has exactly two variants"))
        }
        ExperimentType::Multivariate if n < 3 => {
            Some(FieldError::body("/variants", "a multivariate experiment has at least three variants"))
        }
        _ => None,
    }
}

/// `input` over `current` (pure, apart from the status move's checks).
pub(crate) fn apply(
    current: &Experiment,
    input: ExperimentInput,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Experiment, ManageError> {
    let mut next = current.clone();
    let mut problems = Vec::new();
    if let Some(k) = input.experiment_type {
        if current.status != ExperimentStatus::Draft && k != current.experiment_type {
            problems.push(FieldError::body("/experimentType", "is fixed once the experiment ran"));
        }
        next.experiment_type = k;
    }
    if let Some(n) = input.name {
        next.name = n;
    }
    if let Some(h) = input.hypothesis {
        next.hypothesis = h;
    }
    if let Some(m) = input.primary_metric {
        next.primary_metric = m;
    }
    if let Some(d) = input.start_date {
        next.start_date = d;
    }
    if let Some(d) = input.end_date {
        next.end_date = d;
    }
    if let Some(s) = input.segment_id {
        next.segment_id = s;
    }
    if let Some(c) = input.coverage {
        next.coverage = c;
    }
    if let Some(h) = input.use_holdout {
        next.use_holdout = h;
    }
    if let Some(vs) = input.variants {
        match variants(current.id, vs, &current.variants) {
            Ok(vs) => {
                let same_set =
                    vs.len() == current.variants.len() && vs.iter().zip(&current.variants).all(|(a, b)| a.id == b.id);
                if current.status != ExperimentStatus::Draft && !same_set {
                    problems.push(FieldError::body(
                        "/variants",
                        "no variant may be added, removed or reordered once the experiment ran: start a new experiment",
                    ));
                }
                next.variants = vs;
            }
            Err(e) => problems.extend(e),
        }
    }
    if let Some(e) = shape(next.experiment_type, next.variants.len()) {
        problems.push(e);
    }
    if let Some(status) = input.status {
        if !current.status.may_become(status) {
            return Err(ManageError::Conflict(format!(
                "a {} experiment cannot become {}",
                current.status.as_str(),
                status.as_str()
            )));
        }
        if status == ExperimentStatus::Running && current.started_at.is_none() {
            next.started_at = Some(now);
        }
        next.status = status;
    }
    if !problems.is_empty() {
        return Err(ManageError::Rejected(problems));
    }
    next.updated_by = by;
    next.updated_at = now;
    next.version = current.version + 1;
    Ok(next)
}

/// What keeps `e` from running: fewer than two variants of positive weight, a variant without published
/// content, a segment the tenant does not have.
async fn startable(
    catalogue: &impl Catalogue,
    tenant: &TenantId,
    e: &Experiment,
) -> Result<Vec<FieldError>, ManageError> {
    let mut problems = Vec::new();
    if e.variants.iter().filter(|v| v.weight > 0.0).count() < 2 {
        problems.push(FieldError::body("/variants", "an experiment needs two variants of positive weight to start"));
    }
    for (i, v) in e.variants.iter().enumerate() {
        let content = v.variant_details.get("contentId").and_then(|c| c.as_str()).and_then(|c| Uuid::parse_str(c).ok());
        let published = match content {
            Some(id) => catalogue.content_published(tenant, id).await.map_err(ManageError::Conflict)?,
            None => false,
        };
        if !published {
            problems.push(FieldError::body(
                format!("/variants/{i}/variantDetails/contentId"),
                "must name a published content item of this organization",
            ));
        }
    }
    if let Some(segment) = e.segment_id
        && !catalogue.segment_exists(tenant, segment).await.map_err(ManageError::Conflict)?
    {
        problems.push(FieldError::body("/segmentId", "names no segment of this organization"));
    }
    Ok(problems)
}

pub struct Manage<'a, C: Catalogue> {
    pub store: &'a Store,
    pub catalogue: &'a C,
}

impl<C: Catalogue> Manage<'_, C> {
    pub async fn get(&self, tenant: &TenantId, id: Uuid) -> Result<Experiment, ManageError> {
        repo::get_experiment(self.store, tenant, id).await?.ok_or(ManageError::NotFound)
    }

    pub(crate) async fn create(
        &self,
        tenant: &TenantId,
        input: ExperimentInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Experiment, ManageError> {
        let draft = Experiment {
            id: Uuid::now_v7(),
            experiment_type: input.experiment_type.unwrap_or(ExperimentType::Ab),
            name: String::new(),
            hypothesis: None,
            primary_metric: PrimaryMetric::Completion,
            status: ExperimentStatus::Draft,
            start_date: None,
            end_date: None,
            variants: Vec::new(),
            segment_id: None,
            coverage: 1.0,
            use_holdout: false,
            hash_version: crate::hash::Bucketing::HASH_VERSION,
            bucket_version: 0,
            started_at: None,
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let e = self.checked(tenant, &draft, input, by, now).await?;
        let tx = self
            .with_holdout(tenant, &e, Write::create(repo::put_experiment(tenant, &e)?, "experiment exists"), now)
            .await?;
        match self.store.transact(tx).await {
            Ok(()) => Ok(e),
            Err(e) if e.is_version_conflict() => Err(ManageError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// The experiment changed, and its status before.
    pub(crate) async fn update(
        &self,
        tenant: &TenantId,
        id: Uuid,
        input: ExperimentInput,
        if_match: Option<u64>,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Experiment, ExperimentStatus), ManageError> {
        let current = self.get(tenant, id).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(ManageError::VersionMoved);
        }
        let next = self.checked(tenant, &current, input, by, now).await?;
        let write = Write::replace(repo::put_experiment(tenant, &next)?, current.version);
        match self.store.transact(self.with_holdout(tenant, &next, write, now).await?).await {
            Ok(()) => Ok((next, current.status)),
            Err(e) if e.is_version_conflict() => Err(ManageError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// A deliberate re-randomisation: a new bucket version, so every worker is assigned afresh and the
    /// results start over (the earlier assignments and counts stay, under their own version).
    pub async fn rerandomise(
        &self,
        tenant: &TenantId,
        id: Uuid,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Experiment, ManageError> {
        let current = self.get(tenant, id).await?;
        let next = Experiment {
            bucket_version: current.bucket_version + 1,
            updated_by: by,
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        match self.store.write(Write::replace(repo::put_experiment(tenant, &next)?, current.version)).await {
            Ok(()) => Ok(next),
            Err(e) if e.is_version_conflict() => Err(ManageError::VersionMoved),
            Err(e) => Err(e.into()),
        }
    }

    /// `write` of `e`, with the lock of the tenant's holdout when `e` runs using it.
    async fn with_holdout(
        &self,
        tenant: &TenantId,
        e: &Experiment,
        write: Write,
        now: DateTime<Utc>,
    ) -> Result<Tx, ManageError> {
        let mut tx = Tx::new().with(write);
        if e.use_holdout && e.status == ExperimentStatus::Running {
            let settings = crate::settings::get(self.store, tenant).await?;
            if let Some(lock) = crate::settings::lock(tenant, &settings, e.id, now)? {
                tx.push(lock);
            }
        }
        Ok(tx)
    }

    async fn checked(
        &self,
        tenant: &TenantId,
        current: &Experiment,
        input: ExperimentInput,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Experiment, ManageError> {
        let starting = input.status == Some(ExperimentStatus::Running) && current.status == ExperimentStatus::Draft;
        let next = apply(current, input, by, now)?;
        if starting {
            let problems = startable(self.catalogue, tenant, &next).await?;
            if !problems.is_empty() {
                return Err(ManageError::Rejected(problems));
            }
        }
        Ok(next)
    }
}
