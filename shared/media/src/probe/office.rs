//! Office Open XML page counts: a presentation's slides (its `ppt/slides/slideN.xml` parts, from the
//! archive's directory alone), a workbook's sheets (`<sheet>` elements of `xl/workbook.xml`) and a word
//! document's pages as its editor last counted them (`<Pages>` of `docProps/app.xml`, which Word and
//! LibreOffice write and other generators may not: no layout is done here).

use std::io::{Cursor, Read};

/// Largest XML part inflated: a workbook's sheet list or the properties are a few KiB.
const MAX_PART: u64 = 4 * 1024 * 1024;

/// Slides, sheets or pages of the Office document `b`, read whole.
pub(crate) fn probe(b: &[u8]) -> Option<u32> {
    let mut archive = zip::ZipArchive::new(Cursor::new(b)).ok()?;
    let has = |archive: &zip::ZipArchive<_>, name: &str| archive.index_for_name(name).is_some();
    if has(&archive, "ppt/presentation.xml") {
        let slides = archive.file_names().filter(|n| is_slide(n)).count();
        return u32::try_from(slides).ok().filter(|&n| n > 0);
    }
    if has(&archive, "xl/workbook.xml") {
        let xml = part(&mut archive, "xl/workbook.xml")?;
        return u32::try_from(sheets(&xml)).ok().filter(|&n| n > 0);
    }
    if has(&archive, "word/document.xml") {
        return element_number(&part(&mut archive, "docProps/app.xml")?, b"Pages").filter(|&n| n > 0);
    }
    None
}

/// `ppt/slides/slide<N>.xml` (not its `_rels` or layouts).
fn is_slide(name: &str) -> bool {
    name.strip_prefix("ppt/slides/slide")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// A part's bytes, if it inflates within [`MAX_PART`].
fn part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let file = archive.by_name(name).ok()?;
    let mut out = Vec::new();
    file.take(MAX_PART + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= MAX_PART).then_some(out)
}

/// `<sheet …>` elements, with or without a namespace prefix (not `<sheets>`, `<sheetView>`, …).
fn sheets(xml: &[u8]) -> usize {
    xml.windows(7)
        .filter(|w| {
            matches!(w[0], b'<' | b':') && &w[1..6] == b"sheet" && matches!(w[6], b' ' | b'\t' | b'\r' | b'\n' | b'/')
        })
        .count()
}

/// The number in `<name>…</name>`.
fn element_number(xml: &[u8], name: &[u8]) -> Option<u32> {
    let open = [b"<", name, b">"].concat();
    let start = xml.windows(open.len()).position(|w| w == open.as_slice())? + open.len();
    let text = &xml[start..];
    let end = text.iter().position(|&c| c == b'<')?;
    std::str::from_utf8(&text[..end]).ok()?.trim().parse().ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// A ZIP of the given parts, deflated.
    pub(crate) fn archive(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in parts {
            out.start_file(*name, SimpleFileOptions::default()).unwrap();
            out.write_all(body.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn slides_sheets_and_pages() {
        let pptx = archive(&[
            ("ppt/presentation.xml", "<p:presentation/>"),
            ("ppt/slides/slide1.xml", ""),
            ("ppt/slides/slide2.xml", ""),
            ("ppt/slides/_rels/slide1.xml.rels", ""),
            ("ppt/slideLayouts/slideLayout1.xml", ""),
        ]);
        assert_eq!(probe(&pptx), Some(2));
        let xlsx = archive(&[(
            "xl/workbook.xml",
            r#"<workbook><sheets><sheet name="A" sheetId="1"/><sheet name="B" sheetId="2"/><x:sheet
               name="C"/></sheets><sheetView/></workbook>"#,
        )]);
        assert_eq!(probe(&xlsx), Some(3));
        let docx = archive(&[
            ("word/document.xml", "<w:document/>"),
            ("docProps/app.xml", "<Properties><Pages> 12 </Pages><Words>3</Words></Properties>"),
        ]);
        assert_eq!(probe(&docx), Some(12));
    }

    #[test]
    fn missing_parts_and_garbage() {
        assert_eq!(probe(&archive(&[("word/document.xml", "")])), None, "no app.xml");
        let no_pages = archive(&[("word/document.xml", ""), ("docProps/app.xml", "<Pages>x</Pages>")]);
        assert_eq!(probe(&no_pages), None);
        assert_eq!(probe(&archive(&[("ppt/presentation.xml", "")])), None, "no slides");
        assert_eq!(probe(&archive(&[("other.txt", "x")])), None);
        assert_eq!(probe(b"PK\x03\x04 not really"), None);
        assert_eq!(probe(b""), None);
        let whole = archive(&[("xl/workbook.xml", "<sheet />")]);
        for cut in 0..whole.len() {
            let _ = probe(&whole[..cut]);
        }
    }

    #[test]
    fn a_part_that_inflates_too_far_is_not_read() {
        let big = " ".repeat(MAX_PART as usize + 1) + "<sheet />";
        assert_eq!(probe(&archive(&[("xl/workbook.xml", &big)])), None);
    }
}
