//! What an experiment's results report, and how far to trust each figure.
//!
//! An experiment splits the users it reaches (the *exposed*) between variants at set weights;
//! variant 0 is the control, what users had before. For each variant we count the exposed, those
//! who completed (the *completion rate* is completed ÷ exposed) and, where the content has one, the
//! scores they reached. Every other variant is compared with the control on its own; nothing here
//! corrects for comparing many variants at once, so with five variants one of them is more likely
//! to look like a winner by chance than with one.
//!
//! ## Traffic split check (sample-ratio mismatch)
//!
//! Before reading any result, check that each variant received the share of users it was set to
//! receive. A 50/50 experiment with 5,000 and 4,600 exposed is off by more than chance allows, and
//! then something other than the content differs between the groups (a variant that fails to load
//! on some devices, a tracking gap, a change of weights mid-way): its comparisons cannot be trusted,
//! however convincing they look. [`srm()`] runs Pearson's chi-squared test of the exposed counts
//! against the weights and *flags* a mismatch when its p-value is below 0.001, the threshold
//! GrowthBook uses: a correctly running experiment is flagged about once in a thousand checks. A flag
//! means: find the cause before deciding anything. No flag does not prove the split is right, only
//! that the counts give no sign that it is wrong.
//!
//! ## Completion rate: difference, uplift, p-value and interval
//!
//! [`two_proportion`] reports each variant's completion rate, the *difference* from the control in
//! percentage points (absolute: 12.0 % vs 10.0 % is +2.0 points) and the *uplift* relative to the
//! control (+20 %). The *p-value* answers: if the variant truly made no difference, how often would
//! chance alone produce a gap at least this large? Below 0.05 is the usual bar for "significant";
//! it is not the probability that the variant is better. The *confidence interval* (95 % by
//! default) is the range of true differences consistent with the data: if it excludes 0 the result
//! is significant, and its width says how precisely the effect is known (+2 points ± 3 says little).
//!
//! Trust these when the experiment ran for the sample size planned in advance and the result is
//! read once, at the end: checking every day and stopping at the first p below 0.05 makes false
//! winners far more common than 5 % (use the always-valid p-value below for that). With few
//! completions (fewer than about 10 completed and 10 not completed in each group) the normal
//! approximation behind them is rough, and the interval can be too narrow.
//!
//! ## Mean score: Welch's t-test
//!
//! [`welch()`] compares the average score of those who have one. The difference, p-value and
//! interval read as above; the test does not assume the groups' scores vary alike. It needs at
//! least two scores per group, and is reliable with a few dozen per group unless the scores are very
//! skewed (a few very high scores among many low ones), which needs more.
//!
//! ## Chance to beat control and risk (Bayesian)
//!
//! [`chance_to_beat_control`] answers the question the p-value does not: given the data (and no
//! prior opinion, every rate equally likely to start with), how probable is it that the variant's
//! true completion rate is above the control's? 95 % means that, on this evidence, the variant is
//! better with odds of 19 to 1. The *risk* (expected loss) is the completion rate you should expect
//! to give up by choosing the variant: how much worse it would be if it is worse, weighted by how
//! likely that is (0.001 is a tenth of a percentage point). Choose it when its chance is high and
//! its risk is below what you can accept; the control's risk is reported alike. These figures are
//! computed exactly for the counts of ordinary experiments (and approximated, within 1e-6, once
//! every group has more than 100,000 completions and as many non-completions). They describe the evidence at the moment you look; they move a lot while
//! counts are small (wait for at least a few hundred exposed per variant), and a chance that crosses
//! 95 % early often falls back: deciding the first time it does picks false winners more often than
//! the figure suggests.
//!
//! ## Always-valid p-value (looking every day)
//!
//! [`always_valid_p`] is a p-value for the completion rate that stays valid however often it is
//! looked at: stop the experiment the first day it falls below 0.05 and the chance of a false
//! winner is still at most 5 %. The price is caution: it is always at least the ordinary p-value of
//! the same data, so it needs more users to reach significance. It never increases from one look to
//! the next (a result once reached stays reached), and it is tuned to be most sensitive around 5,000
//! exposed users in total (GrowthBook's default).
//!
//! ## Figures that cannot be computed
//!
//! A group with no one exposed has no rate; a test whose groups show no variation at all (every
//! score equal) has no p-value. Such figures are absent (`null` in JSON) rather than made up; none
//! is ever NaN or infinite. A traffic check with nothing to check (no one exposed yet) reports 0
//! degrees of freedom and is not flagged.
//!
//! The formulas, their sources and each edge case are in the modules' own documentation:
//! [`srm`](mod@srm), [`proportion`], [`welch`](mod@welch), [`bayes`], [`sequential`].

pub mod bayes;
pub mod proportion;
pub mod sequential;
mod special;
pub mod srm;
pub mod welch;

pub use bayes::{BayesMethod, ChanceToBeat, EXACT_TERMS_LIMIT, chance_to_beat_control};
pub use proportion::{ProportionTest, two_proportion};
pub use sequential::{DEFAULT_TUNING_ALPHA, DEFAULT_TUNING_SAMPLE_SIZE, Mixing, always_valid_p};
pub use srm::{SRM_P_THRESHOLD, Srm, srm};
pub use welch::{MeanTest, Moments, welch};

use serde::Serialize;

/// A two-sided confidence interval for a difference (variant − control).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// `centre ± half_width`, or `None` unless both ends are finite.
    fn around(centre: f64, half_width: f64) -> Option<Interval> {
        let interval = Interval { lower: centre - half_width, upper: centre + half_width };
        (interval.lower.is_finite() && interval.upper.is_finite()).then_some(interval)
    }
}

/// `Some(value)` when it is finite.
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_serialize_in_camel_case_with_null_where_undefined() {
        let test = two_proportion((0, 0), (100, 10), 0.95);
        let json = serde_json::to_value(&test).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "controlRate": null, "variantRate": 0.1, "difference": null,
                "relativeUplift": null, "z": null, "pValue": null, "ci": null,
            })
        );
        let json = serde_json::to_value(srm(&[10, 10], &[1.0, 1.0])).unwrap_or_default();
        assert_eq!(json, serde_json::json!({ "chi2": 0.0, "df": 1, "pValue": 1.0, "flagged": false }));
        let bayes = chance_to_beat_control((10, 1), (10, 2)).map(serde_json::to_value);
        let Some(Ok(bayes)) = bayes else {
            panic!("no result");
        };
        assert_eq!(bayes["method"], "exact");
        assert!(bayes["chanceToBeatControl"].is_number() && bayes["controlExpectedLoss"].is_number());
        let interval = serde_json::to_value(Interval { lower: -1.0, upper: 2.0 }).unwrap_or_default();
        assert_eq!(interval, serde_json::json!({ "lower": -1.0, "upper": 2.0 }));
        let mixing = serde_json::to_value(Mixing::default()).unwrap_or_default();
        assert!(mixing["rhoSquared"].is_number());
        let moments = serde_json::to_value(Moments { n: 3, mean: 1.5, variance: 0.25 });
        assert_eq!(moments.unwrap_or_default(), serde_json::json!({ "n": 3, "mean": 1.5, "variance": 0.25 }));
    }
}

#[cfg(test)]
mod testing {
    /// Asserts `|actual − expected| ≤ tolerance · max(|expected|, tiny)`: a relative tolerance, with
    /// an absolute floor where the expected value is 0.
    #[track_caller]
    pub(crate) fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        let scale = expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            (actual - expected).abs() <= tolerance * scale,
            "{actual:e} differs from {expected:e} by {:e} (relative), more than {tolerance:e}",
            (actual - expected).abs() / scale
        );
    }
}
