//! Two-proportion z-test of a variant's completion rate against the control's.
//!
//! With `n₀, n₁` exposed, `s₀, s₁` completed and rates `p̂ᵢ = sᵢ / nᵢ` (0 is the control):
//!
//! - difference `d = p̂₁ − p̂₀` (absolute, as a fraction: 0.02 is two percentage points) and
//!   relative uplift `d / p̂₀`;
//! - `z = d / √(p̄ (1 − p̄) (1/n₀ + 1/n₁))` with the pooled rate `p̄ = (s₀ + s₁) / (n₀ + n₁)` (the
//!   standard error under the null hypothesis of equal rates), and the two-sided p-value
//!   `2 (1 − Φ(|z|))`; `z²` is the Pearson chi-squared statistic of the 2×2 table without continuity
//!   correction, so the p-value equals `scipy.stats.chi2_contingency(table, correction=False)`'s;
//! - the Wald interval `d ± z_{(1+c)/2} · √(p̂₀(1 − p̂₀)/n₀ + p̂₁(1 − p̂₁)/n₁)` at confidence `c`
//!   (the unpooled standard error: the interval is about the difference, not under the null).
//!
//! Edge cases, all without panics or NaN:
//!
//! - a group with no one exposed (or more completed than exposed, which is an error in the counts):
//!   that group's rate is `None`, and so is every comparison;
//! - both groups at 0 % or both at 100 %: the pooled standard error is 0, the difference is exactly
//!   0, and the test reports `z = 0`, `p = 1` (no evidence of a difference, the limit as the rates
//!   approach each other); the Wald interval is then `[0, 0]`;
//! - one group at 0 % and the other at 100 %: `z` is finite (the pooled error is not 0) while the
//!   Wald interval has width 0, a known failure of Wald intervals at extreme rates: with fewer than
//!   about 10 completions and 10 non-completions per group, read the interval as rough;
//! - a control rate of 0: the relative uplift is `None`;
//! - a confidence not strictly between 0 and 1: the interval is `None`.

use serde::Serialize;

use super::special::{normal_critical, normal_two_sided_p};
use super::{Interval, finite};

/// The comparison of one variant's completion rate with the control's (see the module doc).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProportionTest {
    /// Completed ÷ exposed in the control.
    pub control_rate: Option<f64>,
    /// Completed ÷ exposed in the variant.
    pub variant_rate: Option<f64>,
    /// `variant_rate − control_rate` (absolute uplift, a fraction).
    pub difference: Option<f64>,
    /// `difference ÷ control_rate`; `None` when the control rate is 0.
    pub relative_uplift: Option<f64>,
    /// The pooled-standard-error z statistic.
    pub z: Option<f64>,
    /// Two-sided p-value of `z`.
    pub p_value: Option<f64>,
    /// Wald confidence interval for `difference` at the requested confidence.
    pub ci: Option<Interval>,
}

/// One group's counts as floating-point rate and complement (`s/n`, `(n−s)/n`), if valid.
fn rate(n: u64, successes: u64) -> Option<(f64, f64)> {
    (n > 0 && successes <= n).then(|| {
        let n_f = n as f64;
        (successes as f64 / n_f, (n - successes) as f64 / n_f)
    })
}

/// Two-proportion z-test of `variant` against `control`, each `(exposed, completed)`, with a Wald
/// interval at `confidence` (e.g. 0.95). See the module doc for the formulas and edge cases.
pub fn two_proportion(control: (u64, u64), variant: (u64, u64), confidence: f64) -> ProportionTest {
    let control_rate = rate(control.0, control.1);
    let variant_rate = rate(variant.0, variant.1);
    let mut test = ProportionTest {
        control_rate: control_rate.map(|(p, _)| p),
        variant_rate: variant_rate.map(|(p, _)| p),
        difference: None,
        relative_uplift: None,
        z: None,
        p_value: None,
        ci: None,
    };
    let (Some((p0, q0)), Some((p1, q1))) = (control_rate, variant_rate) else {
        return test;
    };
    let (n0, n1) = (control.0 as f64, variant.0 as f64);
    let difference = p1 - p0;
    test.difference = finite(difference);
    test.relative_uplift = if p0 > 0.0 { finite(difference / p0) } else { None };

    // Pooled rate and its complement from the integer counts, so that both are exact at 0 and 1.
    let total = n0 + n1;
    let pooled = (control.1 as f64 + variant.1 as f64) / total;
    let pooled_complement = ((control.0 - control.1) as f64 + (variant.0 - variant.1) as f64) / total;
    let pooled_se = (pooled * pooled_complement * (1.0 / n0 + 1.0 / n1)).sqrt();
    if pooled_se > 0.0 {
        let z = difference / pooled_se;
        test.z = finite(z);
        test.p_value = Some(normal_two_sided_p(z));
    } else if difference == 0.0 {
        test.z = Some(0.0);
        test.p_value = Some(1.0);
    }

    let wald_se = (p0 * q0 / n0 + p1 * q1 / n1).sqrt();
    test.ci = normal_critical(confidence).and_then(|critical| Interval::around(difference, critical * wald_se));
    test
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    /// Cases computed by `fixtures.py` (`two_proportion`): the formulas in NumPy with
    /// `scipy.stats.norm`, the p-value checked against `scipy.stats.chi2_contingency`.
    #[test]
    fn rates_z_p_value_and_interval_match_scipy() {
        // control, variant, confidence, difference, relative uplift, z, p, ci lower, ci upper
        type Case = ((u64, u64), (u64, u64), f64, [f64; 6]);
        let cases: &[Case] = &[
            (
                (1000, 100),
                (1000, 120),
                0.95,
                [
                    0.01999999999999999,
                    0.1999999999999999,
                    1.4293008498232314,
                    0.1529177818639462,
                    -0.0074114819980199455,
                    0.04741148199801992,
                ],
            ),
            (
                (5000, 400),
                (4800, 410),
                0.95,
                [
                    0.005416666666666667,
                    0.06770833333333333,
                    0.9734830945548465,
                    0.33031325827820157,
                    -0.005495095066696815,
                    0.016328428400030147,
                ],
            ),
            (
                (20000, 3000),
                (20000, 3300),
                0.99,
                [
                    0.015000000000000013,
                    0.10000000000000009,
                    4.117807357212684,
                    3.8249421671937845e-05,
                    0.005618976079777066,
                    0.024381023920222962,
                ],
            ),
            (
                (250, 10),
                (260, 25),
                0.9,
                [
                    0.05615384615384616,
                    1.403846153846154,
                    2.507497144914119,
                    0.012158956386109464,
                    0.01982295643969583,
                    0.09248473586799649,
                ],
            ),
            (
                (1000000, 31000),
                (1000000, 31500),
                0.95,
                [
                    0.0005000000000000004,
                    0.01612903225806453,
                    2.03200203200305,
                    0.04215345023570527,
                    1.772637761135893e-05,
                    0.000982273622388642,
                ],
            ),
            (
                (40, 39),
                (45, 30),
                0.95,
                [
                    -0.30833333333333335,
                    -0.3162393162393163,
                    -3.629791311324677,
                    0.00028365045213478787,
                    -0.4543164007919738,
                    -0.16235026587469295,
                ],
            ),
        ];
        for &(control, variant, confidence, [difference, uplift, z, p, lower, upper]) in cases {
            let test = two_proportion(control, variant, confidence);
            let (Some(d), Some(u), Some(zz), Some(pp), Some(ci)) =
                (test.difference, test.relative_uplift, test.z, test.p_value, test.ci)
            else {
                panic!("undefined figures in {test:?}");
            };
            assert_close(d, difference, 1e-12);
            assert_close(u, uplift, 1e-12);
            assert_close(zz, z, 1e-12);
            assert_close(pp, p, 1e-9);
            assert_close(ci.lower, lower, 1e-9);
            assert_close(ci.upper, upper, 1e-9);
        }
    }

    #[test]
    fn a_group_with_no_one_exposed_leaves_every_comparison_undefined() {
        let test = two_proportion((0, 0), (100, 10), 0.95);
        assert_eq!(test.control_rate, None);
        assert_eq!(test.variant_rate, Some(0.1));
        assert_eq!((test.difference, test.z, test.p_value, test.ci), (None, None, None, None));
    }

    #[test]
    fn more_completed_than_exposed_is_treated_as_no_data() {
        let test = two_proportion((100, 101), (100, 10), 0.95);
        assert_eq!((test.control_rate, test.difference, test.p_value), (None, None, None));
    }

    #[test]
    fn both_groups_at_zero_or_at_full_completion_give_z_zero_and_p_one() {
        for (control, variant) in [((100, 0), (50, 0)), ((100, 100), (50, 50))] {
            let test = two_proportion(control, variant, 0.95);
            assert_eq!(test.difference, Some(0.0));
            assert_eq!((test.z, test.p_value), (Some(0.0), Some(1.0)));
            assert_eq!(test.ci, Some(Interval { lower: 0.0, upper: 0.0 }));
        }
    }

    #[test]
    fn zero_against_full_completion_has_a_finite_z_and_a_zero_width_interval() {
        let test = two_proportion((20, 0), (20, 20), 0.95);
        assert_eq!(test.difference, Some(1.0));
        assert_eq!(test.relative_uplift, None);
        let z = test.z.unwrap_or_default();
        assert!(z.is_finite() && z > 6.0, "{test:?}");
        assert_eq!(test.ci, Some(Interval { lower: 1.0, upper: 1.0 }));
    }

    #[test]
    fn a_confidence_outside_zero_to_one_gives_no_interval() {
        for confidence in [0.0, 1.0, 95.0, -0.5, f64::NAN] {
            let test = two_proportion((1000, 100), (1000, 120), confidence);
            assert_eq!(test.ci, None);
            assert!(test.p_value.is_some());
        }
    }

    #[test]
    fn the_largest_counts_give_finite_figures() {
        let test = two_proportion((u64::MAX, u64::MAX / 2), (u64::MAX, u64::MAX / 3), 0.95);
        assert!(test.z.is_some_and(f64::is_finite), "{test:?}");
        assert!(test.p_value.is_some() && test.ci.is_some(), "{test:?}");
    }
}
