//! Membership changes: what a rule evaluation or a manual edit does to one worker's membership (pure), and
//! writing a set of changes so that `workerCount` stays exact under concurrent writers.
//!
//! Every change is conditional on the membership as read (absent, or its version) and on the worker as read
//! (its version), and goes in one transaction with the count's atomic ADD on the segment's state item. So a
//! decision made from stale data fails instead of landing, the caller reads again and decides again, and
//! a redone page or redelivered message finds nothing left to change.

use super::model::Membership;
use super::repo;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Changes, Put, Store, StoreError, Tx, Write};
use nudge_workers::repo as workers;
use uuid::Uuid;

/// Labels of the conditions a change depends on, read back only here.
const SEGMENT_GONE: &str = "segment";
const MEMBER_MOVED: &str = "membership";
const WORKER_MOVED: &str = "worker";

/// Workers changed per transaction: each takes its membership write and a check on the worker, and the
/// state item takes one more (DynamoDB allows 100 items per transaction).
pub(crate) const CHANGES_PER_TX: usize = 49;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    Add(Membership),
    /// The membership moves from `version` to `next` (flags or reason).
    Update(Membership),
    Remove(Membership),
}

impl Change {
    /// How the segment's workerCount moves.
    pub(crate) fn delta(&self) -> i64 {
        match self {
            Self::Add(_) => 1,
            Self::Update(_) => 0,
            Self::Remove(_) => -1,
        }
    }

    pub(crate) fn worker_id(&self) -> Uuid {
        match self {
            Self::Add(m) | Self::Update(m) | Self::Remove(m) => m.worker_id,
        }
    }
}

fn fresh(segment: Uuid, worker: Uuid, now: DateTime<Utc>) -> Membership {
    Membership {
        id: Uuid::now_v7(),
        segment_id: segment,
        worker_id: worker,
        rule_match: false,
        manual: false,
        rule_match_reason: None,
        added_at: now,
        updated_at: now,
        version: 1,
    }
}

fn revised(m: &Membership, now: DateTime<Utc>, edit: impl FnOnce(&mut Membership)) -> Membership {
    let mut next = m.clone();
    edit(&mut next);
    next.updated_at = now;
    next.version = m.version + 1;
    next
}

/// The rule's verdict on a worker (`matched`: the reason, or `None` for no match) against its membership.
pub(crate) fn by_rule(
    segment: Uuid,
    worker: Uuid,
    current: Option<&Membership>,
    matched: Option<String>,
    now: DateTime<Utc>,
) -> Option<Change> {
    match (current, matched) {
        (None, None) => None,
        (None, Some(reason)) => Some(Change::Add(Membership {
            rule_match: true,
            rule_match_reason: Some(reason),
            ..fresh(segment, worker, now)
        })),
        (Some(m), Some(reason)) if m.rule_match && m.rule_match_reason.as_deref() == Some(reason.as_str()) => None,
        (Some(m), Some(reason)) => Some(Change::Update(revised(m, now, |n| {
            n.rule_match = true;
            n.rule_match_reason = Some(reason);
        }))),
        (Some(m), None) if !m.rule_match => None,
        (Some(m), None) if m.manual => Some(Change::Update(revised(m, now, |n| {
            n.rule_match = false;
            n.rule_match_reason = None;
        }))),
        (Some(m), None) => Some(Change::Remove(m.clone())),
    }
}

/// Adding a worker by hand.
pub(crate) fn add_by_hand(
    segment: Uuid,
    worker: Uuid,
    current: Option<&Membership>,
    now: DateTime<Utc>,
) -> Option<Change> {
    match current {
        None => Some(Change::Add(Membership { manual: true, ..fresh(segment, worker, now) })),
        Some(m) if m.manual => None,
        Some(m) => Some(Change::Update(revised(m, now, |n| n.manual = true))),
    }
}

/// Removing a worker by hand: it stays while the rule matches it.
pub(crate) fn remove_by_hand(current: Option<&Membership>, now: DateTime<Utc>) -> Option<Change> {
    match current {
        None => None,
        Some(m) if m.rule_match && m.manual => Some(Change::Update(revised(m, now, |n| n.manual = false))),
        Some(m) if m.rule_match => None,
        Some(m) => Some(Change::Remove(m.clone())),
    }
}

/// The worker is gone: so is every membership it had.
pub(crate) fn worker_gone(current: Option<&Membership>) -> Option<Change> {
    current.map(|m| Change::Remove(m.clone()))
}

/// What a change must still find true of its worker when it lands.
#[derive(Clone, Copy, Debug)]
pub(crate) enum WorkerCheck {
    /// At this version (a rule decided on what it read).
    Version(u64),
    /// Still there (a manual add).
    Exists,
    /// Gone (the membership of a deleted worker).
    Absent,
    /// Nothing: the worker is gone, or the change only takes away.
    None,
}

fn member_write(tenant: &TenantId, change: &Change) -> Result<Write, StoreError> {
    Ok(match change {
        Change::Add(m) => Write::create(Put::new(&repo::member_key(tenant, m), repo::MEMBER, m)?, MEMBER_MOVED),
        Change::Update(m) => Write::replace(Put::new(&repo::member_key(tenant, m), repo::MEMBER, m)?, m.version - 1),
        Change::Remove(m) => Write::delete(repo::member_key(tenant, m)).if_version(m.version),
    })
}

/// The transactions that apply `changes` to `segment`, each with its share of the count.
pub(crate) fn transactions(
    tenant: &TenantId,
    segment: Uuid,
    changes: &[(Change, WorkerCheck)],
) -> Result<Vec<Tx>, StoreError> {
    let mut out = Vec::new();
    for chunk in changes.chunks(CHANGES_PER_TX) {
        let mut tx = Tx::new();
        let mut delta = 0i64;
        for (change, check) in chunk {
            delta += change.delta();
            tx.push(member_write(tenant, change)?);
            let core = workers::core_key(tenant, change.worker_id());
            match check {
                WorkerCheck::Version(v) => tx.push(Write::check_version(core, *v, WORKER_MOVED)),
                WorkerCheck::Exists => tx.push(Write::check(core, WORKER_MOVED)),
                WorkerCheck::Absent => tx.push(Write::check_absent(core, WORKER_MOVED)),
                WorkerCheck::None => {}
            }
        }
        // Also when the count does not move: the segment must still exist for its memberships to change.
        // `memberChanges` counts every add and removal, so a reader (a live program) can tell the
        // members changed even when the count did not.
        let changed = chunk.iter().filter(|(c, _)| c.delta() != 0).count() as i64;
        tx.push(Write::update(
            repo::state_key(tenant, segment),
            Changes::new().add("workerCount", delta).add("memberChanges", changed),
            SEGMENT_GONE,
        ));
        out.push(tx);
    }
    Ok(out)
}

/// What applying changes ran into.
#[derive(Debug)]
enum Applied {
    Done,
    /// A membership or worker moved since it was read: read again, decide again (earlier transactions
    /// landed, and the new decisions will not repeat them).
    Stale,
    /// The segment was deleted.
    SegmentGone,
}

async fn apply(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    changes: &[(Change, WorkerCheck)],
) -> Result<Applied, StoreError> {
    for tx in transactions(tenant, segment, changes)? {
        match store.transact(tx).await {
            Ok(()) => {}
            Err(StoreError::Condition(SEGMENT_GONE)) => return Ok(Applied::SegmentGone),
            Err(StoreError::Condition(_)) | Err(StoreError::TransactionConflict) => return Ok(Applied::Stale),
            Err(e) => return Err(e),
        }
    }
    Ok(Applied::Done)
}

/// Reads, decides and applies again while the changes find their data moved: `attempt` reads and decides,
/// answering the changes and what to return once they land. `Ok(None)`: the segment is gone.
/// `TransactionConflict` when the data keeps moving after a few tries, backing off between them.
pub(crate) async fn until_applied<T, F, Fut>(
    store: &Store,
    tenant: &TenantId,
    segment: Uuid,
    mut attempt: F,
) -> Result<Option<T>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<(Change, WorkerCheck)>, T), StoreError>>,
{
    for tries in 0..8u32 {
        if tries > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20 << tries.min(5))).await;
        }
        let (changes, out) = attempt().await?;
        match apply(store, tenant, segment, &changes).await? {
            Applied::Done => return Ok(Some(out)),
            Applied::SegmentGone => return Ok(None),
            Applied::Stale => {}
        }
    }
    Err(StoreError::TransactionConflict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(rule_match: bool, manual: bool) -> Membership {
        Membership {
            rule_match,
            manual,
            rule_match_reason: rule_match.then(|| "team is \"A\"".to_owned()),
            ..fresh(Uuid::nil(), Uuid::max(), Utc::now())
        }
    }

    #[test]
    fn a_rule_adds_updates_and_removes_only_what_it_owns() {
        let (s, w, now) = (Uuid::nil(), Uuid::max(), Utc::now());
        let add = by_rule(s, w, None, Some("r".into()), now);
        assert!(
            matches!(add, Some(Change::Add(ref m)) if m.rule_match && !m.manual && m.rule_match_reason.as_deref() == Some("r"))
        );
        assert_eq!(by_rule(s, w, None, None, now), None);
        // Same reason: nothing to write.
        let ruled = member(true, false);
        assert_eq!(by_rule(s, w, Some(&ruled), Some("team is \"A\"".into()), now), None);
        // New reason: an update, the count unchanged.
        let upd = by_rule(s, w, Some(&ruled), Some("team is \"B\"".into()), now).unwrap();
        assert_eq!(upd.delta(), 0);
        assert!(matches!(upd, Change::Update(ref m) if m.version == ruled.version + 1));
        // No longer matching: removed, unless added by hand.
        assert_eq!(by_rule(s, w, Some(&ruled), None, now).map(|c| c.delta()), Some(-1));
        let both = member(true, true);
        let kept = by_rule(s, w, Some(&both), None, now).unwrap();
        assert!(matches!(kept, Change::Update(ref m) if !m.rule_match && m.manual && m.rule_match_reason.is_none()));
        assert_eq!(by_rule(s, w, Some(&member(false, true)), None, now), None);
        // A manual member the rule now matches gains the reason.
        let gained = by_rule(s, w, Some(&member(false, true)), Some("r".into()), now).unwrap();
        assert!(matches!(gained, Change::Update(ref m) if m.rule_match && m.manual));
    }

    #[test]
    fn by_hand_changes_keep_rule_members() {
        let (s, w, now) = (Uuid::nil(), Uuid::max(), Utc::now());
        assert!(matches!(add_by_hand(s, w, None, now), Some(Change::Add(ref m)) if m.manual && !m.rule_match));
        assert_eq!(add_by_hand(s, w, Some(&member(false, true)), now), None);
        assert!(matches!(add_by_hand(s, w, Some(&member(true, false)), now), Some(Change::Update(ref m)) if m.manual));
        assert_eq!(remove_by_hand(Some(&member(false, true)), now).map(|c| c.delta()), Some(-1));
        assert_eq!(remove_by_hand(Some(&member(true, false)), now), None);
        assert!(matches!(remove_by_hand(Some(&member(true, true)), now), Some(Change::Update(ref m)) if !m.manual));
        assert_eq!(remove_by_hand(None, now), None);
        assert_eq!(worker_gone(Some(&member(true, true))).map(|c| c.delta()), Some(-1));
    }

    #[test]
    fn changes_are_chunked_with_the_count_of_each_chunk() {
        let tenant = nudge_core::testing::tenant(0);
        let now = Utc::now();
        let changes: Vec<_> = (0..120u128)
            .map(|i| {
                (
                    by_rule(Uuid::nil(), Uuid::from_u128(i), None, Some("r".into()), now).unwrap(),
                    WorkerCheck::Version(1),
                )
            })
            .collect();
        let txs = transactions(&tenant, Uuid::nil(), &changes).unwrap();
        assert_eq!(txs.iter().map(Tx::len).collect::<Vec<_>>(), [99, 99, 45]);
    }
}
