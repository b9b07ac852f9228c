//! Ogg Vorbis and Opus: the sample rate from the first page's identification header (Opus: always 48 kHz,
//! less its pre-skip) and the last page's granule position (samples so far) from the file's last bytes.
//! Only the first logical stream is measured; other codecs in Ogg (FLAC, Speex, Theora) have no duration.

use super::{bytes, le16, le32, le64};

/// A page header: the granule position, the stream's serial and where the payload starts.
struct Page {
    granule: u64,
    serial: u32,
    payload: usize,
}

fn page(b: &[u8], at: usize) -> Option<Page> {
    if bytes(b, at, 4)? != b"OggS" || *b.get(at + 4)? != 0 {
        return None;
    }
    let segments = usize::from(*b.get(at + 26)?);
    Some(Page { granule: le64(b, at + 6)?, serial: le32(b, at + 14)?, payload: at + 27 + segments })
}

/// Seconds in an Ogg stream whose first bytes are `head` and last bytes `tail` (the same bytes for a
/// small file).
pub(crate) fn probe(head: &[u8], tail: &[u8]) -> Option<f64> {
    let first = page(head, 0)?;
    let id = head.get(first.payload..)?;
    let (rate, pre_skip) = if bytes(id, 0, 7) == Some(b"\x01vorbis".as_slice()) {
        (le32(id, 12)?, 0)
    } else if bytes(id, 0, 8) == Some(b"OpusHead".as_slice()) {
        (48_000, le16(id, 10)?)
    } else {
        return None;
    };
    if rate == 0 {
        return None;
    }
    // The last page of the first stream that ends a packet (a granule of all ones ends none).
    let last = (0..tail.len().saturating_sub(26))
        .rev()
        .filter_map(|at| page(tail, at))
        .find(|p| p.serial == first.serial && p.granule != u64::MAX)?;
    Some(last.granule.saturating_sub(u64::from(pre_skip)) as f64 / f64::from(rate))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn page_bytes(granule: u64, serial: u32, payload: &[u8]) -> Vec<u8> {
        let mut p = b"OggS\0\x02".to_vec();
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&serial.to_le_bytes());
        p.extend_from_slice(&[0; 8]); // sequence, CRC (not checked)
        p.push(1);
        p.push(payload.len() as u8);
        p.extend_from_slice(payload);
        p
    }

    fn vorbis_id(rate: u32) -> Vec<u8> {
        let mut id = b"\x01vorbis\0\0\0\0\x02".to_vec();
        id.extend_from_slice(&rate.to_le_bytes());
        id.resize(30, 0);
        id
    }

    /// An Ogg Vorbis stream of `seconds` at 44.1 kHz, with a second stream's page interleaved at the end.
    pub(crate) fn vorbis(seconds: u64) -> Vec<u8> {
        [
            page_bytes(0, 7, &vorbis_id(44_100)),
            page_bytes(44_100, 7, &[0; 100]),
            page_bytes(seconds * 44_100, 7, &[0; 100]),
            page_bytes(u64::MAX, 7, &[0; 100]),
            page_bytes(999_999_999, 8, &[0; 10]),
        ]
        .concat()
    }

    #[test]
    fn vorbis_duration() {
        let file = vorbis(90);
        assert_eq!(probe(&file, &file), Some(90.0));
        assert_eq!(probe(&file[..60], &file[60..]), Some(90.0));
    }

    #[test]
    fn opus_duration_less_pre_skip() {
        let mut id = b"OpusHead\x01\x02".to_vec();
        id.extend_from_slice(&312u16.to_le_bytes());
        id.extend_from_slice(&44_100u32.to_le_bytes());
        let file = [page_bytes(0, 1, &id), page_bytes(312 + 48_000 * 3, 1, &[0; 50])].concat();
        assert_eq!(probe(&file, &file), Some(3.0));
    }

    #[test]
    fn unknown_codecs_and_garbage() {
        let flac = page_bytes(0, 1, b"\x7fFLAC\x01\0");
        assert_eq!(probe(&flac, &flac), None);
        assert_eq!(probe(b"", b""), None);
        assert_eq!(probe(b"OggS", b"OggS"), None);
        // No last page of the stream in the tail, a zero rate.
        let head = page_bytes(0, 7, &vorbis_id(44_100));
        assert_eq!(probe(&head, &page_bytes(10, 8, &[])), None);
        let zero = page_bytes(0, 7, &vorbis_id(0));
        assert_eq!(probe(&zero, &zero), None);
        let file = vorbis(2);
        for cut in 0..file.len() {
            let _ = probe(&file[..cut], &file[cut..]);
        }
    }
}
