//! Section HTML, sanitised on write: what authors paste (from word processors, other LMSs) is kept to an
//! allow-list of text-level and structural elements. Nothing that runs survives: no script, style or
//! iframe, no event handler attribute, no `javascript:` (or any other non-web) URL. Links open safely
//! (`rel="noopener noreferrer"`). [`ammonia`] does the parsing (html5ever, as a browser would) and the
//! cleaning; this module only states the policy.

use std::collections::HashSet;

/// The longest section HTML stored, in bytes (after cleaning).
pub const MAX_BYTES: usize = 200_000;

const TAGS: &[&str] = &[
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "mark",
    "small",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "figure",
    "figcaption",
    "span",
    "div",
];

/// The cleaned HTML, and whether cleaning removed anything (so an editor can tell its author).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sanitised {
    pub html: String,
    pub changed: bool,
}

/// `html` reduced to the allow-list.
pub fn sanitise(html: &str) -> Sanitised {
    let tags: HashSet<&str> = TAGS.iter().copied().collect();
    let clean = ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("a", &["href", "title"])
        .add_tag_attributes("img", &["src", "alt", "width", "height"])
        .add_tag_attributes("th", &["colspan", "rowspan", "scope"])
        .add_tag_attributes("td", &["colspan", "rowspan"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string();
    let changed = clean != html;
    Sanitised { html: clean, changed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_that_runs_survives() {
        let dirty = r#"<p onclick="steal()">Lift <b>with</b> your legs<script>alert(1)</script></p>
<a href="javascript:alert(1)">x</a><img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe>
<style>p{}</style><a href="https://example.com/guide">guide</a>"#;
        let clean = sanitise(dirty);
        assert!(clean.changed);
        for gone in ["onclick", "script", "alert", "javascript", "onerror", "iframe", "style"] {
            assert!(!clean.html.contains(gone), "{gone} in {}", clean.html);
        }
        assert!(clean.html.contains("<b>with</b>"), "{}", clean.html);
        assert!(clean.html.contains(r#"<a href="https://example.com/guide" rel="noopener noreferrer">guide</a>"#));
    }

    #[test]
    fn clean_html_is_kept_as_it_is() {
        let html = r#"<h2>Safety</h2><ul><li>Bend your knees</li></ul><table><tbody><tr><td colspan="2">x</td></tr></tbody></table>"#;
        assert_eq!(sanitise(html), Sanitised { html: html.to_owned(), changed: false });
    }
}
