//! Phone numbers, normalised to E.164 (`+<country><number>`) so one number has one spelling: uniqueness
//! per tenant and matching on import depend on it. Validation is libphonenumber's (the `phonenumber`
//! crate), so a number must be possible and valid for its country, not just 8–15 digits.

use nudge_core::values::Parse;
use phonenumber::Mode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in E.164, made only by [`normalize`] (or [`Parse`]). It serializes as its text; reading
/// one back from the table trusts what the table holds (it was normalised when written).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Phone {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Either refusal in its own words; [`normalize`] tells a bad form (400) from a bad number (422).
impl Parse for Phone {
    fn parse(text: &str) -> Result<Self, String> {
        normalize(text).map_err(|e| e.to_string())
    }
}

/// The E.164 form of `raw`, which must carry its country code (`+…` or `00…`); spaces, dots, dashes and
/// parentheses are allowed.
pub fn normalize(raw: &str) -> Result<Phone, PhoneError> {
    let rest = raw.strip_prefix('+').or_else(|| raw.strip_prefix("00"));
    let form_ok = raw.chars().count() <= MAX_CHARS
        && rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit() || " ().-".contains(c)));
    let Some(rest) = rest.filter(|_| form_ok) else {
        return Err(PhoneError::Form);
    };
    let international = format!("+{rest}");
    let number = phonenumber::parse(None, &international).map_err(|_| PhoneError::NoNumber)?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::NotOfItsCountry);
    }
    Ok(Phone(number.format().mode(Mode::E164).to_string()))
}

/// The form [`normalize`] reads, as the document's pattern (with `maxLength` [`MAX_CHARS`]); the bodies'
/// tests hold the document to it.
#[cfg(test)]
pub(crate) const FORM: &str = r"^(\+|00)[0-9 ().-]+$";
pub(crate) const MAX_CHARS: usize = 32;

/// Why a phone number was refused: its form is not [`FORM`] (400), or a number of that form is no number
/// of its country (a rule no pattern states: 422).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(
        "must be an international number with its country code (`+` or `00`, then digits, spaces, dots, dashes \
         and parentheses; at most 32 characters), e.g. +14155552671"
    )]
    Form,
    #[error("must be a valid phone number")]
    NoNumber,
    #[error("must be a valid phone number for its country")]
    NotOfItsCountry,
}

impl PhoneError {
    /// Whether the text fits the documented form (the refusal is then a rule's, not the schema's).
    pub(crate) fn is_rule(self) -> bool {
        !matches!(self, Self::Form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164() {
        let e164 = |raw: &str| normalize(raw).map(|p| p.to_string());
        assert_eq!(e164("+1 (415) 555-2671"), Ok("+14155552671".into()));
        assert_eq!(e164("0044 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(e164("+55 11 91234-5678"), Ok("+5511912345678".into()));
        // The benchmarks' generated workers (`+55119` and eight digits) are numbers too.
        assert_eq!(e164("+5511900000042"), Ok("+5511900000042".into()));
    }

    #[test]
    fn national_or_invalid_numbers_are_refused() {
        for form in ["415 555 2671", "hello", "", " +1 415 555 2671", "+", "+1 415 555 2671 ext. 2"] {
            assert_eq!(normalize(form), Err(PhoneError::Form), "{form:?}");
        }
        for invalid in ["+1 555", "+999 1234567", "+1415555267100000000000", "+()"] {
            assert!(normalize(invalid).is_err_and(PhoneError::is_rule), "{invalid:?}");
        }
        assert_eq!(normalize("+1 555"), Err(PhoneError::NotOfItsCountry));
    }

    #[test]
    fn parse_accepts_what_normalize_does_and_says_why_not() {
        assert_eq!(Phone::parse("+1 415 555 2671").map(|p| p.to_string()), Ok("+14155552671".into()));
        assert_eq!(Phone::parse("+1 555"), Err("must be a valid phone number for its country".into()));
        assert!(Phone::parse("555").is_err_and(|m| m.starts_with("must be an international number")));
        // Stored and answered as its text.
        let phone = Phone::parse("+14155552671").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_value(&phone).ok(), Some(serde_json::json!("+14155552671")));
    }
}
