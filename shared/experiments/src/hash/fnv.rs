//! FNV-1a (32 bits) as GrowthBook's JavaScript SDK computes it, fed piece by piece.
//!
//! GrowthBook hashes `seed + value`; feeding the state the seed and then the value gives the same
//! number without building the concatenation. The SDK walks the string with `charCodeAt`, so each step
//! takes one UTF-16 code unit: identical to byte-wise FNV-1a for ASCII, different beyond it.

const OFFSET_BASIS: u32 = 0x811c_9dc5;
const PRIME: u32 = 0x0100_0193;

/// The digits of the longest `u32`, 4294967295.
const MAX_DIGITS: usize = 10;

/// An FNV-1a state: start with [`Fnv1a32::new`], feed it, read it with [`Fnv1a32::finish`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Fnv1a32(u32);

impl Fnv1a32 {
    pub(super) const fn new() -> Self {
        Self(OFFSET_BASIS)
    }

    /// The state after `text`, one UTF-16 code unit at a time.
    pub(super) fn text(self, text: &str) -> Self {
        text.encode_utf16().fold(self, Self::unit)
    }

    /// The state after `number` written in decimal, as JavaScript's `number + ""` writes it.
    pub(super) fn decimal(self, number: u32) -> Self {
        let mut buffer = [0; MAX_DIGITS];
        decimal_digits(number, &mut buffer).iter().fold(self, |state, &digit| state.unit(u16::from(digit)))
    }

    pub(super) const fn finish(self) -> u32 {
        self.0
    }

    /// One FNV-1a step: xor, then multiply by the prime modulo 2^32 (which the SDK's shifts and adds
    /// compute).
    fn unit(self, unit: u16) -> Self {
        Self((self.0 ^ u32::from(unit)).wrapping_mul(PRIME))
    }
}

/// `number`'s ASCII decimal digits, written at the end of `buffer`.
fn decimal_digits(number: u32, buffer: &mut [u8; MAX_DIGITS]) -> &[u8] {
    let mut rest = number;
    let mut start = MAX_DIGITS;
    loop {
        start -= 1;
        buffer[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            return &buffer[start..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits_are_written_as_javascript_writes_numbers() {
        for number in [0, 7, 10, 1_234_567_890, u32::MAX] {
            let mut buffer = [0; MAX_DIGITS];
            assert_eq!(decimal_digits(number, &mut buffer), number.to_string().as_bytes());
        }
    }

    #[test]
    fn feeding_a_number_equals_feeding_its_decimal_text() {
        for number in [0, 9, 42, 3_826_002_220, u32::MAX] {
            assert_eq!(
                Fnv1a32::new().text("seed").decimal(number).finish(),
                Fnv1a32::new().text(&format!("seed{number}")).finish()
            );
        }
    }

    #[test]
    fn ascii_text_hashes_as_byte_wise_fnv1a() {
        // The FNV reference values for "", "a" and "foobar".
        assert_eq!(Fnv1a32::new().text("").finish(), 0x811c_9dc5);
        assert_eq!(Fnv1a32::new().text("a").finish(), 0xe40c_292c);
        assert_eq!(Fnv1a32::new().text("foobar").finish(), 0xbf9c_f968);
    }

    #[test]
    fn feeding_in_pieces_equals_feeding_the_concatenation() {
        assert_eq!(Fnv1a32::new().text("foo").text("bar").finish(), Fnv1a32::new().text("foobar").finish());
    }
}
