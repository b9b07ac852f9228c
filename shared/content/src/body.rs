//! Reading and checking a typed body. Each reader takes the body object's [`Fields`] (so errors point
//! inside it, like `/quiz/questions/2/correctAnswers/0`) and answers the body when nothing was wrong. No
//! I/O: whether a referenced media asset is usable is checked by the caller against the store.

use crate::model::{
    ApprovalStatus, Body, Channel, ContentType, DocumentBody, ImageBody, PlayableBody, Question, QuestionType,
    QuizBody, QuizOption, ReflectionBody, ScoringType, TemplateBody, TextBody, Variable,
};
use crate::{sms, template};
use nudge_core::http::Fields;
use nudge_core::validate;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

const TEXT_MAX: usize = 100_000;
const FORMATTING_MAX_BYTES: usize = 16 * 1024;
const CAPTION_MAX: usize = 1_000;
const TRANSCRIPT_MAX: usize = 100_000;
const QUESTIONS_MAX: usize = 100;
const OPTIONS: std::ops::RangeInclusive<usize> = 2..=10;
const TEMPLATE_MAX: usize = 4_096;
const VARIABLES_MAX: usize = 50;

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
pub fn read(kind: ContentType, f: &mut Fields) -> Option<Body> {
    match kind {
        ContentType::Text => {
            let text = text_field(f, "text", true, 1, TEXT_MAX);
            let formatting: Option<Value> = f.optional("formatting");
            let formatting = match formatting {
                Some(Value::Object(map)) => {
                    match validate::json_object(&Value::Object(map.clone()), FORMATTING_MAX_BYTES, 8) {
                        Ok(()) => Some(map),
                        Err(message) => {
                            f.reject("formatting", message);
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

/// Reads the required array field `name` as objects, each through `item` with its own pointer.
fn each<T>(f: &mut Fields, name: &str, item: impl FnMut(&mut Fields) -> Option<T>) -> Option<Vec<T>> {
    let values: Vec<Value> = f.required(name)?;
    items(f, name, values, item)
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
        (_, None) => {
            f.reject("options", "is required");
            None
        }
    };
    let correct: Option<Vec<String>> = f.required("correctAnswers");
    let (Some(kind), Some(options), Some(correct)) = (kind, options, correct) else { return None };

    let mut ids = BTreeSet::new();
    for (i, o) in options.iter().enumerate() {
        if !ids.insert(o.id.as_str()) {
            f.reject_item("options", i, format!("repeats the option id `{}`", o.id));
        }
    }
    if !OPTIONS.contains(&options.len()) {
        f.reject("options", format!("must have {} to {} options", OPTIONS.start(), OPTIONS.end()));
    }
    if kind == QuestionType::TrueFalse {
        let mut given: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
        given.sort_unstable();
        if given != ["false", "true"] {
            f.reject("options", "a true/false question has exactly the options `true` and `false`");
        }
    }
    let mut chosen = BTreeSet::new();
    for (i, answer) in correct.iter().enumerate() {
        if !ids.contains(answer.as_str()) {
            f.reject_item("correctAnswers", i, format!("`{answer}` is not an option of this question"));
        } else if !chosen.insert(answer.as_str()) {
            f.reject_item("correctAnswers", i, "repeats an answer");
        }
    }
    match kind {
        QuestionType::SingleChoice | QuestionType::TrueFalse if correct.len() != 1 => {
            f.reject("correctAnswers", "must name exactly one option");
        }
        QuestionType::MultipleChoice if correct.is_empty() => {
            f.reject("correctAnswers", "must name at least one option")
        }
        _ => {}
    }
    Some(Question { id: id?, kind, text: text?, options, correct_answers: correct, points, explanation })
}

fn text_opt(f: &mut Fields, name: &str) -> Option<String> {
    text_field(f, name, false, 0, 2_000)
}

fn quiz(f: &mut Fields) -> Option<QuizBody> {
    let questions = each(f, "questions", question);
    let scoring_type: Option<ScoringType> = f.optional("scoringType");
    let time_limit: Option<u32> = f.optional("timeLimit");
    f.check("timeLimit", &time_limit, |v| {
        if (1..=86_400).contains(v) { Ok(()) } else { Err("must be 1 to 86400 seconds".into()) }
    });
    let passing_score: Option<u32> = f.optional("passingScore");
    let max_attempts: Option<u32> = f.optional("maxAttempts");
    f.check("maxAttempts", &max_attempts, |v| if *v >= 1 { Ok(()) } else { Err("must be at least 1".into()) });
    let questions = questions?;
    if questions.is_empty() || questions.len() > QUESTIONS_MAX {
        f.reject("questions", format!("must have 1 to {QUESTIONS_MAX} questions"));
    }
    let mut ids = BTreeSet::new();
    for (i, q) in questions.iter().enumerate() {
        if !ids.insert(q.id.as_str()) {
            f.reject_item("questions", i, format!("repeats the question id `{}`", q.id));
        }
    }
    let total: u64 = questions.iter().map(|q| u64::from(q.points)).sum();
    if let Some(score) = passing_score
        && u64::from(score) > total
    {
        f.reject("passingScore", format!("must be at most the quiz's {total} points"));
    }
    if scoring_type == Some(ScoringType::PassFail) && passing_score.is_none() {
        f.reject("passingScore", "is required when scoringType is pass_fail");
    }
    Some(QuizBody { questions, scoring_type, time_limit, passing_score, max_attempts })
}

fn message_template(f: &mut Fields) -> Option<TemplateBody> {
    let template_text = text_field(f, "templateText", true, 1, TEMPLATE_MAX);
    let variables = each(f, "variables", |v| {
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
    let (template_text, variables, channel) = (template_text?, variables?, channel?);
    if variables.len() > VARIABLES_MAX {
        f.reject("variables", format!("must declare at most {VARIABLES_MAX} variables"));
    }
    let mut names = BTreeSet::new();
    for (i, v) in variables.iter().enumerate() {
        if !names.insert(v.name.as_str()) {
            f.reject_item("variables", i, format!("declares `{}` twice", v.name));
        }
    }
    match template::undeclared(&template_text, variables.iter().map(|v| v.name.as_str())) {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => f.reject(
            "templateText",
            format!(
                "uses undeclared variables: {}",
                missing.iter().map(|m| format!("{{{{{m}}}}}")).collect::<Vec<_>>().join(", ")
            ),
        ),
        Err(e) => f.reject("templateText", e.to_string()),
    }
    let sms_segments = (channel == Channel::Sms).then(|| sms::count(&template_text));
    Some(TemplateBody { template_text, variables, channel, approval_status, sms_segments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_body(kind: ContentType, value: Value) -> Result<Body, Vec<String>> {
        let mut f =
            Fields::at(&format!("/{}", kind.as_str()), value).map_err(|e| vec![e.pointer.unwrap_or_default()])?;
        let body = read(kind, &mut f);
        match f.finish() {
            Ok(()) => body.ok_or_else(|| vec!["no body without errors".into()]),
            Err(nudge_core::http::ApiError::Invalid(errors)) => {
                Err(errors.into_iter().map(|e| e.pointer.unwrap_or_default()).collect())
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
            "/quiz/questions/3/options",
            "/quiz/questions/3/correctAnswers",
            "/quiz/timeLimit",
        ] {
            assert!(errors.iter().any(|e| e == expected), "{expected} not in {errors:?}");
        }
        let no_pass = json!({"questions": [question("single_choice", json!([{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]), json!(["a"]))],
                             "scoringType": "pass_fail"});
        assert_eq!(read_body(ContentType::Quiz, no_pass).unwrap_err(), ["/quiz/passingScore"]);
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

        let undeclared = json!({"templateText": "Hi {{name}} at {{site}}", "channel": "email", "variables": [{"name": "name"}, {"name": "name"}, {"name": "bad name"}]});
        assert_eq!(read_body(ContentType::Template, undeclared).unwrap_err(), ["/template/variables/2/name"]);
        let undeclared = json!({"templateText": "Hi {{name}} at {{site}}", "channel": "email", "variables": [{"name": "name"}, {"name": "name"}]});
        assert_eq!(
            read_body(ContentType::Template, undeclared).unwrap_err(),
            ["/template/variables/1", "/template/templateText"]
        );
        let unclosed = json!({"templateText": "Hi {{name", "channel": "fax", "variables": []});
        assert_eq!(read_body(ContentType::Template, unclosed).unwrap_err(), ["/template/channel"]);
        let unclosed = json!({"templateText": "Hi {{name", "channel": "sms", "variables": []});
        assert_eq!(read_body(ContentType::Template, unclosed).unwrap_err(), ["/template/templateText"]);
    }
}
