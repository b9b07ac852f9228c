//! MP3 (MPEG audio layers I–III): past any ID3v2 tags, the first frame header that is followed by another
//! gives the sample rate and frame layout. A Xing/Info (LAME) or VBRI header in that frame counts the
//! frames, which gives the exact duration; without one the stream is taken as constant bitrate and the
//! duration estimated from the bitrate and the bytes after the tags (a trailing ID3v1 tag, 128 bytes, is
//! counted as audio).

use super::{be16, be32, bytes};

/// How far past the tags a frame is looked for: encoders may pad, but not this much.
const SYNC_SEARCH: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frame {
    /// MPEG-1 (true) or MPEG-2 / 2.5 (false).
    mpeg1: bool,
    /// 1, 2 or 3.
    layer: u8,
    bitrate: u32,
    sample_rate: u32,
    mono: bool,
    len: usize,
}

impl Frame {
    fn samples(self) -> u32 {
        match (self.layer, self.mpeg1) {
            (1, _) => 384,
            (2, _) | (3, true) => 1152,
            (3, false) => 576,
            _ => 0,
        }
    }
}

/// The frame header at `at`, if those four bytes are a valid one.
fn frame(b: &[u8], at: usize) -> Option<Frame> {
    let h = be32(b, at)?;
    if h >> 21 != 0x7FF {
        return None;
    }
    let version = (h >> 19) & 3; // 0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1
    let layer = match (h >> 17) & 3 {
        3 => 1,
        2 => 2,
        1 => 3,
        _ => return None,
    };
    let (bitrate_index, rate_index) = (((h >> 12) & 15) as usize, ((h >> 10) & 3) as usize);
    if version == 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let mpeg1 = version == 3;
    const KBPS: [[u32; 15]; 5] = [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    let table = match (mpeg1, layer) {
        (true, l) => usize::from(l) - 1,
        (false, 1) => 3,
        (false, _) => 4,
    };
    let bitrate = KBPS[table][bitrate_index] * 1000;
    // MPEG-2 halves MPEG-1's rates, MPEG-2.5 quarters them.
    let sample_rate = [44_100, 48_000, 32_000][rate_index]
        >> if mpeg1 {
            0
        } else if version == 2 {
            1
        } else {
            2
        };
    let padding = ((h >> 9) & 1) as usize;
    let len = match (layer, mpeg1) {
        (1, _) => (12 * bitrate / sample_rate) as usize * 4 + padding * 4,
        (3, false) => (72 * bitrate / sample_rate) as usize + padding,
        _ => (144 * bitrate / sample_rate) as usize + padding,
    };
    let mono = (h >> 6) & 3 == 3;
    Some(Frame { mpeg1, layer, bitrate, sample_rate, mono, len })
}

/// Where the audio starts: past any ID3v2 tags (10-byte header, syncsafe size, optional footer).
fn skip_id3(b: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    while bytes(b, at, 3) == Some(b"ID3".as_slice()) {
        let size = bytes(b, at + 6, 4)?.iter().fold(0usize, |n, &x| n << 7 | usize::from(x & 0x7F));
        let footer = if b.get(at + 5)? & 0x10 != 0 { 10 } else { 0 };
        at = at.checked_add(10 + size + footer)?;
    }
    Some(at)
}

/// Seconds of audio in an MP3 whose first bytes are `head`, of `file_size` bytes in all. A tag that runs
/// past `head` leaves the duration unknown.
pub(crate) fn probe(head: &[u8], file_size: u64) -> Option<f64> {
    let start = skip_id3(head)?;
    let end = head.len().min(start.saturating_add(SYNC_SEARCH));
    // A frame counts only when the next one starts where its length says (or the bytes end): a stray
    // 0xFFE in a tag's padding is not a frame.
    let (at, f) = (start..end).find_map(|at| {
        let f = frame(head, at)?;
        let next = at + f.len;
        (next >= head.len() || frame(head, next).is_some_and(|n| n.sample_rate == f.sample_rate)).then_some((at, f))
    })?;
    let frames = frame_count(head, at, f);
    let seconds = match frames {
        Some(n) => f64::from(n) * f64::from(f.samples()) / f64::from(f.sample_rate),
        None => file_size.saturating_sub(at as u64) as f64 * 8.0 / f64::from(f.bitrate),
    };
    Some(seconds)
}

/// The frame count of a Xing/Info header (after the side information) or a VBRI header (32 bytes in).
fn frame_count(b: &[u8], at: usize, f: Frame) -> Option<u32> {
    let side = match (f.mpeg1, f.mono) {
        (true, false) => 32,
        (true, true) | (false, false) => 17,
        (false, true) => 9,
    };
    let xing = at + 4 + side;
    if matches!(bytes(b, xing, 4), Some(b"Xing" | b"Info")) {
        let flags = be32(b, xing + 4)?;
        return if flags & 1 != 0 { be32(b, xing + 8).filter(|&n| n > 0) } else { None };
    }
    let vbri = at + 36;
    if bytes(b, vbri, 4) == Some(b"VBRI".as_slice()) && be16(b, vbri + 4).is_some() {
        return be32(b, vbri + 14).filter(|&n| n > 0);
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An MPEG-1 layer III, 128 kbps, 44.1 kHz stereo frame header (417 bytes, unpadded).
    const HEADER: [u8; 4] = [0xFF, 0xFB, 0x90, 0x00];

    fn frames(n: usize) -> Vec<u8> {
        let mut one = HEADER.to_vec();
        one.resize(417, 0);
        one.repeat(n)
    }

    fn id3(size: usize) -> Vec<u8> {
        let mut tag = b"ID3\x04\0\0".to_vec();
        tag.extend((0..4).rev().map(|i| ((size >> (7 * i)) & 0x7F) as u8));
        tag.resize(10 + size, 0);
        tag
    }

    #[test]
    fn constant_bitrate_estimate_after_a_tag() {
        let file = [id3(300), frames(100)].concat();
        // 100 × 417 bytes at 128 kbps: 2.606 s (the exact 100 × 1152 / 44100 is 2.612).
        let seconds = probe(&file, file.len() as u64).unwrap();
        assert!((seconds - 100.0 * 417.0 * 8.0 / 128_000.0).abs() < 1e-9, "{seconds}");
        // Only the head is needed; the rest of the file counts by its size.
        assert_eq!(probe(&file[..2000], file.len() as u64), Some(seconds));
    }

    #[test]
    fn xing_and_vbri_frame_counts() {
        let mut file = frames(3);
        file[36..40].copy_from_slice(b"Xing");
        file[40..44].copy_from_slice(&1u32.to_be_bytes());
        file[44..48].copy_from_slice(&441u32.to_be_bytes());
        let seconds = probe(&file, 10_000_000).unwrap();
        assert!((seconds - 441.0 * 1152.0 / 44_100.0).abs() < 1e-9);
        // Info without the frames flag: the estimate.
        file[36..40].copy_from_slice(b"Info");
        file[40..44].copy_from_slice(&0u32.to_be_bytes());
        assert!((probe(&file, 1251).unwrap() - 1251.0 * 8.0 / 128_000.0).abs() < 1e-9);
        let mut vbri = frames(3);
        vbri[36..40].copy_from_slice(b"VBRI");
        vbri[50..54].copy_from_slice(&882u32.to_be_bytes());
        assert!((probe(&vbri, 10_000_000).unwrap() - 882.0 * 1152.0 / 44_100.0).abs() < 1e-9);
    }

    #[test]
    fn mpeg2_layer_3() {
        // MPEG-2 layer III, 64 kbps, 22.05 kHz: 576 samples and 208 bytes a frame.
        let f = frame(&[0xFF, 0xF3, 0x80, 0xC0], 0).unwrap();
        assert_eq!((f.sample_rate, f.bitrate, f.len, f.samples(), f.mono), (22_050, 64_000, 208, 576, true));
        let f = frame(&[0xFF, 0xE3, 0x80, 0x00], 0).unwrap();
        assert_eq!(f.sample_rate, 11_025, "MPEG-2.5");
    }

    #[test]
    fn garbage_and_hostile_tags() {
        assert_eq!(probe(b"", 0), None);
        assert_eq!(probe(b"ID3\x04\0\0\x7f\x7f\x7f\x7f", u64::MAX), None, "a tag past the bytes");
        assert_eq!(probe(&[0xFF; 64], 64), None, "bitrate index 15 everywhere");
        // A false sync in padding is not taken: the frame after it must be one too.
        let mut file = vec![0u8; 100];
        file[10..14].copy_from_slice(&HEADER);
        file.extend_from_slice(&frames(4));
        let seconds = probe(&file, file.len() as u64).unwrap();
        assert!((seconds - 4.0 * 417.0 * 8.0 / 128_000.0).abs() < 1e-9, "{seconds}");
        let one = frames(1);
        for cut in 0..one.len() {
            let _ = probe(&one[..cut], u64::MAX);
        }
    }
}
