//! Values several domains share, parsed once at the edge and carried as types after it: a function that
//! takes an [`Email`] needs no check of its own. Each keeps the message the field reader reports, so the
//! collect-every-bad-field behaviour of [`crate::http::input::Fields`] holds (`Fields::parse`).
//!
//! They serialize as the plain string; reading one back from the table trusts what the table holds (it was
//! parsed when written), so a rule tightened later never makes a stored item unreadable.
//!
//! [`sms`] is a computed value rather than a parsed one: how a text goes out as SMS.

pub mod sms;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value read from one text field: `parse` says why the text is not one, in the words a client reads.
pub trait Parse: Sized {
    fn parse(text: &str) -> Result<Self, String>;
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl Parse for $name {
            fn parse(text: &str) -> Result<Self, String> {
                $check(text).map(Self)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

text_value!(
    /// An email address as the platform keeps it: trimmed and lower-cased (addresses are unique
    /// case-insensitively), of the form `local@domain.tld`.
    Email,
    crate::validate::email
);

text_value!(
    /// A URL-safe slug: lowercase letters, digits and single hyphens, 3 to 63 characters.
    Slug,
    slug
);

text_value!(
    /// A BCP 47 language tag such as `en`, `sl-SI` or `zh-Hant-TW`.
    Locale,
    locale
);

fn slug(text: &str) -> Result<String, String> {
    crate::validate::slug(text).map(|()| text.to_owned())
}

fn locale(text: &str) -> Result<String, String> {
    crate::validate::locale(text).map(|()| text.to_owned())
}

text_value!(
    /// An IANA time zone name such as `Europe/Ljubljana` or `America/Sao_Paulo`, or `UTC`: one the tz
    /// database knows, spelled as it spells it.
    TimeZone,
    time_zone
);

/// What a time zone field's schema states; names that match it but are no zone are refused by the rule.
pub const TIME_ZONE_PATTERN: &str = "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$";
pub const TIME_ZONE_MAX: usize = 64;

fn time_zone(text: &str) -> Result<String, String> {
    match text.parse::<chrono_tz::Tz>() {
        Ok(tz) if tz.name() == text => Ok(text.to_owned()),
        _ => Err("must be an IANA time zone such as `Europe/Ljubljana`, or `UTC`".into()),
    }
}

impl TimeZone {
    /// UTC, the zone of a tenant that names none.
    pub fn utc() -> Self {
        Self("UTC".into())
    }

    /// The zone itself. A name the compiled-in database no longer knows (the table holds what an older
    /// build accepted) is read as UTC rather than failing the reader.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0.parse().unwrap_or(chrono_tz::Tz::UTC)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl Slug {
    /// The slug of a name (see [`crate::validate::slugify`]), when the name has enough letters for one.
    pub fn of_name(name: &str) -> Option<Self> {
        Self::parse(&crate::validate::slugify(name)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_parses_what_its_rule_allows_and_names_what_it_refuses() {
        assert_eq!(Email::parse("  Ana@Acme.Example ").map(String::from), Ok("ana@acme.example".into()));
        assert_eq!(Email::parse("ana"), Err("must be an email address".into()));
        assert_eq!(Slug::parse("acme-co").map(|s| s.to_string()), Ok("acme-co".into()));
        assert!(Slug::parse("Acme").is_err());
        assert_eq!(Slug::of_name("Acme & Co.").as_deref(), Some("acme-co"));
        assert_eq!(TimeZone::parse("Europe/Ljubljana").map(|t| t.tz()), Ok(chrono_tz::Europe::Ljubljana));
        assert_eq!(TimeZone::parse("UTC").map(|t| t.tz()), Ok(chrono_tz::Tz::UTC));
        for bad in ["Mars/Olympus_Mons", "europe/ljubljana", "", "Europe/Ljubljana "] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Slug::of_name("!"), None);
        assert!(Locale::parse("sl-SI").is_ok());
        assert!(Locale::parse("english please").is_err());
    }

    #[test]
    fn values_serialize_as_their_text() {
        let email = Email::parse("ana@acme.example").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_value(&email).ok(), Some(serde_json::json!("ana@acme.example")));
        let back: Email =
            serde_json::from_value(serde_json::json!("ana@acme.example")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, email);
    }
}
