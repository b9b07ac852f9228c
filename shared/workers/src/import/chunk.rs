//! Splitting a chunk of an uploaded file into complete rows. An import reads its object a chunk at a
//! time (ranged GETs), so a chunk may end inside a row: only rows that end inside the chunk are taken, and
//! the next chunk starts where the last of them ended. Pure: no I/O.

use super::job::ImportFormat;

/// A row as read from the file: CSV cells, or one JSON Lines line.
#[derive(Clone, Debug, PartialEq)]
pub enum RawRow {
    Cells(Vec<String>),
    Line(String),
    /// The row could not be read at all (bad UTF-8, bad quoting).
    Unreadable(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub rows: Vec<RawRow>,
    /// Bytes of the chunk the rows took; the next chunk starts here.
    pub consumed: u64,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The complete rows at the start of `chunk`; at the end of the file (`eof`) the last row needs no
/// terminator. `at_start` strips a UTF-8 byte-order mark.
pub fn rows(format: ImportFormat, chunk: &[u8], eof: bool, at_start: bool) -> Parsed {
    let skip = if at_start && chunk.starts_with(BOM) { BOM.len() } else { 0 };
    let mut parsed = match format {
        ImportFormat::Csv => csv_rows(&chunk[skip..], eof),
        ImportFormat::Jsonl => jsonl_rows(&chunk[skip..], eof),
    };
    parsed.consumed += skip as u64;
    parsed
}

fn csv_rows(chunk: &[u8], eof: bool) -> Parsed {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    let mut rows = Vec::new();
    let mut consumed = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let end = reader.position().byte();
                // A row that runs to the chunk's end may have been cut: leave it to the next chunk.
                if !eof && end >= chunk.len() as u64 {
                    break;
                }
                consumed = end;
                let cells: Result<Vec<String>, _> =
                    record.iter().map(|c| std::str::from_utf8(c).map(str::to_owned)).collect();
                rows.push(match cells {
                    Ok(cells) if cells.iter().all(|c| c.trim().is_empty()) => continue,
                    Ok(cells) => RawRow::Cells(cells),
                    Err(_) => RawRow::Unreadable("is not valid UTF-8".into()),
                });
            }
            Err(err) => {
                if !eof {
                    break;
                }
                rows.push(RawRow::Unreadable(format!("could not be read as CSV: {err}")));
                consumed = chunk.len() as u64;
                break;
            }
        }
    }
    Parsed { rows, consumed }
}

fn jsonl_rows(chunk: &[u8], eof: bool) -> Parsed {
    let mut rows = Vec::new();
    let mut consumed = 0usize;
    let mut rest = chunk;
    loop {
        let (line, taken) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None if eof && !rest.is_empty() => (rest, rest.len()),
            None => break,
        };
        consumed += taken;
        rest = &rest[taken..];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match std::str::from_utf8(line) {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => rows.push(RawRow::Line(text.to_owned())),
            Err(_) => rows.push(RawRow::Unreadable("is not valid UTF-8".into())),
        }
    }
    Parsed { rows, consumed: consumed as u64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(row: &RawRow) -> Vec<String> {
        match row {
            RawRow::Cells(c) => c.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cut_csv_row_is_left_for_the_next_chunk() {
        let file = "a,b\n\"x, y\",2\n\n3,\"multi\nline\"\n4,5";
        for cut in 1..file.len() {
            let first = rows(ImportFormat::Csv, &file.as_bytes()[..cut], false, true);
            let second = rows(ImportFormat::Csv, &file.as_bytes()[first.consumed as usize..], true, false);
            let all: Vec<Vec<String>> = first.rows.iter().chain(&second.rows).map(cells).collect();
            assert_eq!(
                all,
                [vec!["a", "b"], vec!["x, y", "2"], vec!["3", "multi\nline"], vec!["4", "5"]],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn jsonl_lines_split_the_same_way() {
        let file = "{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":3}";
        let first = rows(ImportFormat::Jsonl, &file.as_bytes()[..12], false, true);
        assert_eq!(first.rows, [RawRow::Line("{\"a\":1}".into())]);
        let second = rows(ImportFormat::Jsonl, &file.as_bytes()[first.consumed as usize..], true, false);
        assert_eq!(second.rows, [RawRow::Line("{\"b\":2}".into()), RawRow::Line("{\"c\":3}".into())]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_counted() {
        let parsed = rows(ImportFormat::Csv, b"\xEF\xBB\xBFa,b\n", true, true);
        assert_eq!((parsed.rows.len(), parsed.consumed), (1, 7));
        assert_eq!(cells(&parsed.rows[0]), ["a", "b"]);
    }
}
