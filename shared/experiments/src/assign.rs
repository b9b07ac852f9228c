//! Who takes part, and in which variant (pure): a running experiment, a worker its segment targets, not
//! in the tenant's holdout (when the experiment uses it), inside its coverage; then the variant the hash
//! gives. The first assignment is stored and read before this is asked again (see the crate's keys), so
//! what is decided here stands for that worker whatever the weights or coverage do later.

use crate::hash::hash;
use crate::model::{Experiment, ExperimentStatus};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The seed of the tenant-wide holdout: one hash for every experiment, so the same workers are held out
/// of all of them.
const HOLDOUT_SEED: &str = "nudge-holdout";

/// What deciding a worker came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "variantIndex")]
pub enum Decision {
    Variant(usize),
    NotRunning,
    NotTargeted,
    InHoldout,
    NotCovered,
}

/// Whether `worker` is in the tenant's holdout of `fraction` (0–1) of its workers.
pub fn in_holdout(fraction: f64, worker: Uuid) -> bool {
    hash(HOLDOUT_SEED, &worker.to_string(), 2).is_some_and(|n| n < fraction)
}

/// The decision for `worker`, who `targeted` says is in the experiment's segment (or it has none), with
/// the tenant's holdout `fraction`.
pub fn decide(e: &Experiment, worker: Uuid, targeted: bool, holdout: f64) -> Decision {
    if e.status != ExperimentStatus::Running {
        return Decision::NotRunning;
    }
    if !targeted {
        return Decision::NotTargeted;
    }
    if e.use_holdout && in_holdout(holdout, worker) {
        return Decision::InHoldout;
    }
    match e.bucketing().assign(&worker.to_string()) {
        Some(i) => Decision::Variant(i),
        None => Decision::NotCovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExperimentType, PrimaryMetric, Variant};
    use chrono::Utc;

    fn experiment(weights: &[f64], coverage: f64, use_holdout: bool) -> Experiment {
        let id = Uuid::from_u128(0xfeed);
        Experiment {
            id,
            experiment_type: ExperimentType::Ab,
            name: "E".into(),
            hypothesis: None,
            primary_metric: PrimaryMetric::Completion,
            status: ExperimentStatus::Running,
            start_date: None,
            end_date: None,
            variants: weights
                .iter()
                .enumerate()
                .map(|(i, w)| Variant {
                    id: Uuid::from_u128(i as u128),
                    experiment_id: id,
                    variant_name: format!("V{i}"),
                    variant_details: serde_json::json!({}),
                    weight: *w,
                })
                .collect(),
            segment_id: None,
            coverage,
            use_holdout,
            hash_version: 2,
            bucket_version: 0,
            started_at: None,
            created_by: None,
            updated_by: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    fn worker(n: u128) -> Uuid {
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
    }

    #[test]
    fn ten_thousand_workers_split_within_a_point_of_the_weights() {
        let e = experiment(&[0.2, 0.3, 0.5], 1.0, false);
        let mut counts = [0u32; 3];
        for n in 0..10_000 {
            match decide(&e, worker(n), true, 0.0) {
                Decision::Variant(i) => counts[i] += 1,
                other => panic!("{other:?}"),
            }
        }
        for (count, weight) in counts.iter().zip([0.2, 0.3, 0.5]) {
            assert!((f64::from(*count) / 10_000.0 - weight).abs() < 0.01, "{counts:?}");
        }
    }

    #[test]
    fn only_the_running_targeted_covered_and_not_held_out_take_part() {
        let mut e = experiment(&[0.5, 0.5], 0.5, true);
        e.status = ExperimentStatus::Paused;
        assert_eq!(decide(&e, worker(1), true, 0.1), Decision::NotRunning);
        e.status = ExperimentStatus::Running;
        assert_eq!(decide(&e, worker(1), false, 0.1), Decision::NotTargeted);
        let held: Vec<Uuid> = (0..1000).map(worker).filter(|w| in_holdout(0.1, *w)).collect();
        assert!((60..140).contains(&held.len()), "{}", held.len());
        assert!(held.iter().all(|w| decide(&e, *w, true, 0.1) == Decision::InHoldout));
        let outside = (0..1000).map(worker).filter(|w| decide(&e, *w, true, 0.0) == Decision::NotCovered).count();
        assert!((400..600).contains(&outside), "{outside}");
    }
}
