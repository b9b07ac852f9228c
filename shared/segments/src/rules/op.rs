//! Operators and which field types allow them.

use super::field::Kind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    Eq,
    Neq,
    In,
    NotIn,
    Contains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Between,
    WithinLastDays,
    OlderThanDays,
    HasAny,
    HasAll,
    Exists,
    Missing,
}

use Op::*;

const TEXT: &[Op] = &[Eq, Neq, In, NotIn, Contains, StartsWith, Exists, Missing];
const ENUM: &[Op] = &[Eq, Neq, In, NotIn, Exists, Missing];
const NUMBER: &[Op] = &[Eq, Neq, In, NotIn, Gt, Gte, Lt, Lte, Between, Exists, Missing];
const BOOLEAN: &[Op] = &[Eq, Neq, Exists, Missing];
const ID: &[Op] = &[Eq, Neq, In, NotIn, Exists, Missing];
const DATE: &[Op] = &[Eq, Neq, Gt, Gte, Lt, Lte, Between, WithinLastDays, OlderThanDays, Exists, Missing];
const DATE_TIME: &[Op] = &[Gt, Gte, Lt, Lte, Between, WithinLastDays, OlderThanDays, Exists, Missing];
const TEXT_LIST: &[Op] = &[Contains, HasAny, HasAll, Exists, Missing];

impl Op {
    pub const ALL: [Op; 17] = [
        Eq,
        Neq,
        In,
        NotIn,
        Contains,
        StartsWith,
        Gt,
        Gte,
        Lt,
        Lte,
        Between,
        WithinLastDays,
        OlderThanDays,
        HasAny,
        HasAll,
        Exists,
        Missing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Eq => "eq",
            Neq => "neq",
            In => "in",
            NotIn => "notIn",
            Contains => "contains",
            StartsWith => "startsWith",
            Gt => "gt",
            Gte => "gte",
            Lt => "lt",
            Lte => "lte",
            Between => "between",
            WithinLastDays => "withinLastDays",
            OlderThanDays => "olderThanDays",
            HasAny => "hasAny",
            HasAll => "hasAll",
            Exists => "exists",
            Missing => "missing",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The operators a field of `kind` allows, in catalogue order.
    pub fn allowed(kind: Kind) -> &'static [Op] {
        match kind {
            Kind::Text => TEXT,
            Kind::Enum(_) => ENUM,
            Kind::Number | Kind::Integer => NUMBER,
            Kind::Boolean => BOOLEAN,
            Kind::Id => ID,
            Kind::Date => DATE,
            Kind::DateTime => DATE_TIME,
            Kind::TextList => TEXT_LIST,
            Kind::Custom => &Self::ALL,
        }
    }

    /// True where the operator is the negation of a positive test (and so holds for a missing value).
    pub fn is_negative(self) -> bool {
        matches!(self, Neq | NotIn | Missing)
    }

    /// Relative to the time of evaluation: segments using these are re-synced on a schedule.
    pub fn is_relative(self) -> bool {
        matches!(self, WithinLastDays | OlderThanDays)
    }
}

/// "eq, neq and in" for messages.
pub fn list(ops: &[Op]) -> String {
    ops.iter().map(|op| op.name()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        assert_eq!(Op::from_name("EQ"), None);
    }

    #[test]
    fn datetime_has_no_equality_but_date_does() {
        assert!(!Op::allowed(Kind::DateTime).contains(&Eq));
        assert!(Op::allowed(Kind::Date).contains(&Neq));
        assert_eq!(list(Op::allowed(Kind::Boolean)), "eq, neq, exists, missing");
    }
}
