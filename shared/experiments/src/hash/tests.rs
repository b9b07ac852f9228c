//! GrowthBook's own SDK test vectors, every case of the `hash`, `getBucketRange`, `chooseVariation` and
//! `inNamespace` sections, and the `run` cases that depend on nothing but hashing and ranges.
//!
//! Source: growthbook/growthbook, `packages/sdk-js/test/cases.json` at commit
//! 8f1db4456915a8e7b7faf23d5632ca7219d2f469 (specVersion 0.8.0), copied into
//! `tests/fixtures/growthbook-cases.json` (the four sections whole; `run` filtered, see its `_source`).

use serde::Deserialize;

use super::*;

const CASES: &str = include_str!("../../tests/fixtures/growthbook-cases.json");
const TOLERANCE: f64 = 1e-9;

type Range = (f64, f64);
/// `[numVariations, coverage, weights]`.
type BucketRangeArgs = (usize, f64, Option<Vec<f64>>);
/// `[namespaceId, start, end]`.
type Namespace = (String, f64, f64);

#[derive(Deserialize)]
struct Cases {
    hash: Vec<(String, String, u8, Option<f64>)>,
    #[serde(rename = "getBucketRange")]
    get_bucket_range: Vec<(String, BucketRangeArgs, Vec<Range>)>,
    #[serde(rename = "chooseVariation")]
    choose_variation: Vec<(String, f64, Vec<Range>, i64)>,
    #[serde(rename = "inNamespace")]
    in_namespace: Vec<(String, String, Namespace, bool)>,
    run: Vec<(String, Context, Experiment, usize, bool, bool)>,
}

#[derive(Deserialize)]
struct Context {
    attributes: Attributes,
}

#[derive(Deserialize)]
struct Attributes {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Experiment {
    key: String,
    variations: Vec<usize>,
    coverage: Option<f64>,
    weights: Option<Vec<f64>>,
    seed: Option<String>,
    hash_version: Option<u8>,
}

fn cases() -> Cases {
    serde_json::from_str(CASES).unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= TOLERANCE
}

#[test]
fn every_growthbook_hash_vector_matches() {
    let cases = cases().hash;
    assert_eq!(cases.len(), 15);
    for (seed, value, version, expected) in cases {
        let actual = hash(&seed, &value, version);
        let matches = match (actual, expected) {
            (Some(actual), Some(expected)) => close(actual, expected),
            (None, None) => true,
            _ => false,
        };
        assert!(matches, "hash({seed:?}, {value:?}, {version}) = {actual:?}, expected {expected:?}");
    }
}

#[test]
fn every_growthbook_bucket_range_vector_matches() {
    let cases = cases().get_bucket_range;
    assert_eq!(cases.len(), 13);
    for (name, (variations, coverage, weights), expected) in cases {
        let actual = bucket_ranges(variations, coverage, weights.as_deref());
        assert_eq!(actual.len(), expected.len(), "{name}");
        for (&(start, end), &(expected_start, expected_end)) in actual.iter().zip(&expected) {
            assert!(
                close(start, expected_start) && close(end, expected_end),
                "{name}: {actual:?}, expected {expected:?}"
            );
        }
    }
}

#[test]
fn every_growthbook_choose_variation_vector_matches() {
    let cases = cases().choose_variation;
    assert_eq!(cases.len(), 13);
    for (name, n, ranges, expected) in cases {
        let expected = usize::try_from(expected).ok();
        assert_eq!(choose_variation(n, &ranges), expected, "{name}");
    }
}

#[test]
fn every_growthbook_in_namespace_vector_matches() {
    let cases = cases().in_namespace;
    assert_eq!(cases.len(), 16);
    for (name, user_id, (namespace, start, end), expected) in cases {
        assert_eq!(in_namespace(&user_id, (&namespace, start, end)), expected, "{name}");
    }
}

#[test]
fn growthbook_run_cases_that_only_hash_assign_the_same_variation() {
    let cases = cases().run;
    assert_eq!(cases.len(), 41);
    for (name, context, experiment, value, in_experiment, _hash_used) in cases {
        let variations = experiment.variations.len();
        let bucketing = Bucketing {
            seed: experiment.seed.unwrap_or(experiment.key),
            // GrowthBook's `experiment.hashVersion || 1`.
            hash_version: experiment.hash_version.unwrap_or(1),
            bucket_version: 0,
            coverage: experiment.coverage.unwrap_or(1.0),
            weights: experiment.weights.unwrap_or_else(|| vec![1.0 / variations as f64; variations]),
        };
        let expected = in_experiment.then_some(experiment.variations[value]);
        assert_eq!(bucketing.assign(&context.attributes.id), expected, "{name}");
    }
}

/// Beyond the published vectors: text that is not ASCII, hashed by GrowthBook's `hashFnv32a` and `hash`
/// (copied from `packages/sdk-js/src/util.ts` at the same commit) under Node.js. The SDK hashes UTF-16
/// code units, so these differ from byte-wise FNV-1a.
#[test]
fn non_ascii_text_hashes_as_growthbooks_javascript_sdk_does() {
    let vectors: [(&str, &str, u8, f64, u32); 7] = [
        ("", "é", 1, 0.94, 1_812_687_940),
        ("", "é", 2, 0.8917, 1_812_687_940),
        ("seed", "日本語", 2, 0.4482, 1_710_063_553),
        ("seed", "😀", 2, 0.4346, 1_306_981_241),
        ("😀", "x", 1, 0.17, 2_673_392_192),
        ("exp-ü", "wörker", 2, 0.2142, 998_074_136),
        ("seed", "\u{0}", 2, 0.1414, 164_102_852),
    ];
    for (seed, value, version, expected, concatenated) in vectors {
        assert_eq!(fnv1a32(&format!("{seed}{value}")), concatenated, "{seed:?}{value:?}");
        let actual = hash(seed, value, version).unwrap_or(f64::NAN);
        assert!(close(actual, expected), "hash({seed:?}, {value:?}, {version}) = {actual}");
    }
}

#[test]
fn hash_versions_other_than_one_and_two_are_unknown() {
    for version in [0, 3, 99, u8::MAX] {
        assert_eq!(hash("seed", "value", version), None);
    }
}
