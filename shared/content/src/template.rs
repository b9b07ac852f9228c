//! Message template placeholders: `{{name}}` (optional spaces inside the braces), where a name is a letter
//! or `_` then letters, digits, `_` or `.`, or a number (WhatsApp's positional `{{1}}`). Single braces are
//! literal text. Every placeholder must be a declared variable, and rendering with a variable missing or
//! blank is an error: a message never goes out with a hole in it.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub name: String,
    /// Byte range of `{{…}}` in the template.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the placeholder opened at character {0} is not closed with `}}}}`")]
    Unclosed(usize),
    #[error(
        "`{{{{{0}}}}}` is not a placeholder name: use letters, digits, `_` and `.`, starting with a letter or `_`, or a number"
    )]
    BadName(String),
}

/// A variable name as a template may use it.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => name.chars().all(|c| c.is_ascii_digit()) && name.len() <= 3,
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            name.len() <= 64 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        }
        _ => false,
    }
}

/// Every placeholder in `text`, in order.
pub(crate) fn placeholders(text: &str) -> Result<Vec<Placeholder>, TemplateError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let close = text[open + 2..]
            .find("}}")
            .map(|i| open + 2 + i)
            .ok_or_else(|| TemplateError::Unclosed(text[..open].chars().count() + 1))?;
        let name = text[open + 2..close].trim();
        if !valid_name(name) {
            return Err(TemplateError::BadName(name.to_owned()));
        }
        out.push(Placeholder { name: name.to_owned(), span: open..close + 2 });
        at = close + 2;
    }
    Ok(out)
}

/// The placeholders of `text` that `declared` does not name, each once, in order of first use.
pub(crate) fn undeclared<'a>(
    text: &str,
    declared: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, TemplateError> {
    let declared: BTreeSet<&str> = declared.into_iter().collect();
    let mut seen = BTreeSet::new();
    Ok(placeholders(text)?
        .into_iter()
        .filter(|p| !declared.contains(p.name.as_str()) && seen.insert(p.name.clone()))
        .map(|p| p.name)
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Variables the template uses that were not given, or given blank.
    #[error("missing variables: {}", .0.join(", "))]
    Missing(Vec<String>),
}

/// Fills every placeholder from `values`. A missing or blank value is an error naming every such variable.
pub(crate) fn render(text: &str, values: &BTreeMap<String, String>) -> Result<String, RenderError> {
    let found = placeholders(text)?;
    let mut missing: Vec<String> = Vec::new();
    for p in &found {
        let given = values.get(&p.name).is_some_and(|v| !v.trim().is_empty());
        if !given && !missing.contains(&p.name) {
            missing.push(p.name.clone());
        }
    }
    if !missing.is_empty() {
        return Err(RenderError::Missing(missing));
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for p in found {
        out.push_str(&text[at..p.span.start]);
        out.push_str(values.get(&p.name).map(String::as_str).unwrap_or_default());
        at = p.span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn finds_placeholders_and_checks_names() {
        let found = placeholders("Hi {{ name }}, shift {{shift.start}} at {{1}}; {single} braces }} stay").unwrap();
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["name", "shift.start", "1"]);
        assert_eq!(placeholders("a {{b").unwrap_err(), TemplateError::Unclosed(3));
        assert!(matches!(placeholders("{{ first name }}"), Err(TemplateError::BadName(_))));
        assert!(matches!(placeholders("{{}}"), Err(TemplateError::BadName(_))));
        assert!(valid_name("worker_name") && valid_name("_x") && valid_name("12"));
        assert!(!valid_name("1a") && !valid_name("a-b") && !valid_name(""));
    }

    #[test]
    fn every_placeholder_must_be_declared() {
        let text = "{{name}} {{team}} {{name}} {{site}}";
        assert_eq!(undeclared(text, ["name"]).unwrap(), ["team", "site"]);
        assert!(undeclared(text, ["name", "team", "site", "unused"]).unwrap().is_empty());
    }

    #[test]
    fn rendering_never_leaves_a_blank() {
        let text = "Hi {{name}}, see you at {{ site }}. — {{name}}";
        assert_eq!(
            render(text, &values(&[("name", "Ana"), ("site", "Depot 3")])).unwrap(),
            "Hi Ana, see you at Depot 3. — Ana"
        );
        assert_eq!(render(text, &values(&[("name", "Ana")])).unwrap_err(), RenderError::Missing(vec!["site".into()]));
        assert_eq!(
            render(text, &values(&[("name", " "), ("other", "x")])).unwrap_err(),
            RenderError::Missing(vec!["name".into(), "site".into()])
        );
        assert_eq!(render("no placeholders", &values(&[])).unwrap(), "no placeholders");
    }

    proptest! {
        #[test]
        fn rendered_text_has_no_placeholders_left(words in proptest::collection::vec("[a-z]{1,8}", 1..6), filler in "[a-zA-Z .,!]{0,20}") {
            let text: String = words.iter().map(|w| format!("{filler}{{{{{w}}}}}")).collect();
            let vals: BTreeMap<String, String> = words.iter().map(|w| (w.clone(), format!("<{w}>"))).collect();
            let out = render(&text, &vals).unwrap();
            prop_assert!(!out.contains("{{"));
            for w in &words {
                let expected = format!("<{w}>");
                prop_assert!(out.contains(&expected));
            }
        }
    }
}
