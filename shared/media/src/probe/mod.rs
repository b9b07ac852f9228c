//! Cheap facts about audio, video and documents: a duration, a video's frame size, a page count. Each
//! format's parser is pure and works on the bytes it is given (the ingest decides which byte ranges to
//! read); none of them panics or allocates more than a small multiple of its input, whatever the file
//! declares. Metadata is best effort: a parser that cannot find a value answers `None`.

pub(crate) mod ebml;
pub(crate) mod isomedia;
pub(crate) mod mp3;
pub(crate) mod office;
pub(crate) mod ogg;
pub(crate) mod pdf;
pub(crate) mod wav;

/// How many leading bytes the ingest reads of an audio or video file: every header these parsers look for
/// except an ISO `moov` placed after the media data and an Ogg stream's last page.
pub(crate) const HEAD_WINDOW: u64 = 256 * 1024;
/// How many trailing bytes the ingest reads for an Ogg stream's last page (a page is at most 65,307 bytes).
pub(crate) const TAIL_WINDOW: u64 = 64 * 1024;

/// What a probe found.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Probed {
    pub duration_seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub page_count: Option<u32>,
}

impl Probed {
    pub(crate) fn duration(seconds: Option<f64>) -> Self {
        Self { duration_seconds: seconds.and_then(seconds_ms), ..Self::default() }
    }
}

/// A duration rounded to the millisecond; non-finite, negative or absurd values (over a year, more than any
/// upload we accept can hold) are dropped.
pub(crate) fn seconds_ms(seconds: f64) -> Option<f64> {
    const YEAR: f64 = 366.0 * 24.0 * 3600.0;
    (seconds.is_finite() && (0.0..=YEAR).contains(&seconds)).then(|| (seconds * 1000.0).round() / 1000.0)
}

/// `len` bytes at `at`, if the slice has them.
pub(crate) fn bytes(b: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    b.get(at..at.checked_add(len)?)
}

pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes(b, at, 2)?.try_into().ok()?))
}

pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes(b, at, 4)?.try_into().ok()?))
}

pub(crate) fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes(b, at, 8)?.try_into().ok()?))
}

pub(crate) fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes(b, at, 2)?.try_into().ok()?))
}

pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes(b, at, 4)?.try_into().ok()?))
}

pub(crate) fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes(b, at, 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_are_rounded_and_sane() {
        assert_eq!(seconds_ms(1.23456), Some(1.235));
        assert_eq!(seconds_ms(0.0), Some(0.0));
        assert_eq!(seconds_ms(-1.0), None);
        assert_eq!(seconds_ms(f64::NAN), None);
        assert_eq!(seconds_ms(f64::INFINITY), None);
        assert_eq!(seconds_ms(1e12), None);
        assert_eq!(be32(b"\0\0\x01", 0), None);
        assert_eq!(le16(b"\x01\x02", usize::MAX), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random bytes, alone or behind each format's signature, never panic any parser.
        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048), size in any::<u64>()) {
            for magic in [&b""[..], b"RIFF\0\0\0\0WAVEfmt ", b"\x1a\x45\xdf\xa3", b"ID3\x03\0\0", b"\xff\xfb",
                          b"OggS\0\x02", b"%PDF-1.7\n", b"PK\x03\x04", b"\0\0\0\x18ftypisom"] {
                let mut b = magic.to_vec();
                b.extend_from_slice(&body);
                let _ = wav::probe(&b, size);
                let _ = ebml::probe(&b);
                let _ = mp3::probe(&b, size);
                let _ = ogg::probe(&b, &b);
                let _ = pdf::page_count(&b);
                let _ = office::probe(&b);
                let _ = isomedia::walk(&b, 0, size);
                let _ = isomedia::walk(&b, size / 2, size);
                let _ = isomedia::moov(&b);
            }
        }
    }
}
