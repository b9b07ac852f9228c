//! Reading and checking a typed body. Each reader takes the body object's [`Fields`] (so errors point
//! inside it, like `/quiz/questions/2/correctAnswers/0`) and answers the body when nothing was wrong. No
//! I/O: whether a referenced media asset is usable is checked by the caller against the store.
//!
//! The `…BodyRequest` and `…BodyPatch` types document what the readers accept (the OpenAPI schemas of a
//! body as posted, and as a merge patch over the stored one); the readers are the rule. What a schema can
//! state (types, lengths, patterns, bounds, counts) is a 400 when broken; what it cannot (ids that repeat,
//! answers that name no option, placeholders that name no variable, sizes of free-form JSON) is a 422.

use crate::model::{
    ApprovalStatus, Body, Channel, ContentType, DocumentBody, ImageBody, PlayableBody, Question, QuestionType,
    QuizBody, QuizOption, ReflectionBody, ScoringType, TemplateBody, TextBody, Variable,
};
use crate::{sms, template};
use nudge_core::http::Fields;
use nudge_core::validate;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

const TEXT_MAX: usize = 100_000;
const FORMATTING_MAX_BYTES: usize = 16 * 1024;
const CAPTION_MAX: usize = 1_000;
const TRANSCRIPT_MAX: usize = 100_000;
const QUESTIONS_MAX: usize = 100;
const OPTIONS: std::ops::RangeInclusive<usize> = 2..=10;
const TEMPLATE_MAX: usize = 4_096;
const VARIABLES_MAX: usize = 50;
/// The longest `approvalReason` (the schemas' `maxLength`): a provider's longer reason is cut to it, so a
/// stored item always reads back.
pub(crate) const APPROVAL_REASON_MAX: usize = 500;

/// A question's or option's id, as [`id_field`] reads it (the schema's pattern, checked by the tests).
#[cfg(test)]
pub(crate) const ID_PATTERN: &str = r"^[A-Za-z0-9_-]{1,64}$";
/// A template variable's name, as [`template::valid_name`] reads it (the schema's pattern, checked by the
/// tests).
#[cfg(test)]
pub(crate) const VARIABLE_PATTERN: &str = r"^([0-9]{1,3}|[A-Za-z_][A-Za-z0-9_.]{0,63})$";

/// The fields of each type's body: what a merge patch of the body may name (see [`crate::input`]).
pub(crate) fn keys(kind: ContentType) -> &'static [&'static str] {
    match kind {
        ContentType::Text => &["text", "formatting"],
        ContentType::Image => &["mediaAssetId", "altText", "caption"],
        ContentType::Video | ContentType::Audio => &["mediaAssetId", "caption", "transcript", "duration"],
        ContentType::Document => &["mediaAssetId", "description"],
        ContentType::Quiz => &["questions", "scoringType", "timeLimit", "passingScore", "maxAttempts"],
        ContentType::Reflection => &["promptText", "guidanceText"],
        ContentType::Template => &["templateText", "variables", "channel", "approvalStatus", "approvalReason"],
    }
}

/// A text body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct TextBodyRequest {
    #[schema(min_length = 1, max_length = 100000, pattern = r"\S")]
    pub text: String,
    /// Markup or styling data: a JSON object; more than 16 KiB as JSON or nested deeper than 8 is a 422.
    #[schema(value_type = Option<Object>)]
    pub formatting: Option<Map<String, Value>>,
}

/// A merge patch of a text body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct TextBodyPatch {
    #[schema(required = false, min_length = 1, max_length = 100000, pattern = r"\S")]
    pub text: String,
    /// Markup or styling data, itself merged: a JSON object; more than 16 KiB as JSON or nested deeper than
    /// 8 is a 422.
    #[schema(value_type = Option<Object>)]
    pub formatting: Option<Map<String, Value>>,
}

/// An image body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct ImageBodyRequest {
    /// A ready image asset of this organization (anything else is a 422).
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub alt_text: Option<String>,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
}

/// A merge patch of an image body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct ImageBodyPatch {
    /// A ready image asset of this organization (anything else is a 422).
    #[schema(required = false)]
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub alt_text: Option<String>,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
}

/// A video or an audio body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct PlayableBodyRequest {
    /// A ready asset of this organization, of the content's type (anything else is a 422).
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    #[schema(max_length = 100000)]
    pub transcript: Option<String>,
    /// Seconds; the asset's own duration when left out.
    #[schema(value_type = Option<u64>, maximum = 4294967295u64)]
    pub duration: Option<u32>,
}

/// A merge patch of a video or an audio body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct PlayableBodyPatch {
    /// A ready asset of this organization, of the content's type (anything else is a 422).
    #[schema(required = false)]
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    #[schema(max_length = 100000)]
    pub transcript: Option<String>,
    /// Seconds.
    #[schema(value_type = Option<u64>, maximum = 4294967295u64)]
    pub duration: Option<u32>,
}

/// A document body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct DocumentBodyRequest {
    /// A ready document asset of this organization (anything else is a 422).
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

/// A merge patch of a document body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct DocumentBodyPatch {
    /// A ready document asset of this organization (anything else is a 422).
    #[schema(required = false)]
    pub media_asset_id: Uuid,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

/// An answer option of a question.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct QuizOptionRequest {
    /// Unique within its question (a repeat is a 422); `correctAnswers` name options by id.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub id: String,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub text: String,
}

/// A quiz question.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct QuestionRequest {
    /// Unique within the quiz (a repeat is a 422).
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub text: String,
    #[schema(max_length = 2000)]
    pub explanation: Option<String>,
    /// Default 1.
    #[schema(value_type = Option<u64>, maximum = 4294967295u64)]
    pub points: Option<u32>,
    /// Required for single and multiple choice (a 422 when left out); a true/false question has exactly
    /// the options `true` and `false` (filled in when left out). Ids must not repeat.
    #[schema(min_items = 2, max_items = 10)]
    pub options: Option<Vec<QuizOptionRequest>>,
    /// Option ids, each once: exactly one for single choice and true/false, at least one for multiple
    /// choice (a 422 otherwise).
    pub correct_answers: Vec<String>,
}

/// A quiz body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct QuizBodyRequest {
    #[schema(min_items = 1, max_items = 100)]
    pub questions: Vec<QuestionRequest>,
    pub scoring_type: Option<ScoringType>,
    /// Seconds.
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 86400)]
    pub time_limit: Option<u32>,
    /// Points needed to pass: required for `pass_fail`, at most the quiz's total (a 422 otherwise).
    #[schema(value_type = Option<u64>, maximum = 4294967295u64)]
    pub passing_score: Option<u32>,
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 4294967295u64)]
    pub max_attempts: Option<u32>,
}

/// A merge patch of a quiz body (`questions` is replaced whole).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct QuizBodyPatch {
    #[schema(required = false, min_items = 1, max_items = 100)]
    pub questions: Vec<QuestionRequest>,
    pub scoring_type: Option<ScoringType>,
    /// Seconds.
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 86400)]
    pub time_limit: Option<u32>,
    /// Points needed to pass: required for `pass_fail`, at most the quiz's total (a 422 otherwise).
    #[schema(value_type = Option<u64>, maximum = 4294967295u64)]
    pub passing_score: Option<u32>,
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 4294967295u64)]
    pub max_attempts: Option<u32>,
}

/// A reflection body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct ReflectionBodyRequest {
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub prompt_text: String,
    #[schema(max_length = 10000)]
    pub guidance_text: Option<String>,
}

/// A merge patch of a reflection body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct ReflectionBodyPatch {
    #[schema(required = false, min_length = 1, max_length = 5000, pattern = r"\S")]
    pub prompt_text: String,
    #[schema(max_length = 10000)]
    pub guidance_text: Option<String>,
}

/// A variable a template declares.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct VariableRequest {
    /// What `{{name}}` in the template text refers to: a letter or `_` then letters, digits, `_` and `.`,
    /// or a number of up to three digits (WhatsApp's `{{1}}`). Declared once (a repeat is a 422).
    #[schema(min_length = 1, max_length = 64, pattern = r"^([0-9]{1,3}|[A-Za-z_][A-Za-z0-9_.]{0,63})$")]
    pub name: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// A message template body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a body's schema for the document only: `read` reads it")]
pub(crate) struct TemplateBodyRequest {
    /// Text with `{{variable}}` placeholders, every one of them declared in `variables` (an unclosed or
    /// undeclared placeholder is a 422).
    #[schema(min_length = 1, max_length = 4096, pattern = r"\S")]
    pub template_text: String,
    #[schema(max_items = 50)]
    pub variables: Vec<VariableRequest>,
    pub channel: Channel,
    pub approval_status: Option<ApprovalStatus>,
    /// Why the channel gave `approvalStatus` (on WhatsApp, kept up to date from the provider's reports).
    #[schema(max_length = 500)]
    pub approval_reason: Option<String>,
}

/// A merge patch of a message template body (`variables` is replaced whole).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[expect(dead_code, reason = "a patch's schema for the document only: `read` reads it")]
pub(crate) struct TemplateBodyPatch {
    /// Text with `{{variable}}` placeholders, every one of them declared in `variables` (an unclosed or
    /// undeclared placeholder is a 422).
    #[schema(required = false, min_length = 1, max_length = 4096, pattern = r"\S")]
    pub template_text: String,
    #[schema(required = false, max_items = 50)]
    pub variables: Vec<VariableRequest>,
    #[schema(required = false)]
    pub channel: Channel,
    pub approval_status: Option<ApprovalStatus>,
    /// Why the channel gave `approvalStatus` (on WhatsApp, kept up to date from the provider's reports).
    #[schema(max_length = 500)]
    pub approval_reason: Option<String>,
}

/// An optional text of at most `max` characters (blank allowed only when `min` is 0).
fn text_field(f: &mut Fields, name: &str, required: bool, min: usize, max: usize) -> Option<String> {
    let value: Option<String> = if required { f.required(name) } else { f.optional(name) };
    f.check(name, &value, |v| validate::text(v, min, max));
    value
}

fn media_asset(f: &mut Fields) -> Option<Uuid> {
    f.required("mediaAssetId")
}

/// Reads the body of `kind` from the object at `f`; `None` when anything in it was wrong (recorded in `f`).
pub(crate) fn read(kind: ContentType, f: &mut Fields) -> Option<Body> {
    match kind {
        ContentType::Text => {
            let text = text_field(f, "text", true, 1, TEXT_MAX);
            let formatting: Option<Value> = f.optional("formatting");
            let formatting = match formatting {
                Some(Value::Object(map)) => {
                    match validate::json_object(&Value::Object(map.clone()), FORMATTING_MAX_BYTES, 8) {
                        Ok(()) => Some(map),
                        Err(message) => {
                            f.break_rule("formatting", message);
                            None
                        }
                    }
                }
                Some(_) => {
                    f.reject("formatting", "must be a JSON object");
                    None
                }
                None => None::<Map<String, Value>>,
            };
            text.map(|text| Body::Text(TextBody { text, formatting }))
        }
        ContentType::Image => {
            let asset = media_asset(f);
            let alt_text = text_field(f, "altText", false, 0, CAPTION_MAX);
            let caption = text_field(f, "caption", false, 0, CAPTION_MAX);
            asset.map(|media_asset_id| Body::Image(ImageBody { media_asset_id, alt_text, caption }))
        }
        ContentType::Video | ContentType::Audio => {
            let asset = media_asset(f);
            let caption = text_field(f, "caption", false, 0, CAPTION_MAX);
            let transcript = text_field(f, "transcript", false, 0, TRANSCRIPT_MAX);
            let duration: Option<u32> = f.optional("duration");
            asset.map(|media_asset_id| {
                let body = PlayableBody { media_asset_id, caption, transcript, duration };
                if kind == ContentType::Video { Body::Video(body) } else { Body::Audio(body) }
            })
        }
        ContentType::Document => {
            let asset = media_asset(f);
            let description = text_field(f, "description", false, 0, CAPTION_MAX);
            asset.map(|media_asset_id| Body::Document(DocumentBody { media_asset_id, description }))
        }
        ContentType::Quiz => quiz(f).map(Body::Quiz),
        ContentType::Reflection => {
            let prompt_text = text_field(f, "promptText", true, 1, 5_000);
            let guidance_text = text_field(f, "guidanceText", false, 0, 10_000);
            prompt_text.map(|prompt_text| Body::Reflection(ReflectionBody { prompt_text, guidance_text }))
        }
        ContentType::Template => message_template(f).map(Body::Template),
    }
}

/// Reads `values` (the array at field `name`) as objects; `None` if any of them was wrong.
fn items<T>(
    f: &mut Fields,
    name: &str,
    values: Vec<Value>,
    mut item: impl FnMut(&mut Fields) -> Option<T>,
) -> Option<Vec<T>> {
    let base = f.pointer(name);
    let mut out = Vec::with_capacity(values.len());
    let mut ok = true;
    for (i, value) in values.into_iter().enumerate() {
        match Fields::at(&format!("{base}/{i}"), value) {
            Ok(mut nested) => {
                let read = item(&mut nested);
                ok &= read.is_some() && !nested.has_errors();
                f.absorb(nested);
                out.extend(read);
            }
            Err(_) => {
                ok = false;
                f.reject_item(name, i, "must be a JSON object");
            }
        }
    }
    ok.then_some(out)
}

fn id_field(f: &mut Fields) -> Option<String> {
    let id: Option<String> = f.required("id");
    f.check("id", &id, |v| {
        let ok = (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok { Ok(()) } else { Err("must be 1–64 characters of letters, digits, `_` and `-`".into()) }
    });
    id
}

fn question(f: &mut Fields) -> Option<Question> {
    let id = id_field(f);
    let kind: Option<QuestionType> = f.required("type");
    let text = text_field(f, "text", true, 1, 2_000);
    let explanation = text_opt(f, "explanation");
    let points: u32 = f.optional("points").unwrap_or(1);
    let raw: Option<Vec<Value>> = f.optional("options");
    if let Some(values) = &raw
        && !OPTIONS.contains(&values.len())
    {
        f.reject("options", format!("must have {} to {} options", OPTIONS.start(), OPTIONS.end()));
    }
    let options = match (kind, raw) {
        (Some(QuestionType::TrueFalse), None) => Some(vec![
            QuizOption { id: "true".into(), text: "True".into() },
            QuizOption { id: "false".into(), text: "False".into() },
        ]),
        (_, Some(values)) => items(f, "options", values, |o| {
            let id = id_field(o);
            let text = text_field(o, "text", true, 1, 500);
            Some(QuizOption { id: id?, text: text? })
        }),
        (Some(_), None) => {
            f.break_rule("options", "is required for single and multiple choice questions");
            None
        }
        (None, None) => None,
    };
    let correct: Option<Vec<String>> = f.required("correctAnswers");
    let (Some(kind), Some(options), Some(correct)) = (kind, options, correct) else { return None };

    let mut ids = BTreeSet::new();
    for (i, o) in options.iter().enumerate() {
        if !ids.insert(o.id.as_str()) {
            break_item(f, "options", i, format!("repeats the option id `{}`", o.id));
        }
    }
    if kind == QuestionType::TrueFalse {
        let mut given: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
        given.sort_unstable();
        if given != ["false", "true"] {
            f.break_rule("options", "a true/false question has exactly the options `true` and `false`");
        }
    }
    let mut chosen = BTreeSet::new();
    for (i, answer) in correct.iter().enumerate() {
        if !ids.contains(answer.as_str()) {
            break_item(f, "correctAnswers", i, format!("`{answer}` is not an option of this question"));
        } else if !chosen.insert(answer.as_str()) {
            break_item(f, "correctAnswers", i, "repeats an answer");
        }
    }
    match kind {
        QuestionType::SingleChoice | QuestionType::TrueFalse if correct.len() != 1 => {
            f.break_rule("correctAnswers", "must name exactly one option");
        }
        QuestionType::MultipleChoice if correct.is_empty() => {
            f.break_rule("correctAnswers", "must name at least one option")
        }
        _ => {}
    }
    Some(Question { id: id?, kind, text: text?, options, correct_answers: correct, points, explanation })
}

/// Records a rule broken by an element of a field (`break_item(f, "options", 2, …)` → `…/options/2`).
pub(crate) fn break_item(f: &mut Fields, name: &str, index: usize, message: impl Into<String>) {
    let pointer = format!("{}/{index}", f.pointer(name));
    f.break_rule_at(pointer, message);
}

fn text_opt(f: &mut Fields, name: &str) -> Option<String> {
    text_field(f, name, false, 0, 2_000)
}

/// Reads the required array field `name` of `count` elements (else a schema error saying `how_many`), each
/// an object read by `item`.
fn each<T>(
    f: &mut Fields,
    name: &str,
    (count, how_many): (std::ops::RangeInclusive<usize>, String),
    item: impl FnMut(&mut Fields) -> Option<T>,
) -> Option<Vec<T>> {
    let values: Vec<Value> = f.required(name)?;
    if !count.contains(&values.len()) {
        f.reject(name, how_many);
    }
    items(f, name, values, item)
}

fn quiz(f: &mut Fields) -> Option<QuizBody> {
    let questions =
        each(f, "questions", (1..=QUESTIONS_MAX, format!("must have 1 to {QUESTIONS_MAX} questions")), question);
    let scoring_type: Option<ScoringType> = f.optional("scoringType");
    let time_limit: Option<u32> = f.optional("timeLimit");
    f.check("timeLimit", &time_limit, |v| {
        if (1..=86_400).contains(v) { Ok(()) } else { Err("must be 1 to 86400 seconds".into()) }
    });
    let passing_score: Option<u32> = f.optional("passingScore");
    let max_attempts: Option<u32> = f.optional("maxAttempts");
    f.check("maxAttempts", &max_attempts, |v| if *v >= 1 { Ok(()) } else { Err("must be at least 1".into()) });
    if scoring_type == Some(ScoringType::PassFail) && passing_score.is_none() {
        f.break_rule("passingScore", "is required when scoringType is pass_fail");
    }
    let questions = questions?;
    let mut ids = BTreeSet::new();
    for (i, q) in questions.iter().enumerate() {
        if !ids.insert(q.id.as_str()) {
            break_item(f, "questions", i, format!("repeats the question id `{}`", q.id));
        }
    }
    let total: u64 = questions.iter().map(|q| u64::from(q.points)).sum();
    if let Some(score) = passing_score
        && u64::from(score) > total
    {
        f.break_rule("passingScore", format!("must be at most the quiz's {total} points"));
    }
    Some(QuizBody { questions, scoring_type, time_limit, passing_score, max_attempts })
}

fn message_template(f: &mut Fields) -> Option<TemplateBody> {
    let template_text = text_field(f, "templateText", true, 1, TEMPLATE_MAX);
    let how_many = format!("must declare at most {VARIABLES_MAX} variables");
    let variables = each(f, "variables", (0..=VARIABLES_MAX, how_many), |v| {
        let name: Option<String> = v.required("name");
        v.check("name", &name, |n| {
            if template::valid_name(n) {
                Ok(())
            } else {
                Err("must be letters, digits, `_` and `.`, starting with a letter or `_`, or a number".into())
            }
        });
        let description = text_field(v, "description", false, 0, 500);
        Some(Variable { name: name?, description })
    });
    let channel: Option<Channel> = f.required("channel");
    let approval_status: Option<ApprovalStatus> = f.optional("approvalStatus");
    let approval_reason = text_field(f, "approvalReason", false, 0, APPROVAL_REASON_MAX);
    let (template_text, variables, channel) = (template_text?, variables?, channel?);
    let mut names = BTreeSet::new();
    for (i, v) in variables.iter().enumerate() {
        if !names.insert(v.name.as_str()) {
            break_item(f, "variables", i, format!("declares `{}` twice", v.name));
        }
    }
    match template::undeclared(&template_text, variables.iter().map(|v| v.name.as_str())) {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => f.break_rule(
            "templateText",
            format!(
                "uses undeclared variables: {}",
                missing.iter().map(|m| format!("{{{{{m}}}}}")).collect::<Vec<_>>().join(", ")
            ),
        ),
        Err(e) => f.break_rule("templateText", e.to_string()),
    }
    let sms_segments = (channel == Channel::Sms).then(|| sms::count(&template_text));
    Some(TemplateBody { template_text, variables, channel, approval_status, approval_reason, sms_segments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::http::ApiError;
    use proptest::prelude::*;
    use serde_json::json;

    /// The body, or the pointers of a 400.
    fn read_body(kind: ContentType, value: Value) -> Result<Body, Vec<String>> {
        match read_either(kind, value) {
            Ok(body) => Ok(body),
            Err((400, pointers)) => Err(pointers),
            Err(other) => panic!("expected 400, got {other:?}"),
        }
    }

    /// The pointers of a 422.
    fn broken(kind: ContentType, value: Value) -> Vec<String> {
        match read_either(kind, value) {
            Err((422, pointers)) => pointers,
            other => panic!("expected 422, got {other:?}"),
        }
    }

    fn read_either(kind: ContentType, value: Value) -> Result<Body, (u16, Vec<String>)> {
        let mut f = Fields::at(&format!("/{}", kind.as_str()), value)
            .map_err(|e| (400, vec![e.pointer.unwrap_or_default()]))?;
        let body = read(kind, &mut f);
        match f.finish() {
            Ok(()) => body.ok_or_else(|| (500, vec!["no body without errors".into()])),
            Err(e @ (ApiError::Invalid(_) | ApiError::Rejected(_))) => {
                let status = e.status().as_u16();
                let (ApiError::Invalid(errors) | ApiError::Rejected(errors)) = e else { unreachable!() };
                Err((status, errors.into_iter().map(|e| e.pointer.unwrap_or_default()).collect()))
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn text_and_media_bodies() {
        assert!(read_body(ContentType::Text, json!({"text": "Hello", "formatting": {"bold": [[0, 5]]}})).is_ok());
        assert_eq!(
            read_body(ContentType::Text, json!({"text": "", "formatting": 3})).unwrap_err(),
            ["/text/text", "/text/formatting"]
        );
        let id = Uuid::now_v7();
        let Body::Video(v) = read_body(ContentType::Video, json!({"mediaAssetId": id, "duration": 90})).unwrap() else {
            panic!()
        };
        assert_eq!((v.media_asset_id, v.duration), (id, Some(90)));
        assert_eq!(
            read_body(ContentType::Image, json!({"mediaAssetId": "nope", "url": "x"})).unwrap_err(),
            ["/image/mediaAssetId", "/image/url"]
        );
        assert_eq!(
            read_body(ContentType::Audio, json!({"duration": -1})).unwrap_err(),
            ["/audio/mediaAssetId", "/audio/duration"]
        );
    }

    fn question(kind: &str, options: Value, correct: Value) -> Value {
        json!({"id": "q1", "type": kind, "text": "Which?", "options": options, "correctAnswers": correct, "points": 2})
    }

    #[test]
    fn quizzes() {
        let opts = json!([{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]);
        let ok = json!({"questions": [question("multiple_choice", opts.clone(), json!(["a", "c"])),
                                       {"id": "q2", "type": "true_false", "text": "Sky is blue", "correctAnswers": ["true"]}],
                        "scoringType": "pass_fail", "passingScore": 3, "timeLimit": 600, "maxAttempts": 2});
        let Body::Quiz(quiz) = read_body(ContentType::Quiz, ok).unwrap() else { panic!() };
        assert_eq!(quiz.questions[1].options.len(), 2, "true/false options filled in");
        assert_eq!(quiz.questions[1].points, 1);

        let bad = json!({"questions": [
            question("single_choice", opts.clone(), json!(["a", "b"])),
            question("multiple_choice", json!([{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]), json!(["z"])),
            {"id": "q3", "type": "true_false", "text": "T?", "options": opts, "correctAnswers": ["a"]},
            {"id": "q 4", "type": "essay", "text": ""}
        ], "scoringType": "pass_fail", "passingScore": 99, "timeLimit": 0});
        let errors = read_body(ContentType::Quiz, bad).unwrap_err();
        for expected in [
            "/quiz/questions/0/correctAnswers",
            "/quiz/questions/1/options/1",
            "/quiz/questions/1/correctAnswers/0",
            "/quiz/questions/2/options",
            "/quiz/questions/3/id",
            "/quiz/questions/3/type",
            "/quiz/questions/3/text",
            "/quiz/questions/3/correctAnswers",
            "/quiz/timeLimit",
        ] {
            assert!(errors.iter().any(|e| e == expected), "{expected} not in {errors:?}");
        }
        let no_pass = json!({"questions": [question("single_choice", json!([{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]), json!(["a"]))],
                             "scoringType": "pass_fail"});
        assert_eq!(broken(ContentType::Quiz, no_pass), ["/quiz/passingScore"]);
        assert_eq!(read_body(ContentType::Quiz, json!({"questions": []})).unwrap_err(), ["/quiz/questions"]);
    }

    #[test]
    fn templates() {
        let ok = json!({"templateText": "Hi {{name}}, shift at {{ time }}", "channel": "sms",
                        "variables": [{"name": "name", "description": "First name"}, {"name": "time"}]});
        let Body::Template(t) = read_body(ContentType::Template, ok).unwrap() else { panic!() };
        assert_eq!(t.sms_segments.map(|s| s.segments), Some(1));
        let whatsapp = json!({"templateText": "Hi {{1}}", "channel": "whatsapp", "variables": [{"name": "1"}], "approvalStatus": "pending"});
        let Body::Template(t) = read_body(ContentType::Template, whatsapp).unwrap() else { panic!() };
        assert!(t.sms_segments.is_none());
        assert_eq!(t.approval_reason, None);
        let paused = json!({"templateText": "Hi", "channel": "whatsapp", "variables": [], "approvalStatus": "paused", "approvalReason": "FIRST_PAUSE"});
        let Body::Template(t) = read_body(ContentType::Template, paused).unwrap() else { panic!() };
        assert_eq!(
            (t.approval_status, t.approval_reason.as_deref()),
            (Some(ApprovalStatus::Paused), Some("FIRST_PAUSE"))
        );
        let long = json!({"templateText": "Hi", "channel": "whatsapp", "variables": [], "approvalReason": "x".repeat(APPROVAL_REASON_MAX + 1)});
        assert_eq!(read_body(ContentType::Template, long).unwrap_err(), ["/template/approvalReason"]);

        let undeclared = json!({"templateText": "Hi {{name}} at {{site}}", "channel": "email", "variables": [{"name": "name"}, {"name": "name"}, {"name": "bad name"}]});
        assert_eq!(read_body(ContentType::Template, undeclared).unwrap_err(), ["/template/variables/2/name"]);
        let undeclared = json!({"templateText": "Hi {{name}} at {{site}}", "channel": "email", "variables": [{"name": "name"}, {"name": "name"}]});
        assert_eq!(broken(ContentType::Template, undeclared), ["/template/variables/1", "/template/templateText"]);
        let unclosed = json!({"templateText": "Hi {{name", "channel": "fax", "variables": []});
        assert_eq!(read_body(ContentType::Template, unclosed).unwrap_err(), ["/template/channel"]);
        let unclosed = json!({"templateText": "Hi {{name", "channel": "sms", "variables": []});
        assert_eq!(broken(ContentType::Template, unclosed), ["/template/templateText"]);
    }

    #[test]
    fn rules_of_a_quiz_the_schema_cannot_state_are_422() {
        let opts = json!([{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]);
        let quiz = |questions: Value| json!({"questions": questions});
        // An answer that is no option, a repeated option id, options left out of a choice question.
        let q = json!([question("single_choice", opts.clone(), json!(["z"]))]);
        assert_eq!(broken(ContentType::Quiz, quiz(q)), ["/quiz/questions/0/correctAnswers/0"]);
        let same = json!([{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]);
        let q = json!([question("multiple_choice", same, json!(["a"]))]);
        assert_eq!(broken(ContentType::Quiz, quiz(q)), ["/quiz/questions/0/options/1"]);
        let q = json!([{"id": "q1", "type": "single_choice", "text": "?", "correctAnswers": ["a"]}]);
        assert_eq!(broken(ContentType::Quiz, quiz(q)), ["/quiz/questions/0/options"]);
        let twice = json!([
            question("single_choice", opts.clone(), json!(["a"])),
            question("single_choice", opts.clone(), json!(["b"]))
        ]);
        assert_eq!(broken(ContentType::Quiz, quiz(twice)), ["/quiz/questions/1"]);
        let over = json!({"questions": [question("single_choice", opts.clone(), json!(["a"]))], "passingScore": 3});
        assert_eq!(broken(ContentType::Quiz, over), ["/quiz/passingScore"]);
        // Counts the schema states are schema errors, whatever else is wrong.
        let one = json!([question("single_choice", json!([{"id": "a", "text": "A"}]), json!(["z"]))]);
        let errors = read_body(ContentType::Quiz, quiz(one)).unwrap_err();
        assert_eq!(errors, ["/quiz/questions/0/options", "/quiz/questions/0/correctAnswers/0"]);
        let many: Vec<Value> =
            (0..=QUESTIONS_MAX).map(|_| question("single_choice", opts.clone(), json!(["z"]))).collect();
        assert!(read_body(ContentType::Quiz, quiz(json!(many))).unwrap_err().contains(&"/quiz/questions".to_owned()));
    }

    #[test]
    fn formatting_larger_than_its_limit_breaks_a_rule() {
        let big = json!({"text": "x", "formatting": {"a": "x".repeat(FORMATTING_MAX_BYTES)}});
        assert_eq!(broken(ContentType::Text, big), ["/text/formatting"]);
    }

    /// `pattern` as the server reads white space (regex_lite's `\s` is ASCII only).
    fn schema_regex(pattern: &str) -> regex_lite::Regex {
        let blanks: String = (0..=0x3000u32)
            .chain([0xfeff])
            .filter_map(char::from_u32)
            .filter(|c| validate::is_blank(*c))
            .map(|c| format!("\\x{{{:x}}}", c as u32))
            .collect();
        regex_lite::Regex::new(&pattern.replace(r"\s", &blanks)).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    proptest! {
        #[test]
        fn id_and_variable_patterns_are_the_readers(value in "[a-zA-Z0-9_.\\- é]{0,70}") {
            let mut f = Fields::at("", json!({"id": value})).unwrap();
            let read = id_field(&mut f).is_some() && !f.has_errors();
            prop_assert_eq!(schema_regex(ID_PATTERN).is_match(&value), read, "{:?}", value);
            prop_assert_eq!(schema_regex(VARIABLE_PATTERN).is_match(&value), template::valid_name(&value), "{:?}", value);
        }
    }
}
