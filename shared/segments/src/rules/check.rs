//! The compiled test of one condition, applied to a worker's value: rule values pre-folded, pre-parsed and
//! in sets, so a check is a comparison or a lookup.

use super::operand::parse_micros;
use super::read::Val;
use super::text::{Text, TextSet};
use serde_json::Value;
use std::cmp::Ordering;
use uuid::Uuid;

/// Bounds, each inclusive or not; `None` is unbounded.
#[derive(Clone, Copy, Debug, Default)]
pub struct Interval<T> {
    pub lo: Option<(T, bool)>,
    pub hi: Option<(T, bool)>,
}

impl<T: PartialOrd + Copy> Interval<T> {
    pub fn contains(&self, x: T) -> bool {
        let above = self.lo.is_none_or(|(lo, inclusive)| if inclusive { x >= lo } else { x > lo });
        let below = self.hi.is_none_or(|(hi, inclusive)| if inclusive { x <= hi } else { x < hi });
        above && below
    }
}

/// The values of eq or in: a value equals one of them. Kept by type, since a custom field's stored value
/// may be any JSON type and only compares with rule values of its own.
#[derive(Clone, Debug)]
pub struct Scalars {
    pub texts: TextSet,
    /// Sorted.
    pub numbers: Box<[f64]>,
    /// Whether false, true are among the values.
    pub bools: [bool; 2],
    /// Sorted.
    pub ids: Box<[Uuid]>,
}

impl Scalars {
    pub fn new(texts: Vec<Box<str>>, mut numbers: Vec<f64>, bools: [bool; 2], mut ids: Vec<Uuid>) -> Self {
        numbers.sort_by(f64::total_cmp);
        ids.sort_unstable();
        Self { texts: TextSet::new(texts), numbers: numbers.into(), bools, ids: ids.into() }
    }

    fn number(&self, n: f64) -> bool {
        // Not total_cmp: 0.0 and -0.0 are equal here, and a NaN finds nothing.
        self.numbers.binary_search_by(|x| x.partial_cmp(&n).unwrap_or(Ordering::Less)).is_ok()
    }

    fn contains(&self, v: Val<'_>) -> bool {
        match v {
            Val::Text(t) => self.texts.contains(t),
            Val::Number(n) => self.number(n),
            Val::Bool(b) => self.bools[usize::from(b)],
            Val::Id(id) => self.ids.binary_search(&id).is_ok(),
            Val::Json(Value::String(s)) => self.texts.contains(Text::one(s)),
            Val::Json(Value::Number(n)) => n.as_f64().is_some_and(|n| self.number(n)),
            Val::Json(Value::Bool(b)) => self.bools[usize::from(*b)],
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Test {
    /// exists, missing: any value.
    Present,
    Equal(Scalars),
    /// Enum values as a mask of discriminants.
    Choice(u32),
    /// In text; of a list (tags, a custom array), one equal element.
    Contains(Box<str>),
    StartsWith(Box<str>),
    HasAny(TextSet),
    HasAll(Box<[Box<str>]>),
    Range(Interval<f64>),
    /// Microseconds since the epoch.
    Time(Interval<i64>),
}

fn strings(items: &[Value]) -> impl Iterator<Item = Text<'_>> {
    items.iter().filter_map(Value::as_str).map(Text::one)
}

fn tags(tags: &[String]) -> impl Iterator<Item = Text<'_>> {
    tags.iter().map(|t| Text::one(t))
}

impl Test {
    /// Whether a present value passes; a value of a type the test does not compare fails.
    pub fn check(&self, v: Val<'_>) -> bool {
        match (self, v) {
            (_, Val::Missing) => false,
            (Self::Present, _) => true,
            (Self::Equal(values), v) => values.contains(v),
            (Self::Choice(mask), Val::Choice(d)) => mask.checked_shr(u32::from(d)).is_some_and(|m| m & 1 == 1),
            (Self::Contains(k), Val::Text(t)) => t.contains(k),
            (Self::Contains(k), Val::Json(Value::String(s))) => Text::one(s).contains(k),
            (Self::Contains(k), Val::Tags(list)) => tags(list).any(|t| t.eq(k)),
            (Self::Contains(k), Val::Json(Value::Array(items))) => strings(items).any(|t| t.eq(k)),
            (Self::StartsWith(k), Val::Text(t)) => t.starts_with(k),
            (Self::StartsWith(k), Val::Json(Value::String(s))) => Text::one(s).starts_with(k),
            (Self::HasAny(set), Val::Tags(list)) => tags(list).any(|t| set.contains(t)),
            (Self::HasAny(set), Val::Json(Value::Array(items))) => strings(items).any(|t| set.contains(t)),
            (Self::HasAll(keys), Val::Tags(list)) => keys.iter().all(|k| tags(list).any(|t| t.eq(k))),
            (Self::HasAll(keys), Val::Json(Value::Array(items))) => {
                keys.iter().all(|k| strings(items).any(|t| t.eq(k)))
            }
            (Self::Range(r), Val::Number(n)) => r.contains(n),
            (Self::Range(r), Val::Json(Value::Number(n))) => n.as_f64().is_some_and(|n| r.contains(n)),
            (Self::Time(r), Val::Time(t)) => r.contains(t),
            (Self::Time(r), Val::Json(Value::String(s))) => parse_micros(s).is_some_and(|t| r.contains(t)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::text::key;
    use serde_json::json;

    #[test]
    fn intervals_respect_inclusiveness() {
        let r = Interval { lo: Some((1.0, false)), hi: Some((3.0, true)) };
        assert!(!r.contains(1.0));
        assert!(r.contains(1.5));
        assert!(r.contains(3.0));
        assert!(!r.contains(3.5));
        assert!(Interval::<i64>::default().contains(i64::MIN));
    }

    #[test]
    fn equality_compares_like_types_only() {
        let s = Scalars::new(vec![key("Night")], vec![2.0, -0.0], [false, true], vec![]);
        let (night, two, zero, yes) = (json!("NIGHT"), json!(2), json!(0.0), json!(true));
        assert!(s.contains(Val::Json(&night)));
        assert!(s.contains(Val::Json(&two)));
        assert!(s.contains(Val::Json(&zero)));
        assert!(s.contains(Val::Json(&yes)));
        assert!(!s.contains(Val::Bool(false)));
        let text_two = json!("2");
        assert!(!s.contains(Val::Json(&text_two)));
        assert!(!s.contains(Val::Number(f64::NAN)));
    }

    #[test]
    fn enum_masks_ignore_discriminants_out_of_range() {
        let t = Test::Choice(0b101);
        assert!(t.check(Val::Choice(0)));
        assert!(!t.check(Val::Choice(1)));
        assert!(t.check(Val::Choice(2)));
        assert!(!t.check(Val::Choice(200)));
    }

    #[test]
    fn list_tests_read_custom_arrays_and_skip_non_strings() {
        let arr = json!(["Forklift", 3, "first aid"]);
        assert!(Test::Contains(key("forklift")).check(Val::Json(&arr)));
        assert!(Test::HasAll(vec![key("FIRST AID"), key("forklift")].into()).check(Val::Json(&arr)));
        assert!(!Test::HasAll(vec![key("3")].into()).check(Val::Json(&arr)));
        assert!(Test::HasAny(TextSet::new(vec![key("crane"), key("first  aid")])).check(Val::Json(&arr)));
        let bad = json!("2024-13-01");
        assert!(!Test::Time(Interval::default()).check(Val::Json(&bad)));
    }
}
