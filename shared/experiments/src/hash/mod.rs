//! Deterministic, sticky bucketing that reproduces GrowthBook's SDK exactly.
//!
//! Why GrowthBook's algorithm rather than our own: a tenant must be able to move an experiment, and the
//! data it has gathered, to GrowthBook without a single worker changing variation. Given the same seed,
//! hash version, coverage and weights, [`hash`], [`bucket_ranges`] and [`choose_variation`] give the
//! answers GrowthBook's JavaScript SDK gives (its published test vectors are this module's tests), so a
//! GrowthBook experiment configured from [`Bucketing::effective_seed`] and the same weights and coverage
//! puts every worker where we did.
//!
//! Why a hash rather than a coin toss: the variation is a pure function of the worker's id and the
//! experiment's bucketing, so it needs no state to re-derive and is the same on every function instance.
//! What keeps it stable, and what does not:
//!
//! - same seed, hash version, bucket version, weights and coverage: same variation, always;
//! - coverage raised: each variation's range grows from its start, so a worker already inside keeps its
//!   variation and only newcomers join; coverage lowered: some workers fall outside, none switch;
//! - weights changed (or a variation added or removed): variation `i` starts at the sum of the weights
//!   before it, so the workers whose hash lies between an old and a new boundary switch variation (50/50
//!   to 30/70 moves those in `[0.3, 0.5)`, a fifth of everyone);
//! - bucket version bumped (a deliberate re-randomisation) or hash version changed: everyone is hashed
//!   afresh.
//!
//! So the hash alone is not what makes an assignment sticky in Nudge: the assignment stored at a worker's
//! first exposure is, and it is read before the hash is consulted. The hash decides only for workers not
//! yet assigned, which is also all GrowthBook's SDK does without its sticky-bucket service.
//!
//! Text is hashed as GrowthBook's JavaScript SDK hashes it, one UTF-16 code unit at a time (its
//! `charCodeAt`): for ASCII ids, which ours are, that is plain byte-wise FNV-1a. Nothing here allocates
//! on the hot path: the seed and the value are fed to FNV-1a one after the other instead of being
//! concatenated, and version 2's intermediate number is written into a stack buffer.

mod bucketing;
mod fnv;
mod ranges;
#[cfg(test)]
mod tests;

pub use bucketing::Bucketing;
pub use ranges::{bucket_ranges, choose_variation};

use fnv::Fnv1a32;

/// GrowthBook's `hash(seed, value, version)`, a number in `[0, 1)`:
///
/// - version 1 (GrowthBook's original, slightly biased): `(fnv1a32(value + seed) % 1000) / 1000`;
/// - version 2 (unbiased): `(fnv1a32(fnv1a32(seed + value).to_string()) % 10000) / 10000`.
///
/// Other versions: `None`, as GrowthBook answers `null`.
pub fn hash(seed: &str, value: &str, version: u8) -> Option<f64> {
    hash_seeded(Seed::plain(seed), value, version)
}

/// FNV-1a, 32 bits, over the text's UTF-16 code units (GrowthBook's `hashFnv32a`); for ASCII text, the
/// usual byte-wise FNV-1a.
pub fn fnv1a32(text: &str) -> u32 {
    Fnv1a32::new().text(text).finish()
}

/// GrowthBook's `inNamespace(userId, [namespaceId, start, end])`: whether
/// `hash("__" + namespaceId, userId, 1)` lies in `[start, end)`. Experiments sharing a namespace and
/// given disjoint slices of it never share a worker.
pub fn in_namespace(user_id: &str, namespace: (&str, f64, f64)) -> bool {
    let (id, start, end) = namespace;
    let n = version_1(Fnv1a32::new().text(user_id).text("__").text(id));
    n >= start && n < end
}

/// A seed as GrowthBook would be given it: the base, followed by `:<bucket version>` when the bucket
/// version is above 0 (see [`Bucketing`]). Kept in parts so it is hashed without being formatted.
#[derive(Clone, Copy, Debug)]
struct Seed<'a> {
    base: &'a str,
    bucket_version: u32,
}

impl<'a> Seed<'a> {
    const fn plain(base: &'a str) -> Self {
        Self { base, bucket_version: 0 }
    }

    fn feed(self, state: Fnv1a32) -> Fnv1a32 {
        let state = state.text(self.base);
        if self.bucket_version == 0 { state } else { state.text(":").decimal(self.bucket_version) }
    }
}

/// [`hash`] with a seed in parts.
fn hash_seeded(seed: Seed<'_>, value: &str, version: u8) -> Option<f64> {
    match version {
        1 => Some(version_1(seed.feed(Fnv1a32::new().text(value)))),
        2 => Some(version_2(seed.feed(Fnv1a32::new()).text(value))),
        _ => None,
    }
}

/// Version 1's last step, given the state fed `value + seed`.
fn version_1(state: Fnv1a32) -> f64 {
    f64::from(state.finish() % 1_000) / 1_000.0
}

/// Version 2's last steps, given the state fed `seed + value`: the first hash's decimal digits hashed
/// again.
fn version_2(state: Fnv1a32) -> f64 {
    let again = Fnv1a32::new().decimal(state.finish()).finish();
    f64::from(again % 10_000) / 10_000.0
}
