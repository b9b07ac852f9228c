//! A checked rule: the condition tree as read by [`Rule::parse`], written back in the same JSON shape.

use super::field::Field;
use super::op::Op;
use super::operand::Operand;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeSet;

/// A segment rule (a segment's `ruleDefinition`), valid by construction: only [`Rule::parse`] makes one.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub(super) root: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Condition(Condition),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Condition {
    pub field: Field,
    pub op: Op,
    pub value: Operand,
}

impl Node {
    fn each<'a>(&'a self, f: &mut impl FnMut(&'a Condition)) {
        match self {
            Self::All(children) | Self::Any(children) => children.iter().for_each(|c| c.each(f)),
            Self::Not(child) => child.each(f),
            Self::Condition(c) => f(c),
        }
    }
}

impl Rule {
    /// How many conditions the rule has.
    pub fn conditions(&self) -> usize {
        let mut n = 0;
        self.root.each(&mut |_| n += 1);
        n
    }

    /// The field paths the rule tests (custom fields as `customFields.<key>`).
    pub fn fields(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.root.each(&mut |c| {
            out.insert(c.field.path());
        });
        out
    }

    /// True when a condition is relative to now (withinLastDays, olderThanDays): membership then changes
    /// with time alone, so the segment is re-synced on a schedule.
    pub fn is_time_relative(&self) -> bool {
        let mut relative = false;
        self.root.each(&mut |c| relative |= c.op.is_relative());
        relative
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match self {
            Self::All(children) => map.serialize_entry("all", children)?,
            Self::Any(children) => map.serialize_entry("any", children)?,
            Self::Not(child) => map.serialize_entry("not", child)?,
            Self::Condition(c) => {
                map.serialize_entry("field", &c.field.path())?;
                map.serialize_entry("op", c.op.name())?;
                if c.value != Operand::None {
                    map.serialize_entry("value", &c.value)?;
                }
            }
        }
        map.end()
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.root.serialize(s)
    }
}

/// Reading a stored rule checks it again, so a rule from storage is as valid as one from a request.
impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = Value::deserialize(d)?;
        Rule::parse(&doc, "").map_err(|errors| {
            let why: Vec<String> =
                errors.iter().map(|e| format!("{}: {}", e.pointer.as_deref().unwrap_or(""), e.message)).collect();
            serde::de::Error::custom(format!("invalid segment rule: {}", why.join("; ")))
        })
    }
}
