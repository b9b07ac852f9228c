//! A PDF's page count: the trailer's `/Root` catalog, its `/Pages` tree root and that node's `/Count`.
//!
//! Written here rather than taken from a PDF crate because the candidates inflate streams without a bound
//! (a 50 MB upload of zeros compressed 1000:1 would take the function's memory) and the metadata path of
//! the one that builds on this toolchain recurses once per page-tree level. This reader scans the file once
//! for `N G obj` headers (skipping stream data), so it needs no cross-reference table and survives broken
//! ones and incremental updates (a later definition of an object wins); it inflates object streams
//! (PDF 1.5 compression) within [`INFLATE_BUDGET`] and reads encrypted files' page counts only when the
//! page tree is not inside an (encrypted) object stream.

use flate2::read::ZlibDecoder;
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// Most bytes inflated from object streams in one file.
const INFLATE_BUDGET: usize = 64 * 1024 * 1024;
/// Most objects indexed: one per 8 bytes of a 50 MB file is already more than any real PDF holds.
const MAX_OBJECTS: usize = 4_000_000;
/// Deepest nesting of arrays and dictionaries parsed.
const MAX_DEPTH: usize = 32;
/// Most page-tree nodes visited when the root has no `/Count`.
const MAX_NODES: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Int(i64),
    Ref(u32),
    Name(&'a [u8]),
    Dict(Vec<(&'a [u8], Value<'a>)>),
    Array(Vec<Value<'a>>),
    /// Reals, strings, booleans, null: nothing a page count needs.
    Other,
}

impl<'a> Value<'a> {
    fn get(&self, key: &[u8]) -> Option<&Value<'a>> {
        match self {
            Value::Dict(entries) => entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn name(&self, key: &[u8]) -> Option<&'a [u8]> {
        match self.get(key)? {
            Value::Name(n) => Some(n),
            _ => None,
        }
    }

    fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key)? {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    fn reference(&self, key: &[u8]) -> Option<u32> {
        match self.get(key)? {
            Value::Ref(n) => Some(*n),
            _ => None,
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A tokenizer over `b` from `at`; every method consumes at least one byte or fails, so parsing is linear.
struct Parser<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn skip_space(&mut self) {
        while let Some(&c) = self.b.get(self.at) {
            if is_space(c) {
                self.at += 1;
            } else if c == b'%' {
                while self.b.get(self.at).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular(&mut self) -> &'a [u8] {
        let start = self.at;
        while self.b.get(self.at).is_some_and(|&c| !is_space(c) && !is_delimiter(c)) {
            self.at += 1;
        }
        &self.b[start..self.at]
    }

    fn unsigned(&mut self) -> Option<u64> {
        let start = self.at;
        let digits = self.regular();
        if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
            self.at = start;
            return None;
        }
        Some(digits.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
    }

    fn value(&mut self, depth: usize) -> Option<Value<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.b.get(self.at)? {
            b'/' => {
                self.at += 1;
                Some(Value::Name(self.regular()))
            }
            b'<' if self.b.get(self.at + 1) == Some(&b'<') => {
                self.at += 2;
                let mut entries = Vec::new();
                loop {
                    self.skip_space();
                    if self.b.get(self.at..self.at + 2)? == b">>" {
                        self.at += 2;
                        return Some(Value::Dict(entries));
                    }
                    let Value::Name(key) = self.value(depth + 1)? else { return None };
                    entries.push((key, self.value(depth + 1)?));
                }
            }
            b'<' => {
                let end = self.b.get(self.at..)?.iter().position(|&c| c == b'>')?;
                self.at += end + 1;
                Some(Value::Other)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if *self.b.get(self.at)? == b']' {
                        self.at += 1;
                        return Some(Value::Array(items));
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut open = 0usize;
                loop {
                    match *self.b.get(self.at)? {
                        b'\\' => self.at += 1,
                        b'(' => open += 1,
                        b')' => open -= 1,
                        _ => {}
                    }
                    self.at += 1;
                    if open == 0 {
                        return Some(Value::Other);
                    }
                }
            }
            c if c.is_ascii_digit() => {
                let Some(n) = self.unsigned() else {
                    // A real (612.5): nothing a page count needs.
                    self.regular();
                    return Some(Value::Other);
                };
                // `N G R` is a reference; otherwise the first integer stands alone.
                let after = self.at;
                self.skip_space();
                if self.unsigned().is_some() {
                    self.skip_space();
                    if self.b.get(self.at) == Some(&b'R')
                        && self.b.get(self.at + 1).is_none_or(|&c| !c.is_ascii_alphanumeric())
                    {
                        self.at += 1;
                        return Some(u32::try_from(n).map_or(Value::Other, Value::Ref));
                    }
                }
                self.at = after;
                Some(i64::try_from(n).map_or(Value::Other, Value::Int))
            }
            b')' | b'>' | b']' | b'{' | b'}' => None,
            _ => {
                let word = self.regular();
                (!word.is_empty()).then_some(Value::Other)
            }
        }
    }
}

/// Where an object is: at an offset of the file, or of an inflated object stream.
#[derive(Clone, Copy)]
enum Loc {
    File(usize),
    Stream { stream: usize, at: usize },
}

struct Index {
    objects: HashMap<u32, Loc>,
    streams: Vec<Vec<u8>>,
    root: Option<u32>,
    catalog: Option<u32>,
}

/// The page count of the PDF `b`, read whole.
pub(crate) fn page_count(b: &[u8]) -> Option<u32> {
    let index = scan(b)?;
    let get = |num: u32| index.get(b, num);
    let catalog = index.root.and_then(get).filter(|c| c.get(b"Pages").is_some());
    let catalog = catalog.or_else(|| index.catalog.and_then(get))?;
    let root = catalog.reference(b"Pages")?;
    let pages = get(root)?;
    let count = match pages.get(b"Count") {
        Some(Value::Int(n)) => Some(*n),
        Some(Value::Ref(r)) => match get(*r) {
            Some(Value::Int(n)) => Some(n),
            _ => None,
        },
        _ => None,
    };
    let count = match count {
        Some(n) => u32::try_from(n).ok(),
        None => Some(index.count_leaves(b, root)),
    };
    count.filter(|&n| n > 0)
}

impl Index {
    /// Object `num`, parsed where the scan found it.
    fn get<'a>(&'a self, b: &'a [u8], num: u32) -> Option<Value<'a>> {
        match *self.objects.get(&num)? {
            Loc::File(at) => Parser { b, at }.value(0),
            Loc::Stream { stream, at } => Parser { b: self.streams.get(stream)?, at }.value(0),
        }
    }

    /// Pages under `root`, counted leaf by leaf (when the tree states no `/Count`): iterative, each node
    /// visited once, at most [`MAX_NODES`].
    fn count_leaves(&self, b: &[u8], root: u32) -> u32 {
        let (mut stack, mut seen, mut pages) = (vec![root], HashSet::new(), 0u32);
        while let Some(node) = stack.pop() {
            if seen.len() >= MAX_NODES || !seen.insert(node) {
                continue;
            }
            let Some(value) = self.get(b, node) else { continue };
            match value.get(b"Kids") {
                Some(Value::Array(kids)) => {
                    stack.extend(kids.iter().filter_map(|k| if let Value::Ref(r) = k { Some(*r) } else { None }))
                }
                _ if value.name(b"Type") == Some(b"Page") => pages = pages.saturating_add(1),
                _ => {}
            }
        }
        pages
    }
}

/// One pass over the file: every `N G obj` (later ones win), stream data skipped, object streams inflated
/// and indexed, the last trailer's or cross-reference stream's `/Root` and the last catalog remembered.
fn scan(b: &[u8]) -> Option<Index> {
    let mut index = Index { objects: HashMap::new(), streams: Vec::new(), root: None, catalog: None };
    let mut budget = INFLATE_BUDGET;
    let mut at = 0usize;
    // The next of each keyword (`usize::MAX`: none left), searched again only once passed, so the scan
    // stays linear.
    let mut next_obj = find(b, 0, b"obj").unwrap_or(usize::MAX);
    let mut next_trailer = find(b, 0, b"trailer").unwrap_or(usize::MAX);
    loop {
        if next_obj < at {
            next_obj = find(b, at, b"obj").unwrap_or(usize::MAX);
        }
        if next_trailer < at {
            next_trailer = find(b, at, b"trailer").unwrap_or(usize::MAX);
        }
        // Whichever comes first: a trailer or an object header.
        let found = next_obj.min(next_trailer);
        if found == usize::MAX {
            break;
        }
        if next_trailer < next_obj {
            let t = found;
            let mut p = Parser { b, at: t + 7 };
            if let Some(root) = p.value(0).and_then(|d| d.reference(b"Root")) {
                index.root = Some(root);
            }
            at = p.at.max(t + 7);
            continue;
        }
        at = found + 3;
        let Some(num) = object_number(b, found) else { continue };
        if index.objects.len() >= MAX_OBJECTS {
            return None;
        }
        index.objects.insert(num, Loc::File(at));
        let mut p = Parser { b, at };
        let Some(value) = p.value(0) else { continue };
        at = p.at;
        match value.name(b"Type") {
            Some(b"Catalog") => index.catalog = Some(num),
            Some(b"XRef") => index.root = value.reference(b"Root").or(index.root),
            _ => {}
        }
        p.skip_space();
        if b.get(p.at..p.at + 6) != Some(b"stream".as_slice()) {
            continue;
        }
        let Some(data) = stream_data(b, p.at + 6, &value) else { continue };
        at = data.end;
        if value.name(b"Type") == Some(b"ObjStm") {
            object_stream(&mut index, &b[data], &value, &mut budget);
        }
    }
    Some(index)
}

/// The offset of the next `word` at or after `from`.
fn find(b: &[u8], from: usize, word: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(word.len()).position(|w| w == word).map(|p| p + from)
}

/// The object number of the `N G obj` header whose `obj` is at `at`, if it is one.
fn object_number(b: &[u8], at: usize) -> Option<u32> {
    if b.get(at + 3).is_some_and(|&c| !is_space(c) && !is_delimiter(c)) {
        return None;
    }
    let before = |mut i: usize, digits: bool| {
        while i > 0 && (if digits { b[i - 1].is_ascii_digit() } else { is_space(b[i - 1]) }) {
            i -= 1;
        }
        i
    };
    let gen_end = before(at, false);
    let gen_start = before(gen_end, true);
    let num_end = before(gen_start, false);
    let num_start = before(num_end, true);
    if gen_end == at || gen_start == gen_end || num_end == gen_start || num_start == num_end || num_end - num_start > 10
    {
        return None;
    }
    std::str::from_utf8(&b[num_start..num_end]).ok()?.parse().ok()
}

/// The byte range of a stream's data: `/Length` bytes when that is a direct integer ending where
/// `endstream` follows, else up to the next `endstream`.
fn stream_data(b: &[u8], keyword_end: usize, dict: &Value<'_>) -> Option<std::ops::Range<usize>> {
    let start = match b.get(keyword_end..keyword_end + 2)? {
        [b'\r', b'\n'] => keyword_end + 2,
        [b'\n' | b'\r', _] => keyword_end + 1,
        _ => keyword_end,
    };
    let declared = dict.int(b"Length").and_then(|n| usize::try_from(n).ok()).and_then(|n| start.checked_add(n));
    if let Some(end) = declared.filter(|&end| {
        let mut p = Parser { b, at: end };
        p.skip_space();
        b.get(p.at..p.at + 9) == Some(b"endstream".as_slice())
    }) {
        return Some(start..end);
    }
    Some(start..find(b, start, b"endstream")?)
}

/// Inflates an object stream (within the budget) and indexes the objects it holds.
fn object_stream(index: &mut Index, data: &[u8], dict: &Value<'_>, budget: &mut usize) {
    let (Some(n), Some(first)) = (dict.int(b"N"), dict.int(b"First")) else { return };
    let (Ok(n), Ok(first)) = (usize::try_from(n), usize::try_from(first)) else { return };
    let flate = match dict.get(b"Filter") {
        None => false,
        Some(Value::Name(b"FlateDecode")) => true,
        Some(Value::Array(filters)) if filters.as_slice() == [Value::Name(b"FlateDecode")] => true,
        _ => return,
    };
    let inflated = if flate {
        let mut out = Vec::new();
        // A damaged tail still leaves what inflated before it.
        let _ = ZlibDecoder::new(data).take(*budget as u64 + 1).read_to_end(&mut out);
        if out.len() > *budget {
            *budget = 0;
            return;
        }
        out
    } else {
        data.to_vec()
    };
    *budget = budget.saturating_sub(inflated.len());
    let stream = index.streams.len();
    let mut header = Parser { b: &inflated, at: 0 };
    for _ in 0..n {
        header.skip_space();
        let (Some(num), Some(offset)) = (header.unsigned(), {
            header.skip_space();
            header.unsigned()
        }) else {
            break;
        };
        let (Ok(num), Some(at)) = (u32::try_from(num), usize::try_from(offset).ok().and_then(|o| o.checked_add(first)))
        else {
            break;
        };
        if index.objects.len() >= MAX_OBJECTS {
            break;
        }
        if (Parser { b: &inflated, at }).value(0).is_some_and(|v| v.name(b"Type") == Some(b"Catalog")) {
            index.catalog = Some(num);
        }
        index.objects.insert(num, Loc::Stream { stream, at });
    }
    index.streams.push(inflated);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;

    /// A classic PDF of `pages` blank pages, with a cross-reference table and trailer.
    pub(crate) fn pdf(pages: u32) -> Vec<u8> {
        let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")),
        ];
        objects.extend((0..pages).map(|_| "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_owned()));
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    fn deflate(b: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    /// A PDF 1.5 whose catalog and page tree sit in a compressed object stream, with an xref stream.
    fn compressed(pages: u32) -> Vec<u8> {
        let objs = [
            "<</Type/Catalog/Pages 2 0 R>>".to_owned(),
            format!("<</Type/Pages/Count {pages}/Kids[3 0 R]>>"),
            "<</Type/Page/Parent 2 0 R>>".to_owned(),
        ];
        let (mut header, mut body) = (String::new(), String::new());
        for (i, o) in objs.iter().enumerate() {
            header.push_str(&format!("{} {} ", i + 1, body.len()));
            body.push_str(o);
            body.push('\n');
        }
        let data = deflate(format!("{header}{body}").as_bytes());
        let mut out = b"%PDF-1.5\n".to_vec();
        out.extend_from_slice(
            format!(
                "4 0 obj\n<</Type/ObjStm/N 3/First {}/Filter/FlateDecode/Length {}>>stream\n",
                header.len(),
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
        // The xref stream's data is not read: only its /Root.
        out.extend_from_slice(
            b"5 0 obj\n<</Type/XRef/Root 1 0 R/Size 6/W[1 2 1]/Length 6 0 R>>stream\n\0\0\0\0\nendstream\nendobj\n",
        );
        out.extend_from_slice(b"6 0 obj 4 endobj\nstartxref\n0\n%%EOF\n");
        out
    }

    #[test]
    fn classic_and_compressed_page_trees() {
        assert_eq!(page_count(&pdf(1)), Some(1));
        assert_eq!(page_count(&pdf(7)), Some(7));
        assert_eq!(page_count(&compressed(12)), Some(12));
    }

    #[test]
    fn an_incremental_update_wins_and_count_may_be_indirect_or_missing() {
        let mut updated = pdf(2);
        updated.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R 9 0 R] /Count 9 0 R >>\nendobj\n");
        updated.extend_from_slice(b"9 0 obj 3 endobj\n9 0 obj\n<< /Type /Page >>\nendobj\n10 0 obj 3 endobj\n");
        updated.extend_from_slice(b"trailer\n<< /Root 1 0 R /Prev 0 >>\n%%EOF\n");
        // /Count 9 0 R: object 9 is now a page dictionary, not an integer; the leaves are counted.
        assert_eq!(page_count(&updated), Some(3));
        let mut indirect = pdf(1);
        indirect.extend_from_slice(b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 8 0 R >> endobj 8 0 obj 1 endobj");
        assert_eq!(page_count(&indirect), Some(1));
        // No trailer at all: the last catalog found.
        let no_trailer = b"%PDF-1.3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 4>>endobj";
        assert_eq!(page_count(no_trailer), Some(4));
    }

    #[test]
    fn stream_data_is_skipped_and_bombs_are_bounded() {
        // An image stream holding text that looks like objects does not override them.
        let mut file = pdf(2);
        file.extend_from_slice(
            b"20 0 obj\n<< /Length 42 >>\nstream\n2 0 obj << /Type /Pages /Count 99 >> endobj\nendstream\nendobj\n",
        );
        file.extend_from_slice(b"trailer << /Root 1 0 R >>");
        assert_eq!(page_count(&file), Some(2));
        // An object stream inflating past the budget is dropped, not held.
        let bomb = deflate(&vec![b' '; INFLATE_BUDGET + 10]);
        let mut file = b"%PDF-1.5\n1 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode>>stream\n".to_vec();
        file.extend_from_slice(&bomb);
        file.extend_from_slice(b"endstream endobj");
        assert_eq!(page_count(&file), None);
    }

    #[test]
    fn hostile_structures() {
        // A page-tree cycle with no /Count, deep nesting, a huge /Count, a negative one.
        let cycle = b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R 2 0 R]>>endobj 3 0 obj<</Type/Pages/Kids[2 0 R 4 0 R]>>endobj 4 0 obj<</Type/Page>>endobj";
        assert_eq!(page_count(cycle), Some(1));
        let deep = format!("1 0 obj<</Type/Catalog/Pages {}>>endobj", "[".repeat(100_000));
        assert_eq!(page_count(deep.as_bytes()), None);
        let huge = b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Count 99999999999>>endobj";
        assert_eq!(page_count(huge), None);
        let negative = b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Count -3>>endobj";
        assert_eq!(page_count(negative), None);
        assert_eq!(page_count(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), None);
        assert_eq!(page_count(b"obj obj 1 obj 99999999999999 0 obj ((((( <<<<"), None);
        assert_eq!(page_count(b""), None);
        let whole = compressed(3);
        for cut in 0..whole.len() {
            let _ = page_count(&whole[..cut]);
        }
    }
}
