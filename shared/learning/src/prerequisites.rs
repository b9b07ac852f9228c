//! The prerequisite graph (seed 002 ModulePrerequisite: a dependent module and the module it needs first).
//! It must stay acyclic, or some module could never be started: a new edge is refused when the
//! prerequisite already depends, directly or through others, on the dependent, and the refusal names the
//! cycle it would close.

use std::collections::{HashMap, VecDeque};
use uuid::Uuid;

/// The cycle `dependent → prerequisite` would close over `edges` (each `(dependent, prerequisite)`), as
/// the modules along it starting and ending with `dependent`; `None` when the edge is safe.
pub fn cycle(edges: &[(Uuid, Uuid)], dependent: Uuid, prerequisite: Uuid) -> Option<Vec<Uuid>> {
    if dependent == prerequisite {
        return Some(vec![dependent, dependent]);
    }
    let mut needs: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (d, p) in edges {
        needs.entry(*d).or_default().push(*p);
    }
    // Breadth first from the prerequisite through what it needs; reaching the dependent closes a cycle.
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut queue = VecDeque::from([prerequisite]);
    while let Some(at) = queue.pop_front() {
        for next in needs.get(&at).into_iter().flatten() {
            if came_from.contains_key(next) || *next == prerequisite {
                continue;
            }
            came_from.insert(*next, at);
            if *next == dependent {
                let mut path = vec![dependent];
                let mut step = dependent;
                while let Some(prev) = came_from.get(&step) {
                    path.push(*prev);
                    step = *prev;
                    if step == prerequisite {
                        break;
                    }
                }
                path.reverse();
                // dependent → prerequisite → … → dependent.
                let mut cycle = vec![dependent];
                cycle.extend(path);
                return Some(cycle);
            }
            queue.push_back(*next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_chain_accepts_more_but_not_the_edge_that_closes_it() {
        // 1 needs 2, 2 needs 3, 3 needs 4.
        let edges = [(m(1), m(2)), (m(2), m(3)), (m(3), m(4))];
        assert_eq!(cycle(&edges, m(1), m(4)), None);
        assert_eq!(cycle(&edges, m(5), m(1)), None);
        assert_eq!(cycle(&edges, m(4), m(1)), Some(vec![m(4), m(1), m(2), m(3), m(4)]));
        assert_eq!(cycle(&edges, m(3), m(2)), Some(vec![m(3), m(2), m(3)]));
        assert_eq!(cycle(&edges, m(7), m(7)), Some(vec![m(7), m(7)]));
    }

    #[test]
    fn diamonds_are_not_cycles() {
        let edges = [(m(1), m(2)), (m(1), m(3)), (m(2), m(4)), (m(3), m(4))];
        assert_eq!(cycle(&edges, m(5), m(4)), None);
        assert_eq!(cycle(&edges, m(2), m(3)), None);
        let closing = cycle(&edges, m(4), m(1)).unwrap_or_default();
        assert_eq!((closing.first(), closing.last(), closing.len()), (Some(&m(4)), Some(&m(4)), 4));
    }
}
