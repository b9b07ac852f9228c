//! GrowthBook's bucket ranges: which slice of `[0, 1)` each variation owns.
//!
//! Variation `i`'s range starts at the sum of the weights before it and covers `coverage` of its weight,
//! so raising coverage only lengthens each range from its fixed start. Invalid input is corrected as
//! GrowthBook corrects it, never rejected, so both systems agree on every experiment either accepts.

/// GrowthBook's `getBucketRanges(numVariations, coverage, weights)`.
///
/// Coverage is clamped to `[0, 1]`. The weights fall back to equal ones (`1 / variations` each) when
/// missing, of another length than `variations`, or summing outside `[0.99, 1.01]`; as in GrowthBook, a
/// sum that is NaN fails neither comparison and the weights are kept (their ranges then hold no one), and
/// so does a NaN coverage.
pub fn bucket_ranges(variations: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    ranges(variations, coverage, weights).collect()
}

/// GrowthBook's `chooseVariation(n, ranges)`: the index of the first range with `start <= n < end`, or
/// `None` (GrowthBook's `-1`) when `n` lies outside every range.
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges.iter().position(|&(start, end)| n >= start && n < end)
}

/// [`bucket_ranges`] without collecting them, for [`super::Bucketing::assign`].
pub(super) fn ranges<'a>(
    variations: usize,
    coverage: f64,
    weights: Option<&'a [f64]>,
) -> impl Iterator<Item = (f64, f64)> + 'a {
    let coverage = coverage.clamp(0.0, 1.0);
    let weights = valid_weights(variations, weights);
    let equal = equal_weight(variations);
    let mut cumulative = 0.0;
    (0..variations).map(move |index| {
        let weight = weights.and_then(|all| all.get(index).copied()).unwrap_or(equal);
        let start = cumulative;
        cumulative += weight;
        (start, start + coverage * weight)
    })
}

/// The weights when GrowthBook would use them: one per variation, summing to about 1.
fn valid_weights(variations: usize, weights: Option<&[f64]>) -> Option<&[f64]> {
    weights.filter(|weights| weights.len() == variations).filter(|weights| {
        let total = weights.iter().fold(0.0, |sum, weight| sum + weight);
        (0.99..=1.01).contains(&total) || total.is_nan()
    })
}

/// GrowthBook's `getEqualWeights(n)`: `1 / n` each.
fn equal_weight(variations: usize) -> f64 {
    1.0 / variations as f64
}
