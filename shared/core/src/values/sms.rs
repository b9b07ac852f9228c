//! SMS segment counting, shared by the content library (a template's segments) and the SMS channel (a
//! send's). A message that fits the GSM 03.38 alphabet is sent in 7-bit septets (160 in one segment, 153 per
//! segment once a user-data header is needed for concatenation; the extension characters `^{}\[~]|€` and
//! form feed take two septets). Anything else is sent as UCS-2 (70 code units in one segment, 67 per
//! concatenated segment). Carriers never split a character across segments, so segments are filled greedily
//! character by character, as they do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{0c}";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// How a text goes out as SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

fn gsm7_cost(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts the segments `text` takes. An empty text is one (empty) segment.
pub fn count(text: &str) -> Segments {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm7_cost).collect();
    let (encoding, costs, single, multi) = match gsm {
        Some(costs) => (Encoding::Gsm7, costs, 160, 153),
        None => (Encoding::Ucs2, text.chars().map(char::len_utf16).collect(), 70, 67),
    };
    let units: usize = costs.iter().sum();
    if units <= single {
        return Segments { encoding, units, segments: 1 };
    }
    let (mut segments, mut used) = (1, 0);
    for cost in costs {
        if used + cost > multi {
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    Segments { encoding, units, segments }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gsm7_limits() {
        assert_eq!(count(""), Segments { encoding: Encoding::Gsm7, units: 0, segments: 1 });
        assert_eq!(count(&"a".repeat(160)).segments, 1);
        assert_eq!(count(&"a".repeat(161)).segments, 2);
        assert_eq!(count(&"a".repeat(306)).segments, 2);
        assert_eq!(count(&"a".repeat(307)).segments, 3);
        // Extension characters take two septets.
        assert_eq!(count(&"€".repeat(80)), Segments { encoding: Encoding::Gsm7, units: 160, segments: 1 });
        assert_eq!(count(&"€".repeat(81)).segments, 2);
        // An escape pair is never split: 152 septets then `€` does not fit the first segment's 153.
        assert_eq!(count(&format!("{}€{}", "a".repeat(152), "a".repeat(10))).segments, 2);
        assert_eq!(count("Hi Ana, your shift starts at 9:00 @ Depot #3.").encoding, Encoding::Gsm7);
    }

    #[test]
    fn ucs2_limits() {
        assert_eq!(count("Živjo").encoding, Encoding::Ucs2, "ž is not in GSM 03.38");
        assert_eq!(count(&"ž".repeat(70)).segments, 1);
        assert_eq!(count(&"ž".repeat(71)).segments, 2);
        assert_eq!(count(&"ž".repeat(134)).segments, 2);
        assert_eq!(count(&"ž".repeat(135)).segments, 3);
        // An emoji is two code units and is not split across segments.
        assert_eq!(count("👍").units, 2);
        assert_eq!(count(&format!("{}👍", "ž".repeat(66))).segments, 1);
        assert_eq!(count(&format!("{}👍{}", "ž".repeat(66), "ž".repeat(10))).segments, 2);
    }

    proptest! {
        #[test]
        fn segments_hold_the_text(text in ".{0,400}") {
            let s = count(&text);
            let per = match s.encoding { Encoding::Gsm7 => 153, Encoding::Ucs2 => 67 };
            prop_assert!(s.segments >= 1);
            prop_assert!(s.segments == 1 || s.units > per);
            // Greedy filling wastes at most one unit per segment boundary.
            prop_assert!(s.segments <= 1 + s.units / (per - 1));
        }
    }
}
