//! Ordering within a collection. A collection holds its entries as one list, so positions are always
//! dense (`0..n`) and every move is a single versioned write: there are no gaps to renumber and no two
//! entries can claim one position.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("must be from 0 to {0}")]
    OutOfRange(usize),
}

/// Inserts `item` at `at` (the end when `None`) and returns its position.
pub(crate) fn insert<T>(list: &mut Vec<T>, item: T, at: Option<usize>) -> Result<usize, OrderError> {
    let at = at.unwrap_or(list.len());
    if at > list.len() {
        return Err(OrderError::OutOfRange(list.len()));
    }
    list.insert(at, item);
    Ok(at)
}

/// Moves the entry at `from` to position `to`; the others keep their relative order.
pub(crate) fn move_to<T>(list: &mut Vec<T>, from: usize, to: usize) -> Result<(), OrderError> {
    let last = list.len().saturating_sub(1);
    if from > last || to > last || list.is_empty() {
        return Err(OrderError::OutOfRange(last));
    }
    let item = list.remove(from);
    list.insert(to, item);
    Ok(())
}

/// Takes out the first entry `found` picks; the entries after it move up one, so positions stay `0..n`.
pub(crate) fn remove<T>(list: &mut Vec<T>, found: impl Fn(&T) -> bool) -> Option<T> {
    let at = list.iter().position(found)?;
    Some(list.remove(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn insert_and_move() {
        let mut list = vec!['a', 'b', 'c'];
        assert_eq!(insert(&mut list, 'd', None), Ok(3));
        assert_eq!(insert(&mut list, 'x', Some(1)), Ok(1));
        assert_eq!(list, ['a', 'x', 'b', 'c', 'd']);
        assert_eq!(insert(&mut list, 'y', Some(9)), Err(OrderError::OutOfRange(5)));
        move_to(&mut list, 4, 0).unwrap();
        assert_eq!(list, ['d', 'a', 'x', 'b', 'c']);
        move_to(&mut list, 0, 4).unwrap();
        assert_eq!(list, ['a', 'x', 'b', 'c', 'd']);
        assert_eq!(move_to(&mut list, 5, 0), Err(OrderError::OutOfRange(4)));
        assert!(move_to(&mut Vec::<u8>::new(), 0, 0).is_err());
    }

    #[test]
    fn remove_takes_one_entry_and_closes_the_gap() {
        let mut list = vec!['a', 'b', 'c', 'b'];
        assert_eq!(remove(&mut list, |&x| x == 'b'), Some('b'));
        assert_eq!(list, ['a', 'c', 'b']);
        assert_eq!(remove(&mut list, |&x| x == 'z'), None);
        assert_eq!(list, ['a', 'c', 'b']);
    }

    proptest! {
        #[test]
        fn removal_keeps_the_others_in_order(n in 1usize..30, gone in 0usize..30) {
            let gone = gone % n;
            let mut list: Vec<usize> = (0..n).collect();
            prop_assert_eq!(remove(&mut list, |&x| x == gone), Some(gone));
            let want: Vec<usize> = (0..n).filter(|&x| x != gone).collect();
            prop_assert_eq!(list, want);
        }

        #[test]
        fn moves_keep_every_entry_once_and_the_rest_in_order(n in 1usize..30, from in 0usize..30, to in 0usize..30) {
            let (from, to) = (from % n, to % n);
            let mut list: Vec<usize> = (0..n).collect();
            move_to(&mut list, from, to).unwrap();
            prop_assert_eq!(list[to], from);
            let mut sorted = list.clone();
            sorted.sort();
            prop_assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            let rest: Vec<usize> = list.iter().copied().filter(|&x| x != from).collect();
            prop_assert!(rest.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
