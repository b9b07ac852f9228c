//! A certificate's unique code: 12 symbols of Crockford base32 shown as `XXXX-XXXX-XXXX`. It is the only
//! thing a verifier needs, so it comes from the OS CSPRNG (60 bits: guessing a valid one is hopeless) and
//! is read back forgivingly, as people copy it from paper.

use std::fmt;

/// Crockford's base32: no `I`, `L`, `O` (look like `1` and `0`) and no `U` (accidental words).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols in a code; 5 bits each, so 60 bits.
pub const LEN: usize = 12;

/// Symbols between hyphens when displayed.
const GROUP: usize = 4;

/// A well-formed code: always [`LEN`] symbols of [`ALPHABET`], canonical (upper case, no hyphens).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("the system random source failed: {0}")]
    Random(String),
}

/// A new random code.
pub fn new_code() -> Result<Code, CodeError> {
    let mut buf = [0u8; 8];
    getrandom::getrandom(&mut buf).map_err(|e| CodeError::Random(e.to_string()))?;
    Ok(Code::from_bits(u64::from_be_bytes(buf)))
}

impl Code {
    /// The code of the low 60 bits of `bits`, most significant symbol first. 60 bits are exactly 12
    /// symbols, so every code is equally likely from uniform bits (no rejection needed).
    fn from_bits(bits: u64) -> Self {
        let text = (0..LEN)
            .map(|i| {
                let shift = 5 * (LEN - 1 - i);
                ALPHABET[((bits >> shift) & 0x1f) as usize] as char
            })
            .collect();
        Self(text)
    }

    /// The code in `text` as a person may type or paste it: any case; hyphens and whitespace anywhere;
    /// `I` and `L` read as `1`, `O` as `0` (Crockford's decoding). `None` for anything else, for `U`
    /// (never generated), and for other than exactly 12 symbols.
    pub fn parse(text: &str) -> Option<Self> {
        let mut code = String::with_capacity(LEN);
        for c in text.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let symbol = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                s if s.is_ascii() && ALPHABET.contains(&(s as u8)) => s,
                _ => return None,
            };
            // Stops early on long input: nothing beyond 12 symbols can be a code.
            if code.len() == LEN {
                return None;
            }
            code.push(symbol);
        }
        (code.len() == LEN).then_some(Self(code))
    }

    /// The canonical 12 symbols, without hyphens: for storage keys and lookups.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `XXXX-XXXX-XXXX`, as printed on the certificate.
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.as_bytes().chunks(GROUP).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            // The symbols are ASCII, so each group is whole characters.
            for &b in group {
                fmt::Write::write_char(f, b as char)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_new_code_is_twelve_symbols_of_the_alphabet() {
        let code = new_code().unwrap();
        assert_eq!(code.as_str().len(), LEN);
        assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        let shown = code.to_string();
        assert_eq!(shown.len(), 14);
        assert_eq!(shown.as_bytes()[4], b'-');
        assert_eq!(shown.as_bytes()[9], b'-');
        assert_eq!(shown.replace('-', ""), code.as_str());
    }

    #[test]
    fn bits_map_to_symbols_most_significant_first() {
        assert_eq!(Code::from_bits(0).as_str(), "000000000000");
        assert_eq!(Code::from_bits(u64::MAX).as_str(), "ZZZZZZZZZZZZ");
        assert_eq!(Code::from_bits(1).as_str(), "000000000001");
        assert_eq!(Code::from_bits(31 << 55).as_str(), "Z00000000000");
        // Only the low 60 bits count.
        assert_eq!(Code::from_bits(0xf << 60), Code::from_bits(0));
        assert_eq!(Code::from_bits(0x0123_4567_89ab_cdef).to_string(), "28T5-CY4T-QKFF");
    }

    #[test]
    fn round_trips_through_display_and_canonical_text() {
        let code = new_code().unwrap();
        assert_eq!(Code::parse(&code.to_string()), Some(code.clone()));
        assert_eq!(Code::parse(code.as_str()), Some(code));
    }

    #[test]
    fn normalises_what_people_type() {
        let expected = Code::parse("1AB0-CD1E-F011").unwrap();
        assert_eq!(expected.as_str(), "1AB0CD1EF011");
        for typed in [
            "1ab0-cd1e-f011",
            "1AB0CD1EF011",
            " 1ab0 cd1e f011 ",
            "IAB0-CDLE-FOil",
            "lab0-cdie-f0I1",
            "1-a-b-0-c-d-1-e-f-0-1-1",
            "1AB0\tCD1E\nF011",
        ] {
            assert_eq!(Code::parse(typed).as_ref(), Some(&expected), "{typed}");
        }
    }

    #[test]
    fn refuses_wrong_lengths_u_and_foreign_symbols() {
        for typed in [
            "",
            "----",
            "1AB0-CD1E-F01",
            "1AB0-CD1E-F0111",
            "1AB0-CD1E-F011-1",
            "1AB0-CD1E-F01U",
            "uuuu-uuuu-uuuu",
            "1AB0-CD1E-F01*",
            "1AB0_CD1E_F011",
            "1AB0-CD1E-F01é",
            "1AB0-CD1E-F01١",
        ] {
            assert_eq!(Code::parse(typed), None, "{typed}");
        }
        assert_eq!(Code::parse(&"A".repeat(10_000)), None);
    }

    #[test]
    fn ten_thousand_codes_are_distinct_and_parse_back() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let code = new_code().unwrap();
            assert_eq!(Code::parse(&code.to_string()).as_ref(), Some(&code));
            assert!(seen.insert(code), "a code repeated");
        }
    }
}
