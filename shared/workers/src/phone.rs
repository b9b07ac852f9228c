//! Phone numbers, normalised to E.164 (`+<country><number>`) so one number has one spelling: uniqueness
//! per tenant and matching on import depend on it. Validation is libphonenumber's (the `phonenumber`
//! crate), so a number must be possible and valid for its country, not just 8–15 digits.

use phonenumber::Mode;

/// The E.164 form of `raw`, which must carry its country code (`+…` or `00…`); spaces, dots, dashes and
/// parentheses are allowed.
pub fn normalize(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let international = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    if !international.starts_with('+') {
        return Err("must be an international number with its country code, e.g. +14155552671".into());
    }
    if international.chars().count() > 32 {
        return Err("must be a phone number of at most 15 digits".into());
    }
    let number = phonenumber::parse(None, &international).map_err(|_| "must be a valid phone number".to_owned())?;
    if !phonenumber::is_valid(&number) {
        return Err("must be a valid phone number for its country".into());
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164() {
        assert_eq!(normalize("+1 (415) 555-2671").unwrap(), "+14155552671");
        assert_eq!(normalize("0044 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(normalize(" +55 11 91234-5678 ").unwrap(), "+5511912345678");
    }

    #[test]
    fn national_or_invalid_numbers_are_refused() {
        for bad in ["415 555 2671", "+1 555", "+999 1234567", "hello", "", "+1415555267100000000000"] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }
}
