//! Matroska / WebM: the duration from `Segment/Info` (`TimecodeScale`, default 1 ms, times `Duration`) and
//! the first video track's `PixelWidth` × `PixelHeight` from `Segment/Tracks`, both read from the file's
//! first bytes (muxers write them before the clusters). Browser recordings (MediaRecorder) write no
//! `Duration`: they have none here. Unknown-size elements (live streams) are entered, never skipped.

use super::Probed;

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const CLUSTER: u32 = 0x1F43_B675;

/// An element header: its id (with the length marker, as the spec writes ids), where its body starts and
/// its body's size (`None`: unknown, runs to the end of its parent).
struct Element {
    id: u32,
    body: usize,
    size: Option<usize>,
}

/// A variable-length integer at `at`: (value with the marker bit removed, length, all value bits set).
fn vint(b: &[u8], at: usize, max_len: usize) -> Option<(u64, usize, bool)> {
    let first = *b.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > max_len {
        return None;
    }
    let mut value = u64::from(first) & (0xFF >> len);
    for i in 1..len {
        value = value << 8 | u64::from(*b.get(at + i)?);
    }
    let all_ones = value == (1u64 << (7 * len)) - 1;
    Some((value, len, all_ones))
}

fn element(b: &[u8], at: usize) -> Option<Element> {
    let (_, id_len, _) = vint(b, at, 4)?;
    let id = b[at..at + id_len].iter().fold(0u32, |id, &byte| id << 8 | u32::from(byte));
    let (size, size_len, unknown) = vint(b, at + id_len, 8)?;
    let body = at + id_len + size_len;
    let size = if unknown { None } else { Some(usize::try_from(size).ok()?) };
    Some(Element { id, body, size })
}

/// The elements directly inside `b[from..to]`, as (id, body range clamped to `to`). Stops at the first
/// malformed header; each step consumes at least two bytes, so it is linear in the bytes.
fn children(b: &[u8], from: usize, to: usize) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
    let mut at = from;
    std::iter::from_fn(move || {
        if at >= to {
            return None;
        }
        let e = element(b, at)?;
        let end = e.size.map_or(to, |s| e.body.saturating_add(s).min(to));
        // An unknown size ends only with the parent: the next element is looked for inside this one.
        at = if e.size.is_some() { end } else { e.body };
        (e.body <= end).then_some((e.id, e.body, end))
    })
}

fn uint(b: &[u8]) -> Option<u64> {
    (b.len() <= 8).then(|| b.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
}

fn float(b: &[u8]) -> Option<f64> {
    match b.len() {
        4 => Some(f64::from(f32::from_be_bytes(b.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// Duration and video frame size from the file's first bytes.
pub(crate) fn probe(head: &[u8]) -> Probed {
    let mut probed = Probed::default();
    let Some((EBML, _, header_end)) = children(head, 0, head.len()).next() else {
        return probed;
    };
    let Some((SEGMENT, segment, segment_end)) = children(head, header_end, head.len()).next() else {
        return probed;
    };
    let (mut scale, mut duration) = (1_000_000u64, None);
    for (id, from, to) in children(head, segment, segment_end) {
        match id {
            INFO => {
                for (id, from, to) in children(head, from, to) {
                    match id {
                        TIMECODE_SCALE => scale = uint(&head[from..to]).filter(|&s| s > 0).unwrap_or(scale),
                        DURATION => duration = float(&head[from..to]),
                        _ => {}
                    }
                }
            }
            TRACKS => {
                if let Some((w, h)) = children(head, from, to).find_map(|(id, from, to)| video(head, id, from, to)) {
                    probed.width = Some(w);
                    probed.height = Some(h);
                }
            }
            // Media data: Info and Tracks come before it.
            CLUSTER => break,
            _ => {}
        }
    }
    probed.duration_seconds = duration.and_then(|d| super::seconds_ms(d * scale as f64 / 1e9));
    probed
}

/// A video track entry's pixel size.
fn video(b: &[u8], id: u32, from: usize, to: usize) -> Option<(u32, u32)> {
    if id != TRACK_ENTRY {
        return None;
    }
    let mut is_video = false;
    let (mut width, mut height) = (None, None);
    for (id, from, to) in children(b, from, to) {
        match id {
            TRACK_TYPE => is_video = uint(&b[from..to]) == Some(1),
            VIDEO => {
                for (id, from, to) in children(b, from, to) {
                    let value = uint(&b[from..to]).and_then(|v| u32::try_from(v).ok()).filter(|&v| v > 0);
                    match id {
                        PIXEL_WIDTH => width = value,
                        PIXEL_HEIGHT => height = value,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if is_video { Some((width?, height?)) } else { None }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An element with a one-byte (or, for 127 bytes and more, eight-byte) size.
    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let mut b: Vec<u8> = id.to_be_bytes().into_iter().skip_while(|&x| x == 0).collect();
        if body.len() < 127 {
            b.push(0x80 | body.len() as u8);
        } else {
            b.push(0x01);
            b.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        }
        b.extend_from_slice(body);
        b
    }

    /// A WebM header: EBML, then a segment (of unknown size, as live muxers write it) with Info, Tracks
    /// (an audio track, then a video one) and a cluster.
    pub(crate) fn webm(duration_ms: f64, width: u16, height: u16) -> Vec<u8> {
        let header = el(EBML, &el(0x4282, b"webm"));
        let info = el(
            INFO,
            &[el(TIMECODE_SCALE, &1_000_000u32.to_be_bytes()[1..]), el(DURATION, &duration_ms.to_be_bytes())].concat(),
        );
        let audio = el(TRACK_ENTRY, &[el(0xD7, &[1]), el(TRACK_TYPE, &[2])].concat());
        let video = el(
            TRACK_ENTRY,
            &[
                el(0xD7, &[2]),
                el(TRACK_TYPE, &[1]),
                el(VIDEO, &[el(PIXEL_WIDTH, &width.to_be_bytes()), el(PIXEL_HEIGHT, &height.to_be_bytes())].concat()),
            ]
            .concat(),
        );
        let tracks = el(TRACKS, &[audio, video].concat());
        let cluster = el(CLUSTER, &[0u8; 200]);
        let mut segment = vec![0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        segment.extend_from_slice(&[el(0xEC, &[0; 3]), info, tracks, cluster].concat());
        [header, segment].concat()
    }

    #[test]
    fn duration_and_video_size() {
        let probed = probe(&webm(4_500.0, 1920, 1080));
        assert_eq!(probed.duration_seconds, Some(4.5));
        assert_eq!((probed.width, probed.height), (Some(1920), Some(1080)));
    }

    #[test]
    fn a_float32_duration_and_another_scale() {
        let info =
            el(INFO, &[el(TIMECODE_SCALE, &[0x0F, 0x42, 0x40]), el(DURATION, &2_000.0f32.to_be_bytes())].concat());
        let file = [el(EBML, &[]), el(SEGMENT, &info)].concat();
        // 1,000,000 ns ticks: 2,000 of them make 2 s.
        assert_eq!(probe(&file).duration_seconds, Some(2.0));
        let info = el(INFO, &[el(TIMECODE_SCALE, &[0x98, 0x96, 0x80]), el(DURATION, &3.0f64.to_be_bytes())].concat());
        assert_eq!(probe(&[el(EBML, &[]), el(SEGMENT, &info)].concat()).duration_seconds, Some(0.03));
    }

    #[test]
    fn truncated_unknown_and_hostile_elements() {
        let file = webm(1_000.0, 64, 48);
        for cut in 0..file.len() {
            let _ = probe(&file[..cut]);
        }
        // No Duration (a browser recording): nothing, without failing.
        let info = el(INFO, &el(TIMECODE_SCALE, &[0x0F, 0x42, 0x40]));
        assert_eq!(probe(&[el(EBML, &[]), el(SEGMENT, &info)].concat()), Probed::default());
        // Unknown-size Info and Tracks; sizes far past the bytes; an 8-byte id; a NaN duration.
        let mut unknown = el(EBML, &[]);
        unknown.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0xFF, 0x15, 0x49, 0xA9, 0x66, 0xFF]);
        unknown.extend_from_slice(&el(DURATION, &7_000.0f64.to_be_bytes()));
        assert_eq!(probe(&unknown).duration_seconds, Some(7.0));
        let mut huge = el(EBML, &[]);
        huge.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]);
        huge.extend_from_slice(&[0x15, 0x49, 0xA9, 0x66, 0x08, 0xFF]);
        assert_eq!(probe(&huge), Probed::default());
        assert_eq!(probe(&[el(EBML, &[]), vec![0x00, 0x00, 0x00]].concat()), Probed::default());
        let nan = el(INFO, &el(DURATION, &f64::NAN.to_be_bytes()));
        assert_eq!(probe(&[el(EBML, &[]), el(SEGMENT, &nan)].concat()), Probed::default());
        assert_eq!(probe(b""), Probed::default());
        assert_eq!(probe(b"\x1a\x45\xdf\xa3\x80"), Probed::default());
    }
}
