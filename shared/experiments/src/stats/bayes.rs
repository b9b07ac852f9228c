//! Bayesian chance to beat control for a completion rate, and the expected loss (risk).
//!
//! With a uniform prior, a group's completion rate after `s` completions in `n` exposed has the
//! posterior `Beta(1 + s, 1 + n − s)`. For the control `X ~ Beta(a, b)` and the variant
//! `Y ~ Beta(c, d)`, independent:
//!
//! - chance to beat control `P(Y > X)`;
//! - expected loss of choosing the variant `E[max(X − Y, 0)]` (how much completion rate one gives up,
//!   on average over the posterior, by shipping the variant), and of keeping the control
//!   `E[max(Y − X, 0)]`, which is the former plus `E[Y] − E[X]`. Both are fractions of a rate
//!   (0.001 is a tenth of a percentage point).
//!
//! ## Method and accuracy
//!
//! **Exact** (when the smallest of `a, b, c, d` is at most [`EXACT_TERMS_LIMIT`]): for integer
//! parameters (Evan Miller, "Formulas for Bayesian A/B testing", 2015)
//!
//! ```text
//! P(Y > X) = Σ_{i=0}^{c−1} B(a + i, b + d) / ((d + i) · B(1 + i, d) · B(a, b)),
//! ```
//!
//! and by the symmetries `P(Y > X) = 1 − P(X > Y)` and `1 − X ~ Beta(b, a)` the same sum can run over
//! whichever of `a, b, c, d` is smallest, so its cost is O(min(completions, non-completions) over both
//! groups), not O(completions). Its terms follow from the first by the ratio
//! `(a + i)(d + i) / ((a + b + d + i)(1 + i))`, one multiplication each, summed with rescaling so
//! that nothing underflows; the first is `B(a, b + d) / B(a, b)` from an `ln B` accurate for large
//! arguments. The expected loss is `E[X]·P(X⁺ > Y) − E[Y]·P(X > Y⁺)` with `X⁺ ~ Beta(a + 1, b)`,
//! `Y⁺ ~ Beta(c + 1, d)` (two more such sums). Error, measured (`fixtures.py`: `bayes_exact` against
//! a 50-digit evaluation of the sum, `bayes_exact_near_limit` against numerical integration): about
//! 1e-13 relative in the chance for counts in the thousands; it grows with the largest count, as
//! the rounding of `ln B` does, to about 1e-16 times that count (2.4e-10 with 3 million exposed).
//! The losses, differences of two terms the size of the rates, are within about 1e-11 absolute
//! (4e-12 in that case). Cost: at most 3 × 100,001 steps of a few multiplications, about a
//! millisecond even unoptimised.
//!
//! **Approximate** (every parameter above the limit: more than 100,000 completions *and*
//! non-completions in both groups): the normal approximation GrowthBook uses for the difference
//! `Y − X`, with the Edgeworth correction for its skewness (the third cumulants of the two Betas):
//! with `μ = E[Y] − E[X]`, `σ² = Var X + Var Y`, `γ = (κ₃(Y) − κ₃(X)) / σ³` and `k = −μ/σ`,
//! `P(Y > X) ≈ 1 − Φ(k) + φ(k) γ (k² − 1) / 6` and
//! `E[max(X − Y, 0)] ≈ σ (k Φ(k) + φ(k) + γ k φ(k) / 6)`. Measured against numerical integration
//! (`fixtures.py`, `bayes_approximation_error`) its error at this size is below 1e-6 in the chance
//! (4.1e-7 at worst in the cases measured) and 1e-4 relative in the losses (3.6e-5), shrinking as
//! 1/n beyond; the plain normal approximation's error in the chance is up to 4e-4 when the groups'
//! sizes differ a lot, because the skewness of the smaller group then does not cancel.

use serde::Serialize;

use super::special::{ln_beta, normal_sf};

/// Above this, in every one of the four posterior parameters, the chance and the losses are
/// approximated (see the module doc); at or below it they are exact.
pub const EXACT_TERMS_LIMIT: u64 = 100_000;

/// How [`chance_to_beat_control`] computed its figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BayesMethod {
    /// Evan Miller's closed-form sum.
    Exact,
    /// Normal approximation with Edgeworth's skewness correction (all counts above the limit).
    Edgeworth,
}

/// The Bayesian comparison of one variant's completion rate with the control's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChanceToBeat {
    /// Posterior probability that the variant's true rate is above the control's, in [0, 1].
    pub chance_to_beat_control: f64,
    /// Expected loss (risk) of choosing the variant: `E[max(control − variant, 0)]`, a rate.
    pub expected_loss: f64,
    /// Expected loss of keeping the control: `E[max(variant − control, 0)]`, a rate.
    pub control_expected_loss: f64,
    pub method: BayesMethod,
}

/// A Beta distribution with integer-valued parameters (1 + a count).
#[derive(Clone, Copy, Debug)]
struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    /// The posterior after `successes` in `n` under the uniform prior.
    fn posterior(n: u64, successes: u64) -> Option<Beta> {
        (successes <= n).then(|| Beta { a: 1.0 + successes as f64, b: 1.0 + (n - successes) as f64 })
    }

    /// `Beta(a + 1, b)`: the size-biased distribution, `E[X·1{X ∈ A}] = E[X] · P(X⁺ ∈ A)`.
    fn size_biased(self) -> Beta {
        Beta { a: self.a + 1.0, b: self.b }
    }

    fn flipped(self) -> Beta {
        Beta { a: self.b, b: self.a }
    }

    fn mean(self) -> f64 {
        self.a / (self.a + self.b)
    }

    fn variance(self) -> f64 {
        let s = self.a + self.b;
        self.a * self.b / (s * s * (s + 1.0))
    }

    /// The third central moment (third cumulant).
    fn third_cumulant(self) -> f64 {
        let s = self.a + self.b;
        2.0 * self.a * self.b * (self.b - self.a) / (s * s * s * (s + 1.0) * (s + 2.0))
    }
}

/// `P(Y > X)` for `X ~ Beta(x.a, x.b)`, `Y ~ Beta(y.a, y.b)` by Evan Miller's sum over `y.a`.
fn miller_sum(x: Beta, y: Beta) -> f64 {
    let (a, b, d) = (x.a, x.b, y.b);
    // The sum is Σ_{i<c} hᵢ = e^{scale} · sum, renormalised whenever `sum` grows large.
    let mut scale = ln_beta(a, b + d) - ln_beta(a, b);
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let steps = y.a as u64;
    for i in 0..steps.saturating_sub(1) {
        let i = i as f64;
        term *= (a + i) * (d + i) / ((a + b + d + i) * (1.0 + i));
        sum += term;
        if sum > 1e250 {
            scale += sum.ln();
            term /= sum;
            sum = 1.0;
        }
    }
    (scale + sum.ln()).exp().clamp(0.0, 1.0)
}

/// `P(Y > X)`, the sum running over the smallest of the four parameters.
fn exact_probability_greater(x: Beta, y: Beta) -> f64 {
    let smallest = x.a.min(x.b).min(y.a).min(y.b);
    let p = if smallest == y.a {
        miller_sum(x, y)
    } else if smallest == x.a {
        1.0 - miller_sum(y, x)
    } else if smallest == x.b {
        // Y > X ⇔ 1 − X > 1 − Y, and 1 − X ~ Beta(x.b, x.a).
        miller_sum(y.flipped(), x.flipped())
    } else {
        1.0 - miller_sum(x.flipped(), y.flipped())
    };
    p.clamp(0.0, 1.0)
}

fn exact(x: Beta, y: Beta) -> ChanceToBeat {
    let chance = exact_probability_greater(x, y);
    // E[max(X − Y, 0)] = E[X·1{X > Y}] − E[Y·1{X > Y}].
    let gain_x = x.mean() * exact_probability_greater(y, x.size_biased());
    let gain_y = y.mean() * exact_probability_greater(y.size_biased(), x);
    let loss = (gain_x - gain_y).max(0.0);
    ChanceToBeat {
        chance_to_beat_control: chance,
        expected_loss: loss,
        control_expected_loss: (loss + y.mean() - x.mean()).max(0.0),
        method: BayesMethod::Exact,
    }
}

fn edgeworth(x: Beta, y: Beta) -> ChanceToBeat {
    let mu = y.mean() - x.mean();
    let sigma = (x.variance() + y.variance()).sqrt();
    let gamma = (y.third_cumulant() - x.third_cumulant()) / (sigma * sigma * sigma);
    let k = -mu / sigma;
    let density = (-0.5 * k * k).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let chance = normal_sf(k) + density * gamma * (k * k - 1.0) / 6.0;
    let loss = sigma * (k * (1.0 - normal_sf(k)) + density + gamma * k * density / 6.0);
    let loss = if loss.is_finite() { loss.max(0.0) } else { 0.0 };
    ChanceToBeat {
        chance_to_beat_control: if chance.is_finite() { chance.clamp(0.0, 1.0) } else { 0.5 },
        expected_loss: loss,
        control_expected_loss: (loss + mu).max(0.0),
        method: BayesMethod::Edgeworth,
    }
}

/// Chance that `variant` beats `control` and the expected losses, each group given as
/// `(exposed, completed)`. `None` only when a group has more completed than exposed. With no one
/// exposed a group's posterior is the uniform prior (a chance of 0.5 between two empty groups).
pub fn chance_to_beat_control(control: (u64, u64), variant: (u64, u64)) -> Option<ChanceToBeat> {
    let x = Beta::posterior(control.0, control.1)?;
    let y = Beta::posterior(variant.0, variant.1)?;
    let limit = EXACT_TERMS_LIMIT as f64;
    Some(if x.a.min(x.b).min(y.a).min(y.b) <= limit { exact(x, y) } else { edgeworth(x, y) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    /// Control, variant, [chance, loss, control loss].
    type Case = ((u64, u64), (u64, u64), [f64; 3]);

    /// Chance within `tolerance` relative, losses within 1e-11 absolute (see the module doc).
    fn check(cases: &[Case], tolerance: f64, method: BayesMethod) {
        for &(control, variant, [chance, loss, control_loss]) in cases {
            let Some(result) = chance_to_beat_control(control, variant) else {
                panic!("no result for {control:?} {variant:?}");
            };
            assert_eq!(result.method, method);
            assert_close(result.chance_to_beat_control, chance, tolerance);
            assert!((result.expected_loss - loss).abs() < 1e-11, "{result:?} against {loss:e}");
            assert!((result.control_expected_loss - control_loss).abs() < 1e-11, "{result:?}");
        }
    }

    /// Cases computed by `fixtures.py` (`bayes_exact`): Evan Miller's sum term by term in mpmath at
    /// 50 digits (the losses through the size-biased sums), each checked there against SciPy's
    /// adaptive quadrature to 1e-10.
    #[test]
    fn the_exact_sum_matches_a_high_precision_reference() {
        let cases: &[Case] = &[
            ((1000, 100), (1000, 120), [0.9231834389735597, 0.00048461392635644376, 0.020444693766675806]),
            ((200, 30), (200, 44), [0.9637022430755564, 0.0005621132627225276, 0.06986904395579184]),
            ((50, 2), (60, 1), [0.2447704167887654, 0.03072915185747044, 0.005294908681291782]),
            ((0, 0), (10, 3), [0.3333333333333333, 0.23076923076923078, 0.0641025641025641]),
            ((3000, 2900), (3100, 3010), [0.832831729733698, 0.00039699074110212396, 0.004705315601682927]),
            ((10000, 500), (10000, 430), [0.009377793504365649, 0.007008010488165141, 9.410208221130226e-06]),
        ];
        check(cases, 1e-9, BayesMethod::Exact);
    }

    /// Cases computed by `fixtures.py` (`bayes_exact_near_limit`): SciPy's adaptive quadrature over
    /// the narrower posterior (about 1e-12), for sums of 95,001 and 50,001 terms.
    #[test]
    fn the_exact_sum_near_the_limit_matches_numerical_integration() {
        let cases: &[Case] = &[
            ((1000000, 95000), (1000000, 96000), [0.9919338021108619, 1.110776805545679e-06, 0.0010011087768095478]),
            ((150000, 50000), (3000000, 1001000), [0.604915294441071, 0.0003494753273919536, 0.0006806973569472574]),
        ];
        check(cases, 1e-9, BayesMethod::Exact);
    }

    /// Cases computed by `fixtures.py` (`bayes_large`): SciPy's adaptive quadrature over the
    /// narrower posterior, accurate to about 1e-12; the approximation's documented error is 1e-6
    /// in the chance, 1e-4 relative in the losses.
    #[test]
    fn the_approximation_for_large_counts_matches_numerical_integration() {
        let cases: &[Case] = &[
            ((2000000, 200500), (2000000, 201200), [0.8778830208495865, 1.812874064933961e-05, 0.0003681283906496885]),
            (
                (400000, 150000),
                (40000000, 15010000),
                [0.6271874909029473, 0.0001982199348086248, 0.0004476011754332987],
            ),
            (
                (10000000, 5000000),
                (10000000, 5004000),
                [0.9631808705831307, 3.282767100140303e-06, 0.00040328268710021486],
            ),
        ];
        for &(control, variant, [chance, loss, control_loss]) in cases {
            let Some(result) = chance_to_beat_control(control, variant) else {
                panic!("no result");
            };
            assert_eq!(result.method, BayesMethod::Edgeworth);
            assert!((result.chance_to_beat_control - chance).abs() < 1e-6, "{result:?} {chance}");
            assert_close(result.expected_loss, loss, 1e-4);
            assert_close(result.control_expected_loss, control_loss, 1e-4);
        }
    }

    #[test]
    fn each_form_of_the_sum_agrees_with_the_others() {
        // The same pair summed over each of its four parameters.
        let (x, y) = (Beta { a: 31.0, b: 170.0 }, Beta { a: 45.0, b: 156.0 });
        let direct = miller_sum(x, y);
        let complement = 1.0 - miller_sum(y, x);
        let flipped = miller_sum(y.flipped(), x.flipped());
        let flipped_complement = 1.0 - miller_sum(x.flipped(), y.flipped());
        for other in [complement, flipped, flipped_complement] {
            assert_close(other, direct, 1e-12);
        }
    }

    #[test]
    fn identical_groups_have_an_even_chance() {
        for counts in [(0, 0), (100, 10), (100_000, 3_000), (400_000, 200_000)] {
            let Some(result) = chance_to_beat_control(counts, counts) else {
                panic!("no result");
            };
            assert_close(result.chance_to_beat_control, 0.5, 1e-9);
            assert_close(result.expected_loss, result.control_expected_loss, 1e-9);
        }
    }

    #[test]
    fn swapping_the_groups_complements_the_chance_and_swaps_the_losses() {
        let (Some(ab), Some(ba)) =
            (chance_to_beat_control((1000, 100), (1000, 120)), chance_to_beat_control((1000, 120), (1000, 100)))
        else {
            panic!("no result");
        };
        assert_close(ab.chance_to_beat_control, 1.0 - ba.chance_to_beat_control, 1e-12);
        assert_close(ab.expected_loss, ba.control_expected_loss, 1e-12);
    }

    #[test]
    fn more_completed_than_exposed_has_no_result() {
        assert_eq!(chance_to_beat_control((10, 11), (10, 5)), None);
        assert_eq!(chance_to_beat_control((10, 5), (10, 11)), None);
    }

    #[test]
    fn extreme_counts_give_probabilities_in_range() {
        for (control, variant) in [
            ((u64::MAX, 0), (u64::MAX, u64::MAX)),
            ((u64::MAX, u64::MAX / 2), (u64::MAX, u64::MAX / 2)),
            ((1, 0), (1_000_000, 999_999)),
            ((2_000_000, 0), (2_000_000, 2_000_000)),
        ] {
            let Some(result) = chance_to_beat_control(control, variant) else {
                panic!("no result");
            };
            let figures = [result.chance_to_beat_control, result.expected_loss, result.control_expected_loss];
            assert!(figures.iter().all(|v| v.is_finite() && *v >= 0.0), "{result:?}");
            assert!(result.chance_to_beat_control <= 1.0, "{result:?}");
        }
    }
}
