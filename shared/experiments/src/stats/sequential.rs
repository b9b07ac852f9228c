//! An always-valid p-value for the difference in completion rates: the mixture sequential
//! probability ratio test (mSPRT) of Johari, Koomen, Pekelis and Walsh ("Peeking at A/B tests: why
//! it matters, and what to do about it", KDD 2017), with a normal mixing distribution, the test behind Optimizely's Stats Engine and, in its confidence-sequence
//! form, GrowthBook's sequential testing.
//!
//! ## Formula
//!
//! At a look with `n₀, n₁` exposed (`N = n₀ + n₁`) and estimated difference `θ̂ = p̂₁ − p̂₀` of
//! variance `V`, the mixture likelihood ratio of `θ = 0` against `θ ~ N(0, τ²)` is
//!
//! ```text
//! Λ = √(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))
//! ```
//!
//! and the always-valid p-value is the running minimum `pₙ = min(pₙ₋₁, 1 / Λₙ)`, `p₀ = 1`:
//! by Ville's inequality `1/Λ` falls below `α` at *any* look with probability at most `α` when the
//! rates are equal, so stopping the first time `pₙ < α` keeps false winners below `α`.
//!
//! `V = p̄(1 − p̄)(1/n₀ + 1/n₁)` is the pooled variance of the two-proportion z-test (the variance under
//! the null hypothesis), so `z² = θ̂²/V` is that test's statistic.
//!
//! ## Mixing variance
//!
//! `τ²` sets the effect sizes the test is most sensitive to. As GrowthBook does, it is tied to the
//! per-user variance of the difference, `τ² = ρ² · N V`, with Waudby-Smith et al.'s choice
//! ("Time-uniform central limit theory and asymptotic confidence sequences", 2023), as GrowthBook
//! tunes it:
//!
//! ```text
//! ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*
//! ```
//!
//! which makes the matching confidence sequence narrowest at `N*` exposed in all. The defaults are
//! GrowthBook's: `α = 0.05`, `N* = 5000` ([`DEFAULT_TUNING_ALPHA`], [`DEFAULT_TUNING_SAMPLE_SIZE`]),
//! so `ρ² ≈ 1.5872e-3`. With `r = ρ² N` the ratio simplifies to
//! `Λ = (1 + r)^{−½} exp(z² r / (2 (1 + r)))`: GrowthBook's e-value, whose `z` takes the unpooled
//! variance where this one takes the pooled (`V` cancels otherwise: the test needs no variance other
//! than through `z`). Tying `τ²` to the estimated variance is a plug-in, valid
//! as counts grow, like the normal approximation of the z-test itself.
//!
//! ## Never below the fixed-horizon p-value
//!
//! `1/Λ = √(1 + r) · exp(−z² r / (2(1 + r)))` is, over all `r > 0`, smallest at `1 + r = z²` (for
//! `z² > 1`; otherwise it never drops below 1), where it equals `|z| √e · e^{−z²/2}`; the z-test's
//! `2(1 − Φ(|z|)) < √(2/π) · e^{−z²/2} / |z|` is smaller whenever `z² > √(2/(π e))`. So each look's
//! value is at least the fixed-horizon p-value of the same counts: the guarantee against peeking is
//! paid for in sample size, never the other way round.
//!
//! ## The caller keeps the previous value
//!
//! The running minimum makes the p-value depend on the history of looks, not only on today's counts:
//! store each look's result and pass it back as `previous` at the next (`None` at the first look).
//! Passing `None` every time gives only that look's `min(1, 1/Λ)`, which is still valid on its own
//! but may rise again between looks.

use serde::Serialize;

use super::finite;

/// GrowthBook's default tuning: the confidence sequence is narrowest at this many exposed in all.
pub const DEFAULT_TUNING_SAMPLE_SIZE: f64 = 5000.0;

/// GrowthBook's default significance level in the tuning of `ρ`.
pub const DEFAULT_TUNING_ALPHA: f64 = 0.05;

/// The normal mixing distribution's scale: `τ² = rho_squared · N · V` (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mixing {
    pub rho_squared: f64,
}

impl Mixing {
    /// `ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*`: the mixing that makes the confidence sequence
    /// narrowest at `sample_size` (`N*`) exposed in all, at significance `alpha`. `None` unless
    /// `alpha` is strictly between 0 and 1 and `sample_size` is positive and finite.
    pub fn tuned(alpha: f64, sample_size: f64) -> Option<Mixing> {
        if !(alpha > 0.0 && alpha < 1.0 && sample_size > 0.0 && sample_size.is_finite()) {
            return None;
        }
        let minus_two_ln_alpha = -2.0 * alpha.ln();
        finite((minus_two_ln_alpha + minus_two_ln_alpha.ln_1p()) / sample_size)
            .map(|rho_squared| Mixing { rho_squared })
    }
}

impl Default for Mixing {
    /// GrowthBook's defaults: `α = 0.05`, `N* = 5000`.
    fn default() -> Mixing {
        // (−2 ln 0.05 + ln(1 − 2 ln 0.05)) / 5000, as `tuned` computes it.
        Mixing::tuned(DEFAULT_TUNING_ALPHA, DEFAULT_TUNING_SAMPLE_SIZE)
            .unwrap_or(Mixing { rho_squared: 0.001587230920347513 })
    }
}

/// This look's `min(1, 1/Λ)`; 1 when the counts carry no evidence (a group with no one exposed,
/// more completed than exposed, a pooled rate of 0 or 1, or a mixing that is not a positive finite
/// number).
fn look(control: (u64, u64), variant: (u64, u64), mixing: &Mixing) -> f64 {
    let rho_squared = mixing.rho_squared;
    let valid = |(n, s): (u64, u64)| n > 0 && s <= n;
    if !(valid(control) && valid(variant) && rho_squared > 0.0 && rho_squared.is_finite()) {
        return 1.0;
    }
    let (n0, n1) = (control.0 as f64, variant.0 as f64);
    let total = n0 + n1;
    let pooled = (control.1 as f64 + variant.1 as f64) / total;
    let pooled_complement = ((control.0 - control.1) as f64 + (variant.0 - variant.1) as f64) / total;
    let variance = pooled * pooled_complement * (1.0 / n0 + 1.0 / n1);
    if variance.is_nan() || variance <= 0.0 {
        return 1.0;
    }
    let difference = variant.1 as f64 / n1 - control.1 as f64 / n0;
    let z_squared = difference * difference / variance;
    let r = rho_squared * total;
    // ln(1/Λ) = ½ ln(1 + r) − z² r / (2 (1 + r)).
    let ln_inverse = 0.5 * r.ln_1p() - 0.5 * z_squared * (r / (1.0 + r));
    if ln_inverse.is_nan() { 1.0 } else { ln_inverse.exp().min(1.0) }
}

/// The always-valid p-value after this look: `min(previous, 1/Λ)` for the counts so far, each group
/// `(exposed, completed)` cumulative since the start. `previous` is the value this function returned
/// at the last look (`None` at the first; a NaN is ignored and values are kept within [0, 1]).
/// Never above `previous`; this look's own `1/Λ` is never below the two-proportion z-test's p-value
/// of the same counts, so the result is at least the smallest z-test p-value of the looks so far.
pub fn always_valid_p(previous: Option<f64>, control: (u64, u64), variant: (u64, u64), mixing: &Mixing) -> f64 {
    let previous = previous.filter(|p| !p.is_nan()).map_or(1.0, |p| p.clamp(0.0, 1.0));
    previous.min(look(control, variant, mixing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;
    use crate::stats::two_proportion;

    #[test]
    fn the_default_mixing_is_growthbooks_tuning() {
        // fixtures.py (`sequential`): (−2 ln 0.05 + ln(1 − 2 ln 0.05)) / 5000.
        assert_close(Mixing::default().rho_squared, 0.001587230920347513, 1e-14);
        assert_eq!(Mixing::tuned(0.05, 5000.0), Some(Mixing::default()));
    }

    #[test]
    fn tuning_needs_an_alpha_between_zero_and_one_and_a_positive_size() {
        for (alpha, size) in [(0.0, 5000.0), (1.0, 5000.0), (f64::NAN, 5000.0), (0.05, 0.0)] {
            assert_eq!(Mixing::tuned(alpha, size), None);
        }
        assert_eq!(Mixing::tuned(0.05, f64::INFINITY), None);
    }

    /// Cases computed by `fixtures.py` (`sequential`): the same formula written independently in
    /// mpmath, at 30 digits.
    #[test]
    fn one_look_matches_the_formula_computed_independently() {
        // control, variant, alpha, N*, p
        type Case = ((u64, u64), (u64, u64), f64, f64, f64);
        let cases: &[Case] = &[
            ((1000, 100), (1000, 120), 0.05, 5000.0, 0.9396315943431552),
            ((5000, 500), (5000, 580), 0.05, 5000.0, 0.1805049346104017),
            ((20000, 2000), (20000, 2200), 0.05, 5000.0, 0.04264643145602004),
            ((20000, 2000), (20000, 2200), 0.01, 100000.0, 0.029892110376406617),
            ((300, 30), (310, 60), 0.1, 1000.0, 0.032638759655960255),
            ((1000000, 100000), (1000000, 101000), 0.05, 5000.0, 1.0),
        ];
        for &(control, variant, alpha, size, p) in cases {
            let Some(mixing) = Mixing::tuned(alpha, size) else {
                panic!("no mixing");
            };
            assert_close(always_valid_p(None, control, variant, &mixing), p, 1e-12);
        }
    }

    /// Cumulative counts at five daily looks and the running p-value, from `fixtures.py`.
    #[test]
    fn a_sequence_of_looks_matches_the_running_minimum_computed_independently() {
        type Look = ((u64, u64), (u64, u64), f64);
        let looks: &[Look] = &[
            ((800, 80), (800, 95), 1.0),                      // fixed-horizon p 0.2296
            ((1500, 152), (1520, 185), 0.6506414591757131),   // fixed-horizon p 0.07536
            ((2400, 237), (2400, 305), 0.041845956386489414), // fixed-horizon p 0.001928
            ((3150, 307), (3160, 375), 0.041845956386489414), // fixed-horizon p 0.006662
            ((3970, 397), (3960, 493), 0.014620168952834581), // fixed-horizon p 0.0005499
        ];
        let mut previous = None;
        for &(control, variant, expected) in looks {
            let p = always_valid_p(previous, control, variant, &Mixing::default());
            assert_close(p, expected, 1e-12);
            previous = Some(p);
        }
    }

    /// A small deterministic generator (SplitMix64) for the property tests' counts.
    struct Counts(u64);

    impl Counts {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// A group of up to `max_n` exposed completing at a rate near `rate`.
        fn group(&mut self, max_n: u64, rate_per_mille: u64) -> (u64, u64) {
            let n = 1 + self.next() % max_n;
            let spread = self.next() % 101; // ±5 % around the rate
            let rate = (rate_per_mille * (950 + spread) / 1000).min(1000);
            (n, n * rate / 1000)
        }
    }

    #[test]
    fn each_look_is_at_least_the_fixed_horizon_p_value_of_the_same_counts() {
        let mut counts = Counts(2017);
        for case in 0..20_000 {
            let max_n = [10, 1_000, 100_000, 10_000_000][case % 4];
            let rate = counts.next() % 1001;
            let (control, variant) = (counts.group(max_n, rate), counts.group(max_n, rate));
            let fixed = two_proportion(control, variant, 0.95).p_value.unwrap_or(1.0);
            let always_valid = always_valid_p(None, control, variant, &Mixing::default());
            assert!(always_valid >= fixed, "{control:?} {variant:?}: {always_valid} < {fixed}");
        }
    }

    #[test]
    fn across_looks_it_never_increases_and_stays_above_the_smallest_fixed_p_value() {
        let mut counts = Counts(7);
        for _ in 0..500 {
            let (rate0, rate1) = (counts.next() % 300, counts.next() % 300);
            let (mut control, mut variant) = ((0, 0), (0, 0));
            let (mut previous, mut smallest_fixed) = (None, 1.0_f64);
            for _ in 0..30 {
                let (a, b) = (counts.group(2_000, rate0), counts.group(2_000, rate1));
                control = (control.0 + a.0, control.1 + a.1);
                variant = (variant.0 + b.0, variant.1 + b.1);
                let p = always_valid_p(previous, control, variant, &Mixing::default());
                if let Some(fixed) = two_proportion(control, variant, 0.95).p_value {
                    smallest_fixed = smallest_fixed.min(fixed);
                }
                assert!(previous.is_none_or(|q| p <= q), "rose from {previous:?} to {p}");
                assert!(p >= smallest_fixed, "{p} below every fixed-horizon p {smallest_fixed}");
                previous = Some(p);
            }
        }
    }

    #[test]
    fn counts_without_evidence_keep_the_previous_value() {
        let mixing = Mixing::default();
        assert_eq!(always_valid_p(None, (0, 0), (100, 10), &mixing), 1.0);
        assert_eq!(always_valid_p(Some(0.2), (0, 0), (100, 10), &mixing), 0.2);
        assert_eq!(always_valid_p(Some(0.2), (100, 0), (100, 0), &mixing), 0.2);
        assert_eq!(always_valid_p(Some(0.2), (100, 101), (100, 10), &mixing), 0.2);
        assert_eq!(always_valid_p(Some(0.2), (100, 10), (100, 10), &mixing), 0.2);
    }

    #[test]
    fn a_previous_value_out_of_range_or_nan_is_sanitised() {
        let mixing = Mixing::default();
        assert_eq!(always_valid_p(Some(f64::NAN), (0, 0), (0, 0), &mixing), 1.0);
        assert_eq!(always_valid_p(Some(7.0), (0, 0), (0, 0), &mixing), 1.0);
        assert_eq!(always_valid_p(Some(-1.0), (0, 0), (0, 0), &mixing), 0.0);
    }

    #[test]
    fn an_invalid_mixing_gives_no_evidence() {
        for rho_squared in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let mixing = Mixing { rho_squared };
            assert_eq!(always_valid_p(None, (10_000, 1000), (10_000, 1500), &mixing), 1.0);
        }
    }

    #[test]
    fn an_overwhelming_difference_gives_zero_not_nan() {
        let p = always_valid_p(None, (u64::MAX, 0), (u64::MAX, u64::MAX), &Mixing::default());
        assert_eq!(p, 0.0);
    }
}
