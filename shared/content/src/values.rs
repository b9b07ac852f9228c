//! The content library's own value types, parsed once at the edge (`Fields::parse`) and carried as types
//! after it.

use nudge_core::validate;
use nudge_core::values::Parse;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest tag name, in characters.
const TAG_NAME_MAX: usize = 50;

/// A tag's name: 1–50 characters, not all white space, kept trimmed. Tags are unique by [`TagName::key`].
/// Serialized as the plain string; one read back from the table is trusted (it was parsed when written).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct TagName(String);

impl Parse for TagName {
    /// The length is counted before trimming, as the document's `maxLength` counts it.
    fn parse(text: &str) -> Result<Self, String> {
        validate::text(text, 1, TAG_NAME_MAX)?;
        Ok(Self(text.trim().to_owned()))
    }
}

impl TagName {
    /// The key a name is unique under: case-folded, inner white space collapsed.
    pub(crate) fn key(&self) -> String {
        self.0.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_trimmed_and_bounded() {
        let name = TagName::parse("  Fire   Safety ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((name.to_string(), name.key()), ("Fire   Safety".to_owned(), "fire safety".to_owned()));
        assert_eq!(TagName::parse(&"é".repeat(TAG_NAME_MAX)).map(|n| n.to_string().chars().count()), Ok(TAG_NAME_MAX));
        assert_eq!(TagName::parse(""), Err("must not be blank".into()));
        assert_eq!(TagName::parse(" \u{a0}\t"), Err("must not be blank".into()));
        assert_eq!(TagName::parse(&"a".repeat(TAG_NAME_MAX + 1)), Err("must be at most 50 characters".into()));
        // Counted as given: white space around a name counts toward its length.
        assert!(TagName::parse(&format!(" {} ", "a".repeat(TAG_NAME_MAX - 1))).is_err());
    }

    #[test]
    fn tag_names_serialize_as_their_text() {
        let name = TagName::parse("Safety").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_value(&name).ok(), Some(serde_json::json!("Safety")));
        let back: TagName = serde_json::from_value(serde_json::json!("Safety")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, name);
    }
}
