//! Checking a rule document. Every bad node is reported at once, each at its exact JSON pointer, so a
//! tenant admin fixes a rule in one round trip.

use super::field::Field;
use super::node::{Condition, Node, Rule};
use super::op::{self, Op};
use super::operand;
use nudge_core::http::FieldError;
use nudge_core::http::input::pointer_token;
use serde_json::{Map, Value};

/// Groups (all, any, not) nest at most this deep.
pub const MAX_DEPTH: usize = 6;
/// Conditions in one rule, in total.
pub const MAX_CONDITIONS: usize = 100;

const CONDITION_KEYS: [&str; 3] = ["field", "op", "value"];

impl Rule {
    /// Reads the rule in `doc`; `at` is its JSON pointer in the request (e.g. `/ruleDefinition`), the prefix
    /// of every error's pointer.
    pub fn parse(doc: &Value, at: &str) -> Result<Rule, Vec<FieldError>> {
        let mut p = Parser { errors: Vec::new(), conditions: 0 };
        let root = p.node(doc, at, 0);
        if p.conditions > MAX_CONDITIONS {
            let message = format!("has {} conditions; a rule may have at most {MAX_CONDITIONS}", p.conditions);
            p.errors.insert(0, FieldError::body(at, message));
        }
        match root {
            Some(root) if p.errors.is_empty() => Ok(Rule { root }),
            _ => Err(p.errors),
        }
    }
}

struct Parser {
    errors: Vec<FieldError>,
    conditions: usize,
}

impl Parser {
    fn fail<T>(&mut self, at: impl Into<String>, message: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError::body(at, message));
        None
    }

    /// `depth`: how many groups enclose this node.
    fn node(&mut self, v: &Value, at: &str, depth: usize) -> Option<Node> {
        let Some(obj) = v.as_object() else {
            return self.fail(at, "must be an object: {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}} or {\"field\", \"op\", \"value\"}");
        };
        let shapes: Vec<&str> = ["all", "any", "not", "field"].into_iter().filter(|k| obj.contains_key(*k)).collect();
        let known: &[&str] = match shapes.as_slice() {
            ["field"] => &CONDITION_KEYS,
            [group] => std::slice::from_ref(group),
            _ => &["all", "any", "not", "field", "op", "value"],
        };
        for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            let message = match shapes.as_slice() {
                ["field"] => "unknown key: a condition has only field, op and value".to_owned(),
                [group] => format!("unknown key: a group has only its \"{group}\""),
                _ => "unknown key".to_owned(),
            };
            self.errors.push(FieldError::body(format!("{at}/{}", pointer_token(key)), message));
        }
        match shapes.as_slice() {
            [] => self.fail(at, "must have one of all, any, not or field"),
            ["field"] => self.condition(obj, at),
            [group] if depth >= MAX_DEPTH => {
                self.fail(at, format!("\"{group}\" nests too deep: groups may nest at most {MAX_DEPTH} deep"))
            }
            ["not"] => {
                let child = obj.get("not").and_then(|c| self.node(c, &format!("{at}/not"), depth + 1));
                child.map(|c| Node::Not(Box::new(c)))
            }
            [group] => {
                let children = self.group(obj.get(*group), &format!("{at}/{group}"), depth + 1)?;
                Some(if *group == "all" { Node::All(children) } else { Node::Any(children) })
            }
            several => {
                self.fail(at, format!("must have only one of all, any, not and field, not {}", several.join(" and ")))
            }
        }
    }

    fn group(&mut self, v: Option<&Value>, at: &str, depth: usize) -> Option<Vec<Node>> {
        let items = match v.and_then(Value::as_array) {
            Some(items) if items.is_empty() => {
                return self.fail(at, "must not be empty: a group needs at least one rule");
            }
            Some(items) => items,
            None => return self.fail(at, "must be an array of rules"),
        };
        // Every child is read, so errors in later children are reported too.
        let read: Vec<Option<Node>> =
            items.iter().enumerate().map(|(i, c)| self.node(c, &format!("{at}/{i}"), depth)).collect();
        read.into_iter().collect()
    }

    fn condition(&mut self, obj: &Map<String, Value>, at: &str) -> Option<Node> {
        self.conditions += 1;
        let field = match obj.get("field").map(|f| f.as_str().map(Field::parse)) {
            Some(Some(Ok(field))) => Some(field),
            Some(Some(Err(message))) => self.fail(format!("{at}/field"), message),
            _ => self.fail(format!("{at}/field"), "must be a string naming a field"),
        };
        let op = match obj.get("op").map(|o| o.as_str().map(|name| (name, Op::from_name(name)))) {
            Some(Some((_, Some(op)))) => Some(op),
            Some(Some((name, None))) => self
                .fail(format!("{at}/op"), format!("unknown operator \"{name}\"; operators are {}", op::list(&Op::ALL))),
            Some(None) => self.fail(format!("{at}/op"), "must be a string"),
            None => self.fail(format!("{at}/op"), "is required"),
        };
        let (field, op) = (field?, op?);
        let kind = field.kind();
        let allowed = Op::allowed(kind);
        if !allowed.contains(&op) {
            let message = format!(
                "\"{}\" does not apply to {} ({}); use one of {}",
                op.name(),
                field.path(),
                kind.name(),
                op::list(allowed)
            );
            return self.fail(format!("{at}/op"), message);
        }
        let value = operand::read(kind, op, obj.get("value"), format!("{at}/value"), &mut self.errors)?;
        Some(Node::Condition(Condition { field, op, value }))
    }
}
