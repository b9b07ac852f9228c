//! The build as stored and served, the outline a document becomes, and the draft module an outline
//! becomes. Pure: no table, no bucket, no clock.

use super::extract::Block;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Sections a built module gets at most: [`crate::authoring::MAX_SECTIONS`], the authoring rule, so the
/// draft stays editable (and its one transaction stays under DynamoDB's 100 writes).
pub const MAX_SECTIONS: usize = crate::authoring::MAX_SECTIONS;
/// A section's HTML at most, in bytes: 50 sections of this fit DynamoDB's 4 MB transaction with room.
pub const MAX_SECTION_BYTES: usize = 50_000;
/// Characters of a module or section title (the authoring limit).
pub const MAX_TITLE: usize = 200;
/// The section that holds what comes before the first heading.
pub const INTRODUCTION: &str = "Introduction";

/// Seed 002 AiModuleBuild `sourceType`: what the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModuleBuildSource {
    Docx,
    Pdf,
}

impl ModuleBuildSource {
    pub const DOCX_MIME: &'static str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    pub const PDF_MIME: &'static str = "application/pdf";

    /// The source a media asset's declared type (checked against its bytes at upload) makes it.
    pub fn of_mime(mime: &str) -> Option<Self> {
        match mime {
            Self::DOCX_MIME => Some(Self::Docx),
            Self::PDF_MIME => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// Seed 002 AiModuleBuild `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModuleBuildStatus {
    /// Queued.
    Pending,
    /// The job has started (a crash leaves it here until the message comes back).
    Processing,
    /// The draft module exists (`moduleId`).
    Completed,
    /// `error` says why.
    Failed,
}

impl ModuleBuildStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

/// Seed 002 AiModuleBuild: a document of the media library turned into a draft module on the learning
/// queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleBuild {
    pub id: Uuid,
    pub source_type: ModuleBuildSource,
    /// The document asset it reads.
    pub media_asset_id: Uuid,
    pub status: ModuleBuildStatus,
    /// Whether the language-model step was asked for.
    pub structure_with_ai: bool,
    /// Whether the language-model step shaped the module (false when none is configured, it was not
    /// asked for, or it failed and the document's own structure was kept).
    pub ai_structured: bool,
    /// The title asked for; the document's first heading or its file name otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The draft module, once made: derived from the build's id, so a retried job never makes two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<Uuid>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 50)]
    pub section_count: u32,
    /// Why it failed (not a DOCX, no text, too large, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_by_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub version: u64,
}

impl ModuleBuild {
    pub fn new(
        source_type: ModuleBuildSource,
        media_asset_id: Uuid,
        title: Option<String>,
        structure_with_ai: bool,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            source_type,
            media_asset_id,
            status: ModuleBuildStatus::Pending,
            structure_with_ai,
            ai_structured: false,
            title,
            module_id: None,
            section_count: 0,
            error: None,
            created_by_id: by,
            created_at: now,
            updated_at: now,
            completed_at: None,
            version: 1,
        }
    }

    /// The next version, as `change` leaves it.
    pub fn revised(&self, now: DateTime<Utc>, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.version = self.version + 1;
        next.updated_at = now;
        next
    }

    /// The draft module's id: a name-based UUID of the build's, so every run of the job names the same
    /// module and creates it only if absent.
    pub fn module_id(&self) -> Uuid {
        draft_module_id(self.id)
    }
}

pub fn draft_module_id(build: Uuid) -> Uuid {
    Uuid::new_v5(&build, b"module")
}

/// The `n`th section's id of a draft module (deterministic, as the module's).
pub fn draft_section_id(module: Uuid, n: usize) -> Uuid {
    Uuid::new_v5(&module, format!("section-{n}").as_bytes())
}

/// What a section of an outline holds, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Paragraph(String),
    /// A heading below the level that splits sections (Heading 3 and below), shown inside the section.
    Subheading(String),
}

/// One section-to-be: its heading and what follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineSection {
    pub title: String,
    pub body: Vec<Body>,
}

/// A document as a module-to-be: what the language-model step sees and answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline {
    pub title: String,
    pub sections: Vec<OutlineSection>,
}

impl Outline {
    /// Whether it has any text to make a module of.
    pub fn has_text(&self) -> bool {
        self.sections.iter().any(|s| !s.body.is_empty() || !s.title.is_empty())
    }
}

/// The outline of a document's blocks. The module's title is `asked`, else the document's title (its
/// first `Title` paragraph, else its first heading), else `file_name` without its extension. Each heading
/// starts a section; what comes before the first one is an [`INTRODUCTION`] section. A document title
/// that is also the first heading is not repeated as a section.
pub fn outline(blocks: &[Block], asked: Option<&str>, file_name: &str) -> Outline {
    let mut title = None;
    let mut sections: Vec<OutlineSection> = Vec::new();
    let mut intro: Vec<Body> = Vec::new();
    for block in blocks {
        match block {
            Block::Title(t) if title.is_none() => title = Some(t.clone()),
            Block::Title(t) | Block::Heading(t) => {
                sections.push(OutlineSection { title: t.clone(), body: Vec::new() });
            }
            Block::Subheading(t) => push(&mut sections, &mut intro, Body::Subheading(t.clone())),
            Block::Paragraph(p) => push(&mut sections, &mut intro, Body::Paragraph(p.clone())),
        }
    }
    if !intro.is_empty() {
        sections.insert(0, OutlineSection { title: INTRODUCTION.into(), body: intro });
    }
    let from_doc = title.or_else(|| {
        blocks.iter().find_map(|b| match b {
            Block::Heading(h) => Some(h.clone()),
            _ => None,
        })
    });
    let stem = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem).trim();
    let title = asked
        .map(str::to_owned)
        .or(from_doc)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| if stem.is_empty() { "Untitled module".into() } else { stem.to_owned() });
    Outline { title: clip(&title, MAX_TITLE), sections }
}

fn push(sections: &mut [OutlineSection], intro: &mut Vec<Body>, body: Body) {
    match sections.last_mut() {
        Some(s) => s.body.push(body),
        None => intro.push(body),
    }
}

/// A section as the draft module gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftSection {
    pub title: String,
    /// Simple HTML: `<p>` and `<h3>` around escaped text.
    pub content: String,
}

/// The sections an outline makes: at most [`MAX_SECTIONS`], each title at most [`MAX_TITLE`] characters
/// and each content at most [`MAX_SECTION_BYTES`] (a paragraph that would cross it is cut with an
/// ellipsis, and what follows it in that section is left out).
pub fn draft_sections(outline: &Outline) -> Vec<DraftSection> {
    outline
        .sections
        .iter()
        .take(MAX_SECTIONS)
        .map(|s| {
            let mut content = String::new();
            for b in &s.body {
                let (tag, text) = match b {
                    Body::Paragraph(t) => ("p", t),
                    Body::Subheading(t) => ("h3", t),
                };
                let overhead = 2 * tag.len() + 5;
                let room = MAX_SECTION_BYTES.saturating_sub(content.len() + overhead);
                let escaped = escape(text);
                if escaped.len() <= room {
                    content.push_str(&format!("<{tag}>{escaped}</{tag}>"));
                } else {
                    // Cut by characters, each escaped whole, so no entity is split.
                    let mut cut = String::new();
                    let budget = room.saturating_sub('…'.len_utf8());
                    for c in text.chars() {
                        let mut one = [0u8; 4];
                        let piece = escape(c.encode_utf8(&mut one));
                        if cut.len() + piece.len() > budget {
                            break;
                        }
                        cut.push_str(&piece);
                    }
                    if !cut.is_empty() {
                        content.push_str(&format!("<{tag}>{cut}…</{tag}>"));
                    }
                    break;
                }
            }
            let title = if s.title.trim().is_empty() { INTRODUCTION.to_owned() } else { clip(&s.title, MAX_TITLE) };
            DraftSection { title, content }
        })
        .collect()
}

/// Text as HTML element content: nothing in it can open a tag or an entity.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, trimmed.
pub fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Block {
        Block::Paragraph(t.into())
    }
    fn h(t: &str) -> Block {
        Block::Heading(t.into())
    }

    #[test]
    fn headings_split_sections_and_text_before_them_is_the_introduction() {
        let blocks = [
            Block::Title("Forklift safety".into()),
            p("Read this first."),
            h("Before you drive"),
            p("Check the forks."),
            Block::Subheading("Tyres".into()),
            p("No cuts."),
            h("Loading"),
            p("Keep it low."),
        ];
        let o = outline(&blocks, None, "forklift.docx");
        assert_eq!(o.title, "Forklift safety");
        let titles: Vec<&str> = o.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Introduction", "Before you drive", "Loading"]);
        let drafts = draft_sections(&o);
        assert_eq!(drafts[0].content, "<p>Read this first.</p>");
        assert_eq!(drafts[1].content, "<p>Check the forks.</p><h3>Tyres</h3><p>No cuts.</p>");
        assert_eq!(drafts[2].content, "<p>Keep it low.</p>");
    }

    #[test]
    fn the_title_is_the_asked_one_then_the_first_heading_then_the_file_name() {
        let blocks = [h("Hygiene"), p("Wash hands.")];
        assert_eq!(outline(&blocks, Some("Asked"), "x.docx").title, "Asked");
        assert_eq!(outline(&blocks, None, "x.docx").title, "Hygiene");
        assert_eq!(outline(&[p("Only text.")], None, "Kitchen rules.v2.docx").title, "Kitchen rules.v2");
        assert_eq!(outline(&[p("Only text.")], None, ".docx").title, "Untitled module");
        let long = "x".repeat(300);
        assert_eq!(outline(&[], Some(&long), "a").title.chars().count(), MAX_TITLE);
        assert!(!outline(&[], None, "a.docx").has_text());
    }

    #[test]
    fn text_is_escaped_so_nothing_in_a_document_becomes_markup() {
        let blocks = [h("<b>Bold</b> & co"), p("<script>alert('x')</script> \"q\"")];
        let d = draft_sections(&outline(&blocks, None, "a"));
        assert_eq!(d[0].title, "<b>Bold</b> & co", "titles are text, escaped when shown");
        assert_eq!(d[0].content, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;q&quot;</p>");
        assert!(!crate::html::sanitise(&d[0].content).html.contains("<script"), "text, not markup, to a browser");
    }

    #[test]
    fn sections_and_their_size_are_capped() {
        let mut blocks = Vec::new();
        for n in 0..80 {
            blocks.push(h(&format!("Part {n}")));
            blocks.push(p("text"));
        }
        assert_eq!(draft_sections(&outline(&blocks, None, "a")).len(), MAX_SECTIONS);
        let big = [h("Big"), p(&"a&b ".repeat(20_000)), p("never shown")];
        let d = draft_sections(&outline(&big, None, "a"));
        assert!(d[0].content.len() <= MAX_SECTION_BYTES, "{}", d[0].content.len());
        assert!(d[0].content.ends_with("…</p>") && !d[0].content.contains("never shown"));
        assert!(!d[0].content.contains("&am…"), "no entity is cut");
    }

    #[test]
    fn ids_are_derived_from_the_build() {
        let b = Uuid::from_u128(7);
        assert_eq!(draft_module_id(b), draft_module_id(b));
        assert_ne!(draft_module_id(b), draft_module_id(Uuid::from_u128(8)));
        let m = draft_module_id(b);
        assert_ne!(draft_section_id(m, 0), draft_section_id(m, 1));
        assert_eq!(ModuleBuildSource::of_mime("application/pdf"), Some(ModuleBuildSource::Pdf));
        assert_eq!(ModuleBuildSource::of_mime(ModuleBuildSource::DOCX_MIME), Some(ModuleBuildSource::Docx));
        assert_eq!(ModuleBuildSource::of_mime("image/png"), None);
        assert_eq!(serde_json::to_value(ModuleBuildStatus::Completed).unwrap(), "COMPLETED");
    }
}
