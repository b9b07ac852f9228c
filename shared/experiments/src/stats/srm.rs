//! Sample-ratio mismatch: Pearson's chi-squared goodness-of-fit test of the exposed counts against
//! the variants' weights.
//!
//! With `N` exposed in all and weights `wᵢ` (any positive scale), variant `i` is expected to have
//! `eᵢ = N · wᵢ / Σw` exposed; `χ² = Σ (oᵢ − eᵢ)² / eᵢ` has, when the split works as set,
//! a chi-squared distribution with `k − 1` degrees of freedom (`k` variants with positive weight),
//! and the p-value is its upper tail, as `scipy.stats.chisquare(observed, expected)` computes.
//!
//! The experiment is flagged when `p < 0.001` ([`SRM_P_THRESHOLD`]), GrowthBook's default SRM
//! threshold: strict, because the check runs on every experiment at every look and a false alarm
//! stops a good experiment, while real mismatches (a broken variant, lost tracking) usually give
//! p-values far below it.
//!
//! Variants whose weight is 0 (or not a positive finite number) are expected to receive nobody:
//! they take no part in the sum, but their exposed count stays in `N`, so anyone wrongly assigned to
//! them shows as a shortfall in the others (as GrowthBook's `check_srm` does; unlike it, the degrees
//! of freedom count only the variants with a weight).

use serde::Serialize;
use statrs::function::gamma::checked_gamma_ur;

/// The p-value below which [`srm()`] flags a mismatch (GrowthBook's default, `srmThreshold`).
pub const SRM_P_THRESHOLD: f64 = 0.001;

/// The outcome of the traffic split check.
///
/// When there is nothing to test (no one exposed, fewer than two variants with a weight, or as many
/// weights as counts not given), `df` is 0, `chi2` 0, `p_value` 1 and `flagged` false.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Srm {
    /// Pearson's statistic; `f64::MAX` stands for a split so far off that it overflows.
    pub chi2: f64,
    /// Degrees of freedom: the number of variants with a positive weight, less one.
    pub df: usize,
    /// Probability of a split at least this uneven if assignment works as set.
    pub p_value: f64,
    /// `p_value < SRM_P_THRESHOLD`: investigate before trusting any comparison.
    pub flagged: bool,
}

impl Srm {
    const NOT_RUN: Srm = Srm { chi2: 0.0, df: 0, p_value: 1.0, flagged: false };
}

/// Pearson's chi-squared test of `observed` exposed counts (one per variant, control first) against
/// the expected `weights` (same order and length; any positive scale, e.g. `[0.5, 0.5]` or
/// `[1.0, 1.0]`).
pub fn srm(observed: &[u64], weights: &[f64]) -> Srm {
    if observed.len() != weights.len() {
        return Srm::NOT_RUN;
    }
    let valid = |w: f64| w.is_finite() && w > 0.0;
    // Scaled by the largest weight so that their sum cannot overflow; a weight too small to show
    // against the largest counts as 0.
    let largest = weights.iter().copied().filter(|&w| valid(w)).fold(0.0, f64::max);
    let tested: Vec<(f64, f64)> = observed
        .iter()
        .zip(weights)
        .filter(|&(_, &w)| valid(w))
        .map(|(&o, &w)| (o as f64, w / largest))
        .filter(|&(_, w)| w > 0.0)
        .collect();
    let total: f64 = observed.iter().map(|&o| o as f64).sum();
    if tested.len() < 2 || total <= 0.0 {
        return Srm::NOT_RUN;
    }
    let weight_sum: f64 = tested.iter().map(|&(_, w)| w).sum();
    let chi2: f64 = tested
        .iter()
        .map(|&(o, w)| {
            let expected = total * (w / weight_sum);
            let gap = o - expected;
            gap * gap / expected
        })
        .sum();
    let df = tested.len() - 1;
    if !chi2.is_finite() {
        return Srm { chi2: f64::MAX, df, p_value: 0.0, flagged: true };
    }
    // Upper tail of χ²(df): the regularized upper incomplete gamma function Q(df/2, χ²/2).
    let p_value =
        if chi2 > 0.0 { checked_gamma_ur(0.5 * df as f64, 0.5 * chi2).map_or(1.0, |p| p.clamp(0.0, 1.0)) } else { 1.0 };
    Srm { chi2, df, p_value, flagged: p_value < SRM_P_THRESHOLD }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    /// Cases computed by `fixtures.py` (`srm`): `scipy.stats.chisquare(observed, expected)`.
    #[test]
    fn the_statistic_and_p_value_match_scipy_chisquare() {
        let cases: &[(&[u64], &[f64], f64, f64)] = &[
            // observed, weights, chi2, p-value
            (&[5000, 4600], &[0.5, 0.5], 16.666666666666668, 4.455709060405612e-05),
            (&[5000, 4900], &[1.0, 1.0], 1.0101010101010102, 0.3148786413364169),
            (&[3300, 3350, 3250], &[1.0, 1.0, 1.0], 1.5151515151515151, 0.46880153914023537),
            (&[1000, 2000, 1100], &[0.25, 0.5, 0.25], 7.317073170731708, 0.025770197629651086),
            (&[10, 0], &[0.5, 0.5], 10.0, 0.001565402258002549),
            (&[50000, 50600, 49100, 50300], &[1.0, 1.0, 1.0, 1.0], 25.2, 1.4022918833002407e-05),
            (&[20000, 60400], &[0.25, 0.75], 0.6633499170812603, 0.4153797818000404),
        ];
        for &(observed, weights, chi2, p_value) in cases {
            let result = srm(observed, weights);
            assert_close(result.chi2, chi2, 1e-12);
            assert_close(result.p_value, p_value, 1e-9);
            assert_eq!(result.df, observed.len() - 1);
            assert_eq!(result.flagged, p_value < 0.001);
        }
    }

    #[test]
    fn a_split_off_by_eight_percent_of_ten_thousand_is_flagged() {
        let result = srm(&[5000, 4600], &[0.5, 0.5]);
        assert!(result.flagged, "{result:?}");
    }

    #[test]
    fn a_perfect_split_has_chi2_zero_and_p_one() {
        let result = srm(&[500, 1000, 500], &[1.0, 2.0, 1.0]);
        assert_eq!(result, Srm { chi2: 0.0, df: 2, p_value: 1.0, flagged: false });
    }

    #[test]
    fn nothing_is_tested_without_exposures_weights_or_matching_lengths() {
        assert_eq!(srm(&[0, 0], &[0.5, 0.5]), Srm::NOT_RUN);
        assert_eq!(srm(&[], &[]), Srm::NOT_RUN);
        assert_eq!(srm(&[10, 10], &[0.5]), Srm::NOT_RUN);
        assert_eq!(srm(&[10, 10], &[1.0, 0.0]), Srm::NOT_RUN);
        assert_eq!(srm(&[10, 10], &[f64::NAN, -1.0]), Srm::NOT_RUN);
    }

    #[test]
    fn exposures_in_a_variant_without_weight_count_as_a_shortfall_in_the_others() {
        // Expected 60 and 60 of the 120 exposed, observed 50 and 50: χ² = 100/60 + 100/60.
        let result = srm(&[50, 50, 20], &[1.0, 1.0, 0.0]);
        assert_close(result.chi2, 10.0 / 3.0, 1e-12);
        assert_eq!(result.df, 1);
    }

    #[test]
    fn extreme_counts_and_weights_give_finite_figures() {
        let result = srm(&[u64::MAX, 0], &[f64::MAX, f64::MAX]);
        assert!(result.chi2.is_finite() && result.flagged, "{result:?}");
        assert_eq!(srm(&[u64::MAX, 0], &[f64::MAX, f64::MIN_POSITIVE]), Srm::NOT_RUN);
        let result = srm(&[1, 1], &[1.0, 1e-300]);
        assert!(result.chi2.is_finite() && result.flagged, "{result:?}");
    }
}
