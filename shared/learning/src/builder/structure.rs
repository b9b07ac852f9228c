//! The language-model step, behind a port: given the outline the document's own headings make, answer a
//! better one (clearer headings, a summary). The feature works without it; a step that fails or answers
//! something unusable is logged and the document's outline is kept (`aiStructured` false).
//!
//! Implementations: [`NoStructurer`] (none configured), [`FakeStructurer`] (deterministic, for the local
//! cloud and the tests), and the composition root's model adapter (Amazon Bedrock on AWS).

use super::model::{Body, Outline, OutlineSection};
use std::future::Future;
use std::pin::Pin;

/// What [`Structurer::structure`] answers (boxed: the port is used as `dyn`).
pub type Structured<'a> = Pin<Box<dyn Future<Output = Result<Outline, StructureError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StructureError {
    #[error("no language model is configured")]
    Unavailable,
    #[error("the language model failed: {0}")]
    Failed(String),
    #[error("the language model answered an unusable outline: {0}")]
    Invalid(String),
}

/// The language-model step.
pub trait Structurer: Send + Sync + 'static {
    /// What it is, for logs (`none`, `fake`, a model id).
    fn name(&self) -> &str;

    /// Whether there is a step to run at all.
    fn enabled(&self) -> bool {
        true
    }

    /// A better outline of `outline`, with the same content.
    fn structure<'a>(&'a self, outline: &'a Outline) -> Structured<'a>;
}

/// No language model: builds keep their document's structure.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoStructurer;

impl Structurer for NoStructurer {
    fn name(&self) -> &str {
        "none"
    }

    fn enabled(&self) -> bool {
        false
    }

    fn structure<'a>(&'a self, _outline: &'a Outline) -> Structured<'a> {
        Box::pin(async { Err(StructureError::Unavailable) })
    }
}

/// A deterministic stand-in for a language model (local cloud, tests): every title in sentence case when
/// it is shouted (all capitals) and with a capital first letter otherwise, and a closing "Summary"
/// section of one sentence naming the sections ("This module covers A, B and C.").
#[derive(Clone, Copy, Debug, Default)]
pub struct FakeStructurer;

/// The summary section's title.
pub const SUMMARY: &str = "Summary";

impl Structurer for FakeStructurer {
    fn name(&self) -> &str {
        "fake"
    }

    fn structure<'a>(&'a self, outline: &'a Outline) -> Structured<'a> {
        Box::pin(async move { Ok(fake(outline)) })
    }
}

fn fake(outline: &Outline) -> Outline {
    let mut sections: Vec<OutlineSection> = outline
        .sections
        .iter()
        .map(|s| OutlineSection { title: capitalised(&s.title), body: s.body.clone() })
        .collect();
    let named: Vec<&str> = sections
        .iter()
        .map(|s| s.title.as_str())
        .filter(|t| *t != super::model::INTRODUCTION && !t.is_empty())
        .collect();
    let title = capitalised(&outline.title);
    let covers = match named.as_slice() {
        [] => title.clone(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    sections.push(OutlineSection {
        title: SUMMARY.into(),
        body: vec![Body::Paragraph(format!("This module covers {covers}."))],
    });
    Outline { title, sections }
}

/// `text` in sentence case when it is all capitals, else with its first letter a capital.
pub fn capitalised(text: &str) -> String {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let shouted = letters.len() > 1 && letters.iter().all(|c| c.is_uppercase());
    let mut chars = text.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest: String = chars.collect();
            let rest = if shouted { rest.to_lowercase() } else { rest };
            first.to_uppercase().chain(rest.chars()).collect()
        }
    }
}

/// A structurer's answer, if it can be used: a title and at least one section, no section without a
/// title. (The caller caps sizes as for any outline.)
pub fn accept(answer: Outline) -> Result<Outline, StructureError> {
    if answer.title.trim().is_empty() {
        return Err(StructureError::Invalid("no title".into()));
    }
    if answer.sections.is_empty() {
        return Err(StructureError::Invalid("no sections".into()));
    }
    if answer.sections.iter().any(|s| s.title.trim().is_empty()) {
        return Err(StructureError::Invalid("a section without a title".into()));
    }
    Ok(answer)
}

/// Sections a model is asked about at most (the draft keeps no more), and the characters of each
/// section's text it sees: enough to name it, and a prompt of a few thousand tokens at most.
const PROMPT_SECTIONS: usize = super::model::MAX_SECTIONS;
const PROMPT_EXCERPT: usize = 300;

/// The question a language model is asked about `outline`: better headings, a title and a one-sentence
/// summary, as JSON (see [`apply`]). Only the headings and the start of each section go out; the model
/// never rewrites the text itself, so it cannot drop or invent content.
pub fn prompt(outline: &Outline) -> String {
    let sections: Vec<serde_json::Value> = outline
        .sections
        .iter()
        .take(PROMPT_SECTIONS)
        .map(|s| {
            let text: String = s
                .body
                .iter()
                .map(|b| match b {
                    Body::Paragraph(t) | Body::Subheading(t) => t.as_str(),
                })
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(PROMPT_EXCERPT)
                .collect();
            serde_json::json!({"heading": s.title, "start": text})
        })
        .collect();
    let n = sections.len();
    let outline = serde_json::json!({"title": outline.title, "sections": sections});
    format!(
        "You edit training modules for frontline workers. Below, as JSON, is the outline of a module made from a \
         document: its title and, for each of its {n} sections in order, the section's heading and the start of its text.\n\
         Answer with one JSON object and nothing else: {{\"title\": \"…\", \"headings\": [\"…\"], \"summary\": \"…\"}}, where \
         \"headings\" has exactly {n} entries, one per section in the same order, each a clear heading of at most 80 \
         characters in sentence case; \"title\" is a clear title for the module of at most 120 characters; \"summary\" is one \
         sentence saying what the module covers. Write in the language of the document.\n\nOutline: {outline}"
    )
}

#[derive(serde::Deserialize)]
struct Answer {
    title: String,
    headings: Vec<String>,
    summary: String,
}

/// `outline` shaped by a model's `answer` to [`prompt`]: its headings and title, and a closing
/// [`SUMMARY`] section of its summary. An answer that is not that JSON, or names another number of
/// sections, is [`StructureError::Invalid`].
pub fn apply(outline: &Outline, answer: &str) -> Result<Outline, StructureError> {
    let json = match (answer.find('{'), answer.rfind('}')) {
        (Some(a), Some(b)) if a < b => &answer[a..=b],
        _ => return Err(StructureError::Invalid("no JSON object in the answer".into())),
    };
    let a: Answer = serde_json::from_str(json).map_err(|e| StructureError::Invalid(e.to_string()))?;
    let asked = outline.sections.len().min(PROMPT_SECTIONS);
    if a.headings.len() != asked {
        return Err(StructureError::Invalid(format!("{} headings for {asked} sections", a.headings.len())));
    }
    let clip = |t: &str| super::model::clip(t, super::model::MAX_TITLE);
    let mut sections = outline.sections.clone();
    for (s, h) in sections.iter_mut().zip(&a.headings) {
        s.title = clip(h);
    }
    let summary = a.summary.trim();
    if !summary.is_empty() {
        sections.push(OutlineSection { title: SUMMARY.into(), body: vec![Body::Paragraph(summary.to_owned())] });
    }
    accept(Outline { title: clip(&a.title), sections })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline() -> Outline {
        let s = |t: &str| OutlineSection { title: t.into(), body: vec![Body::Paragraph("x".into())] };
        Outline {
            title: "forklift SAFETY".into(),
            sections: vec![s("Introduction"), s("BEFORE YOU DRIVE"), s("loading"), s("Parking")],
        }
    }

    #[tokio::test]
    async fn the_fake_is_deterministic_and_documented() {
        let a = FakeStructurer.structure(&outline()).await.unwrap();
        assert_eq!(a, FakeStructurer.structure(&outline()).await.unwrap());
        assert_eq!(a.title, "Forklift SAFETY");
        let titles: Vec<&str> = a.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Introduction", "Before you drive", "Loading", "Parking", "Summary"]);
        assert_eq!(
            a.sections[4].body,
            [Body::Paragraph("This module covers Before you drive, Loading and Parking.".into())]
        );
        assert!(accept(a).is_ok());
    }

    #[tokio::test]
    async fn none_is_no_step() {
        assert!(!NoStructurer.enabled());
        assert!(matches!(NoStructurer.structure(&outline()).await, Err(StructureError::Unavailable)));
    }

    #[test]
    fn unusable_answers_are_refused() {
        let mut o = outline();
        o.sections[1].title = " ".into();
        assert!(accept(o).is_err());
        assert!(accept(Outline { title: "t".into(), sections: vec![] }).is_err());
        assert!(accept(Outline { sections: outline().sections, title: "".into() }).is_err());
        assert_eq!(capitalised("ÉTÉ À PARIS"), "Été à paris");
        assert_eq!(capitalised("a"), "A");
        assert_eq!(capitalised(""), "");
    }

    #[test]
    fn a_model_answer_renames_sections_and_adds_its_summary_or_is_refused() {
        let o = outline();
        let p = prompt(&o);
        assert!(p.contains("exactly 4 entries") && p.contains(r#""heading":"BEFORE YOU DRIVE""#), "{p}");
        let answer = r#"Sure! {"title": "Forklift safety", "headings": ["Introduction", "Before you drive", "Loading", "Parking"],
                        "summary": "How to drive, load and park a forklift safely."}"#;
        let shaped = apply(&o, answer).unwrap();
        assert_eq!(shaped.title, "Forklift safety");
        let titles: Vec<&str> = shaped.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Introduction", "Before you drive", "Loading", "Parking", "Summary"]);
        assert_eq!(shaped.sections[1].body, o.sections[1].body, "the text is the document's");
        for bad in [
            "no json",
            r#"{"title": "t", "headings": ["a"], "summary": "s"}"#,
            r#"{"title": "t", "headings": ["a", "b", "", "d"], "summary": "s"}"#,
            r#"{"title": " ", "headings": ["a", "b", "c", "d"], "summary": "s"}"#,
        ] {
            assert!(apply(&o, bad).is_err(), "{bad}");
        }
    }
}
