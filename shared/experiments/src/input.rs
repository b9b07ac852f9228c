//! Reading requests (edge): every bad field named at once. Rules that need the table (a segment of the
//! tenant, published content per variant) are the service's.

use crate::model::{ExperimentStatus, ExperimentType, PrimaryMetric};
use chrono::NaiveDate;
use nudge_core::http::ApiError;
use nudge_core::http::input::Fields;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_VARIANTS: usize = 10;
/// How far the weights may sum from 1.
const WEIGHT_SLACK: f64 = 1e-6;

/// `POST /experiments`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ExperimentWrite {
    experiment_type: ExperimentType,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[schema(max_length = 2000)]
    hypothesis: Option<String>,
    primary_metric: Option<PrimaryMetric>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    /// 2–10; the first is the control. `ab` has exactly two, `multivariate` at least three.
    #[schema(min_items = 2, max_items = 10)]
    variants: Vec<VariantWrite>,
    segment_id: Option<Uuid>,
    /// 0–1, default 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    coverage: Option<f64>,
    use_holdout: Option<bool>,
    /// `draft` (default) or `running` (when it may start).
    status: Option<ExperimentStatus>,
}

/// `PATCH /experiments/{id}` (merge patch: each field given replaces the stored one, `variants` whole).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ExperimentPatch {
    #[schema(required = false)]
    experiment_type: ExperimentType,
    #[schema(required = false, min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    #[schema(max_length = 2000)]
    hypothesis: Option<String>,
    #[schema(required = false)]
    primary_metric: PrimaryMetric,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    #[schema(required = false, min_items = 2, max_items = 10)]
    variants: Vec<VariantWrite>,
    segment_id: Option<Uuid>,
    #[schema(required = false, minimum = 0.0, maximum = 1.0)]
    coverage: f64,
    #[schema(required = false)]
    use_holdout: bool,
    /// `draft` → `running` ⇄ `paused` → `completed`.
    #[schema(required = false)]
    status: ExperimentStatus,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct VariantWrite {
    /// Keep a variant by naming its id (a running experiment's variants cannot change otherwise).
    id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    variant_name: String,
    /// `{"contentId": "<published content>"}`: what a journey touchpoint naming the experiment sends the
    /// variant's workers (a branch's `variant` then splits the journey by the variant's name). Other keys
    /// are kept for apps that show the variant themselves (at most 4 KiB as JSON, 8 levels deep).
    #[schema(value_type = Object)]
    variant_details: Value,
    /// The variant's share (kept to nine decimals); the weights sum to 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    weight: f64,
}

pub(crate) struct VariantInput {
    pub id: Option<Uuid>,
    pub name: String,
    pub details: Value,
    pub weight: f64,
}

#[derive(Default)]
pub(crate) struct ExperimentInput {
    pub experiment_type: Option<ExperimentType>,
    pub name: Option<String>,
    pub hypothesis: Option<Option<String>>,
    pub primary_metric: Option<PrimaryMetric>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    pub variants: Option<Vec<VariantInput>>,
    pub segment_id: Option<Option<Uuid>>,
    pub coverage: Option<f64>,
    pub use_holdout: Option<bool>,
    pub status: Option<ExperimentStatus>,
}

/// A share (a weight, a coverage, a holdout) to nine decimals: the hash places workers to four, and the
/// table cannot store the tiniest magnitudes JSON allows.
pub(crate) fn share(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// A score to thousandths, as the counters keep it.
pub(crate) fn thousandths(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// Reads an experiment; `create` requires its type, name and variants.
pub(crate) fn read(body: Value, create: bool) -> Result<ExperimentInput, ApiError> {
    let present = |name: &str| body.get(name).is_some();
    let mut input = ExperimentInput {
        hypothesis: present("hypothesis").then_some(None),
        start_date: present("startDate").then_some(None),
        end_date: present("endDate").then_some(None),
        segment_id: present("segmentId").then_some(None),
        ..ExperimentInput::default()
    };
    let mut f = Fields::new(body.clone())?;
    input.experiment_type = if create { f.required("experimentType") } else { f.optional("experimentType") };
    input.name = f.text("name", 200, create);
    if let Some(h) = &mut input.hypothesis {
        *h = f.text("hypothesis", 2000, false);
    } else {
        let _: Option<String> = f.optional("hypothesis");
    }
    input.primary_metric = f.optional("primaryMetric");
    let start: Option<NaiveDate> = f.optional("startDate");
    let end: Option<NaiveDate> = f.optional("endDate");
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        f.break_rule("endDate", "must not be before startDate");
    }
    if input.start_date.is_some() {
        input.start_date = Some(start);
    }
    if input.end_date.is_some() {
        input.end_date = Some(end);
    }
    let segment: Option<Uuid> = f.optional("segmentId");
    if input.segment_id.is_some() {
        input.segment_id = Some(segment);
    }
    let coverage: Option<f64> = f.optional("coverage");
    f.check(
        "coverage",
        &coverage,
        |c| if (0.0..=1.0).contains(c) { Ok(()) } else { Err("must be from 0 to 1".into()) },
    );
    input.coverage = coverage.map(share);
    input.use_holdout = f.optional("useHoldout");
    input.status = f.optional("status");
    let raw: Option<Vec<Value>> = if create { f.required("variants") } else { f.optional("variants") };
    if let Some(raw) = raw {
        if raw.len() < 2 || raw.len() > MAX_VARIANTS {
            f.reject("variants", format!("must have 2 to {MAX_VARIANTS} variants"));
        }
        let mut variants = Vec::new();
        for (i, value) in raw.into_iter().enumerate().take(MAX_VARIANTS) {
            let at = format!("/variants/{i}");
            let mut vf = match Fields::at(&at, value) {
                Ok(vf) => vf,
                Err(e) => {
                    f.extend(vec![e]);
                    continue;
                }
            };
            let id: Option<Uuid> = vf.optional("id");
            let name = vf.text("variantName", 100, true);
            let details: Option<Value> = vf.required("variantDetails");
            vf.check("variantDetails", &details, |d| {
                if d.is_object() { Ok(()) } else { Err("must be a JSON object".into()) }
            });
            let details = details.filter(Value::is_object);
            vf.check_rule("variantDetails", &details, |d| nudge_core::validate::json_object(d, 4096, 8));
            let weight: Option<f64> = vf.required("weight");
            vf.check("weight", &weight, |w| {
                if (0.0..=1.0).contains(w) { Ok(()) } else { Err("must be from 0 to 1".into()) }
            });
            f.absorb(vf);
            if let (Some(name), Some(details), Some(weight)) = (name, details, weight) {
                variants.push(VariantInput { id, name, details, weight: share(weight) });
            }
        }
        for (i, v) in variants.iter().enumerate() {
            if variants[..i].iter().any(|earlier| earlier.name == v.name) {
                f.break_rule_at(
                    format!("/variants/{i}/variantName"),
                    format!("repeats \"{}\": variant names are unique (journey branches name them)", v.name),
                );
            }
        }
        let sum: f64 = variants.iter().map(|v| v.weight).sum();
        if !variants.is_empty() && (sum - 1.0).abs() > WEIGHT_SLACK {
            f.break_rule("variants", format!("the weights sum to {sum}; they must sum to 1"));
        }
        input.variants = Some(variants);
    }
    f.finish()?;
    Ok(input)
}

/// `POST /experiments/{id}/assignments`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct AssignWrite {
    /// Workers of the organization, 1–100.
    #[schema(min_items = 1, max_items = 100)]
    worker_ids: Vec<Uuid>,
    /// Also record that each was shown their variant now (their first exposure; default false).
    expose: Option<bool>,
}

/// Reads an assignment batch: the workers and whether they are exposed.
pub(crate) fn read_assign(body: Value) -> Result<(Vec<Uuid>, bool), ApiError> {
    let mut f = Fields::new(body)?;
    let workers: Option<Vec<Uuid>> = f.required("workerIds");
    f.check("workerIds", &workers, |w| batch_size(w.len()));
    let expose: Option<bool> = f.optional("expose");
    f.finish()?;
    Ok((workers.unwrap_or_default(), expose.unwrap_or(false)))
}

fn batch_size(n: usize) -> Result<(), String> {
    let max = crate::tracking::MAX_BATCH;
    if (1..=max).contains(&n) { Ok(()) } else { Err(format!("must have 1 to {max} items")) }
}

/// The highest score an outcome may carry (counters keep thousandths in 64 bits, squared).
pub const MAX_SCORE: f64 = 1_000_000.0;

/// `POST /experiments/{id}/outcomes`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct OutcomesWrite {
    /// 1–100.
    #[schema(min_items = 1, max_items = 100)]
    outcomes: Vec<OutcomeWrite>,
}

/// One worker's outcome: a completion, a score, or both.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct OutcomeWrite {
    worker_id: Uuid,
    /// They completed what their variant asked of them.
    completed: Option<bool>,
    /// Their score (0–1,000,000, kept to thousandths): a quiz's, or the app's own measure.
    #[schema(minimum = 0.0, maximum = 1_000_000.0)]
    score: Option<f64>,
}

/// Reads an outcome batch.
pub(crate) fn read_outcomes(body: Value) -> Result<Vec<crate::tracking::Outcome>, ApiError> {
    let mut f = Fields::new(body)?;
    let raw: Option<Vec<Value>> = f.required("outcomes");
    f.check("outcomes", &raw, |r| batch_size(r.len()));
    let mut out = Vec::new();
    for (i, value) in raw.unwrap_or_default().into_iter().enumerate().take(crate::tracking::MAX_BATCH) {
        let mut of = match Fields::at(&format!("/outcomes/{i}"), value) {
            Ok(of) => of,
            Err(e) => {
                f.extend(vec![e]);
                continue;
            }
        };
        let worker: Option<Uuid> = of.required("workerId");
        let completed: Option<bool> = of.optional("completed");
        let score: Option<f64> = of.optional("score");
        of.check("score", &score, |s| {
            if (0.0..=MAX_SCORE).contains(s) { Ok(()) } else { Err("must be from 0 to 1000000".into()) }
        });
        if completed.is_none() && score.is_none() && !of.has_errors() {
            of.break_rule("completed", "give completed, score or both");
        }
        f.absorb(of);
        if let Some(worker) = worker {
            let score = score.map(thousandths);
            out.push(crate::tracking::Outcome { worker, completed: completed.unwrap_or(false), score });
        }
    }
    f.finish()?;
    Ok(out)
}

/// `PUT /experiment-settings`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct SettingsWrite {
    /// The share of the organization's workers (0–1) kept out of every experiment that uses the holdout;
    /// fixed once one of them started.
    #[schema(minimum = 0.0, maximum = 1.0)]
    holdout_fraction: f64,
}

/// Reads the settings: the holdout fraction.
pub(crate) fn read_settings(body: Value) -> Result<f64, ApiError> {
    let mut f = Fields::new(body)?;
    let fraction: Option<f64> = f.required("holdoutFraction");
    f.check("holdoutFraction", &fraction, |c| {
        if (0.0..=1.0).contains(c) { Ok(()) } else { Err("must be from 0 to 1".into()) }
    });
    f.finish()?;
    fraction.map(share).ok_or_else(|| ApiError::internal("read without a fraction"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(e: ApiError) -> (bool, Vec<String>) {
        match e {
            ApiError::Invalid(f) => (false, f.into_iter().filter_map(|f| f.pointer).collect()),
            ApiError::Rejected(f) => (true, f.into_iter().filter_map(|f| f.pointer).collect()),
            other => panic!("{other:?}"),
        }
    }

    fn variant(name: &str, weight: Value) -> Value {
        json!({"variantName": name, "variantDetails": {"contentId": Uuid::nil()}, "weight": weight})
    }

    #[test]
    fn shares_and_scores_are_kept_to_what_the_hash_and_counters_use() {
        let body = json!({"experimentType": "ab", "name": "E", "coverage": 8.4e-185,
            "variants": [variant("A", json!(1.0)), variant("B", json!(1e-185))]});
        let read = read(body, true).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(read.coverage, Some(0.0));
        let weights: Vec<f64> = read.variants.unwrap_or_default().iter().map(|v| v.weight).collect();
        assert_eq!(weights, vec![1.0, 0.0]);
        assert_eq!((share(0.3), thousandths(2.0 / 3.0)), (0.3, 0.667));
        let outcomes = read_outcomes(json!({"outcomes": [{"workerId": Uuid::nil(), "score": 1e-200}]}));
        assert_eq!(outcomes.unwrap_or_default()[0].score, Some(0.0));
    }

    #[test]
    fn repeated_names_and_unstorable_details_break_rules() {
        let mut b = variant("A", json!(0.5));
        b["variantDetails"] = json!({"": 1});
        let body = json!({"experimentType": "ab", "name": "E", "variants": [variant("A", json!(0.5)), b]});
        let (rule, at) = pointers(read(body, true).err().unwrap_or(ApiError::NotFound));
        assert!(rule);
        assert_eq!(at, vec!["/variants/1/variantDetails", "/variants/1/variantName"]);
    }

    #[test]
    fn an_outcome_needs_a_completion_or_a_score_and_a_batch_its_bounds() {
        let (rule, at) = pointers(read_outcomes(json!({"outcomes": [{"workerId": Uuid::nil()}]})).unwrap_err());
        assert_eq!((rule, at), (true, vec!["/outcomes/0/completed".to_owned()]));
        let (rule, at) = pointers(read_assign(json!({"workerIds": []})).unwrap_err());
        assert_eq!((rule, at), (false, vec!["/workerIds".to_owned()]));
        let many: Vec<Uuid> = (0..101).map(|_| Uuid::nil()).collect();
        assert!(read_assign(json!({"workerIds": many, "expose": true})).is_err());
        assert_eq!(read_assign(json!({"workerIds": [Uuid::nil()]})).ok(), Some((vec![Uuid::nil()], false)));
    }
}
