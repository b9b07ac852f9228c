//! [`Bucketing`]: how a worker is bucketed into one experiment.

use super::ranges::ranges;
use super::{Seed, hash_seeded};

/// How workers are bucketed into an experiment, in GrowthBook's terms.
///
/// - `seed`: the experiment's seed, e.g. its id (GrowthBook's `seed`, which defaults to the key);
/// - `hash_version`: [`super::hash`]'s version, [`Bucketing::HASH_VERSION`] for new experiments;
/// - `bucket_version`: bumped by a deliberate re-randomisation. Version 0 hashes with the plain seed,
///   exactly as GrowthBook does; version `v > 0` hashes with the seed `"<seed>:<v>"`, so everyone is
///   re-bucketed and GrowthBook reproduces it when given [`Bucketing::effective_seed`] as its seed
///   (GrowthBook's own `bucketVersion` only invalidates its stored sticky buckets, it does not change the
///   hash). Seeds are ids without colons, so `"<seed>:<v>"` cannot collide with another seed;
/// - `coverage`: the share of workers included, in `[0, 1]`;
/// - `weights`: one per variation, summing to 1 (otherwise equal weights are used, as GrowthBook does).
#[derive(Clone, Debug, PartialEq)]
pub struct Bucketing {
    pub seed: String,
    pub hash_version: u8,
    pub bucket_version: u32,
    pub coverage: f64,
    pub weights: Vec<f64>,
}

impl Bucketing {
    /// The hash version for new experiments: GrowthBook's unbiased version 2.
    pub const HASH_VERSION: u8 = 2;

    /// `variations` equally weighted variations, everyone covered, hash version 2, bucket version 0.
    pub fn new(seed: impl Into<String>, variations: usize) -> Self {
        Self {
            seed: seed.into(),
            hash_version: Self::HASH_VERSION,
            bucket_version: 0,
            coverage: 1.0,
            weights: vec![1.0 / variations as f64; variations],
        }
    }

    /// The seed GrowthBook must be given to bucket exactly as [`Bucketing::assign`] does: the seed itself
    /// at bucket version 0, `"<seed>:<bucket version>"` after.
    pub fn effective_seed(&self) -> String {
        if self.bucket_version == 0 { self.seed.clone() } else { format!("{}:{}", self.seed, self.bucket_version) }
    }

    /// Each variation's range, as [`super::bucket_ranges`] computes them.
    pub fn ranges(&self) -> Vec<(f64, f64)> {
        super::bucket_ranges(self.weights.len(), self.coverage, Some(&self.weights))
    }

    /// The index of the worker's variation, or `None` when GrowthBook would leave it out of the
    /// experiment: outside coverage, and also for an empty id, fewer than two variations or an unknown
    /// hash version. Allocates nothing.
    pub fn assign(&self, worker_id: &str) -> Option<usize> {
        if worker_id.is_empty() || self.weights.len() < 2 {
            return None;
        }
        let n = hash_seeded(self.seed(), worker_id, self.hash_version)?;
        ranges(self.weights.len(), self.coverage, Some(&self.weights)).position(|(start, end)| n >= start && n < end)
    }

    fn seed(&self) -> Seed<'_> {
        Seed { base: &self.seed, bucket_version: self.bucket_version }
    }
}

#[cfg(test)]
mod tests {
    use super::super::hash;
    use super::*;

    const SEED: &str = "0190f3a2-6c1e-7b44-9a51-3f0c2d7e8b19";
    const WORKERS: u64 = 10_000;

    /// Sequential UUIDv7-like ids: a millisecond timestamp one apart, then a counter in the random bits,
    /// the near-identical ids a hash must still spread.
    fn worker_ids() -> impl Iterator<Item = String> {
        (0..WORKERS).map(|i| {
            let millis = 0x0190_f3a2_6c1e_u64 + i;
            format!(
                "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
                millis >> 16,
                millis & 0xffff,
                i & 0xfff,
                0x8000 | ((i >> 12) & 0x3fff),
                i
            )
        })
    }

    fn bucketing(weights: &[f64], coverage: f64) -> Bucketing {
        Bucketing { coverage, weights: weights.to_vec(), ..Bucketing::new(SEED, weights.len()) }
    }

    fn shares(bucketing: &Bucketing) -> Vec<f64> {
        let mut counts = vec![0_u32; bucketing.weights.len()];
        for id in worker_ids() {
            if let Some(variation) = bucketing.assign(&id) {
                counts[variation] += 1;
            }
        }
        counts.into_iter().map(|count| f64::from(count) / WORKERS as f64).collect()
    }

    fn assert_split_within_one_percent(weights: &[f64]) {
        let shares = shares(&bucketing(weights, 1.0));
        for (share, weight) in shares.iter().zip(weights) {
            assert!((share - weight).abs() <= 0.01, "shares {shares:?} for weights {weights:?}");
        }
    }

    #[test]
    fn ten_thousand_sequential_ids_split_within_one_percent_of_two_equal_weights() {
        assert_split_within_one_percent(&[0.5, 0.5]);
    }

    #[test]
    fn ten_thousand_sequential_ids_split_within_one_percent_of_three_uneven_weights() {
        assert_split_within_one_percent(&[0.2, 0.3, 0.5]);
    }

    #[test]
    fn the_sample_ids_look_like_uuid_v7() {
        let id = worker_ids().nth(4_097).unwrap_or_default();
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn raising_coverage_keeps_every_included_worker_in_its_variation() {
        for weights in [&[0.5, 0.5][..], &[0.2, 0.3, 0.5]] {
            let half = bucketing(weights, 0.5);
            let full = bucketing(weights, 1.0);
            let mut included = 0;
            for id in worker_ids() {
                if let Some(variation) = half.assign(&id) {
                    included += 1;
                    assert_eq!(full.assign(&id), Some(variation), "{id}");
                }
            }
            assert!((4_800..=5_200).contains(&included), "{included} included");
        }
    }

    #[test]
    fn raising_coverage_step_by_step_never_moves_a_worker() {
        let steps: Vec<Bucketing> =
            (1..=10).map(|tenth| bucketing(&[0.2, 0.3, 0.5], f64::from(tenth) / 10.0)).collect();
        for id in worker_ids().take(2_000) {
            let first = steps.iter().find_map(|step| step.assign(&id));
            for step in &steps {
                let assigned = step.assign(&id);
                assert!(assigned.is_none() || assigned == first, "{id}");
            }
            assert!(first.is_some(), "{id} is included at full coverage");
        }
    }

    #[test]
    fn changing_weights_moves_exactly_the_workers_between_the_old_and_new_boundary() {
        // Not sticky by itself: 50/50 to 30/70 moves everyone hashed into [0.3, 0.5) from the first
        // variation to the second. The stored assignment is what keeps those workers where they were.
        let before = bucketing(&[0.5, 0.5], 1.0);
        let after = bucketing(&[0.3, 0.7], 1.0);
        let mut moved = 0;
        for id in worker_ids() {
            let n = hash(SEED, &id, 2).unwrap_or(f64::NAN);
            if (0.3..0.5).contains(&n) {
                moved += 1;
                assert_eq!((before.assign(&id), after.assign(&id)), (Some(0), Some(1)));
            } else {
                assert_eq!(before.assign(&id), after.assign(&id), "{id}");
            }
        }
        assert!((1_900..=2_100).contains(&moved), "{moved} moved");
    }

    #[test]
    fn lowering_coverage_drops_workers_without_moving_any() {
        let full = bucketing(&[0.5, 0.5], 1.0);
        let tenth = bucketing(&[0.5, 0.5], 0.1);
        for id in worker_ids() {
            let kept = tenth.assign(&id);
            assert!(kept.is_none() || kept == full.assign(&id), "{id}");
        }
    }

    #[test]
    fn bucket_version_zero_is_growthbooks_plain_seed() {
        let bucketing = Bucketing::new(SEED, 2);
        assert_eq!(bucketing.effective_seed(), SEED);
        for id in worker_ids().take(1_000) {
            let n = hash(SEED, &id, 2).unwrap_or(f64::NAN);
            let expected = if n < 0.5 { 0 } else { 1 };
            assert_eq!(bucketing.assign(&id), Some(expected), "{id}");
        }
    }

    #[test]
    fn a_bumped_bucket_version_hashes_as_growthbook_would_with_the_effective_seed() {
        for hash_version in [1, 2] {
            let bumped = Bucketing { hash_version, bucket_version: 12, ..Bucketing::new(SEED, 2) };
            let plain = Bucketing { seed: bumped.effective_seed(), bucket_version: 0, ..bumped.clone() };
            assert_eq!(bumped.effective_seed(), format!("{SEED}:12"));
            for id in worker_ids().take(1_000) {
                assert_eq!(bumped.assign(&id), plain.assign(&id), "{id}");
            }
        }
    }

    #[test]
    fn a_bumped_bucket_version_re_randomises_about_half_of_two_equal_arms() {
        let original = Bucketing::new(SEED, 2);
        let bumped = Bucketing { bucket_version: 1, ..original.clone() };
        let moved = worker_ids().filter(|id| original.assign(id) != bumped.assign(id)).count();
        assert!((4_700..=5_300).contains(&moved), "{moved} moved");
    }

    #[test]
    fn growthbook_leaves_out_empty_ids_single_variations_and_unknown_hash_versions() {
        assert_eq!(Bucketing::new(SEED, 2).assign(""), None);
        assert_eq!(Bucketing::new(SEED, 1).assign("worker"), None);
        assert_eq!(Bucketing::new(SEED, 0).assign("worker"), None);
        let unknown = Bucketing { hash_version: 3, ..Bucketing::new(SEED, 2) };
        assert_eq!(unknown.assign("worker"), None);
    }

    #[test]
    fn new_bucketing_covers_everyone_with_equal_weights() {
        let bucketing = Bucketing::new(SEED, 4);
        assert_eq!(bucketing.ranges(), vec![(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0)]);
        assert_eq!(bucketing.hash_version, 2);
        assert_eq!(bucketing.bucket_version, 0);
    }
}
