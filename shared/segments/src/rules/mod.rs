//! The segment rule language: a typed JSON condition tree over worker fields. Pure: no I/O.
//!
//! A node is exactly one of `{"all": [node, ...]}`, `{"any": [node, ...]}`, `{"not": node}` or a condition
//! `{"field": "<path>", "op": "<operator>", "value": ...}`. [`catalogue`] lists the fields, their types and
//! the operators each type allows; [`Rule::parse`] checks a document and reports every bad node by its JSON
//! pointer.
//!
//! Semantics:
//! - Text compares case-insensitively with runs of whitespace folded to one space (as the worker list
//!   indexes do); `tags` likewise, where `contains` means "has this tag".
//! - A condition on a missing attribute (an unset optional, any contact field of a worker without a contact
//!   record, a null or absent custom field, no tags) is false, except `missing`, `neq` and `notIn`, which
//!   are true: a worker with no department is "not in Sales".
//! - A custom field's stored value is compared only with rule values of its own JSON type; otherwise the
//!   positive test fails (so `eq` is false and `neq` true). Times compare stored strings parsed as
//!   `YYYY-MM-DD` or RFC 3339.
//! - Dates are midnight UTC. `withinLastDays: n` means at or after now − n days, `olderThanDays: n` before
//!   now − n days; `now` is fixed when the rule is compiled, once per sync.
//! - `between` includes both ends.
//!
//! [`Compiled::explain`] names the conditions that hold: all of an `all`, only the matching children of an
//! `any` (joined with "and", since each of them holds), and for a `not` its child's negated wording.

mod catalogue;
mod check;
mod compile;
mod field;
mod node;
mod op;
mod operand;
mod parse;
mod read;
mod schema;
mod text;
mod wording;

#[cfg(test)]
mod tests;

pub(crate) use catalogue::{FieldInfo, catalogue};
pub use compile::Compiled;
#[cfg(test)]
use compile::MAX_EXPLANATION;
pub use node::Rule;
#[cfg(test)]
use parse::{MAX_CONDITIONS, MAX_DEPTH};
