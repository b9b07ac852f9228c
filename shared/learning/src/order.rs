//! Dense, stable section order: a module's sections are numbered 1..=n by `sortOrder`, with no gaps and no
//! ties, so a learner sees one order and an author's move changes exactly the sections it moves.

use uuid::Uuid;

/// Why a requested order is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("section {0} is not in the module")]
    Unknown(Uuid),
    #[error("section {0} is listed twice")]
    Repeated(Uuid),
    #[error("section {0} is missing: list every section")]
    Missing(Uuid),
}

/// Each of `ids` with its `sortOrder` (1-based, dense).
pub fn numbered(ids: &[Uuid]) -> Vec<(Uuid, u32)> {
    ids.iter().zip(1u32..).map(|(id, n)| (*id, n)).collect()
}

/// `current` (in order) reordered as `wanted`, which must list each section exactly once.
pub fn reorder(current: &[Uuid], wanted: &[Uuid]) -> Result<Vec<(Uuid, u32)>, Vec<OrderError>> {
    let mut problems = Vec::new();
    for (i, id) in wanted.iter().enumerate() {
        if !current.contains(id) {
            problems.push(OrderError::Unknown(*id));
        } else if wanted[..i].contains(id) {
            problems.push(OrderError::Repeated(*id));
        }
    }
    problems.extend(current.iter().filter(|id| !wanted.contains(id)).map(|id| OrderError::Missing(*id)));
    if problems.is_empty() { Ok(numbered(wanted)) } else { Err(problems) }
}

/// `current` with `new` inserted at `position` (0-based; `None` or past the end: last).
pub fn insert(current: &[Uuid], new: Uuid, position: Option<usize>) -> Vec<(Uuid, u32)> {
    let mut ids = current.to_vec();
    let at = position.unwrap_or(ids.len()).min(ids.len());
    ids.insert(at, new);
    numbered(&ids)
}

/// `current` without `gone`, renumbered.
pub fn remove(current: &[Uuid], gone: Uuid) -> Vec<(Uuid, u32)> {
    let ids: Vec<Uuid> = current.iter().copied().filter(|id| *id != gone).collect();
    numbered(&ids)
}

/// The entries of `next` whose number differs from `before`'s (what must be written).
pub fn changed(before: &[(Uuid, u32)], next: &[(Uuid, u32)]) -> Vec<(Uuid, u32)> {
    next.iter().copied().filter(|entry| !before.contains(entry)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn orders_stay_dense_and_moves_touch_only_what_moved() {
        let now = numbered(&[s(1), s(2), s(3), s(4)]);
        let moved = reorder(&[s(1), s(2), s(3), s(4)], &[s(1), s(3), s(2), s(4)]).unwrap_or_default();
        assert_eq!(changed(&now, &moved), vec![(s(3), 2), (s(2), 3)]);
        assert_eq!(insert(&[s(1), s(2)], s(9), Some(0)), vec![(s(9), 1), (s(1), 2), (s(2), 3)]);
        assert_eq!(insert(&[s(1), s(2)], s(9), Some(7)), vec![(s(1), 1), (s(2), 2), (s(9), 3)]);
        assert_eq!(remove(&[s(1), s(2), s(3)], s(2)), vec![(s(1), 1), (s(3), 2)]);
    }

    #[test]
    fn a_reorder_must_list_every_section_once() {
        let errors = reorder(&[s(1), s(2), s(3)], &[s(1), s(1), s(7)]).unwrap_err();
        assert_eq!(
            errors,
            vec![
                OrderError::Repeated(s(1)),
                OrderError::Unknown(s(7)),
                OrderError::Missing(s(2)),
                OrderError::Missing(s(3))
            ]
        );
    }
}
