//! Reading a `ruleLogic` document. Every bad field is reported at once, each at its exact JSON pointer, so a
//! journey designer fixes a touchpoint in one round trip.

use super::{Anchor, Branch, Delay, GoTo, MAX_BRANCHES, OnTimeout, RuleLogic, SendTime, WaitEvent, WaitFor, When};
use chrono::{Duration, NaiveTime, Weekday};
use nudge_core::http::FieldError;
use nudge_core::http::input::pointer_token;
use nudge_segments::rules::Rule;
use serde_json::{Map, Value};

const KEYS: [&str; 5] = ["delay", "sendTime", "gate", "waitFor", "branch"];

/// The parts of a duration: key, largest value, minutes in one.
const UNITS: [(&str, i64, i64); 3] = [("days", 365, 24 * 60), ("hours", 23, 60), ("minutes", 59, 1)];

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

impl RuleLogic {
    /// Reads the `ruleLogic` in `doc`; `at` is its JSON pointer in the request (e.g.
    /// `/phases/0/touchpoints/1/ruleLogic`), the prefix of every error's pointer.
    pub fn parse(doc: &Value, at: &str) -> Result<RuleLogic, Vec<FieldError>> {
        let mut r = Reader::default();
        let Some(obj) = r.object(doc, at, "ruleLogic", &KEYS) else {
            return Err(r.errors);
        };
        let field = |key: &str| obj.get(key).map(|v| (v, format!("{at}/{key}")));
        // Each part is `None` when absent and `Some(None)` when bad; a bad one has always recorded an error.
        let delay = field("delay").map(|(v, at)| r.delay(v, &at));
        let send_time = field("sendTime").map(|(v, at)| r.send_time(v, &at));
        let gate = field("gate").map(|(v, at)| r.rule(v, &at));
        let wait_for = field("waitFor").map(|(v, at)| r.wait_for(v, &at));
        let branch = field("branch").map(|(v, at)| r.branches(v, &at));
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        Ok(RuleLogic {
            delay: delay.flatten(),
            send_time: send_time.flatten(),
            gate: gate.flatten(),
            wait_for: wait_for.flatten(),
            branch: branch.flatten().unwrap_or_default(),
        })
    }
}

/// Collects the errors of one document; each reader answers `None` after recording why.
#[derive(Default)]
pub(super) struct Reader {
    pub errors: Vec<FieldError>,
}

impl Reader {
    pub fn fail<T>(&mut self, at: impl Into<String>, message: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError::body(at, message));
        None
    }

    /// `v` as an object, each key not in `keys` reported; `what` names it in the messages.
    pub fn object<'a>(&mut self, v: &'a Value, at: &str, what: &str, keys: &[&str]) -> Option<&'a Map<String, Value>> {
        let Some(obj) = v.as_object() else {
            return self.fail(at, format!("must be an object: {}", shape(keys)));
        };
        for key in obj.keys().filter(|k| !keys.contains(&k.as_str())) {
            let message = format!("unknown key: {what} has only {}", list(keys));
            self.errors.push(FieldError::body(format!("{at}/{}", pointer_token(key)), message));
        }
        Some(obj)
    }

    /// A segment rule; its errors keep their pointers under `at`.
    pub fn rule(&mut self, v: &Value, at: &str) -> Option<Rule> {
        Rule::parse(v, at).map_err(|errors| self.errors.extend(errors)).ok()
    }

    /// The required `key` of `obj`, one of `all` by wire name.
    fn choice<T: Copy>(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        at: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Option<T> {
        let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
        let at = format!("{at}/{key}");
        match obj.get(key) {
            None => self.fail(at, format!("is required: one of {}", names.join(", "))),
            Some(v) => match all.iter().find(|t| v.as_str() == Some(name(**t))) {
                Some(t) => Some(*t),
                None => self.fail(at, format!("must be one of {}", names.join(", "))),
            },
        }
    }

    /// The sum of `obj`'s days, hours and minutes (each absent one is zero).
    fn duration(&mut self, obj: &Map<String, Value>, at: &str) -> Option<Duration> {
        let mut minutes = Some(0);
        for (key, max, size) in UNITS {
            let Some(v) = obj.get(key) else { continue };
            // Only JSON integers: 1.5 and "1" are refused, not rounded or read.
            let n = match v.as_i64() {
                Some(n) if (0..=max).contains(&n) => Some(n),
                _ => self.fail(format!("{at}/{key}"), format!("must be an integer from 0 to {max}")),
            };
            minutes = minutes.zip(n).map(|(total, n)| total + n * size);
        }
        minutes.map(Duration::minutes)
    }

    fn delay(&mut self, v: &Value, at: &str) -> Option<Delay> {
        let obj = self.object(v, at, "a delay", &["after", "days", "hours", "minutes"])?;
        let after = self.choice(obj, "after", at, &Anchor::ALL, Anchor::as_str);
        let duration = self.duration(obj, at);
        if !UNITS.iter().any(|(key, ..)| obj.contains_key(*key)) {
            self.fail::<()>(at, "needs at least one of days, hours and minutes");
        }
        Some(Delay { after: after?, duration: duration? })
    }

    fn send_time(&mut self, v: &Value, at: &str) -> Option<SendTime> {
        let obj = self.object(v, at, "a sendTime", &["at", "weekdays"])?;
        let time = match obj.get("at") {
            None => self.fail(format!("{at}/at"), "is required: a local time \"HH:MM\""),
            Some(t) => match t.as_str().and_then(hh_mm) {
                Some(t) => Some(t),
                None => self.fail(format!("{at}/at"), "must be a local time \"HH:MM\" from 00:00 to 23:59"),
            },
        };
        let weekdays = match obj.get("weekdays") {
            None => Some(Vec::new()),
            Some(days) => self.weekdays(days, &format!("{at}/weekdays")),
        };
        Some(SendTime { at: time?, weekdays: weekdays? })
    }

    fn weekdays(&mut self, v: &Value, at: &str) -> Option<Vec<Weekday>> {
        let names: Vec<&str> = WEEKDAYS.iter().map(|(name, _)| *name).collect();
        let items = match v.as_array() {
            Some(items) if items.is_empty() => {
                return self.fail(at, "must not be empty: leave weekdays out to send on any day");
            }
            Some(items) => items,
            None => return self.fail(at, format!("must be an array of weekdays: {}", names.join(", "))),
        };
        let mut days = Vec::new();
        let mut good = true;
        for (i, item) in items.iter().enumerate() {
            let day = WEEKDAYS.iter().find(|(name, _)| item.as_str() == Some(*name)).map(|(_, d)| *d);
            let problem = match day {
                Some(d) if days.contains(&d) => format!("repeats {item}"),
                Some(d) => {
                    days.push(d);
                    continue;
                }
                None => format!("must be one of {}", names.join(", ")),
            };
            good = false;
            self.errors.push(FieldError::body(format!("{at}/{i}"), problem));
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        good.then_some(days)
    }

    fn wait_for(&mut self, v: &Value, at: &str) -> Option<WaitFor> {
        let obj = self.object(v, at, "a waitFor", &["event", "timeout", "onTimeout"])?;
        let event = self.choice(obj, "event", at, &WaitEvent::ALL, WaitEvent::as_str);
        let timeout_at = format!("{at}/timeout");
        let timeout = match obj.get("timeout") {
            None => self.fail(timeout_at, format!("is required: {}", shape(&["days", "hours", "minutes"]))),
            Some(t) => self.timeout(t, &timeout_at),
        };
        let on_timeout = self.choice(obj, "onTimeout", at, &OnTimeout::ALL, OnTimeout::as_str);
        Some(WaitFor { event: event?, timeout: timeout?, on_timeout: on_timeout? })
    }

    fn timeout(&mut self, v: &Value, at: &str) -> Option<Duration> {
        let obj = self.object(v, at, "a timeout", &["days", "hours", "minutes"])?;
        match self.duration(obj, at)? {
            d if d > Duration::zero() => Some(d),
            _ => self.fail(at, "must be longer than zero: give days, hours or minutes"),
        }
    }

    fn branches(&mut self, v: &Value, at: &str) -> Option<Vec<Branch>> {
        let Some(items) = v.as_array() else {
            return self.fail(at, format!("must be an array of {}", shape(&["when", "goTo"])));
        };
        if items.len() > MAX_BRANCHES {
            let message = format!("has {} branches; a touchpoint may have at most {MAX_BRANCHES}", items.len());
            self.fail::<()>(at, message);
        }
        // Every branch is read, so errors in later ones are reported too.
        let read: Vec<Option<Branch>> =
            items.iter().enumerate().map(|(i, b)| self.branch(b, &format!("{at}/{i}"))).collect();
        read.into_iter().collect()
    }

    fn branch(&mut self, v: &Value, at: &str) -> Option<Branch> {
        let obj = self.object(v, at, "a branch", &["when", "variant", "goTo"])?;
        let when = match (obj.get("when"), obj.get("variant")) {
            (None, None) => {
                self.fail(format!("{at}/when"), "is required: a segment rule (or give variant: a variant's name)")
            }
            (Some(_), Some(_)) => self.fail(format!("{at}/variant"), "give when or variant, not both"),
            (Some(w), None) => self.rule(w, &format!("{at}/when")).map(When::Rule),
            (None, Some(Value::String(name))) if !name.chars().all(nudge_core::validate::is_blank) => {
                Some(When::Variant(name.clone()))
            }
            (None, Some(_)) => {
                self.fail(format!("{at}/variant"), "must be the name of a variant of the touchpoint's experiment")
            }
        };
        let go_to = match obj.get("goTo") {
            Some(Value::String(end)) if end == "end" => Some(GoTo::End),
            Some(g) => match g.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(GoTo::Phase(n)),
                None => self
                    .fail(format!("{at}/goTo"), "must be a phase's sequenceOrder (an integer, 0 or more) or \"end\""),
            },
            None => self.fail(format!("{at}/goTo"), "is required: a phase's sequenceOrder or \"end\""),
        };
        Some(Branch { when: when?, go_to: go_to? })
    }
}

/// `HH:MM`, 00:00 to 23:59, exactly five characters.
fn hh_mm(text: &str) -> Option<NaiveTime> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).filter(|c| c.is_ascii_digit()).map(|c| u32::from(c - b'0'));
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (hour, minute) = (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?);
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// `a, b and c`.
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., end] => format!("{} and {end}", init.join(", ")),
    }
}

/// `{"a", "b"}`: an object's keys, as the messages show them.
fn shape(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    format!("{{{}}}", quoted.join(", "))
}
