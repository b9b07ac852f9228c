//! The worker's page as HTML, rendered on the server: it opens on any phone from a text message, so it
//! needs no JavaScript, loads nothing but the content's own media, and is one small document. Everything
//! shown goes through maud, which escapes it: titles, options, a saved reflection and URLs are text,
//! whatever they contain.
//!
//! The one inline style is allowed by its hash in the [`content_security_policy`], which allows nothing
//! else but the media's origin and posting the form back to the page itself.
//!
//! Stable hooks for browser tests: `data-testid` `title`, `step`, `completed`, `errors`, `score`,
//! `passed`, `attempts-left`, `verdict`, `submit` (the page's one button), `feedback` (the reflection's
//! textarea), `media`, `download`; a quiz question's fieldset (or, once the quiz is closed, its result)
//! carries `data-question="<question id>"`, and each option's input has the option's id as its value.

use super::form::FEEDBACK_MAX;
use super::i18n::{Lang, Words};
use super::quiz::Scored;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use nudge_content::published::{Body, PlayableBody, QuestionType, QuizBody, ReflectionBody, ScoringType};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The page's whole style sheet, inline (no asset to fetch on a slow connection). Mobile first; text and
/// controls keep at least 4.5:1 contrast; every control has a visible focus ring and a 44px target.
pub const STYLE: &str = concat!(
    "*,*::before,*::after{box-sizing:border-box}",
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}",
    "body{margin:0;background:#f1f3f5;color:#1b1f24;",
    "font:1.0625rem/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}",
    "header,main{max-width:40rem;margin:0 auto;padding:1rem}",
    "header p{margin:0}",
    ".org{font-weight:700}",
    ".program,.step,.hint,figcaption,.missing{color:#4a5360}",
    ".step{font-size:.9375rem}",
    "main{background:#fff;padding:1.25rem 1rem 1.5rem}",
    "h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}",
    "p{margin:0 0 1rem}",
    ".lead{font-size:1.125rem}",
    ".prompt{font-size:1.125rem;font-weight:600}",
    "a{color:#0b57d0}",
    "img,video{display:block;max-width:100%;height:auto;border-radius:.5rem}",
    "video,audio{width:100%}",
    "figure{margin:0 0 1rem}",
    "figcaption{font-size:.9375rem;margin-top:.5rem}",
    ".missing{font-style:italic}",
    "details{margin:0 0 1rem;border:1px solid #c3c9d1;border-radius:.5rem;padding:0 .75rem}",
    "summary{cursor:pointer;padding:.625rem 0;font-weight:600}",
    "fieldset{border:1px solid #c3c9d1;border-radius:.5rem;margin:0 0 1rem;padding:.5rem 1rem 1rem}",
    "legend{font-weight:600;padding:0 .25rem}",
    ".hint{font-size:.9375rem;margin:0 0 .25rem}",
    ".option{display:flex;align-items:center;gap:.75rem;min-height:44px}",
    ".option input{width:1.5rem;height:1.5rem;margin:0;flex:none;accent-color:#0b57d0}",
    ".option label{flex:1;padding:.625rem 0;cursor:pointer}",
    ".field{display:block;font-weight:600;margin:0 0 .5rem}",
    "textarea{display:block;width:100%;min-height:9rem;margin:0 0 1rem;padding:.75rem;font:inherit;",
    "color:inherit;background:#fff;border:1px solid #6b7480;border-radius:.5rem;resize:vertical}",
    "button,.button{display:inline-flex;align-items:center;justify-content:center;width:100%;",
    "min-height:44px;padding:.625rem 1.25rem;border:0;border-radius:.5rem;background:#0b57d0;",
    "color:#fff;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}",
    "button:hover,.button:hover{background:#0842a0}",
    ":focus-visible{outline:3px solid #0b57d0;outline-offset:2px}",
    ".done{background:#e6f4ea;color:#0d5223;border-radius:.5rem;padding:.75rem 1rem;font-weight:600}",
    ".errors{background:#fce8e6;color:#8c1d18;border-left:4px solid #b3261e;border-radius:.5rem;",
    "padding:.75rem 1rem;margin:0 0 1rem}",
    ".errors p{margin:0;font-weight:600}",
    ".errors ul{margin:.25rem 0 0;padding-left:1.25rem}",
    ".result{border:2px solid #0b57d0;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}",
    ".result p{margin:0}",
    ".score{font-size:1.25rem;font-weight:700}",
    ".verdict{font-weight:700;margin:.5rem 0 0}",
    ".correct{color:#137333}",
    ".incorrect{color:#b3261e}",
    ".explanation{margin:.25rem 0 0}",
    ".results{padding-left:1.25rem}",
    ".results li{margin:0 0 1rem}",
    "@media (min-width:42rem){main{border-radius:.75rem;margin-bottom:2rem}",
    "button,.button{width:auto;min-width:10rem}}",
);

/// `'sha256-…'`: the source expression that allows exactly [`STYLE`].
static STYLE_SOURCE: LazyLock<String> =
    LazyLock::new(|| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(STYLE.as_bytes()))));

/// The page's `Content-Security-Policy`: nothing by default; the inline style by its hash; images and
/// media only from `media_origin` (where the presigned media URLs point), when given; the form posted
/// only back to the page; never framed. An origin that could break out of its directive (`;`, `,`,
/// spaces) is left out, and so nothing is loaded.
pub fn content_security_policy(media_origin: Option<&str>) -> String {
    let mut policy = format!("default-src 'none'; style-src {}", *STYLE_SOURCE);
    if let Some(origin) = media_origin.map(str::trim).filter(|o| is_source(o)) {
        policy.push_str(&format!("; img-src {origin}; media-src {origin}"));
    }
    policy.push_str("; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    policy
}

fn is_source(origin: &str) -> bool {
    !origin.is_empty() && origin.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b',')
}

/// What the page shows.
#[derive(Clone, Copy, Debug)]
pub struct PageView<'a> {
    pub lang: Lang,
    pub organization: &'a str,
    pub program: &'a str,
    /// The touchpoint's 1-based position and the journey's number of touchpoints (`(_, 0)`: not shown).
    pub step: (usize, usize),
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub body: &'a Body,
    /// The presigned URL of the body's media (image, video, audio, document).
    pub media_url: Option<&'a str>,
    pub state: PageState<'a>,
    /// Where the form posts: the page's own path.
    pub action: &'a str,
}

/// Where the worker is with this touchpoint.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageState<'a> {
    pub completed: bool,
    /// The quiz's recorded score, as [`Scored::score`] reports it.
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// The reflection saved.
    pub feedback: Option<&'a str>,
    pub attempts_used: u32,
    /// `None`: no limit.
    pub attempts_left: Option<u32>,
    /// The attempt just submitted, shown question by question.
    pub last: Option<&'a Scored>,
    /// What was wrong with what was just submitted, worded for the worker (see [`Words`]).
    pub errors: &'a [String],
}

/// The whole page: `<!DOCTYPE html>` and all.
pub fn page(view: &PageView) -> String {
    let w = view.lang.words();
    let content = html! {
        header {
            p.org { (view.organization) }
            p.program { (view.program) }
            @if view.step.1 > 0 {
                p.step data-testid="step" { ((w.step)(view.step.0, view.step.1)) }
            }
        }
        main {
            h1 data-testid="title" { (view.title) }
            @if let Some(description) = view.description {
                p.lead { (description) }
            }
            @if view.state.completed {
                p.done role="status" data-testid="completed" {
                    span aria-hidden="true" { "✓ " } (w.completed) ". " (w.thank_you) "!"
                }
            }
            @if !view.state.errors.is_empty() {
                div.errors role="alert" data-testid="errors" {
                    p { (w.check_errors) }
                    ul { @for error in view.state.errors { li { (error) } } }
                }
            }
            (body(view, w))
        }
    };
    document(view.lang, &format!("{} · {}", view.title, view.organization), content)
}

/// A plain page with a title and a text: an expired or invalid link, content no longer there.
pub fn message(lang: Lang, title: &str, text: &str) -> String {
    document(lang, title, html! { main { h1 data-testid="title" { (title) } (paragraphs(text)) } })
}

fn document(lang: Lang, title: &str, content: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // The link is the credential: media requests must not carry it to the bucket.
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (content) }
        }
    }
    .into_string()
}

fn body(view: &PageView, w: &Words) -> Markup {
    match view.body {
        Body::Text(b) => html! { (paragraphs(&b.text)) (done(view, w)) },
        Body::Image(b) => html! {
            figure {
                @match view.media_url {
                    Some(url) => { img src=(url) alt=(b.alt_text.as_deref().unwrap_or_default()) data-testid="media"; }
                    None => { p.missing { (w.media_unavailable) } }
                }
                @if let Some(caption) = &b.caption { figcaption { (caption) } }
            }
            (done(view, w))
        },
        Body::Video(b) => html! {
            figure {
                @match view.media_url {
                    Some(url) => {
                        video src=(url) controls preload="metadata" playsinline data-testid="media" {
                            a href=(url) rel="noreferrer" { (w.download) }
                        }
                    }
                    None => { p.missing { (w.media_unavailable) } }
                }
                (playable_text(w, b))
            }
            (done(view, w))
        },
        Body::Audio(b) => html! {
            figure {
                @match view.media_url {
                    Some(url) => {
                        audio src=(url) controls preload="metadata" data-testid="media" {
                            a href=(url) rel="noreferrer" { (w.download) }
                        }
                    }
                    None => { p.missing { (w.media_unavailable) } }
                }
                (playable_text(w, b))
            }
            (done(view, w))
        },
        Body::Document(b) => html! {
            @if let Some(description) = &b.description { (paragraphs(description)) }
            @match view.media_url {
                Some(url) => {
                    p { a.button href=(url) rel="noreferrer" download data-testid="download" { (w.download_document) } }
                }
                None => { p.missing { (w.media_unavailable) } }
            }
            (done(view, w))
        },
        Body::Quiz(quiz) => self::quiz(view, w, quiz),
        Body::Reflection(reflection) => self::reflection(view, w, reflection),
        Body::Template(b) => html! { (paragraphs(&b.template_text)) (done(view, w)) },
    }
}

/// A video's or audio's caption and transcript (inside its figure).
fn playable_text(w: &Words, b: &PlayableBody) -> Markup {
    html! {
        @if let Some(caption) = &b.caption { figcaption { (caption) } }
        @if let Some(transcript) = &b.transcript {
            details data-testid="transcript" { summary { (w.transcript) } (paragraphs(transcript)) }
        }
    }
}

/// "Mark as done", until it is.
fn done(view: &PageView, w: &Words) -> Markup {
    html! {
        @if !view.state.completed {
            form method="post" action=(view.action) {
                button type="submit" name="action" value="complete" data-testid="submit" { (w.mark_as_done) }
            }
        }
    }
}

fn quiz(view: &PageView, w: &Words, quiz: &QuizBody) -> Markup {
    let state = &view.state;
    let last = state.last;
    let passed = last.map(|s| s.passed).or(state.passed);
    let total = quiz.questions.iter().fold(0u32, |sum, q| sum.saturating_add(q.points));
    // Closed once passed (with no passing score, once submitted), out of attempts, or done with.
    let closed = state.completed || state.attempts_left == Some(0) || passed == Some(true);
    let score = match last {
        Some(s) if is_percentage(quiz) => Some((w.percent)(s.score)),
        Some(s) => Some((w.points)(s.points, s.total)),
        None => state.score.map(|value| shown(w, quiz, value, total)),
    };
    html! {
        @if let Some(score) = score {
            div.result role="status" {
                p.score data-testid="score" { ((w.your_score)(&score)) }
                @if let (Some(passed), Some(_)) = (passed, quiz.passing_score) {
                    p data-testid="passed" data-passed=(flag(passed)) { (if passed { w.passed } else { w.not_passed }) }
                }
            }
        }
        @if passed != Some(true) {
            @match state.attempts_left {
                Some(0) => { p data-testid="attempts-left" { (w.no_attempts_left) } }
                Some(n) => { p data-testid="attempts-left" { ((w.attempts_left)(n)) } }
                None => {}
            }
        }
        @if !closed {
            form method="post" action=(view.action) {
                @for (i, question) in quiz.questions.iter().enumerate() {
                    @let (kind, hint) = match question.kind {
                        QuestionType::MultipleChoice => ("checkbox", w.choose_all),
                        QuestionType::SingleChoice | QuestionType::TrueFalse => ("radio", w.choose_one),
                    };
                    @let name = format!("q.{}", question.id);
                    fieldset data-question=(question.id) aria-describedby=(format!("q{i}-hint")) {
                        legend { (i + 1) ". " (question.text) }
                        p.hint id=(format!("q{i}-hint")) { (hint) }
                        @for (j, option) in question.options.iter().enumerate() {
                            @let id = format!("q{i}-o{j}");
                            div.option {
                                input type=(kind) id=(id) name=(name) value=(option.id);
                                label for=(id) { (option.text) }
                            }
                        }
                        @if let Some(last) = last { (verdict(w, last, &question.id, question.explanation.as_deref())) }
                    }
                }
                button type="submit" name="action" value="answer" data-testid="submit" { (w.submit) }
            }
        } @else if let Some(last) = last {
            ol.results {
                @for question in &quiz.questions {
                    li data-question=(question.id) {
                        (question.text)
                        (verdict(w, last, &question.id, question.explanation.as_deref()))
                    }
                }
            }
        }
    }
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn is_percentage(quiz: &QuizBody) -> bool {
    quiz.scoring_type == Some(ScoringType::Percentage)
}

/// A recorded score as the quiz reports it: a share, or points of the total.
fn shown(w: &Words, quiz: &QuizBody, score: f64, total: u32) -> String {
    if is_percentage(quiz) { (w.percent)(score) } else { (w.points)(score.max(0.0).round() as u32, total) }
}

fn verdict(w: &Words, last: &Scored, question: &str, explanation: Option<&str>) -> Markup {
    let right = last.correct.iter().any(|id| id == question);
    html! {
        p.verdict.correct[right].incorrect[!right] data-testid="verdict" data-correct=(flag(right)) {
            (if right { w.correct } else { w.incorrect })
        }
        @if let Some(explanation) = explanation { p.explanation { (explanation) } }
    }
}

fn reflection(view: &PageView, w: &Words, reflection: &ReflectionBody) -> Markup {
    let described = if reflection.guidance_text.is_some() { "prompt guidance" } else { "prompt" };
    html! {
        div.prompt id="prompt" { (paragraphs(&reflection.prompt_text)) }
        @if let Some(guidance) = &reflection.guidance_text {
            div.hint id="guidance" { (paragraphs(guidance)) }
        }
        @if view.state.feedback.is_some() && !view.state.completed {
            p.done role="status" { (w.saved) }
        }
        form method="post" action=(view.action) {
            label.field for="feedback" { (w.your_answer) }
            textarea id="feedback" name="feedback" data-testid="feedback" rows="6" maxlength=(FEEDBACK_MAX) required
                placeholder=(w.reflection_placeholder) aria-describedby=(described) {
                (view.state.feedback.unwrap_or_default())
            }
            button type="submit" name="action" value="answer" data-testid="submit" { (w.submit) }
        }
    }
}

/// Text as paragraphs: a blank line starts a new one, a single line break stays one.
fn paragraphs(text: &str) -> Markup {
    let mut groups: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if !line.trim().is_empty() {
            current.push(line);
        } else if !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    html! {
        @for lines in &groups {
            p { @for (i, line) in lines.iter().enumerate() { @if i > 0 { br; } (line) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::i18n::EN;
    use crate::page::quiz::tests::{answers, quiz as sample_quiz};
    use crate::page::quiz::{Answers, score};
    use nudge_content::published::{
        Channel, DocumentBody, ImageBody, QuizBody, ReflectionBody, TemplateBody, TextBody,
    };
    use uuid::Uuid;

    fn view<'a>(body: &'a Body, state: PageState<'a>) -> PageView<'a> {
        PageView {
            lang: Lang::En,
            organization: "Acme Care",
            program: "Safe lifting",
            step: (2, 5),
            title: "Lift with your legs",
            description: Some("Two minutes."),
            body,
            media_url: Some("https://media.example.com/a.bin?X-Amz-Signature=abc&x=1"),
            state,
            action: "/p/TOKEN",
        }
    }

    fn text(text: &str) -> Body {
        Body::Text(TextBody { text: text.into(), formatting: None })
    }

    fn playable(transcript: Option<&str>) -> PlayableBody {
        PlayableBody {
            media_asset_id: Uuid::nil(),
            caption: Some("Watch the knees".into()),
            transcript: transcript.map(Into::into),
            duration: Some(90),
        }
    }

    /// How often `needle` occurs in `html`.
    fn count(html: &str, needle: &str) -> usize {
        html.matches(needle).count()
    }

    #[test]
    fn everything_shown_is_escaped() {
        let body = Body::Quiz(QuizBody {
            questions: vec![crate::page::quiz::tests::question("q1", QuestionType::SingleChoice, &["a"], &["a"], 1)],
            ..sample_quiz(None, None)
        });
        let mut v = view(&body, PageState::default());
        v.title = "<script>alert(1)</script>";
        v.organization = "Tom & \"Jerry\"";
        v.media_url = Some("\"><script>x</script>");
        let html = page(&v);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("Tom &amp; &quot;Jerry&quot;") || html.contains("Tom &amp; \"Jerry\""), "{html}");
        assert!(!html.contains("<script"), "{html}");
        let reflection = Body::Reflection(ReflectionBody { prompt_text: "Why?".into(), guidance_text: None });
        let saved = "</textarea><script>x</script>";
        let html = page(&view(&reflection, PageState { feedback: Some(saved), ..PageState::default() }));
        assert!(!html.contains("<script") && html.contains("&lt;/textarea&gt;"), "{html}");
        let html = message(Lang::En, "<b>Gone</b>", "a < b");
        assert!(html.contains("&lt;b&gt;Gone&lt;/b&gt;") && html.contains("a &lt; b"), "{html}");
    }

    #[test]
    fn a_page_is_a_whole_accessible_document_in_its_language() {
        let body = text("Hello");
        let html = page(&view(&body, PageState::default()));
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{html}");
        assert!(html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
        assert!(html.contains(r#"<meta name="referrer" content="no-referrer">"#));
        assert!(html.contains("<title>Lift with your legs · Acme Care</title>"));
        assert!(html.contains(r#"data-testid="step">Step 2 of 5<"#), "{html}");
        assert_eq!(count(&html, "<style>"), 1);
        assert!(!html.contains("<script") && !html.contains(" style=") && !html.contains("<link"), "{html}");
        let mut v = view(&body, PageState::default());
        v.lang = Lang::from_tag("pt_BR");
        v.step = (1, 0);
        let html = page(&v);
        assert!(html.contains(r#"<html lang="pt">"#) && html.contains("Marcar como concluído"), "{html}");
        assert!(!html.contains(r#"data-testid="step""#), "no total, no step");
        v.lang = Lang::from_tag("hr-HR");
        let html = page(&v);
        assert!(html.contains(r#"<html lang="en">"#) && html.contains("Mark as done"), "{html}");
    }

    #[test]
    fn the_policy_allows_exactly_the_pages_style() {
        let html = message(Lang::En, "Expired", "Ask again.");
        let start = html.find("<style>").map(|i| i + "<style>".len()).unwrap();
        let end = html.find("</style>").unwrap();
        let inline = &html[start..end];
        assert_eq!(inline, STYLE);
        let hash = STANDARD.encode(Sha256::digest(inline.as_bytes()));
        assert_eq!(
            content_security_policy(None),
            format!(
                "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            )
        );
        let with_media = content_security_policy(Some("https://media.example.com"));
        assert!(
            with_media.contains("; img-src https://media.example.com; media-src https://media.example.com;"),
            "{with_media}"
        );
        for bad in ["", " ", "https://a.com; script-src *", "https://a.com, https://b.com", "a b"] {
            assert_eq!(content_security_policy(Some(bad)), content_security_policy(None), "{bad:?}");
        }
    }

    #[test]
    fn text_is_shown_as_paragraphs_with_a_mark_as_done_button() {
        let body = text("First line\nsame paragraph\n\n  \r\nSecond\n\n\n");
        let html = page(&view(&body, PageState::default()));
        assert!(html.contains("<p>First line<br>same paragraph</p><p>Second</p>"), "{html}");
        assert!(html.contains(
            r#"<form method="post" action="/p/TOKEN"><button type="submit" name="action" value="complete" data-testid="submit">Mark as done</button></form>"#
        ), "{html}");
        let done = page(&view(&body, PageState { completed: true, ..PageState::default() }));
        assert!(done.contains(r#"data-testid="completed""#) && done.contains("Thank you"), "{done}");
        assert!(!done.contains("<form") && !done.contains("Mark as done"), "{done}");
    }

    #[test]
    fn an_image_has_its_alternative_text_and_caption() {
        let body = Body::Image(ImageBody {
            media_asset_id: Uuid::nil(),
            alt_text: Some("A worker lifting a box".into()),
            caption: Some("Knees bent".into()),
        });
        let html = page(&view(&body, PageState::default()));
        assert!(html.contains(
            r#"<img src="https://media.example.com/a.bin?X-Amz-Signature=abc&amp;x=1" alt="A worker lifting a box" data-testid="media">"#
        ), "{html}");
        assert!(html.contains("<figcaption>Knees bent</figcaption>") && html.contains("Mark as done"), "{html}");
        let mut v = view(&body, PageState::default());
        v.media_url = None;
        let html = page(&v);
        assert!(!html.contains("<img") && html.contains("This media is not available right now."), "{html}");
    }

    #[test]
    fn video_and_audio_play_with_controls_and_a_transcript() {
        let video = Body::Video(playable(Some("Step one.\n\nStep two.")));
        let html = page(&view(&video, PageState::default()));
        assert!(html.contains(r#"<video src="https://media.example.com/a.bin?X-Amz-Signature=abc&amp;x=1" controls preload="metadata" playsinline data-testid="media">"#), "{html}");
        assert!(html.contains("<figcaption>Watch the knees</figcaption>"), "{html}");
        assert!(html.contains(r#"<details data-testid="transcript"><summary>Transcript</summary><p>Step one.</p><p>Step two.</p></details>"#), "{html}");
        let audio = Body::Audio(playable(None));
        let html = page(&view(&audio, PageState::default()));
        assert!(html.contains("<audio src=") && html.contains(" controls ") && !html.contains("<details"), "{html}");
        assert!(html.contains("Mark as done"));
    }

    #[test]
    fn a_document_is_a_download_link_with_its_description() {
        let body =
            Body::Document(DocumentBody { media_asset_id: Uuid::nil(), description: Some("The policy.".into()) });
        let html = page(&view(&body, PageState::default()));
        assert!(html.contains("<p>The policy.</p>"), "{html}");
        assert!(html.contains(r#"<a class="button" href="https://media.example.com/a.bin?X-Amz-Signature=abc&amp;x=1" rel="noreferrer" download data-testid="download">Download the document</a>"#), "{html}");
        assert!(html.contains("Mark as done"));
    }

    #[test]
    fn a_template_shows_its_text() {
        let body = Body::Template(TemplateBody {
            template_text: "Hi {{name}}, remember to stretch.".into(),
            variables: Vec::new(),
            channel: Channel::Sms,
            approval_status: None,
            approval_reason: None,
            sms_segments: None,
        });
        let html = page(&view(&body, PageState::default()));
        assert!(html.contains("<p>Hi {{name}}, remember to stretch.</p>") && html.contains("Mark as done"), "{html}");
    }

    #[test]
    fn a_reflection_is_a_labelled_textarea_prefilled_with_what_was_saved() {
        let body = Body::Reflection(ReflectionBody {
            prompt_text: "What will you change?".into(),
            guidance_text: Some("Think of one habit.".into()),
        });
        let html = page(&view(&body, PageState::default()));
        assert!(html.contains(r#"<div class="prompt" id="prompt"><p>What will you change?</p></div>"#), "{html}");
        assert!(html.contains(r#"<div class="hint" id="guidance"><p>Think of one habit.</p></div>"#), "{html}");
        assert!(html.contains(r#"<label class="field" for="feedback">Your answer</label><textarea id="feedback" name="feedback" data-testid="feedback" rows="6" maxlength="4000" required placeholder="Write your thoughts here…" aria-describedby="prompt guidance"></textarea>"#), "{html}");
        assert!(html.contains(r#"value="answer" data-testid="submit">Submit</button>"#), "{html}");
        assert!(!html.contains("Mark as done"));
        let saved =
            page(&view(&body, PageState { feedback: Some("Stretch\nfirst"), completed: true, ..PageState::default() }));
        assert!(saved.contains(">Stretch\nfirst</textarea>"), "{saved}");
        assert!(saved.contains(r#"data-testid="completed""#), "{saved}");
    }

    #[test]
    fn a_quiz_is_a_form_of_fieldsets_with_radios_and_checkboxes() {
        let body = Body::Quiz(sample_quiz(None, Some(4)));
        let html = page(&view(&body, PageState { attempts_left: Some(3), ..PageState::default() }));
        assert_eq!(count(&html, "<fieldset"), 3);
        assert!(html.contains(r#"<fieldset data-question="q1" aria-describedby="q0-hint"><legend>1. Question q1?</legend><p class="hint" id="q0-hint">Choose one answer.</p>"#), "{html}");
        assert!(
            html.contains(
                r#"<input type="radio" id="q0-o1" name="q.q1" value="b"><label for="q0-o1">Option b</label>"#
            ),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<input type="checkbox" id="q1-o2" name="q.q2" value="z"><label for="q1-o2">Option z</label>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<input type="radio" id="q2-o0" name="q.q3" value="true">"#), "{html}");
        assert!(html.contains("Choose all that apply."), "{html}");
        assert!(html.contains(r#"data-testid="attempts-left">Attempts left: 3<"#), "{html}");
        assert!(
            html.contains(r#"<button type="submit" name="action" value="answer" data-testid="submit">Submit</button>"#)
        );
        assert!(!html.contains(r#"data-testid="score""#) && !html.contains("Mark as done"), "{html}");
    }

    #[test]
    fn a_failed_attempt_shows_the_score_and_each_questions_verdict_and_asks_again() {
        let quiz = sample_quiz(Some(ScoringType::PassFail), Some(4));
        let scored = score(&quiz, &answers(&[("q1", &["b"]), ("q2", &["x"])]));
        let body = Body::Quiz(quiz);
        let state = PageState {
            attempts_used: 1,
            attempts_left: Some(2),
            last: Some(&scored),
            score: Some(scored.score),
            passed: Some(false),
            ..PageState::default()
        };
        let html = page(&view(&body, state));
        assert!(html.contains(r#"data-testid="score">Your score: 2 of 6<"#), "{html}");
        assert!(html.contains(r#"data-testid="passed" data-passed="false">Not passed<"#), "{html}");
        assert!(html.contains(r#"<p class="verdict correct" data-testid="verdict" data-correct="true">Correct</p><p class="explanation">Because of q1.</p>"#), "{html}");
        assert_eq!(count(&html, r#"data-correct="false">Incorrect<"#), 2, "{html}");
        assert!(html.contains("Attempts left: 2") && html.contains(r#"data-testid="submit""#), "{html}");
    }

    #[test]
    fn a_passed_quiz_or_one_out_of_attempts_hides_its_form() {
        let quiz = sample_quiz(Some(ScoringType::Percentage), Some(3));
        let passing = score(&quiz, &answers(&[("q1", &["b"]), ("q3", &["false"])]));
        let body = Body::Quiz(quiz.clone());
        let state = PageState { attempts_left: Some(2), last: Some(&passing), completed: true, ..PageState::default() };
        let html = page(&view(&body, state));
        assert!(html.contains(r#"data-testid="score">Your score: 50%<"#), "{html}");
        assert!(html.contains(r#"data-passed="true">Passed<"#), "{html}");
        assert!(!html.contains("<form") && !html.contains("Attempts left"), "{html}");
        assert!(html.contains(r#"<li data-question="q2">Question q2?<p class="verdict incorrect""#), "{html}");

        let failing = score(&quiz, &answers(&[("q3", &["false"])]));
        let state = PageState { attempts_left: Some(0), last: Some(&failing), ..PageState::default() };
        let html = page(&view(&body, state));
        assert!(html.contains("Your score: 16.67%") && html.contains("No attempts left"), "{html}");
        assert!(!html.contains("<form"), "{html}");

        // Coming back later: the recorded score alone, in the language's own format.
        let mut v = view(
            &body,
            PageState { score: Some(16.67), passed: Some(false), attempts_left: Some(0), ..PageState::default() },
        );
        v.lang = Lang::De;
        let html = page(&v);
        assert!(html.contains("Ihr Ergebnis: 16,67\u{a0}%") && html.contains("Keine Versuche mehr"), "{html}");
        assert!(!html.contains("<form") && !html.contains("<ol"), "{html}");
    }

    #[test]
    fn a_quiz_without_a_passing_score_is_done_once_submitted() {
        let quiz = sample_quiz(None, None);
        let scored = score(&quiz, &Answers::new());
        let body = Body::Quiz(quiz);
        let html = page(&view(&body, PageState { last: Some(&scored), ..PageState::default() }));
        assert!(html.contains("Your score: 0 of 6") && !html.contains("data-passed"), "{html}");
        assert!(!html.contains("<form"), "{html}");
    }

    #[test]
    fn errors_are_listed_as_an_alert() {
        let body = Body::Quiz(sample_quiz(None, None));
        let errors = [EN.answer_all.to_owned()];
        let html = page(&view(&body, PageState { errors: &errors, ..PageState::default() }));
        assert!(html.contains(r#"<div class="errors" role="alert" data-testid="errors"><p>Please check the following:</p><ul><li>Please answer every question.</li></ul></div>"#), "{html}");
    }

    #[test]
    fn a_message_is_a_plain_page() {
        let w = Lang::from_tag("sl").words();
        let html = message(Lang::Sl, w.expired_title, w.expired_text);
        assert!(html.starts_with(r#"<!DOCTYPE html><html lang="sl">"#), "{html}");
        assert!(html.contains(r#"<h1 data-testid="title">Ta povezava je potekla</h1>"#), "{html}");
        assert!(!html.contains("<form"), "{html}");
    }
}
