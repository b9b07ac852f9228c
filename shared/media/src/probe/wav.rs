//! WAV: the duration from the `fmt ` chunk's byte rate and the `data` chunk's size, both found by walking
//! the RIFF chunks in the file's first bytes (the samples themselves are not read).

use super::{bytes, le32};

/// Seconds of audio in a WAV file whose first bytes are `head`, of `file_size` bytes in all.
pub(crate) fn probe(head: &[u8], file_size: u64) -> Option<f64> {
    if bytes(head, 0, 4)? != b"RIFF" || bytes(head, 8, 4)? != b"WAVE" {
        return None;
    }
    let mut at = 12usize;
    let mut byte_rate = None;
    // Chunks are walked in order; each step consumes at least its 8-byte header, so the walk ends.
    while let (Some(id), Some(size)) = (bytes(head, at, 4), le32(head, at + 4)) {
        let body = at + 8;
        match id {
            b"fmt " => byte_rate = le32(head, body + 8).filter(|&r| r > 0),
            b"data" => {
                // Streaming writers leave the size 0 or all ones; a cut upload holds fewer bytes than
                // declared. What the file really holds after the header bounds it either way.
                let stored = file_size.saturating_sub(body as u64);
                let size = match u64::from(size) {
                    0 | 0xffff_ffff => stored,
                    n => n.min(stored),
                };
                return Some(size as f64 / f64::from(byte_rate?));
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        at = body.checked_add(usize::try_from(size).ok()?)?.checked_add(size as usize & 1)?;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A real PCM WAV: `seconds` of 16-bit mono silence at `rate` Hz, with a `LIST` chunk before `fmt `.
    pub(crate) fn wav(rate: u32, seconds: f64) -> Vec<u8> {
        let data_len = (f64::from(rate) * 2.0 * seconds) as u32;
        let mut fmt = 1u16.to_le_bytes().to_vec(); // PCM
        fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
        fmt.extend_from_slice(&rate.to_le_bytes());
        fmt.extend_from_slice(&(rate * 2).to_le_bytes()); // byte rate
        fmt.extend_from_slice(&2u16.to_le_bytes()); // block align
        fmt.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        let mut body = b"WAVE".to_vec();
        for (id, chunk) in [(b"LIST", b"INFOx".to_vec()), (b"fmt ", fmt), (b"data", vec![0u8; data_len as usize])] {
            body.extend_from_slice(id);
            body.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
            body.extend_from_slice(&chunk);
            if chunk.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn duration_from_byte_rate_and_data_size() {
        let file = wav(8000, 1.5);
        assert_eq!(probe(&file, file.len() as u64), Some(1.5));
        // Only the first bytes are needed.
        assert_eq!(probe(&file[..64], file.len() as u64), Some(1.5));
        // A cut file: what is stored counts, not what was declared.
        assert_eq!(probe(&file, (file.len() - 8000) as u64), Some(1.0));
    }

    #[test]
    fn streaming_sizes_and_hostile_chunks() {
        let mut file = wav(8000, 1.0);
        let data = file.windows(4).position(|w| w == b"data").unwrap();
        file[data + 4..data + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(probe(&file, file.len() as u64), Some(1.0));
        // A zero byte rate, no fmt, a chunk size past the end, garbage.
        let mut zero = wav(8000, 1.0);
        let fmt = zero.windows(4).position(|w| w == b"fmt ").unwrap();
        zero[fmt + 16..fmt + 20].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(probe(&zero, zero.len() as u64), None);
        assert_eq!(probe(b"RIFF\0\0\0\0WAVEdata\x10\0\0\0", 100), None);
        assert_eq!(probe(b"RIFF\0\0\0\0WAVEjunk\xff\xff\xff\xffdata", u64::MAX), None);
        assert_eq!(probe(b"RIFF\0\0\0\0WAVE", 12), None);
        assert_eq!(probe(b"RIFF\0\0\0\0WEBP", 12), None);
        assert_eq!(probe(b"", 0), None);
    }
}
