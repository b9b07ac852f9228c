//! A rule compiled for one sync: fields resolved to accessors, values folded, parsed and put in sets,
//! relative times fixed against `now`, and every explanation phrase written once.

use super::check::{Interval, Scalars, Test};
use super::field::{Field, Kind};
use super::node::{Condition, Node, Rule};
use super::op::Op;
use super::operand::{Operand, Scalar};
use super::read::{self, Val};
use super::text::{TextSet, key};
use super::wording;
use chrono::{DateTime, Duration, Utc};
use nudge_workers::Worker;

/// Explanations are cut to this many characters.
pub const MAX_EXPLANATION: usize = 1000;

/// A rule ready to test workers; build one per sync with [`Rule::compile`].
#[derive(Clone, Debug)]
pub struct Compiled {
    root: Step,
}

#[derive(Clone, Debug)]
enum Step {
    All(Box<[Step]>),
    Any(Box<[Step]>),
    /// The child, and what holds when it does not match.
    Not(Box<Step>, Box<str>),
    Check(Box<Check>),
}

#[derive(Clone, Debug)]
struct Check {
    field: Field,
    test: Test,
    /// neq, notIn and missing: the test's result is inverted, and a missing value matches.
    negated: bool,
    says: Box<str>,
}

impl Check {
    fn holds(&self, w: &Worker) -> bool {
        let v = match &self.field {
            Field::Attr(a) => read::attr(*a, w),
            Field::Custom(key) => read::custom(key, w),
        };
        match v {
            Val::Missing => self.negated,
            v => self.test.check(v) != self.negated,
        }
    }
}

impl Rule {
    /// Compiles the rule; `now` fixes withinLastDays and olderThanDays for the whole sync.
    pub fn compile(&self, now: DateTime<Utc>) -> Compiled {
        Compiled { root: step(&self.root, now) }
    }
}

fn step(node: &Node, now: DateTime<Utc>) -> Step {
    match node {
        Node::All(children) => Step::All(children.iter().map(|c| step(c, now)).collect()),
        Node::Any(children) => Step::Any(children.iter().map(|c| step(c, now)).collect()),
        Node::Not(child) => Step::Not(Box::new(step(child, now)), wording::deny(child).into()),
        Node::Condition(c) => Step::Check(Box::new(Check {
            field: c.field.clone(),
            test: test(c, now),
            negated: c.op.is_negative(),
            says: wording::condition(c).0.into(),
        })),
    }
}

fn equal<'a>(kind: Kind, values: impl IntoIterator<Item = &'a Scalar>) -> Test {
    let (mut texts, mut numbers, mut bools, mut ids, mut mask) = (Vec::new(), Vec::new(), [false; 2], Vec::new(), 0u32);
    for v in values {
        match v {
            Scalar::Text(s) => texts.push(key(s)),
            Scalar::Number(n) => numbers.extend(n.as_f64()),
            Scalar::Bool(b) => bools[usize::from(*b)] = true,
            Scalar::Id(id) => ids.push(*id),
            Scalar::Choice(name) => {
                let d = match kind {
                    Kind::Enum(choice) => choice.discriminant(name),
                    _ => None,
                };
                mask |= d.and_then(|d| 1u32.checked_shl(u32::from(d))).unwrap_or(0);
            }
            // Dates compare by time (see `test`), never by equality of values.
            Scalar::Date(_) | Scalar::DateTime(_) => {}
        }
    }
    if matches!(kind, Kind::Enum(_)) {
        Test::Choice(mask)
    } else {
        Test::Equal(Scalars::new(texts, numbers, bools, ids))
    }
}

/// gt… between as bounds on numbers or on times, by the value's type.
fn bounds(lo: Option<(&Scalar, bool)>, hi: Option<(&Scalar, bool)>) -> Test {
    let number = |b: Option<(&Scalar, bool)>| b.and_then(|(s, inc)| s.number().map(|n| (n, inc)));
    let micros = |b: Option<(&Scalar, bool)>| b.and_then(|(s, inc)| s.micros().map(|t| (t, inc)));
    let numeric = lo.or(hi).is_some_and(|(s, _)| s.number().is_some());
    if numeric {
        Test::Range(Interval { lo: number(lo), hi: number(hi) })
    } else {
        Test::Time(Interval { lo: micros(lo), hi: micros(hi) })
    }
}

fn texts(values: &[Scalar]) -> Vec<Box<str>> {
    values.iter().filter_map(|v| if let Scalar::Text(s) = v { Some(key(s)) } else { None }).collect()
}

fn test(c: &Condition, now: DateTime<Utc>) -> Test {
    let kind = c.field.kind();
    let ago = |days: u32| (now - Duration::days(i64::from(days))).timestamp_micros();
    match (c.op, &c.value) {
        (Op::Exists | Op::Missing, _) => Test::Present,
        (Op::Eq | Op::Neq, Operand::One(v)) if kind == Kind::Date => bounds(Some((v, true)), Some((v, true))),
        (Op::Eq | Op::Neq, Operand::One(v)) => equal(kind, [v]),
        (Op::In | Op::NotIn, Operand::List(vs)) => equal(kind, vs),
        (Op::Contains, Operand::One(Scalar::Text(s))) => Test::Contains(key(s)),
        (Op::StartsWith, Operand::One(Scalar::Text(s))) => Test::StartsWith(key(s)),
        (Op::HasAny, Operand::List(vs)) => Test::HasAny(TextSet::new(texts(vs))),
        (Op::HasAll, Operand::List(vs)) => Test::HasAll(texts(vs).into()),
        (Op::Gt, Operand::One(v)) => bounds(Some((v, false)), None),
        (Op::Gte, Operand::One(v)) => bounds(Some((v, true)), None),
        (Op::Lt, Operand::One(v)) => bounds(None, Some((v, false))),
        (Op::Lte, Operand::One(v)) => bounds(None, Some((v, true))),
        (Op::Between, Operand::Range(lo, hi)) => bounds(Some((lo, true)), Some((hi, true))),
        (Op::WithinLastDays, Operand::Days(n)) => Test::Time(Interval { lo: Some((ago(*n), true)), hi: None }),
        (Op::OlderThanDays, Operand::Days(n)) => Test::Time(Interval { lo: None, hi: Some((ago(*n), false)) }),
        // Parse pairs every operator with its operand shape; an empty set matches nothing.
        _ => equal(kind, []),
    }
}

impl Step {
    fn matches(&self, w: &Worker) -> bool {
        match self {
            Self::All(steps) => steps.iter().all(|s| s.matches(w)),
            Self::Any(steps) => steps.iter().any(|s| s.matches(w)),
            Self::Not(step, _) => !step.matches(w),
            Self::Check(check) => check.holds(w),
        }
    }

    /// Writes why the step matches and returns true, or returns false (leaving `out` to be cut back).
    fn explain(&self, w: &Worker, out: &mut String) -> bool {
        match self {
            Self::Check(check) => {
                let holds = check.holds(w);
                if holds {
                    out.push_str(&check.says);
                }
                holds
            }
            Self::All(steps) => steps.iter().enumerate().all(|(i, s)| {
                if i > 0 {
                    out.push_str(" and ");
                }
                s.explain(w, out)
            }),
            // Only the children that matched are named; each holds, so they are joined with "and".
            Self::Any(steps) => {
                let mut any = false;
                for s in steps.iter() {
                    let mark = out.len();
                    if any {
                        out.push_str(" and ");
                    }
                    if s.explain(w, out) {
                        any = true;
                    } else {
                        out.truncate(mark);
                    }
                }
                any
            }
            Self::Not(inner, denial) => match &**inner {
                // not (not x): x matched, so say why it did.
                Self::Not(x, _) => x.explain(w, out),
                _ => {
                    let holds = !inner.matches(w);
                    if holds {
                        out.push_str(denial);
                    }
                    holds
                }
            },
        }
    }
}

impl Compiled {
    pub fn matches(&self, w: &Worker) -> bool {
        self.root.matches(w)
    }

    /// Why the worker matches (`None` when it does not): the conditions that hold, in words, at most
    /// [`MAX_EXPLANATION`] characters.
    pub fn explain(&self, w: &Worker) -> Option<String> {
        let mut out = String::new();
        self.root.explain(w, &mut out).then(|| bounded(out, MAX_EXPLANATION))
    }
}

/// Cuts `s` to at most `max` characters at a word boundary, marking the cut with "…".
fn bounded(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let room: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match room.rfind(' ') {
        Some(space) if space > 0 => room[..space].trim_end(),
        _ => room.as_str(),
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_word() {
        assert_eq!(bounded("short".into(), 10), "short");
        assert_eq!(bounded("one two three".into(), 10), "one two…");
        assert_eq!(bounded("abcdefghijklmnop".into(), 5), "abcd…");
        let long = "word ".repeat(400);
        let cut = bounded(long, MAX_EXPLANATION);
        assert!(cut.chars().count() <= MAX_EXPLANATION);
        assert!(cut.ends_with("word…"));
    }
}
