//! ISO base media (MP4, MOV, M4A): the duration from `moov/mvhd` and a video track's frame size from its
//! `tkhd`. `moov` may follow the media data at the end of the file, so the ingest walks the top-level boxes
//! with [`walk`] (reading a header, hopping over the box) and reads only `moov` itself.

use super::{Probed, be32, be64, bytes};

/// Largest `moov` read: a long recording's sample tables run to a few MiB; more is not worth a Lambda's
/// memory for a duration.
pub(crate) const MAX_MOOV: u64 = 16 * 1024 * 1024;

/// A box header: its type, where its body starts (relative to the header) and its total size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    kind: [u8; 4],
    header_len: u64,
    /// `None`: the box runs to the end of its parent (declared size 0).
    size: Option<u64>,
}

/// The header at the start of `b`: 32-bit size, or 1 and a 64-bit size after the type, or 0 for "to the
/// end". A size smaller than the header itself is invalid.
fn header(b: &[u8]) -> Option<Header> {
    let size = be32(b, 0)?;
    let mut kind = [0u8; 4];
    kind.copy_from_slice(bytes(b, 4, 4)?);
    let (header_len, size) = match size {
        0 => (8, None),
        1 => (16, Some(be64(b, 8)?)),
        n => (8, Some(u64::from(n))),
    };
    if size.is_some_and(|s| s < header_len) {
        return None;
    }
    Some(Header { kind, header_len, size })
}

/// Where the walk of the top-level boxes goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Walk {
    /// `moov` is `size` bytes at `start` (clamped to the file).
    Moov { start: u64, size: u64 },
    /// The next box header is at this offset, past the bytes given: read there and walk again.
    ReadAt(u64),
    /// No `moov`: the boxes end, overflow the file or are malformed.
    NotFound,
}

/// Walks the top-level boxes in `window`, the file's bytes from `start` (a box boundary), in a file of
/// `file_size` bytes. Always makes progress: [`Walk::ReadAt`] is past `start`.
pub(crate) fn walk(window: &[u8], start: u64, file_size: u64) -> Walk {
    let mut offset = start;
    loop {
        if offset >= file_size {
            return Walk::NotFound;
        }
        let Some(at) = offset.checked_sub(start).and_then(|d| usize::try_from(d).ok()) else {
            return Walk::NotFound;
        };
        let Some(h) = window.get(at..).and_then(header) else {
            // A header cut by the window's end is read again from its start; one cut at the window's start
            // is a truncated or malformed file.
            let cut = window.len().saturating_sub(at) < 16 && offset > start;
            return if cut { Walk::ReadAt(offset) } else { Walk::NotFound };
        };
        let size = h.size.unwrap_or(file_size - offset);
        if &h.kind == b"moov" {
            return Walk::Moov { start: offset, size: size.min(file_size - offset) };
        }
        match offset.checked_add(size) {
            Some(next) if next < file_size => {
                if next - start >= window.len() as u64 {
                    return Walk::ReadAt(next);
                }
                offset = next;
            }
            _ => return Walk::NotFound,
        }
    }
}

/// Duration and video frame size from a `moov` box (header included).
pub(crate) fn moov(b: &[u8]) -> Probed {
    let Some(h) = header(b).filter(|h| &h.kind == b"moov") else {
        return Probed::default();
    };
    let body = &b[(h.header_len as usize).min(b.len())..];
    let mut probed = Probed::default();
    for (kind, child) in children(body) {
        match &kind {
            b"mvhd" => probed.duration_seconds = mvhd(child).and_then(super::seconds_ms),
            b"trak" if probed.width.is_none() => {
                if let Some((w, h)) = video_size(child) {
                    probed.width = Some(w);
                    probed.height = Some(h);
                }
            }
            _ => {}
        }
    }
    probed
}

/// The child boxes of a container's body, as (type, body); stops at the first malformed one. Each step
/// consumes at least a header, so the walk is linear in the bytes.
fn children(mut b: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let h = header(b)?;
        let size = usize::try_from(h.size.unwrap_or(b.len() as u64)).ok()?.min(b.len());
        let body = b.get(h.header_len as usize..size)?;
        b = &b[size..];
        Some((h.kind, body))
    })
}

/// `mvhd`: seconds from the timescale and duration (version 0: 32-bit times, 1: 64-bit). An all-ones
/// duration means unknown, and so does 0 (a fragmented file's, whose fragments hold the media).
fn mvhd(b: &[u8]) -> Option<f64> {
    let (timescale, duration) = match *b.first()? {
        0 => (be32(b, 12)?, be32(b, 16).filter(|&d| d != u32::MAX).map(u64::from)?),
        1 => (be32(b, 20)?, be64(b, 24).filter(|&d| d != u64::MAX)?),
        _ => return None,
    };
    (timescale > 0 && duration > 0).then(|| duration as f64 / f64::from(timescale))
}

/// A video track's width and height from its `tkhd` (16.16 fixed point); a track is video when its
/// `mdia/hdlr` says `vide`.
fn video_size(trak: &[u8]) -> Option<(u32, u32)> {
    let mut size = None;
    let mut video = false;
    for (kind, child) in children(trak) {
        match &kind {
            b"tkhd" => {
                // Width and height come after the times, track id, layer, volume and matrix: 76 bytes
                // into a version 0 box, 88 into a version 1 (64-bit times).
                let at = match *child.first()? {
                    0 => 76,
                    1 => 88,
                    _ => return None,
                };
                size = Some((be32(child, at)? >> 16, be32(child, at + 4)? >> 16));
            }
            b"mdia" => {
                video = children(child).any(|(k, hdlr)| &k == b"hdlr" && bytes(hdlr, 8, 4) == Some(b"vide".as_slice()));
            }
            _ => {}
        }
    }
    size.filter(|&(w, h)| video && w > 0 && h > 0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn mvhd_v0(timescale: u32, duration: u32) -> Vec<u8> {
        let mut b = vec![0u8; 4 + 8];
        b.extend_from_slice(&timescale.to_be_bytes());
        b.extend_from_slice(&duration.to_be_bytes());
        b.resize(100, 0);
        bx(b"mvhd", &b)
    }

    fn tkhd(version: u8, width: u32, height: u32) -> Vec<u8> {
        let at = if version == 0 { 76 } else { 88 };
        let mut b = vec![0u8; at];
        b[0] = version;
        b.extend_from_slice(&(width << 16).to_be_bytes());
        b.extend_from_slice(&(height << 16).to_be_bytes());
        bx(b"tkhd", &b)
    }

    fn trak(handler: &[u8; 4], tkhd: Vec<u8>) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.resize(25, 0);
        let mdia = bx(b"mdia", &bx(b"hdlr", &hdlr));
        bx(b"trak", &[tkhd, mdia].concat())
    }

    /// A small MP4: `ftyp`, `mdat` and `moov` at the end, as a recorder that did not "fast start" writes it.
    pub(crate) fn mp4(seconds: u32, width: u32, height: u32) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        let mdat = bx(b"mdat", &[0u8; 1000]);
        let moov = bx(
            b"moov",
            &[mvhd_v0(1000, seconds * 1000), trak(b"soun", tkhd(0, 0, 0)), trak(b"vide", tkhd(0, width, height))]
                .concat(),
        );
        [ftyp, mdat, moov].concat()
    }

    fn probe_whole(file: &[u8]) -> Probed {
        match walk(file, 0, file.len() as u64) {
            Walk::Moov { start, size } => moov(&file[start as usize..(start + size) as usize]),
            other => panic!("no moov: {other:?}"),
        }
    }

    #[test]
    fn duration_and_video_size_from_a_trailing_moov() {
        let file = mp4(12, 1280, 720);
        let probed = probe_whole(&file);
        assert_eq!(probed.duration_seconds, Some(12.0));
        assert_eq!((probed.width, probed.height), (Some(1280), Some(720)));
    }

    #[test]
    fn a_window_that_ends_before_moov_asks_for_the_next_header() {
        let file = mp4(3, 640, 360);
        // Only the first 100 bytes: the walk hops over ftyp (28 bytes) and mdat (1008) and asks for what
        // follows.
        assert_eq!(walk(&file[..100], 0, file.len() as u64), Walk::ReadAt(1036));
        let Walk::Moov { start, size } = walk(&file[1036..1036 + 16], 1036, file.len() as u64) else {
            panic!("moov expected")
        };
        assert_eq!((start, start + size), (1036, file.len() as u64));
        // A header cut at the window's end is read again from its start.
        assert_eq!(walk(&file[..1040], 0, file.len() as u64), Walk::ReadAt(1036));
    }

    #[test]
    fn large_sizes_version_1_and_audio_only() {
        // A 64-bit-size mdat, then moov with a version-1 mvhd of 90,000 ticks a second and no video.
        let mut mdat = 1u32.to_be_bytes().to_vec();
        mdat.extend_from_slice(b"mdat");
        mdat.extend_from_slice(&24u64.to_be_bytes());
        mdat.extend_from_slice(&[0u8; 8]);
        let mut mvhd = vec![1u8, 0, 0, 0];
        mvhd.extend_from_slice(&[0u8; 16]);
        mvhd.extend_from_slice(&90_000u32.to_be_bytes());
        mvhd.extend_from_slice(&(90_000u64 * 5 / 2).to_be_bytes());
        let file = [mdat, bx(b"moov", &[bx(b"mvhd", &mvhd), trak(b"soun", tkhd(1, 0, 0))].concat())].concat();
        let probed = probe_whole(&file);
        assert_eq!(probed.duration_seconds, Some(2.5));
        assert_eq!((probed.width, probed.height), (None, None));
        // A version-1 video tkhd.
        let moov_v1 = bx(b"moov", &trak(b"vide", tkhd(1, 320, 240)));
        assert_eq!((moov(&moov_v1).width, moov(&moov_v1).height), (Some(320), Some(240)));
    }

    #[test]
    fn hostile_boxes() {
        let size = 1u64 << 40;
        // Size 0 (to the end) that is not moov; a size smaller than its header; a size past the file.
        assert_eq!(walk(b"\0\0\0\0mdat", 0, size), Walk::NotFound);
        assert_eq!(walk(b"\0\0\0\x04free\0\0\0\0", 0, size), Walk::NotFound);
        assert_eq!(walk(b"\0\0\0\x10free", 0, 12), Walk::NotFound);
        let mut huge = 1u32.to_be_bytes().to_vec();
        huge.extend_from_slice(b"mdat");
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(walk(&huge, 0, size), Walk::NotFound);
        // moov to the end of the file, and a moov declared larger than the file is clamped to it.
        assert_eq!(walk(b"\0\0\0\0moov", 0, 100), Walk::Moov { start: 0, size: 100 });
        assert_eq!(walk(b"\0\0\x10\0moov", 0, 100), Walk::Moov { start: 0, size: 100 });
        assert_eq!(walk(b"", 0, 0), Walk::NotFound);
        // A start the window does not reach.
        assert_eq!(walk(b"", 10, 100), Walk::NotFound);
        // Malformed moov bodies: zero timescale, unknown duration, nested garbage, truncation.
        assert_eq!(moov(&bx(b"moov", &mvhd_v0(0, 10))).duration_seconds, None);
        assert_eq!(moov(&bx(b"moov", &mvhd_v0(1000, u32::MAX))).duration_seconds, None);
        assert_eq!(moov(&bx(b"moov", &mvhd_v0(1000, 0))).duration_seconds, None, "fragmented");
        assert_eq!(moov(&bx(b"moov", b"\0\0\0\x01trak\xff\xff")), Probed::default());
        assert_eq!(moov(&bx(b"moov", b"\0\0\0\0trak\0\0\0\x08tkhd")), Probed::default());
        let whole = bx(b"moov", &mvhd_v0(1000, 1000));
        for cut in 0..whole.len() {
            let _ = moov(&whole[..cut]);
        }
        assert_eq!(moov(b"\0\0\0\x08free"), Probed::default());
    }
}
