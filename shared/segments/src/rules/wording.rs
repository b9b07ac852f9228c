//! Conditions in words a tenant admin reads: what holds when a condition matches, and what holds when it
//! does not (for `not`). Written once per compile, never per worker.

use super::field::{Attr, Field};
use super::node::{Condition, Node};
use super::op::Op;
use super::operand::{Operand, Scalar};
use chrono::Timelike;

/// Lists show this many values, then how many more.
const SHOWN: usize = 10;

fn show(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => format!("\"{t}\""),
        Scalar::Number(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Date(d) => d.format("%Y-%m-%d").to_string(),
        Scalar::DateTime(t) if t.second() == 0 && t.nanosecond() == 0 => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        Scalar::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Scalar::Id(id) => id.to_string(),
        Scalar::Choice(c) => c.replace('_', " "),
    }
}

fn show_list(items: &[Scalar]) -> String {
    let mut out = items.iter().take(SHOWN).map(show).collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        out.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    out
}

fn days(n: u32) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

/// What a condition states when it holds, and when it does not.
pub fn condition(c: &Condition) -> (String, String) {
    let (yes, no) = phrases(c);
    let label = c.field.label();
    let subject = |p: String| if p.starts_with(' ') { format!("{label}{p}") } else { p };
    (subject(yes), subject(no))
}

/// The phrases; a leading space means "after the field's label".
fn phrases(c: &Condition) -> (String, String) {
    let tags = c.field == Field::Attr(Attr::Tags);
    let time = |s: &Scalar| s.micros().is_some();
    // Flags read better as a state than as "active is true".
    let flag = match c.field {
        Field::Attr(Attr::IsActive) => Some(("is active", "is not active")),
        Field::Attr(Attr::CommunicationConsent) => Some(("has communication consent", "has no communication consent")),
        _ => None,
    };
    if let (Some((on, off)), Operand::One(Scalar::Bool(b))) = (flag, &c.value) {
        let holds = (c.op == Op::Eq) == *b;
        return if holds { (on.into(), off.into()) } else { (off.into(), on.into()) };
    }
    match (c.op, &c.value) {
        (Op::Eq, Operand::One(v)) => (format!(" is {}", show(v)), format!(" is not {}", show(v))),
        (Op::Neq, Operand::One(v)) => (format!(" is not {}", show(v)), format!(" is {}", show(v))),
        (Op::In, Operand::List(vs)) => in_list(vs),
        (Op::NotIn, Operand::List(vs)) => swap(in_list(vs)),
        (Op::Contains, Operand::One(v)) if tags => {
            (format!("has tag {}", show(v)), format!("does not have tag {}", show(v)))
        }
        (Op::Contains, Operand::One(v)) => (format!(" contains {}", show(v)), format!(" does not contain {}", show(v))),
        (Op::StartsWith, Operand::One(v)) => {
            (format!(" starts with {}", show(v)), format!(" does not start with {}", show(v)))
        }
        (Op::Gt, Operand::One(v)) if time(v) => {
            (format!(" is after {}", show(v)), format!(" is on or before {}", show(v)))
        }
        (Op::Gte, Operand::One(v)) if time(v) => {
            (format!(" is on or after {}", show(v)), format!(" is before {}", show(v)))
        }
        (Op::Lt, Operand::One(v)) if time(v) => {
            (format!(" is before {}", show(v)), format!(" is on or after {}", show(v)))
        }
        (Op::Lte, Operand::One(v)) if time(v) => {
            (format!(" is on or before {}", show(v)), format!(" is after {}", show(v)))
        }
        (Op::Gt, Operand::One(v)) => (format!(" is more than {}", show(v)), format!(" is at most {}", show(v))),
        (Op::Gte, Operand::One(v)) => (format!(" is at least {}", show(v)), format!(" is less than {}", show(v))),
        (Op::Lt, Operand::One(v)) => (format!(" is less than {}", show(v)), format!(" is at least {}", show(v))),
        (Op::Lte, Operand::One(v)) => (format!(" is at most {}", show(v)), format!(" is more than {}", show(v))),
        (Op::Between, Operand::Range(lo, hi)) => {
            let range = format!("between {} and {}", show(lo), show(hi));
            (format!(" is {range}"), format!(" is not {range}"))
        }
        (Op::WithinLastDays, Operand::Days(n)) => {
            (format!(" is within the last {}", days(*n)), format!(" is not within the last {}", days(*n)))
        }
        (Op::OlderThanDays, Operand::Days(n)) => {
            (format!(" is more than {} ago", days(*n)), format!(" is not more than {} ago", days(*n)))
        }
        (Op::HasAny, Operand::List(vs)) if tags => {
            (format!("has any of the tags {}", show_list(vs)), format!("has none of the tags {}", show_list(vs)))
        }
        (Op::HasAll, Operand::List(vs)) if tags => (
            format!("has all of the tags {}", show_list(vs)),
            format!("does not have all of the tags {}", show_list(vs)),
        ),
        (Op::HasAny, Operand::List(vs)) => {
            (format!(" includes any of {}", show_list(vs)), format!(" includes none of {}", show_list(vs)))
        }
        (Op::HasAll, Operand::List(vs)) => {
            (format!(" includes all of {}", show_list(vs)), format!(" does not include all of {}", show_list(vs)))
        }
        (Op::Exists, _) if tags => ("has tags".into(), "has no tags".into()),
        (Op::Missing, _) if tags => ("has no tags".into(), "has tags".into()),
        (Op::Exists, _) => (" is set".into(), " is not set".into()),
        (Op::Missing, _) => (" is not set".into(), " is set".into()),
        // Parse pairs every operator with its operand shape; anything else is named plainly.
        (op, _) => (format!(" {}", op.name()), format!(" not {}", op.name())),
    }
}

fn in_list(vs: &[Scalar]) -> (String, String) {
    match vs {
        [one] => (format!(" is {}", show(one)), format!(" is not {}", show(one))),
        _ => (format!(" is one of {}", show_list(vs)), format!(" is none of {}", show_list(vs))),
    }
}

fn swap((a, b): (String, String)) -> (String, String) {
    (b, a)
}

/// The rule text of a node, as a `not` over it denies it.
pub fn describe(node: &Node) -> String {
    match node {
        Node::Condition(c) => condition(c).0,
        Node::All(children) => join(children, " and ", |n| matches!(n, Node::Any(c) if c.len() > 1)),
        Node::Any(children) => join(children, " or ", |n| matches!(n, Node::All(c) if c.len() > 1)),
        Node::Not(child) => deny(child),
    }
}

fn join(children: &[Node], sep: &str, wrap: impl Fn(&Node) -> bool) -> String {
    let parts: Vec<String> =
        children.iter().map(|c| if wrap(c) { format!("({})", describe(c)) } else { describe(c) }).collect();
    parts.join(sep)
}

/// What holds when `node` does not match: a condition in its negated wording, a group as `not (…)`.
pub fn deny(node: &Node) -> String {
    match node {
        Node::Condition(c) => condition(c).1,
        Node::Not(child) => describe(child),
        Node::All(children) | Node::Any(children) if children.len() == 1 => {
            children.first().map(deny).unwrap_or_default()
        }
        group => format!("not ({})", describe(group)),
    }
}
