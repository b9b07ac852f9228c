//! Where an enrolment is in its journey, and how it moves (pure): reaching a touchpoint (waiting, or
//! scheduled at its due time), moving on after one (the next touchpoint, the next phase with touchpoints,
//! a branch's phase, or past the journey's end), and ending. The step (`super::step`) decides when; this
//! module decides where.

use crate::model::{Enrolment, EnrolmentStatus, JourneyVersion, StepState, Touchpoint};
use crate::rules::{self, Anchors, GoTo, RuleLogic, WaitEvent};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `e` reaches its current touchpoint at `now`: it waits if the touchpoint says so, else it is scheduled.
pub(crate) fn arrive(e: &mut Enrolment, version: &JourneyVersion, zone: Tz, now: DateTime<Utc>) {
    e.reached_at = now;
    e.reminded = false;
    match version.design.touchpoint(e.phase_index, e.touchpoint_index) {
        None => {
            // Past the journey's end: the next step moves to the next journey now.
            e.step = StepState::Scheduled;
            e.due_at = Some(now);
        }
        Some(tp) => {
            let logic = RuleLogic::parse(&tp.rule_logic, "/ruleLogic").unwrap_or_default();
            if logic.wait_for.is_some() {
                e.step = StepState::Waiting;
                e.due_at = Some(now);
            } else {
                e.step = StepState::Scheduled;
                e.due_at = Some(rules::due(&logic, &anchors(e, now), zone));
            }
        }
    }
}

/// After a touchpoint: to the branch's phase, past the journey's end, or to the next touchpoint; then
/// [`arrive`]s there.
pub(crate) fn move_on(version: &JourneyVersion, e: &mut Enrolment, branch: Option<GoTo>, zone: Tz, now: DateTime<Utc>) {
    let phases = &version.design.phases;
    match branch {
        Some(GoTo::Phase(n)) if (n as usize) >= 1 && (n as usize) <= phases.len() => {
            e.phase_index = n as usize - 1;
            e.touchpoint_index = 0;
            e.phase_started_at = now;
        }
        Some(GoTo::End) | Some(GoTo::Phase(_)) => {
            e.phase_index = phases.len();
            e.touchpoint_index = 0;
        }
        None => {
            e.touchpoint_index += 1;
            // Past a phase's end (or an empty phase): the next phase that has touchpoints.
            while e.phase_index < phases.len() && e.touchpoint_index >= phases[e.phase_index].touchpoints.len() {
                e.phase_index += 1;
                e.touchpoint_index = 0;
                e.phase_started_at = now;
            }
        }
    }
    // A branch into an empty phase moves on the same way.
    while e.phase_index < phases.len() && phases[e.phase_index].touchpoints.is_empty() {
        e.phase_index += 1;
        e.phase_started_at = now;
    }
    arrive(e, version, zone, now);
}

/// What a touchpoint's due time counts from.
pub(crate) fn anchors(e: &Enrolment, now: DateTime<Utc>) -> Anchors {
    Anchors {
        enrolled_at: e.journey_started_at,
        phase_started_at: e.phase_started_at,
        previous_at: e.previous_at,
        reached_at: now.max(e.reached_at),
    }
}

/// The touchpoint before `e`'s current one in the journey (across phases), if any.
pub(crate) fn previous_touchpoint<'v>(version: &'v JourneyVersion, e: &Enrolment) -> Option<&'v Touchpoint> {
    let ordinal = version.design.ordinal(e.phase_index, e.touchpoint_index);
    version.design.touchpoints().nth(ordinal.checked_sub(2)?).map(|(_, t)| t)
}

/// How a wait's reason names what it waited for.
pub(crate) fn waited(event: WaitEvent) -> &'static str {
    match event {
        WaitEvent::Completed => "completed",
        WaitEvent::Replied => "replied to",
        WaitEvent::Passed => "passed",
    }
}

/// Ends `e` with `status` and `reason`: no next step.
pub(crate) fn end(e: &mut Enrolment, status: EnrolmentStatus, reason: &str, now: DateTime<Utc>) {
    e.status = status;
    e.due_at = None;
    e.ended_at = Some(now);
    e.reason = Some(reason.to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Design, EnrolmentSource, Phase, TouchpointChannel};
    use serde_json::{Value, json};
    use uuid::Uuid;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn tp(n: u128, logic: Value) -> Touchpoint {
        Touchpoint {
            id: Uuid::from_u128(n),
            phase_id: Uuid::nil(),
            content_id: Uuid::from_u128(100 + n),
            channel: TouchpointChannel::Sms,
            template_id: None,
            experiment_id: None,
            rule_logic: logic,
            created_at: at("2026-01-01T00:00:00Z"),
            updated_at: at("2026-01-01T00:00:00Z"),
        }
    }

    fn version(phases: Vec<Vec<Touchpoint>>) -> JourneyVersion {
        let phases = phases
            .into_iter()
            .enumerate()
            .map(|(i, touchpoints)| Phase {
                id: Uuid::from_u128(1000 + i as u128),
                journey_blueprint_id: Uuid::nil(),
                name: format!("P{i}"),
                sequence_order: i as u32 + 1,
                touchpoints,
            })
            .collect();
        JourneyVersion {
            journey_id: Uuid::from_u128(7),
            version_number: 1,
            design: Design { title: "J".into(), purpose: None, phases, exit_rules: None },
            published_by: None,
            published_at: at("2026-01-01T00:00:00Z"),
        }
    }

    fn enrolment(start: DateTime<Utc>) -> Enrolment {
        Enrolment {
            id: Uuid::from_u128(9),
            program_id: Uuid::from_u128(8),
            worker_id: Uuid::from_u128(6),
            enrollment_date: start.date_naive(),
            enrolled_at: start,
            status: EnrolmentStatus::Active,
            source: EnrolmentSource::Workers,
            attempt: 1,
            journey_index: 0,
            journey_id: Uuid::from_u128(7),
            journey_version: 1,
            phase_index: 0,
            touchpoint_index: 0,
            step: StepState::Scheduled,
            due_at: None,
            journey_started_at: start,
            phase_started_at: start,
            reached_at: start,
            previous_at: None,
            reminded: false,
            paused_at: None,
            ended_at: None,
            reason: None,
            created_at: start,
            updated_at: start,
            version: 1,
        }
    }

    #[test]
    fn arriving_schedules_by_the_rule_logic_or_waits() {
        let start = at("2026-03-02T08:00:00Z");
        let v = version(vec![vec![
            tp(1, json!({"delay": {"after": "enrolment", "days": 2}})),
            tp(2, json!({"waitFor": {"event": "completed", "timeout": {"days": 1}, "onTimeout": "skip"}})),
        ]]);
        let mut e = enrolment(start);
        arrive(&mut e, &v, Tz::UTC, start);
        assert_eq!((e.step, e.due_at), (StepState::Scheduled, Some(at("2026-03-04T08:00:00Z"))));
        // The next touchpoint waits: due at once, so the step looks at its wait straight away.
        let later = at("2026-03-04T08:00:05Z");
        move_on(&v, &mut e, None, Tz::UTC, later);
        assert_eq!((e.touchpoint_index, e.step, e.due_at), (1, StepState::Waiting, Some(later)));
        assert_eq!(previous_touchpoint(&v, &e).map(|t| t.id), Some(Uuid::from_u128(1)));
    }

    #[test]
    fn moving_on_skips_empty_phases_and_restarts_the_phase_clock() {
        let start = at("2026-03-02T08:00:00Z");
        let v = version(vec![
            vec![tp(1, json!({}))],
            vec![],
            vec![tp(3, json!({"delay": {"after": "phaseStart", "hours": 5}}))],
        ]);
        let mut e = enrolment(start);
        let now = at("2026-03-03T09:00:00Z");
        move_on(&v, &mut e, None, Tz::UTC, now);
        assert_eq!((e.phase_index, e.touchpoint_index, e.phase_started_at), (2, 0, now));
        assert_eq!(e.due_at, Some(at("2026-03-03T14:00:00Z")));
        // The journey's first touchpoint of a phase still has the previous phase's last one before it.
        assert_eq!(previous_touchpoint(&v, &e).map(|t| t.id), Some(Uuid::from_u128(1)));
    }

    #[test]
    fn a_branch_jumps_forward_or_ends_the_journey() {
        let start = at("2026-03-02T08:00:00Z");
        let v = version(vec![vec![tp(1, json!({})), tp(2, json!({}))], vec![tp(3, json!({}))], vec![tp(4, json!({}))]]);
        let mut e = enrolment(start);
        move_on(&v, &mut e, Some(GoTo::Phase(3)), Tz::UTC, start);
        assert_eq!((e.phase_index, e.touchpoint_index), (2, 0));
        let mut e = enrolment(start);
        move_on(&v, &mut e, Some(GoTo::End), Tz::UTC, start);
        // Past the end: due at once, where the step finds no touchpoint and moves to the next journey.
        assert_eq!((e.phase_index, e.step, e.due_at), (3, StepState::Scheduled, Some(start)));
        assert!(v.design.touchpoint(e.phase_index, e.touchpoint_index).is_none());
    }

    #[test]
    fn ending_leaves_no_next_step() {
        let start = at("2026-03-02T08:00:00Z");
        let mut e = enrolment(start);
        e.due_at = Some(start);
        end(&mut e, EnrolmentStatus::Exited, "left the segment", start);
        assert_eq!(
            (e.status, e.due_at, e.reason.as_deref()),
            (EnrolmentStatus::Exited, None, Some("left the segment"))
        );
        assert_eq!(waited(WaitEvent::Replied), "replied to");
    }
}
