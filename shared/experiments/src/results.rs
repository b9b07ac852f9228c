//! An experiment's results (pure): each variant's exposed workers, completions and scores (the sums the
//! counters keep), and against the control the tests of [`crate::stats`]: sample-ratio mismatch over
//! every variant, then per variant the two-proportion z-test and its interval on completion, Welch's t
//! on the mean score, the chance to beat control, and the always-valid p-value.
//!
//! The always-valid p-value is computed from each look's data alone (no earlier look is stored): the
//! running minimum the mSPRT allows could only be lower, so this is the conservative one, and it stays
//! valid however often a tenant looks.

use crate::stats::{self, ChanceToBeat, MeanTest, Mixing, Moments, ProportionTest, Srm};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What the counters hold of one variant's exposed workers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub exposed: u64,
    pub completed: u64,
    pub scored: u64,
    pub score_sum: f64,
    pub score_sum_sq: f64,
}

/// One variant's own figures.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantResult {
    pub variant_id: Uuid,
    pub variant_name: String,
    pub weight: f64,
    pub exposed: u64,
    pub completed: u64,
    /// completed ÷ exposed, when anyone was exposed.
    pub completion_rate: Option<f64>,
    pub scored: u64,
    pub mean_score: Option<f64>,
}

/// A variant against the control.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub variant_id: Uuid,
    #[schema(value_type = Object)]
    pub completion: ProportionTest,
    #[schema(value_type = Object)]
    pub score: MeanTest,
    #[schema(value_type = Option<Object>)]
    pub chance_to_beat_control: Option<ChanceToBeat>,
    /// Valid at every look: a tenant may check daily without inflating false positives.
    pub always_valid_p_value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Results {
    pub experiment_id: Uuid,
    pub bucket_version: u32,
    pub variants: Vec<VariantResult>,
    /// Exposures against the weights: flagged, the comparisons are not to be trusted.
    #[schema(value_type = Object)]
    pub sample_ratio: Srm,
    pub comparisons: Vec<Comparison>,
}

/// The confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// The results of `variants` (id, name, weight; the first is the control) with their `counts`.
pub fn results(
    experiment_id: Uuid,
    bucket_version: u32,
    variants: &[(Uuid, String, f64)],
    counts: &[Counts],
) -> Results {
    let count = |i: usize| counts.get(i).copied().unwrap_or_default();
    let rows: Vec<VariantResult> = variants
        .iter()
        .enumerate()
        .map(|(i, (id, name, weight))| {
            let c = count(i);
            VariantResult {
                variant_id: *id,
                variant_name: name.clone(),
                weight: *weight,
                exposed: c.exposed,
                completed: c.completed,
                completion_rate: (c.exposed > 0).then(|| c.completed as f64 / c.exposed as f64),
                scored: c.scored,
                mean_score: (c.scored > 0).then(|| c.score_sum / c.scored as f64),
            }
        })
        .collect();
    let exposed: Vec<u64> = (0..variants.len()).map(|i| count(i).exposed).collect();
    let weights: Vec<f64> = variants.iter().map(|(_, _, w)| *w).collect();
    let sample_ratio = stats::srm(&exposed, &weights);
    let control = count(0);
    let moments = |c: Counts| {
        Moments::from_sums(c.scored, c.score_sum, c.score_sum_sq).unwrap_or(Moments { n: 0, mean: 0.0, variance: 0.0 })
    };
    let comparisons = variants
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, (id, _, _))| {
            let v = count(i);
            let (a, b) = ((control.exposed, control.completed), (v.exposed, v.completed));
            Comparison {
                variant_id: *id,
                completion: stats::two_proportion(a, b, CONFIDENCE),
                score: stats::welch(&moments(control), &moments(v), CONFIDENCE),
                chance_to_beat_control: stats::chance_to_beat_control(a, b),
                always_valid_p_value: stats::always_valid_p(None, a, b, &Mixing::default()),
            }
        })
        .collect();
    Results { experiment_id, bucket_version, variants: rows, sample_ratio, comparisons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(weights: &[f64]) -> Vec<(Uuid, String, f64)> {
        weights.iter().enumerate().map(|(i, w)| (Uuid::from_u128(i as u128 + 1), format!("V{i}"), *w)).collect()
    }

    #[test]
    fn an_even_split_with_a_better_variant_compares_against_control() {
        let counts = [
            Counts { exposed: 5000, completed: 1000, scored: 1000, score_sum: 3000.0, score_sum_sq: 10_000.0 },
            Counts { exposed: 5000, completed: 1150, scored: 1150, score_sum: 3680.0, score_sum_sq: 12_500.0 },
        ];
        let r = results(Uuid::nil(), 0, &variants(&[0.5, 0.5]), &counts);
        assert_eq!((r.variants[0].completion_rate, r.variants[1].completion_rate), (Some(0.2), Some(0.23)));
        assert!(!r.sample_ratio.flagged);
        let c = &r.comparisons[0];
        assert!(c.completion.p_value.is_some_and(|p| p < 0.001), "{:?}", c.completion);
        assert!(c.chance_to_beat_control.as_ref().is_some_and(|b| b.chance_to_beat_control > 0.99));
        // Valid at any look, so never below the fixed-horizon p-value of the same data.
        assert!(c.always_valid_p_value >= c.completion.p_value.unwrap_or(0.0));
    }

    #[test]
    fn a_skewed_exposure_is_flagged_and_no_one_exposed_compares_nothing() {
        let skewed = [Counts { exposed: 5300, ..Counts::default() }, Counts { exposed: 4700, ..Counts::default() }];
        assert!(results(Uuid::nil(), 0, &variants(&[0.5, 0.5]), &skewed).sample_ratio.flagged);
        let empty = results(Uuid::nil(), 0, &variants(&[0.5, 0.5]), &[]);
        assert_eq!((empty.variants[1].completion_rate, empty.comparisons[0].completion.p_value), (None, None));
        assert!(!empty.sample_ratio.flagged);
    }
}
