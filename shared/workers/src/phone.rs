//! Phone numbers, normalised to E.164 (`+<country><number>`) so one number has one spelling: uniqueness
//! per tenant and matching on import depend on it. Validation is libphonenumber's (the `phonenumber`
//! crate), so a number must be possible and valid for its country, not just 8–15 digits.

use phonenumber::Mode;

/// The E.164 form of `raw`, which must carry its country code (`+…` or `00…`); spaces, dots, dashes and
/// parentheses are allowed.
pub fn normalize(raw: &str) -> Result<String, PhoneError> {
    let rest = raw.strip_prefix('+').or_else(|| raw.strip_prefix("00"));
    let form_ok = raw.chars().count() <= MAX_CHARS
        && rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit() || " ().-".contains(c)));
    let Some(rest) = rest.filter(|_| form_ok) else {
        return Err(PhoneError::Form(
            "must be an international number with its country code (`+` or `00`, then digits, spaces, dots, \
             dashes and parentheses; at most 32 characters), e.g. +14155552671"
                .into(),
        ));
    };
    let international = format!("+{rest}");
    let number = phonenumber::parse(None, &international)
        .map_err(|_| PhoneError::Invalid("must be a valid phone number".to_owned()))?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid("must be a valid phone number for its country".into()));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The form [`normalize`] reads, as the document's pattern (with `maxLength` [`MAX_CHARS`]).
pub const FORM: &str = r"^(\+|00)[0-9 ().-]+$";
pub const MAX_CHARS: usize = 32;

/// Why a phone number was refused: its form is not [`FORM`] (400), or a number of that form is not a
/// possible number for its country (a rule no pattern states: 422).
#[derive(Debug, PartialEq, Eq)]
pub enum PhoneError {
    Form(String),
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164() {
        assert_eq!(normalize("+1 (415) 555-2671").unwrap(), "+14155552671");
        assert_eq!(normalize("0044 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(normalize("+55 11 91234-5678").unwrap(), "+5511912345678");
    }

    #[test]
    fn national_or_invalid_numbers_are_refused() {
        for form in ["415 555 2671", "hello", "", " +1 415 555 2671", "+", "+1 415 555 2671 ext. 2"] {
            assert!(matches!(normalize(form), Err(PhoneError::Form(_))), "{form:?}");
        }
        for invalid in ["+1 555", "+999 1234567", "+1415555267100000000000", "+()"] {
            assert!(matches!(normalize(invalid), Err(PhoneError::Invalid(_))), "{invalid:?}");
        }
    }
}
