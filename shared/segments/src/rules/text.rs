//! Folded text matching without allocating per worker. Rule values are folded once with
//! [`fold`](nudge_workers::index::fold); a worker's text is folded as a character stream and compared to
//! them, so a sync over 100k workers never builds a lowercase copy of a name.

use nudge_workers::index::fold;

/// Folds a rule value into the form worker text is compared with.
pub fn key(value: &str) -> Box<str> {
    // `str::to_lowercase` writes a word-final sigma as ς, `char::to_lowercase` as σ: read both as σ so the
    // streamed worker text and the folded key agree wherever the sigma sits.
    fold(value).replace('ς', "σ").into()
}

/// A worker's text attribute: one string, or two read as one joined by a space (the full name is the
/// first and last name, never concatenated).
#[derive(Clone, Copy, Debug)]
pub struct Text<'a>(&'a str, &'a str);

impl<'a> Text<'a> {
    pub fn one(s: &'a str) -> Self {
        Self(s, "")
    }

    pub fn two(first: &'a str, second: &'a str) -> Self {
        Self(first, second)
    }

    /// The folded characters, equal to `key(first + " " + second)`.
    pub fn folded(self) -> impl Iterator<Item = char> + 'a {
        self.from(0, 0)
    }

    /// The raw text from byte `at` of part `part` on.
    fn tail(self, part: usize, at: usize) -> (&'a str, &'a str) {
        if part == 0 { (self.0.get(at..).unwrap_or(""), self.1) } else { ("", self.1.get(at..).unwrap_or("")) }
    }

    /// The folded characters from byte `at` of part `part` on.
    fn from(self, part: usize, at: usize) -> impl Iterator<Item = char> + 'a {
        let (a, b) = self.tail(part, at);
        a.split_whitespace()
            .chain(b.split_whitespace())
            .enumerate()
            .flat_map(|(i, word)| (i > 0).then_some(' ').into_iter().chain(word.chars().flat_map(lower)))
    }

    fn is_ascii(self) -> bool {
        self.0.is_ascii() && self.1.is_ascii()
    }

    /// Like `from`, byte by byte, for ASCII text: the common case, and several times faster.
    fn ascii_from(self, part: usize, at: usize) -> Ascii<impl Iterator<Item = u8> + 'a> {
        let (a, b) = self.tail(part, at);
        Ascii { bytes: a.bytes().chain(std::iter::once(b' ')).chain(b.bytes()), started: false, gap: false, held: None }
    }

    pub fn eq(self, key: &str) -> bool {
        if self.is_ascii() { self.ascii_from(0, 0).eq(key.bytes()) } else { self.folded().eq(key.chars()) }
    }

    pub fn starts_with(self, key: &str) -> bool {
        if self.is_ascii() { starts(self.ascii_from(0, 0), key.bytes()) } else { starts(self.folded(), key.chars()) }
    }

    /// A folded key never begins with a space, so a match begins at a non-space character of the raw
    /// text, whose folded tail is a suffix of the folded whole.
    pub fn contains(self, key: &str) -> bool {
        let mut parts = [self.0, self.1].into_iter().enumerate();
        if self.is_ascii() {
            let Some(first) = key.bytes().next() else { return true };
            return parts.any(|(part, s)| {
                s.bytes()
                    .enumerate()
                    .filter(|(_, b)| b.to_ascii_lowercase() == first)
                    .any(|(at, _)| starts(self.ascii_from(part, at), key.bytes()))
            });
        }
        parts.any(|(part, s)| {
            s.char_indices().filter(|(_, c)| !c.is_whitespace()).any(|(at, _)| starts(self.from(part, at), key.chars()))
        })
    }

    pub fn hash(self) -> u64 {
        if self.is_ascii() { hash(self.ascii_from(0, 0).map(u32::from)) } else { hash(self.folded().map(u32::from)) }
    }
}

/// Folds ASCII bytes as `fold` does: whitespace runs (as `char::is_whitespace` sees them) become one space,
/// leading and trailing ones none, letters lowercase.
struct Ascii<I> {
    bytes: I,
    started: bool,
    gap: bool,
    held: Option<u8>,
}

impl<I: Iterator<Item = u8>> Iterator for Ascii<I> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if let Some(b) = self.held.take() {
            return Some(b);
        }
        loop {
            let b = self.bytes.next()?;
            if char::from(b).is_whitespace() {
                self.gap = self.started;
                continue;
            }
            let b = b.to_ascii_lowercase();
            self.started = true;
            if std::mem::take(&mut self.gap) {
                self.held = Some(b);
                return Some(b' ');
            }
            return Some(b);
        }
    }
}

fn lower(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l })
}

fn starts<T: PartialEq>(mut text: impl Iterator<Item = T>, key: impl Iterator<Item = T>) -> bool {
    key.into_iter().all(|k| text.next() == Some(k))
}

/// FNV-1a over characters (ASCII bytes are their characters): fast, stable, and computable from the stream.
fn hash(units: impl Iterator<Item = u32>) -> u64 {
    units.fold(0xcbf2_9ce4_8422_2325, |h, c| (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3))
}

/// Lists up to this long are scanned; longer ones are looked up by hash.
const SCAN_MAX: usize = 4;

/// A set of folded keys that a worker's text is looked up in.
#[derive(Clone, Debug)]
pub struct TextSet {
    keys: Box<[Box<str>]>,
    /// (hash, index into `keys`), sorted; empty while `keys` is short enough to scan.
    hashes: Box<[(u64, usize)]>,
}

impl TextSet {
    pub fn new(mut keys: Vec<Box<str>>) -> Self {
        keys.sort();
        keys.dedup();
        let mut hashes: Vec<(u64, usize)> = Vec::new();
        if keys.len() > SCAN_MAX {
            hashes = keys.iter().enumerate().map(|(i, k)| (hash(k.chars().map(u32::from)), i)).collect();
            hashes.sort_unstable();
        }
        Self { keys: keys.into(), hashes: hashes.into() }
    }

    pub fn contains(&self, text: Text<'_>) -> bool {
        if self.hashes.is_empty() {
            return self.keys.iter().any(|k| text.eq(k));
        }
        let h = text.hash();
        let start = self.hashes.partition_point(|(x, _)| *x < h);
        self.hashes[start..]
            .iter()
            .take_while(|(x, _)| *x == h)
            .any(|(_, i)| self.keys.get(*i).is_some_and(|k| text.eq(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matching_ignores_case_and_spacing() {
        let t = Text::one("  New   York\tCity ");
        assert!(t.eq("new york city"));
        assert!(!t.eq("new york"));
        assert!(t.starts_with("new y"));
        assert!(!t.starts_with("york"));
        assert!(t.contains("york city"));
        assert!(t.contains("k c"));
        assert!(!t.contains("yorkcity"));
    }

    #[test]
    fn two_parts_read_as_one_joined_by_a_space() {
        let name = Text::two("Ana  Maria", " Silva");
        assert!(name.eq("ana maria silva"));
        assert!(name.contains("maria silva"));
        assert!(name.contains("silva"));
        assert!(name.starts_with("ana maria s"));
        assert_eq!(name.hash(), Text::one("ana maria silva").hash());
    }

    #[test]
    fn final_sigma_matches_wherever_it_sits() {
        assert!(Text::one("ΟΔΟΣ").eq(&key("οδος")));
        assert!(Text::one("οδος").eq(&key("ΟΔΟΣ")));
    }

    #[test]
    fn long_sets_find_by_hash() {
        let set = TextSet::new((0..50).map(|i| key(&format!("Team {i}"))).collect());
        assert!(set.contains(Text::one("TEAM  7")));
        assert!(set.contains(Text::one("team 49")));
        assert!(!set.contains(Text::one("team 50")));
        let short = TextSet::new(vec![key("A"), key("b")]);
        assert!(short.contains(Text::one("B")));
        assert!(!short.contains(Text::one("c")));
    }

    proptest! {
        /// The stream is the folded string, so streamed and folded comparisons agree.
        #[test]
        fn stream_is_the_fold(a in "[ a-zA-Zé\tΣσςİ]{0,12}", b in "[ a-zA-Z]{0,6}") {
            let joined = format!("{a} {b}");
            prop_assert_eq!(Text::two(&a, &b).folded().collect::<String>(), key(&joined).to_string());
            prop_assert!(Text::two(&a, &b).eq(&key(&joined)));
        }

        /// The ASCII path folds exactly as `fold` does, vertical tab and all.
        #[test]
        fn ascii_path_is_the_fold(a in "[ \t\x0b\na-cA-C]{0,12}", b in "[ a-cA-C]{0,6}", k in "[a-cA-C][ a-c]{0,3}") {
            let text = Text::two(&a, &b);
            let whole = key(&format!("{a} {b}"));
            let k = key(&k);
            prop_assert!(text.eq(&whole));
            prop_assert_eq!(text.hash(), Text::one(&whole).hash());
            prop_assert_eq!(text.hash(), hash(whole.chars().map(u32::from)));
            prop_assert_eq!(text.contains(&k), whole.contains(&*k));
            prop_assert_eq!(text.starts_with(&k), whole.starts_with(&*k));
            // The character path agrees.
            prop_assert_eq!(text.folded().collect::<String>(), whole.to_string());
        }

        #[test]
        fn contains_agrees_with_the_folded_string(s in "[ abAÉé]{0,10}", k in "[abAé][ abÉé]{0,3}") {
            let k = key(&k);
            prop_assert_eq!(Text::one(&s).contains(&k), key(&s).contains(&*k));
        }
    }
}
