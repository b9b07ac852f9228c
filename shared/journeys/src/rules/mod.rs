//! A touchpoint's rule logic and a journey's exit rules: their JSON, read with every bad field named by its
//! JSON pointer ([`RuleLogic::parse`], [`ExitRules::parse`]), and the pure arithmetic of when a touchpoint
//! is due ([`due()`]). No I/O.
//!
//! # `ruleLogic`
//!
#![doc = include_str!("rule_logic.md")]
//!
//! Segment rules (`gate`, `branch[].when`, an exit `rule`) are read by [`Rule::parse`] and match as segments
//! do; time-relative conditions (`withinLastDays`) are fixed at the `now` a check is made with.
//!
//! # When a touchpoint is due
//!
//! [`due()`] is the delay's anchor plus its duration, never before the enrolment reached the touchpoint;
//! then, with a `sendTime`, the first local `at` on an allowed weekday at or after that instant. A local time
//! skipped by a DST change moves forward to the first instant after the gap (02:30 on a spring-forward night
//! is 03:00); of a repeated one, the earlier that is not past. A delay's days are 24 hours each.
//!
//! # Exit rules
//!
//! A journey's `exitRules`: `{"rule": <segment rule>, "onDeactivation": true}`, both optional (an absent or
//! `null` document is the defaults). A worker leaves the journey when deactivated (unless `onDeactivation`
//! is `false`) or when the rule matches them; see [`ExitRules::exits`].

mod due;
mod exit;
mod parse;

#[cfg(test)]
mod tests;

pub use due::{Anchors, due};
pub use exit::ExitRules;

use chrono::{DateTime, Duration, NaiveTime, Utc, Weekday};
use nudge_segments::rules::Rule;
use nudge_workers::Worker;

/// The `ruleLogic` grammar in markdown, for the OpenAPI description.
pub const RULE_LOGIC_DOC: &str = include_str!("rule_logic.md");

/// A touchpoint's `ruleLogic`, valid by construction through [`RuleLogic::parse`]. The default (`{}`) sends
/// the touchpoint as soon as it is reached, to everyone, without waiting or branching.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleLogic {
    pub delay: Option<Delay>,
    pub send_time: Option<SendTime>,
    pub gate: Option<Rule>,
    pub wait_for: Option<WaitFor>,
    /// At most [`MAX_BRANCHES`], tried in order.
    pub branch: Vec<Branch>,
}

/// Branches in one `ruleLogic`, at most.
pub const MAX_BRANCHES: usize = 10;

/// Due `duration` after `after`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delay {
    pub after: Anchor,
    pub duration: Duration,
}

/// What a delay counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Enrolment,
    PhaseStart,
    /// When the previous touchpoint was sent or skipped; the phase start for a journey's first.
    Previous,
}

impl Anchor {
    pub const ALL: [Anchor; 3] = [Self::Enrolment, Self::PhaseStart, Self::Previous];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enrolment => "enrolment",
            Self::PhaseStart => "phaseStart",
            Self::Previous => "previous",
        }
    }
}

/// Send at the local time `at` (the worker's zone), only on `weekdays`.
#[derive(Clone, Debug, PartialEq)]
pub struct SendTime {
    pub at: NaiveTime,
    /// In week order, Monday first, without repeats; empty means every day.
    pub weekdays: Vec<Weekday>,
}

/// After sending, wait at most `timeout` for the worker's `event`.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitFor {
    pub event: WaitEvent,
    /// Longer than zero.
    pub timeout: Duration,
    pub on_timeout: OnTimeout,
}

/// What the worker does that ends a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitEvent {
    Completed,
    Replied,
    Passed,
}

impl WaitEvent {
    pub const ALL: [WaitEvent; 3] = [Self::Completed, Self::Replied, Self::Passed];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Replied => "replied",
            Self::Passed => "passed",
        }
    }
}

/// What happens when a wait times out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnTimeout {
    Skip,
    Remind,
    Exit,
}

impl OnTimeout {
    pub const ALL: [OnTimeout; 3] = [Self::Skip, Self::Remind, Self::Exit];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skip => "skip",
            Self::Remind => "remind",
            Self::Exit => "exit",
        }
    }
}

/// Where a worker the condition matches goes next.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub when: When,
    pub go_to: GoTo,
}

/// A branch's condition.
#[derive(Clone, Debug, PartialEq)]
pub enum When {
    /// A segment rule the worker matches.
    Rule(Rule),
    /// The worker was sent this variant (by name) of the touchpoint's experiment.
    Variant(String),
}

impl When {
    fn matches(&self, worker: &Worker, now: DateTime<Utc>, variant: Option<&str>) -> bool {
        match self {
            Self::Rule(rule) => rule.compile(now).matches(worker),
            Self::Variant(name) => variant == Some(name.as_str()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoTo {
    /// The phase with this `sequenceOrder`.
    Phase(u32),
    /// The end of the journey.
    End,
}

impl RuleLogic {
    /// Whether the gate lets `worker` through at `now` (no gate: yes).
    pub fn admits(&self, worker: &Worker, now: DateTime<Utc>) -> bool {
        self.gate.as_ref().is_none_or(|gate| gate.compile(now).matches(worker))
    }

    /// Where the first branch whose condition matches `worker` at `now`, sent `variant` of the touchpoint's
    /// experiment (if any), goes; `None` when none does.
    pub fn branch_for(&self, worker: &Worker, now: DateTime<Utc>, variant: Option<&str>) -> Option<GoTo> {
        self.branch.iter().find(|b| b.when.matches(worker, now, variant)).map(|b| b.go_to)
    }

    /// The variant names its branches split by, with each one's place.
    pub fn variants(&self) -> impl Iterator<Item = (usize, &str)> {
        self.branch.iter().enumerate().filter_map(|(i, b)| match &b.when {
            When::Variant(name) => Some((i, name.as_str())),
            When::Rule(_) => None,
        })
    }
}
