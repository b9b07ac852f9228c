//! The supervisor hierarchy: a supervisor is a worker of the same tenant, and no worker may end up
//! supervising itself through any chain. A change of supervisor reads the chain above the new supervisor
//! and conditions its write on none of those workers moving meanwhile, so two concurrent changes cannot
//! close a cycle between them.

use super::error::{SupervisorRefusal, WorkerError};
use super::repo;
use nudge_core::TenantId;
use nudge_core::store::{Store, StoreError, Write};
use uuid::Uuid;

/// The longest chain of supervisors above a worker.
pub(crate) const MAX_DEPTH: usize = 20;

/// One link of a chain: a worker, the version it was read at, and its supervisor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Link {
    pub(crate) id: Uuid,
    pub(crate) version: u64,
    #[serde(default)]
    pub(crate) supervisor_id: Option<Uuid>,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
}

/// Whether `worker` may report to the head of `chain` (the proposed supervisor, then its supervisor, …).
fn check(worker: Uuid, chain: &[Link]) -> Result<(), SupervisorRefusal> {
    if chain.first().is_some_and(|l| l.id == worker) {
        return Err(SupervisorRefusal::Itself);
    }
    if chain.iter().any(|l| l.id == worker) {
        return Err(SupervisorRefusal::Cycle);
    }
    if chain.len() >= MAX_DEPTH {
        return Err(SupervisorRefusal::TooDeep);
    }
    Ok(())
}

/// The chain from `start` up to the top (start first). Stops at `MAX_DEPTH + 1` links, or at a link seen
/// before (a cycle written before these rules, which the walk must not follow forever).
pub(crate) async fn chain(store: &Store, tenant: &TenantId, start: Uuid) -> Result<Vec<Link>, StoreError> {
    let mut out: Vec<Link> = Vec::new();
    let mut next = Some(start);
    while let Some(id) = next {
        if out.len() > MAX_DEPTH || out.iter().any(|l| l.id == id) {
            break;
        }
        let Some(link) = store.get::<Link>(&repo::core_key(tenant, id)).await? else { break };
        next = link.supervisor_id;
        out.push(link);
    }
    Ok(out)
}

/// Checks a new supervisor for `worker` and returns the conditions that keep the check true until the
/// write: refused when it names no worker of the tenant, or would close a cycle or make the chain too long.
pub(crate) async fn guard(
    store: &Store,
    tenant: &TenantId,
    worker: Uuid,
    supervisor: Uuid,
) -> Result<Vec<Write>, WorkerError> {
    let links = chain(store, tenant, supervisor).await?;
    if links.first().is_none_or(|l| l.id != supervisor) {
        return Err(WorkerError::Supervisor(SupervisorRefusal::Unknown));
    }
    check(worker, &links).map_err(WorkerError::Supervisor)?;
    Ok(links.iter().map(|l| repo::unmoved(tenant, l)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(n: u128, sup: Option<u128>) -> Link {
        Link {
            id: Uuid::from_u128(n),
            version: 1,
            supervisor_id: sup.map(Uuid::from_u128),
            first_name: "A".into(),
            last_name: "B".into(),
        }
    }

    #[test]
    fn cycles_and_self_supervision_are_refused() {
        let me = Uuid::from_u128(1);
        assert!(check(me, &[link(2, Some(3)), link(3, None)]).is_ok());
        assert_eq!(check(me, &[link(1, None)]), Err(SupervisorRefusal::Itself));
        assert_eq!(check(me, &[link(2, Some(3)), link(3, Some(1)), link(1, None)]), Err(SupervisorRefusal::Cycle));
    }

    #[test]
    fn chains_are_bounded() {
        let long: Vec<Link> = (10..10 + MAX_DEPTH as u128).map(|n| link(n, Some(n + 1))).collect();
        assert_eq!(check(Uuid::from_u128(1), &long), Err(SupervisorRefusal::TooDeep));
        assert!(check(Uuid::from_u128(1), &long[..MAX_DEPTH - 1]).is_ok());
    }
}
