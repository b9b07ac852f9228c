//! Progress figures (pure): the program's counters summed over their shards, laid over its journeys'
//! designs. Every figure is a count the steps moved in their own transactions, so it is exact.

use crate::model::{Design, Program};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// `GET /programs/{id}/progress`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramProgress {
    pub program_id: Uuid,
    /// Enrolments ever made (re-entries included).
    pub enrolled: i64,
    pub active: i64,
    pub paused: i64,
    pub completed: i64,
    pub withdrawn: i64,
    pub exited: i64,
    /// completed ÷ enrolled (0 when no one was enrolled).
    pub completion_rate: f64,
    pub journeys: Vec<JourneyProgress>,
}

/// One figure set: of a touchpoint, or summed over a phase or a journey.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Sent through the notifications path.
    pub sent: i64,
    /// Not sent: the gate did not admit the worker, or the wait before it timed out.
    pub skipped: i64,
    /// Opened by the worker.
    pub started: i64,
    pub completed: i64,
    /// Quizzes passed.
    pub passed: i64,
    pub reminded: i64,
    pub timed_out: i64,
    /// completed ÷ sent (0 when nothing was sent).
    pub completion_rate: f64,
    /// The mean of first scores recorded, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_score: Option<f64>,
    #[serde(skip)]
    score_milli: i64,
    #[serde(skip)]
    scored: i64,
}

impl Figures {
    fn from_counters(c: Option<&HashMap<String, i64>>) -> Self {
        let get = |name: &str| c.and_then(|c| c.get(name)).copied().unwrap_or(0);
        let mut f = Self {
            sent: get("sent"),
            skipped: get("skipped"),
            started: get("started"),
            completed: get("completed"),
            passed: get("passed"),
            reminded: get("reminded"),
            timed_out: get("timedOut"),
            score_milli: get("scoreMilli"),
            scored: get("scored"),
            ..Self::default()
        };
        f.finish();
        f
    }

    fn add(&mut self, o: &Figures) {
        self.sent += o.sent;
        self.skipped += o.skipped;
        self.started += o.started;
        self.completed += o.completed;
        self.passed += o.passed;
        self.reminded += o.reminded;
        self.timed_out += o.timed_out;
        self.score_milli += o.score_milli;
        self.scored += o.scored;
        self.finish();
    }

    fn finish(&mut self) {
        self.completion_rate = rate(self.completed, self.sent);
        self.average_score = (self.scored > 0).then(|| round((self.score_milli as f64 / 1000.0) / self.scored as f64));
    }

    /// Workers who reached the touchpoint (sent or skipped).
    fn reached(&self) -> i64 {
        self.sent + self.skipped
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { round(part as f64 / whole as f64) }
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JourneyProgress {
    pub journey_id: Uuid,
    pub order_in_program: u32,
    pub title: String,
    /// The version the figures are laid over (the latest published).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    #[serde(flatten)]
    pub figures: Figures,
    pub phases: Vec<PhaseProgress>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhaseProgress {
    pub phase_id: Uuid,
    pub name: String,
    pub sequence_order: u32,
    #[serde(flatten)]
    pub figures: Figures,
    pub touchpoints: Vec<TouchpointProgress>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TouchpointProgress {
    pub touchpoint_id: Uuid,
    pub content_id: Uuid,
    #[serde(flatten)]
    pub figures: Figures,
    /// Workers who reached this touchpoint but not (yet) the journey's next one, and their share of
    /// those who reached this one; absent on the journey's last touchpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_off: Option<DropOff>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DropOff {
    pub to_touchpoint_id: Uuid,
    pub count: i64,
    pub rate: f64,
}

/// The report of `program`, its journeys' designs (by program order; `None` where never published) and
/// its summed counters (`all`, and per touchpoint id).
pub fn report(
    program: &Program,
    designs: &[Option<(u32, String, Design)>],
    counters: &HashMap<String, HashMap<String, i64>>,
) -> ProgramProgress {
    let all = counters.get("all");
    let get = |name: &str| all.and_then(|c| c.get(name)).copied().unwrap_or(0);
    let mut journeys = Vec::new();
    for (pj, design) in program.journeys.iter().zip(designs) {
        let Some((version, title, design)) = design else {
            journeys.push(JourneyProgress {
                journey_id: pj.journey_id,
                order_in_program: pj.order_in_program,
                title: String::new(),
                version: None,
                figures: Figures::default(),
                phases: Vec::new(),
            });
            continue;
        };
        let mut journey_figures = Figures::default();
        let mut phases = Vec::new();
        let ordered: Vec<Uuid> = design.touchpoints().map(|(_, t)| t.id).collect();
        for phase in &design.phases {
            let mut phase_figures = Figures::default();
            let mut touchpoints = Vec::new();
            for tp in &phase.touchpoints {
                let figures = Figures::from_counters(counters.get(&tp.id.to_string()));
                phase_figures.add(&figures);
                let next = ordered.iter().position(|id| *id == tp.id).and_then(|i| ordered.get(i + 1));
                let drop_off = next.map(|next| {
                    let later = Figures::from_counters(counters.get(&next.to_string()));
                    let count = (figures.reached() - later.reached()).max(0);
                    DropOff { to_touchpoint_id: *next, count, rate: rate(count, figures.reached()) }
                });
                touchpoints.push(TouchpointProgress {
                    touchpoint_id: tp.id,
                    content_id: tp.content_id,
                    figures,
                    drop_off,
                });
            }
            journey_figures.add(&phase_figures);
            phases.push(PhaseProgress {
                phase_id: phase.id,
                name: phase.name.clone(),
                sequence_order: phase.sequence_order,
                figures: phase_figures,
                touchpoints,
            });
        }
        journeys.push(JourneyProgress {
            journey_id: pj.journey_id,
            order_in_program: pj.order_in_program,
            title: title.clone(),
            version: Some(*version),
            figures: journey_figures,
            phases,
        });
    }
    ProgramProgress {
        program_id: program.id,
        enrolled: get("enrolled"),
        active: get("active"),
        paused: get("paused"),
        completed: get("completed"),
        withdrawn: get("withdrawn"),
        exited: get("exited"),
        completion_rate: rate(get("completed"), get("enrolled")),
        journeys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Phase, ProgramJourney, ProgramStatus, Reentry, Touchpoint, TouchpointChannel};
    use chrono::Utc;

    fn touchpoint(n: u128) -> Touchpoint {
        Touchpoint {
            id: Uuid::from_u128(n),
            phase_id: Uuid::from_u128(50),
            content_id: Uuid::from_u128(100 + n),
            channel: TouchpointChannel::Sms,
            template_id: None,
            experiment_id: None,
            rule_logic: serde_json::json!({}),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn counters(pairs: &[(&str, &[(&str, i64)])]) -> HashMap<String, HashMap<String, i64>> {
        pairs
            .iter()
            .map(|(scope, values)| {
                (scope.to_string(), values.iter().map(|(k, v)| (k.to_string(), *v)).collect::<HashMap<_, _>>())
            })
            .collect()
    }

    #[test]
    fn figures_sum_by_phase_and_journey_with_rates_scores_and_drop_off() {
        let (a, b) = (touchpoint(1), touchpoint(2));
        let phase = Phase {
            id: Uuid::from_u128(50),
            journey_blueprint_id: Uuid::from_u128(60),
            name: "Learn".into(),
            sequence_order: 1,
            touchpoints: vec![a.clone(), b.clone()],
        };
        let design = Design { title: "J".into(), purpose: None, phases: vec![phase], exit_rules: None };
        let program = Program {
            id: Uuid::from_u128(70),
            name: "P".into(),
            description: None,
            start_date: None,
            end_date: None,
            status: ProgramStatus::Active,
            journeys: vec![ProgramJourney {
                id: Uuid::from_u128(80),
                journey_id: Uuid::from_u128(60),
                order_in_program: 1,
            }],
            reentry: Reentry::Never,
            live_segment_id: None,
            created_by: None,
            updated_by: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        };
        let c = counters(&[
            ("all", &[("enrolled", 12), ("active", 4), ("completed", 6), ("exited", 2)]),
            (
                &a.id.to_string(),
                &[("sent", 10), ("skipped", 2), ("started", 8), ("completed", 5), ("scoreMilli", 7_500), ("scored", 3)],
            ),
            (&b.id.to_string(), &[("sent", 6), ("skipped", 1), ("completed", 3)]),
        ]);
        let r = report(&program, &[Some((1, "J".into(), design))], &c);
        assert_eq!((r.enrolled, r.completed, r.completion_rate), (12, 6, 0.5));
        let p = &r.journeys[0].phases[0];
        let (first, second) = (&p.touchpoints[0], &p.touchpoints[1]);
        assert_eq!((first.figures.completion_rate, first.figures.average_score), (0.5, Some(2.5)));
        // Twelve reached the first, seven the second: five dropped off (5/12).
        let drop = first.drop_off.as_ref().unwrap();
        assert_eq!((drop.to_touchpoint_id, drop.count, drop.rate), (b.id, 5, 0.4167));
        assert!(second.drop_off.is_none());
        assert_eq!((p.figures.sent, p.figures.completed, p.figures.completion_rate), (16, 8, 0.5));
        assert_eq!(r.journeys[0].figures.average_score, Some(2.5));
    }

    #[test]
    fn a_journey_never_published_reports_nothing_and_no_one_enrolled_rates_zero() {
        let program = Program {
            id: Uuid::from_u128(70),
            name: "P".into(),
            description: None,
            start_date: None,
            end_date: None,
            status: ProgramStatus::Draft,
            journeys: vec![ProgramJourney {
                id: Uuid::from_u128(80),
                journey_id: Uuid::from_u128(60),
                order_in_program: 1,
            }],
            reentry: Reentry::Never,
            live_segment_id: None,
            created_by: None,
            updated_by: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        };
        let r = report(&program, &[None], &HashMap::new());
        assert_eq!((r.enrolled, r.completion_rate, r.journeys[0].version), (0, 0.0, None));
        assert!(r.journeys[0].phases.is_empty());
    }
}
