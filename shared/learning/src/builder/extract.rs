//! A document's text as blocks (title, headings, paragraphs), pure and bounded: the bytes in, no I/O.
//!
//! - **DOCX**: a ZIP whose `word/document.xml` holds paragraphs `w:p` of runs whose text is in `w:t`
//!   (`w:tab` and `w:br` read as spaces; deleted text `w:delText` and field codes are not text). A
//!   paragraph is a heading by its style (`w:pStyle w:val`, compared without case, spaces or dashes):
//!   `Title` is the document's title, `Heading1`/`Heading2` split sections, `Heading3`…`Heading9` are
//!   subheadings inside a section; a paragraph with an outline level (`w:outlineLvl` 0–1, 2+) counts the
//!   same, which catches headings of styles named in another language. `document.xml` is inflated to at
//!   most [`MAX_XML`] (a ZIP bomb stops there).
//! - **PDF**: the text layer of its content streams (uncompressed or `FlateDecode`, each inflated to at
//!   most [`MAX_PDF_STREAM`], all to [`MAX_PDF_TEXT`]): the strings of `Tj`, `TJ`, `'` and `"`, a new
//!   line at each line move. Bytes are read as WinAnsi (UTF-16 with a BOM); fonts that map glyph ids
//!   through a ToUnicode table (most CJK and many subset fonts) give text that is mostly not letters, and
//!   such a PDF is refused with that reason rather than turned into noise. No layout analysis: a line is
//!   a **heading** when it is numbered (`1`, `1.`, `2.3`, up to 80 characters; `1.2.3` is a subheading),
//!   or short (up to 60 characters and 8 words), starts with a capital, does not end in punctuation, and
//!   the next line is body text (longer, or ending in punctuation). Other lines join into paragraphs,
//!   which end at a blank line, a heading, or a short line ending a sentence.

use std::io::{Cursor, Read};

/// The largest document a build reads (its asset's size is checked before the download).
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;
/// `word/document.xml` inflated at most.
pub const MAX_XML: u64 = 16 * 1024 * 1024;
/// One PDF stream inflated at most.
pub const MAX_PDF_STREAM: u64 = 8 * 1024 * 1024;
/// All of a PDF's inflated content streams together, at most.
pub const MAX_PDF_TEXT: u64 = 32 * 1024 * 1024;

/// A piece of a document, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
}

/// Why a document gives no text; the words are the build's `error`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the file is not a DOCX document: {0}")]
    NotDocx(String),
    #[error("the file is not a PDF document")]
    NotPdf,
    #[error("the document is too large: {0}")]
    TooLarge(String),
    #[error("the document has no text")]
    NoText,
    #[error("the PDF is encrypted; remove its password and upload it again")]
    Encrypted,
    #[error(
        "the PDF's text uses font encodings this builder cannot read (export it as DOCX, or as a PDF with standard fonts)"
    )]
    UnreadableText,
}

/// The blocks of a DOCX file.
pub fn docx(bytes: &[u8]) -> Result<Vec<Block>, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::NotDocx(format!("not a ZIP archive ({e})")))?;
    let part = archive
        .by_name("word/document.xml")
        .map_err(|_| ExtractError::NotDocx("it has no word/document.xml".into()))?;
    let mut xml = Vec::new();
    part.take(MAX_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| ExtractError::NotDocx(format!("word/document.xml cannot be unpacked ({e})")))?;
    if xml.len() as u64 > MAX_XML {
        return Err(ExtractError::TooLarge(format!("its text is over {} MB unpacked", MAX_XML / 1024 / 1024)));
    }
    let xml = String::from_utf8(xml).map_err(|_| ExtractError::NotDocx("word/document.xml is not UTF-8".into()))?;
    let blocks = document_xml(&xml)?;
    if blocks.is_empty() { Err(ExtractError::NoText) } else { Ok(blocks) }
}

/// A paragraph being read: its style's kind and its text.
#[derive(Default)]
struct Frame {
    kind: Option<Kind>,
    text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Title,
    Heading,
    Subheading,
}

/// What a paragraph style id makes a paragraph.
fn style_kind(style: &str) -> Option<Kind> {
    let s: String = style.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect::<String>().to_lowercase();
    match s.as_str() {
        "title" => Some(Kind::Title),
        "heading1" | "heading2" => Some(Kind::Heading),
        _ => match s.strip_prefix("heading").and_then(|n| n.parse::<u8>().ok()) {
            Some(3..=9) => Some(Kind::Subheading),
            _ => None,
        },
    }
}

fn outline_kind(level: &str) -> Option<Kind> {
    match level.trim().parse::<u8>().ok()? {
        0 | 1 => Some(Kind::Heading),
        2..=8 => Some(Kind::Subheading),
        _ => None,
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    a.normalized_value(quick_xml::XmlVersion::default()).ok().map(|v| v.into_owned())
}

/// The blocks of `word/document.xml`.
fn document_xml(xml: &str) -> Result<Vec<Block>, ExtractError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut frames: Vec<Frame> = Vec::new();
    let mut in_text = false;
    let mut blocks = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            ExtractError::NotDocx(format!(
                "word/document.xml is not well-formed XML at byte {} ({e})",
                reader.error_position()
            ))
        })?;
        match event {
            // `<w:p/>` is an empty paragraph: nothing to read, and no end to wait for.
            Event::Start(e) if e.name().as_ref() == b"w:p" => frames.push(Frame::default()),
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = !frames.is_empty(),
            Event::Start(e) | Event::Empty(e) => {
                let frame = frames.last_mut();
                match (e.name().as_ref(), frame) {
                    (b"w:tab" | b"w:br" | b"w:cr", Some(f)) => f.text.push(' '),
                    (b"w:pStyle", Some(f)) => {
                        if let Some(k) = attr(&e, b"w:val").as_deref().and_then(style_kind) {
                            f.kind = Some(k);
                        }
                    }
                    (b"w:outlineLvl", Some(f)) if f.kind.is_none() => {
                        f.kind = attr(&e, b"w:val").as_deref().and_then(outline_kind);
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                if let (Some(f), Ok(text)) = (frames.last_mut(), t.xml10_content()) {
                    f.text.push_str(&text);
                }
            }
            Event::CData(t) if in_text => {
                if let (Some(f), Ok(text)) = (frames.last_mut(), t.decode()) {
                    f.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => r
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)),
                };
                if let (Some(f), Some(text)) = (frames.last_mut(), resolved) {
                    f.text.push_str(&text);
                }
            }
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == b"w:p" => {
                if let Some(f) = frames.pop() {
                    emit(&mut blocks, f);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(blocks)
}

fn emit(blocks: &mut Vec<Block>, f: Frame) {
    let text = squash(&f.text);
    if text.is_empty() {
        return;
    }
    blocks.push(match f.kind {
        Some(Kind::Title) => Block::Title(text),
        Some(Kind::Heading) => Block::Heading(text),
        Some(Kind::Subheading) => Block::Subheading(text),
        None => Block::Paragraph(text),
    });
}

/// Runs of whitespace (and control characters) as one space, trimmed.
fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// PDF

/// The blocks of a PDF file's text layer.
pub fn pdf(bytes: &[u8]) -> Result<Vec<Block>, ExtractError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(ExtractError::NotPdf);
    }
    if find(bytes, b"/Encrypt", 0).is_some() {
        return Err(ExtractError::Encrypted);
    }
    let mut text = String::new();
    let mut inflated_total = 0u64;
    for data in streams(bytes) {
        let content = match data {
            Stream::Plain(raw) => raw.to_vec(),
            Stream::Flate(raw) => {
                let mut out = Vec::new();
                let read = flate2::read::ZlibDecoder::new(raw).take(MAX_PDF_STREAM + 1).read_to_end(&mut out);
                // A damaged stream (or one that is not content) is passed over: the rest may read.
                if read.is_err() || out.len() as u64 > MAX_PDF_STREAM {
                    continue;
                }
                out
            }
        };
        inflated_total += content.len() as u64;
        if inflated_total > MAX_PDF_TEXT {
            return Err(ExtractError::TooLarge(format!(
                "its content is over {} MB unpacked",
                MAX_PDF_TEXT / 1024 / 1024
            )));
        }
        content_text(&content, &mut text);
    }
    let letters = text.chars().filter(|c| !c.is_whitespace()).count();
    if letters == 0 {
        return Err(ExtractError::NoText);
    }
    let readable =
        text.chars().filter(|c| c.is_alphanumeric() || c.is_ascii_punctuation() || "’‘“”–—•…".contains(*c)).count();
    if readable * 10 < letters * 8 {
        return Err(ExtractError::UnreadableText);
    }
    let lines: Vec<String> = text.lines().map(squash).collect();
    Ok(pdf_blocks(&lines))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

enum Stream<'a> {
    Plain(&'a [u8]),
    Flate(&'a [u8]),
}

/// The PDF's streams that may be page content: unfiltered or `FlateDecode` alone (images and fonts with
/// other filters are passed over), in file order.
fn streams(bytes: &[u8]) -> Vec<Stream<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(kw) = find(bytes, b"stream", at) {
        at = kw + 6;
        // `endstream` also contains `stream`; a stream keyword follows `>>` and whitespace.
        let before = &bytes[kw.saturating_sub(1024)..kw];
        if kw >= 3 && &bytes[kw - 3..kw] == b"end" {
            continue;
        }
        let Some(dict_end) = before.iter().rposition(|c| !c.is_ascii_whitespace()) else { continue };
        if dict_end == 0 || before[dict_end] != b'>' || before[dict_end - 1] != b'>' {
            continue;
        }
        let start = match bytes.get(at..at + 2) {
            Some([b'\r', b'\n']) => at + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => at + 1,
            _ => continue,
        };
        let Some(end) = find(bytes, b"endstream", start) else { break };
        at = end + 9;
        let dict_start = before.windows(3).rposition(|w| w == b"obj").map_or(0, |p| p + 3);
        let dict = &before[dict_start..];
        let data = &bytes[start..end];
        let has = |name: &[u8]| find(dict, name, 0).is_some();
        if has(b"/Subtype/Image") || has(b"/Subtype /Image") || has(b"/Length1") || has(b"/ObjStm") {
            continue;
        }
        if !has(b"/Filter") {
            out.push(Stream::Plain(data));
        } else if has(b"/FlateDecode") && !has(b"/DCTDecode") && !has(b"/LZWDecode") && !has(b"/ASCII") {
            out.push(Stream::Flate(data));
        }
    }
    out
}

/// WinAnsi bytes 0x80–0x9F (the rest is Latin-1).
const WIN_ANSI: [char; 32] = [
    '€', ' ', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', ' ', 'Ž', ' ', ' ', '‘', '’', '“', '”', '•', '–',
    '—', '˜', '™', 'š', '›', 'œ', ' ', 'ž', 'Ÿ',
];

fn decode_pdf_string(raw: &[u8]) -> String {
    if let Some(utf16) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    raw.iter()
        .map(|&b| match b {
            0x80..=0x9F => WIN_ANSI[usize::from(b - 0x80)],
            b => char::from(b),
        })
        .collect()
}

/// A literal string `( … )` from just after its `(`: its bytes and where it ends.
fn literal(c: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 1;
    while i < c.len() {
        let b = c[i];
        i += 1;
        match b {
            b'\\' => {
                let Some(&n) = c.get(i) else { break };
                i += 1;
                match n {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' | b'f' => {}
                    b'0'..=b'7' => {
                        let mut v = u32::from(n - b'0');
                        for _ in 0..2 {
                            match c.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xFF) as u8);
                    }
                    b'\r' | b'\n' => {
                        if n == b'\r' && c.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    (out, i)
}

/// A hex string `< … >` from just after its `<`.
fn hex(c: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut digits = Vec::new();
    while i < c.len() && c[i] != b'>' {
        if let Some(d) = char::from(c[i]).to_digit(16) {
            digits.push(d as u8);
        }
        i += 1;
    }
    if digits.len() % 2 == 1 {
        digits.push(0);
    }
    (digits.chunks(2).map(|p| p[0] * 16 + p[1]).collect(), i + 1)
}

/// Appends the text a content stream shows to `out`, a line per text line.
fn content_text(c: &[u8], out: &mut String) {
    let mut strings: Vec<String> = Vec::new();
    let mut numbers: Vec<f64> = Vec::new();
    let mut in_array = false;
    let mut i = 0;
    let newline = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    while i < c.len() {
        let b = c[i];
        match b {
            b'%' => {
                while i < c.len() && c[i] != b'\n' && c[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let (s, next) = literal(c, i + 1);
                strings.push(decode_pdf_string(&s));
                i = next;
                continue;
            }
            b'<' if c.get(i + 1) == Some(&b'<') => i += 1,
            b'<' => {
                let (s, next) = hex(c, i + 1);
                strings.push(decode_pdf_string(&s));
                i = next;
                continue;
            }
            b'[' => in_array = true,
            b']' => in_array = false,
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                let start = i;
                while i < c.len() && matches!(c[i], b'-' | b'+' | b'.' | b'0'..=b'9') {
                    i += 1;
                }
                if let Some(n) = std::str::from_utf8(&c[start..i]).ok().and_then(|t| t.parse::<f64>().ok()) {
                    // A large negative adjustment inside a TJ array is a word gap.
                    if in_array && n < -200.0 {
                        strings.push(" ".into());
                    }
                    numbers.push(n);
                }
                continue;
            }
            b'/' => {
                i += 1;
                while i < c.len() && !c[i].is_ascii_whitespace() && !b"/[]()<>{}%".contains(&c[i]) {
                    i += 1;
                }
                continue;
            }
            _ if b.is_ascii_alphabetic() || b == b'\'' || b == b'"' || b == b'*' => {
                let start = i;
                while i < c.len() && (c[i].is_ascii_alphanumeric() || matches!(c[i], b'\'' | b'"' | b'*')) {
                    i += 1;
                }
                match &c[start..i] {
                    b"Tj" | b"TJ" => strings.drain(..).for_each(|s| out.push_str(&s)),
                    b"'" | b"\"" => {
                        newline(out);
                        if let Some(s) = strings.pop() {
                            out.push_str(&s);
                        }
                    }
                    b"Td" | b"TD" => {
                        let ty = numbers.last().copied().unwrap_or(0.0);
                        if ty.abs() > 0.01 {
                            newline(out);
                        } else if !out.ends_with([' ', '\n']) && !out.is_empty() {
                            out.push(' ');
                        }
                    }
                    b"T*" | b"Tm" | b"ET" => newline(out),
                    _ => {}
                }
                strings.clear();
                numbers.clear();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    newline(out);
}

fn numbered_heading(line: &str) -> Option<Block> {
    let (number, rest) = line.split_once(' ')?;
    let parts: Vec<&str> = number.trim_end_matches('.').split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
    let rest = rest.trim();
    let starts_text = rest.chars().next().is_some_and(char::is_alphabetic);
    if !numeric || !starts_text || line.chars().count() > 80 || ends_in_punctuation(line) {
        return None;
    }
    Some(if parts.len() >= 3 { Block::Subheading(line.into()) } else { Block::Heading(line.into()) })
}

fn ends_in_punctuation(line: &str) -> bool {
    line.ends_with(['.', ',', ';', ':', '!', '?'])
}

fn short_heading(line: &str, next: Option<&str>) -> bool {
    let short = line.chars().count() <= 60 && line.split(' ').count() <= 8;
    let capital = line.chars().next().is_some_and(char::is_uppercase);
    let body_follows = next.is_some_and(|n| n.chars().count() > line.chars().count() || ends_in_punctuation(n));
    short && capital && !ends_in_punctuation(line) && body_follows
}

/// Lines of a PDF's text as blocks (see the module notes).
fn pdf_blocks(lines: &[String]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(paragraph)));
        }
    };
    for (n, line) in lines.iter().enumerate() {
        if line.is_empty() {
            flush(&mut paragraph, &mut blocks);
            continue;
        }
        let next = lines[n + 1..].iter().find(|l| !l.is_empty()).map(String::as_str);
        if let Some(h) = numbered_heading(line) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(h);
        } else if short_heading(line, next) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::Heading(line.clone()));
        } else {
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line);
            if line.chars().count() < 60 && line.ends_with(['.', '!', '?']) {
                flush(&mut paragraph, &mut blocks);
            }
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A DOCX (a ZIP with the parts Word needs) whose body is `body` (the `w:body` children).
    pub(crate) fn docx_of(body: &str) -> Vec<u8> {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", document.as_str()),
        ] {
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    pub(crate) fn para(style: Option<&str>, text: &str) -> String {
        let style = style.map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)).unwrap_or_default();
        format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    #[test]
    fn docx_paragraphs_and_headings_by_style() {
        let body = [
            para(Some("Title"), "Forklift safety"),
            para(None, "Read this &amp; sign &#8212; now."),
            para(Some("Heading1"), "Before you drive"),
            r#"<w:p><w:r><w:t>Check</w:t></w:r><w:r><w:tab/><w:t>the forks</w:t></w:r><w:r><w:delText>gone</w:delText></w:r></w:p>"#.into(),
            para(Some("heading 2"), "Tyres"),
            para(Some("Heading3"), "Pressure"),
            para(None, "   "),
            r#"<w:p><w:pPr><w:pStyle w:val="berschrift1"/><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Laden</w:t></w:r></w:p>"#.into(),
            "<w:p/>".into(),
        ]
        .concat();
        assert_eq!(
            docx(&docx_of(&body)).unwrap(),
            [
                Block::Title("Forklift safety".into()),
                Block::Paragraph("Read this & sign — now.".into()),
                Block::Heading("Before you drive".into()),
                Block::Paragraph("Check the forks".into()),
                Block::Heading("Tyres".into()),
                Block::Subheading("Pressure".into()),
                Block::Heading("Laden".into()),
            ]
        );
    }

    #[test]
    fn what_is_not_a_docx_says_why() {
        assert!(matches!(docx(b"%PDF-1.4"), Err(ExtractError::NotDocx(_))));
        let xlsx = zip_of(&[("xl/workbook.xml", "<workbook/>")]);
        assert_eq!(
            docx(&xlsx).unwrap_err().to_string(),
            "the file is not a DOCX document: it has no word/document.xml"
        );
        assert_eq!(docx(&docx_of(&para(None, "  "))), Err(ExtractError::NoText));
        let broken = zip_of(&[("word/document.xml", "<w:document><w:body><w:p></w:body>")]);
        assert!(docx(&broken).unwrap_err().to_string().contains("not well-formed XML"), "{:?}", docx(&broken));
        let whole = docx_of(&para(None, "text"));
        for cut in 0..whole.len() {
            let _ = docx(&whole[..cut]);
        }
    }

    pub(crate) fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        let bomb = format!("<w:document><w:body>{}</w:body></w:document>", " ".repeat(MAX_XML as usize + 10));
        let bytes = zip_of(&[("word/document.xml", &bomb)]);
        assert!(bytes.len() < 1024 * 1024, "deflated small: {}", bytes.len());
        assert!(matches!(docx(&bytes), Err(ExtractError::TooLarge(_))));
    }

    fn pdf_of(content: &str, compress: bool) -> Vec<u8> {
        let (data, filter) = if compress {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(content.as_bytes()).unwrap();
            (z.finish().unwrap(), "/Filter /FlateDecode ")
        } else {
            (content.as_bytes().to_vec(), "")
        };
        let mut out = b"%PDF-1.4\n1 0 obj\n<< /Type /Page >>\nendobj\n4 0 obj\n".to_vec();
        out.extend(format!("<< {filter}/Length {} >>\nstream\n", data.len()).as_bytes());
        out.extend(data);
        out.extend(b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n");
        out
    }

    #[test]
    fn pdf_text_lines_become_headings_and_paragraphs() {
        let content = "BT /F1 12 Tf 72 700 Td (1. Introduction) Tj 0 -14 Td (This guide explains how to lift loads \\(safely\\) in the warehouse.) Tj \
                       0 -14 Td [(It is sh) 20 (ort.)] TJ 0 -28 Td (Safe lifting) Tj 0 -14 Td (Bend your knees and keep the load close to your body at all times.) Tj \
                       T* (Never twist.) Tj ET";
        for compress in [false, true] {
            let blocks = pdf(&pdf_of(content, compress)).unwrap();
            assert_eq!(
                blocks,
                [
                    Block::Heading("1. Introduction".into()),
                    Block::Paragraph(
                        "This guide explains how to lift loads (safely) in the warehouse. It is short.".into()
                    ),
                    Block::Heading("Safe lifting".into()),
                    Block::Paragraph(
                        "Bend your knees and keep the load close to your body at all times. Never twist.".into()
                    ),
                ],
                "compressed: {compress}"
            );
        }
    }

    #[test]
    fn pdfs_without_readable_text_say_why() {
        assert_eq!(pdf(b"PK\x03\x04"), Err(ExtractError::NotPdf));
        assert_eq!(pdf(&pdf_of("0 0 m 10 10 l S", true)), Err(ExtractError::NoText));
        assert_eq!(pdf(&pdf_of("BT <0001000200030004000500060007> Tj ET", false)), Err(ExtractError::UnreadableText));
        let mut encrypted = pdf_of("BT (x) Tj ET", false);
        encrypted.extend(b"trailer << /Encrypt 5 0 R >>");
        assert_eq!(pdf(&encrypted), Err(ExtractError::Encrypted));
        let whole = pdf_of("BT (Hello there) Tj ET", true);
        for cut in 0..whole.len() {
            let _ = pdf(&whole[..cut]);
        }
    }

    #[test]
    fn headings_in_pdf_lines_follow_the_documented_rules() {
        let lines = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            pdf_blocks(&lines(&["2.3 Storage", "1.2.3 Detail", "Text."])),
            [
                Block::Heading("2.3 Storage".into()),
                Block::Subheading("1.2.3 Detail".into()),
                Block::Paragraph("Text.".into())
            ]
        );
        // Ends in punctuation, lower-case, or nothing after it: not a heading.
        assert_eq!(
            pdf_blocks(&lines(&["Note:", "more text here."]))[0],
            Block::Paragraph("Note: more text here.".into())
        );
        assert_eq!(pdf_blocks(&lines(&["Last line"])), [Block::Paragraph("Last line".into())]);
        assert_eq!(pdf_blocks(&lines(&["12345 units", "were sold."])).len(), 1);
    }
}
