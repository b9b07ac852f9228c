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
    /// `{"contentId": "<published content>"}` for content it sends, `{"branch": "<name>"}` for a journey branch.
    #[schema(value_type = Object)]
    variant_details: Value,
    /// The variant's share; the weights sum to 1.
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

fn text(f: &mut Fields, name: &str, max: usize, required: bool) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    let blank = |v: &String| v.chars().all(nudge_core::validate::is_blank);
    let value = if required { value } else { value.filter(|v| !blank(v)) };
    f.check(name, &value, |v| nudge_core::validate::text(v, 1, max));
    value.map(|v| v.trim_matches(nudge_core::validate::is_blank).to_owned())
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
    input.name = text(&mut f, "name", 200, create);
    if let Some(h) = &mut input.hypothesis {
        *h = text(&mut f, "hypothesis", 2000, false);
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
    input.coverage = coverage;
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
            let name = text(&mut vf, "variantName", 100, true);
            let details: Option<Value> = vf.required("variantDetails");
            vf.check("variantDetails", &details, |d| {
                if d.is_object() { Ok(()) } else { Err("must be a JSON object".into()) }
            });
            let weight: Option<f64> = vf.required("weight");
            vf.check("weight", &weight, |w| {
                if (0.0..=1.0).contains(w) { Ok(()) } else { Err("must be from 0 to 1".into()) }
            });
            f.absorb(vf);
            if let (Some(name), Some(details), Some(weight)) = (name, details, weight) {
                variants.push(VariantInput { id, name, details, weight });
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
