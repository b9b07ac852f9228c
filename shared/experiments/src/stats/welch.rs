//! Welch's t-test of a variant's mean score against the control's (unequal variances), as
//! `scipy.stats.ttest_ind(variant, control, equal_var=False)` computes it.
//!
//! With `nᵢ` scores of mean `x̄ᵢ` and sample variance `sᵢ²` (divisor `nᵢ − 1`), `vᵢ = sᵢ² / nᵢ`:
//!
//! - difference `d = x̄₁ − x̄₀`, standard error `√(v₀ + v₁)`, `t = d / √(v₀ + v₁)`;
//! - Welch–Satterthwaite degrees of freedom `ν = (v₀ + v₁)² / (v₀²/(n₀ − 1) + v₁²/(n₁ − 1))`,
//!   real-valued, between `min(n₀, n₁) − 1` and `n₀ + n₁ − 2`;
//! - the two-sided p-value `P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½)` and the interval
//!   `d ± t_{ν, (1+c)/2} · √(v₀ + v₁)` (SciPy's `confidence_interval(c)` of the same result).
//!
//! Edge cases, all without panics or NaN:
//!
//! - moments that describe no data (`n = 0`, a mean or variance that is not finite, a negative
//!   variance): every figure is `None`;
//! - a group with fewer than two scores: the difference is reported, `t`, `df`, `p_value` and `ci`
//!   are `None` (a variance needs two scores);
//! - neither group varies at all (both variances 0, e.g. every score the same): there is no standard
//!   error, the same four are `None` (SciPy returns NaN), the difference alone is reported; one group
//!   without variation is fine (`df` is then the other group's `n − 1`);
//! - equal means: `t = 0`, `p = 1`;
//! - a control mean of 0: the relative uplift is `None`;
//! - a confidence not strictly between 0 and 1: `ci` is `None`.

use serde::Serialize;

use super::special::{t_critical, t_two_sided_p};
use super::{Interval, finite};

/// The count, mean and sample variance (divisor `n − 1`) of one group's scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub variance: f64,
}

impl Moments {
    /// From the running totals a store keeps: the count, the sum of scores and the sum of their
    /// squares. `mean = sum / n`; `variance = (sum_sq − sum · mean) / (n − 1)`, 0 for a single score
    /// and never below 0 (rounding can take the subtraction just under it). `None` when `count` is 0
    /// or a sum is not finite.
    ///
    /// The subtraction loses about `ε · mean² / variance` relative precision: ample for scores whose
    /// spread is not tiny beside their size (a 0–100 score is fine; timestamps are not).
    pub fn from_sums(count: u64, sum: f64, sum_sq: f64) -> Option<Moments> {
        if count == 0 || !sum.is_finite() || !sum_sq.is_finite() {
            return None;
        }
        let n = count as f64;
        let mean = sum / n;
        let variance = if count > 1 { ((sum_sq - sum * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        Some(Moments { n: count, mean, variance }).filter(|m| m.variance.is_finite())
    }

    fn is_valid(&self) -> bool {
        self.n > 0 && self.mean.is_finite() && self.variance.is_finite() && self.variance >= 0.0
    }
}

/// The comparison of one variant's mean score with the control's (see the module doc).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeanTest {
    /// `variant.mean − control.mean`.
    pub difference: Option<f64>,
    /// `difference ÷ control.mean`; `None` when the control mean is 0.
    pub relative_uplift: Option<f64>,
    /// Welch's t statistic.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value of `t` on `df` degrees of freedom.
    pub p_value: Option<f64>,
    /// Confidence interval for `difference` at the requested confidence.
    pub ci: Option<Interval>,
}

/// Welch's unequal-variances t-test of `variant` against `control`, with an interval at
/// `confidence` (e.g. 0.95).
pub fn welch(control: &Moments, variant: &Moments, confidence: f64) -> MeanTest {
    let mut test = MeanTest { difference: None, relative_uplift: None, t: None, df: None, p_value: None, ci: None };
    if !control.is_valid() || !variant.is_valid() {
        return test;
    }
    let difference = variant.mean - control.mean;
    test.difference = finite(difference);
    test.relative_uplift =
        if control.mean != 0.0 { test.difference.and_then(|d| finite(d / control.mean)) } else { None };
    let Some(difference) = test.difference else {
        return test;
    };
    if control.n < 2 || variant.n < 2 {
        return test;
    }
    let (n0, n1) = (control.n as f64, variant.n as f64);
    let (v0, v1) = (control.variance / n0, variant.variance / n1);
    let largest = v0.max(v1);
    if largest.is_nan() || largest <= 0.0 {
        return test;
    }
    let se = (v0 + v1).sqrt();
    // Degrees of freedom from the shares of the larger term, which cannot overflow.
    let (r0, r1) = (v0 / largest, v1 / largest);
    let df = (r0 + r1) * (r0 + r1) / (r0 * r0 / (n0 - 1.0) + r1 * r1 / (n1 - 1.0));
    let t = difference / se;
    test.t = finite(t);
    test.df = finite(df);
    if let Some(df) = test.df {
        test.p_value = Some(if t.is_finite() { t_two_sided_p(t, df) } else { 0.0 });
        test.ci = t_critical(confidence, df).and_then(|critical| Interval::around(difference, critical * se));
    }
    test
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    fn moments(n: u64, mean: f64, variance: f64) -> Moments {
        Moments { n, mean, variance }
    }

    /// Cases computed by `fixtures.py` (`welch`): `scipy.stats.ttest_ind_from_stats(...,
    /// equal_var=False)` for t and p, and `ttest_ind(..., equal_var=False).df` and
    /// `.confidence_interval(confidence)` on samples with exactly these moments.
    #[test]
    fn t_df_p_value_and_interval_match_scipy_ttest_ind() {
        // control, variant, confidence, [difference, t, df, p, ci lower, ci upper]
        let cases: &[(Moments, Moments, f64, [f64; 6])] = &[
            (
                moments(40, 68.98825934673512, 142.1407044894116),
                moments(55, 76.03407386123375, 317.1126865404988),
                0.95,
                [
                    7.04581451449863,
                    2.3080319903190865,
                    92.45048710438843,
                    0.02322779725619581,
                    0.9832090584894271,
                    13.108419970507834,
                ],
            ),
            (
                moments(8, 5.333528072107381, 2.5017088236192215),
                moments(5, 4.110458578441589, 7.949212013178358),
                0.95,
                [
                    -1.2230694936657915,
                    -0.886711638789966,
                    5.604411269288628,
                    0.4116644279932561,
                    -4.656770709741625,
                    2.2106317224100427,
                ],
            ),
            (
                moments(300, 20.344308324459877, 382.8230635034358),
                moments(280, 21.447848431998924, 434.0131985632792),
                0.99,
                [
                    1.1035401075390467,
                    0.6564361869800326,
                    568.1569086663293,
                    0.5118092841346684,
                    -3.2413006659448005,
                    5.448380881022894,
                ],
            ),
            (
                moments(2, 35.4561622784446, 43.21244283578548),
                moments(3, 47.74326709052597, 58.46368548899239),
                0.95,
                [
                    12.287104812081367,
                    1.9167246962482927,
                    2.5714642316076377,
                    0.16625427233733733,
                    -10.178836361221869,
                    34.7530459853846,
                ],
            ),
            (
                moments(200000, 99.96523116441101, 225.47049800749517),
                moments(190000, 100.12641569393384, 224.94086710467312),
                0.95,
                [
                    0.1611845295228278,
                    3.3527388401954816,
                    389020.63737236423,
                    0.0008002379421947025,
                    0.06695802674299547,
                    0.25541103230266016,
                ],
            ),
            (
                moments(30, 0.5079746433978994, 0.025614071430037737),
                moments(30, 0.5194486665158581, 0.06004746893866019),
                0.8,
                [
                    0.011474023117958643,
                    0.21472539390666415,
                    49.931982959699276,
                    0.8308559976451867,
                    -0.05792504776187621,
                    0.0808730939977935,
                ],
            ),
        ];
        for &(control, variant, confidence, [difference, t, df, p, lower, upper]) in cases {
            let test = welch(&control, &variant, confidence);
            let (Some(d), Some(tt), Some(dd), Some(pp), Some(ci)) =
                (test.difference, test.t, test.df, test.p_value, test.ci)
            else {
                panic!("undefined figures in {test:?}");
            };
            assert_close(d, difference, 1e-12);
            assert_close(tt, t, 1e-12);
            assert_close(dd, df, 1e-12);
            assert_close(pp, p, 1e-9);
            assert_close(ci.lower, lower, 1e-9);
            assert_close(ci.upper, upper, 1e-9);
        }
    }

    #[test]
    fn moments_from_sums_match_numpy_mean_and_variance() {
        // fixtures.py (`moments`): scores [3, 7, 7, 19, 4.5], numpy mean and var(ddof=1).
        let Some(m) = Moments::from_sums(5, 40.5, 488.25) else {
            panic!("no moments");
        };
        assert_eq!(m.n, 5);
        assert_close(m.mean, 8.1, 1e-15);
        assert_close(m.variance, 40.050000000000004, 1e-13);
    }

    #[test]
    fn moments_need_a_score_and_finite_sums() {
        assert_eq!(Moments::from_sums(0, 0.0, 0.0), None);
        assert_eq!(Moments::from_sums(3, f64::NAN, 1.0), None);
        assert_eq!(Moments::from_sums(3, 1.0, f64::INFINITY), None);
        assert_eq!(Moments::from_sums(1, 4.0, 16.0), Some(moments(1, 4.0, 0.0)));
    }

    #[test]
    fn rounding_never_makes_a_variance_negative() {
        // Three equal scores of 0.1: sum_sq − sum·mean rounds to a tiny negative number.
        let Some(m) = Moments::from_sums(3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01) else {
            panic!("no moments");
        };
        assert!(m.variance >= 0.0, "{m:?}");
    }

    #[test]
    fn groups_without_any_variation_have_a_difference_but_no_test() {
        let test = welch(&moments(10, 5.0, 0.0), &moments(12, 6.0, 0.0), 0.95);
        assert_eq!(test.difference, Some(1.0));
        assert_eq!(test.relative_uplift, Some(0.2));
        assert_eq!((test.t, test.df, test.p_value, test.ci), (None, None, None, None));
        let equal = welch(&moments(10, 5.0, 0.0), &moments(12, 5.0, 0.0), 0.95);
        assert_eq!((equal.difference, equal.p_value), (Some(0.0), None));
    }

    #[test]
    fn one_group_without_variation_is_still_tested() {
        let test = welch(&moments(10, 5.0, 0.0), &moments(12, 6.0, 4.0), 0.95);
        // Only the variant's term remains: df = n₁ − 1.
        assert_eq!(test.df, Some(11.0));
        assert!(test.p_value.is_some() && test.ci.is_some(), "{test:?}");
    }

    #[test]
    fn fewer_than_two_scores_in_a_group_give_no_test() {
        let test = welch(&moments(1, 5.0, 0.0), &moments(12, 6.0, 4.0), 0.95);
        assert_eq!(test.difference, Some(1.0));
        assert_eq!((test.t, test.p_value), (None, None));
    }

    #[test]
    fn invalid_moments_give_no_figures() {
        let good = moments(10, 5.0, 1.0);
        for bad in [moments(0, 5.0, 1.0), moments(10, f64::NAN, 1.0), moments(10, 5.0, -1.0)] {
            let test = welch(&bad, &good, 0.95);
            assert_eq!((test.difference, test.p_value), (None, None));
        }
    }

    #[test]
    fn equal_means_give_t_zero_and_p_one() {
        let test = welch(&moments(10, 5.0, 1.0), &moments(20, 5.0, 3.0), 0.95);
        assert_eq!((test.t, test.p_value), (Some(0.0), Some(1.0)));
    }

    #[test]
    fn a_zero_control_mean_has_no_relative_uplift() {
        let test = welch(&moments(10, 0.0, 1.0), &moments(20, 1.0, 3.0), 0.95);
        assert_eq!(test.relative_uplift, None);
        assert!(test.p_value.is_some());
    }

    #[test]
    fn a_confidence_outside_zero_to_one_gives_no_interval() {
        let test = welch(&moments(10, 5.0, 1.0), &moments(20, 6.0, 3.0), 1.0);
        assert_eq!(test.ci, None);
        assert!(test.p_value.is_some());
    }

    #[test]
    fn extreme_moments_give_finite_figures_or_none() {
        let huge = moments(u64::MAX, f64::MAX, f64::MAX);
        let tiny = moments(2, -f64::MAX, f64::MIN_POSITIVE);
        let test = welch(&tiny, &huge, 0.95);
        for value in [test.difference, test.t, test.df, test.p_value].into_iter().flatten() {
            assert!(value.is_finite(), "{test:?}");
        }
    }
}
