//! Import rows into worker documents. A CSV header names the worker's JSON fields, sub-record fields by
//! their own names (`department`, `primaryPhoneNumber`, …); `tags` holds `;`-separated tags and
//! `customFields.<key>` columns fill custom fields. A JSON Lines row is the `POST /workers` body itself.
//! A cell the export guarded against spreadsheet formulas (a leading `'`, see [`crate::cell`])
//! is read without it. Pure: no I/O.

use serde_json::{Map, Value};

/// Where a CSV column goes in the worker document, and how its text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Bool,
    Float,
    Int,
    Tags,
}

/// (column, sub-record or "" for the core, kind)
const COLUMNS: &[(&str, &str, Kind)] = &[
    ("externalId", "", Kind::Text),
    ("firstName", "", Kind::Text),
    ("lastName", "", Kind::Text),
    ("dateOfBirth", "", Kind::Text),
    ("gender", "", Kind::Text),
    ("tags", "", Kind::Tags),
    ("isActive", "", Kind::Bool),
    ("deactivationReason", "", Kind::Text),
    ("supervisorId", "", Kind::Text),
    ("performanceMetric", "", Kind::Float),
    ("locationCity", "contact", Kind::Text),
    ("locationStateProvince", "contact", Kind::Text),
    ("locationCountry", "contact", Kind::Text),
    ("primaryPhoneNumber", "contact", Kind::Text),
    ("whatsappOptInStatus", "contact", Kind::Text),
    ("preferredLanguage", "contact", Kind::Text),
    ("timeZone", "contact", Kind::Text),
    ("communicationConsent", "contact", Kind::Bool),
    ("emailAddress", "contact", Kind::Text),
    ("jobTitle", "employment", Kind::Text),
    ("department", "employment", Kind::Text),
    ("team", "employment", Kind::Text),
    ("hireDate", "employment", Kind::Text),
    ("employmentStatus", "employment", Kind::Text),
    ("employmentType", "employment", Kind::Text),
    ("lastActiveAt", "engagement", Kind::Text),
    ("lastInteractionDate", "engagement", Kind::Text),
    ("lastWellbeingAssessmentDate", "wellbeing", Kind::Text),
    ("overallWellbeingScore", "wellbeing", Kind::Float),
    ("pointsBalance", "gamification", Kind::Int),
    ("badgesEarnedCount", "gamification", Kind::Int),
];

pub(crate) const CUSTOM_PREFIX: &str = "customFields.";
/// The longest custom-field key a column can name, in bytes.
pub(crate) const MAX_CUSTOM_KEY_BYTES: usize = 64;

/// The fixed columns with the record each belongs to (`""` for the worker itself), in header order: what
/// an export writes.
pub(crate) fn columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    COLUMNS.iter().map(|(name, record, _)| (*name, *record))
}

/// Whether a custom-field key can be a column.
pub(crate) fn custom_key_fits(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_CUSTOM_KEY_BYTES
}

/// A checked CSV header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header(Vec<String>);

/// Columns a header may have: every fixed column and a generous number of `customFields.<key>` ones.
const MAX_COLUMNS: usize = 300;

impl Header {
    /// Every unknown or repeated column is an error; a header must name `firstName` and `lastName` or a
    /// key to match existing workers by (`externalId` or `primaryPhoneNumber`).
    pub fn parse(names: &[String]) -> Result<Self, Vec<String>> {
        // The header is kept on the job: bounded, so the job's item always fits.
        if names.len() > MAX_COLUMNS {
            return Err(vec![format!("the header has {} columns, at most {MAX_COLUMNS}", names.len())]);
        }
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            let name = name.trim();
            let known = COLUMNS.iter().any(|(c, _, _)| *c == name)
                || name.strip_prefix(CUSTOM_PREFIX).is_some_and(custom_key_fits);
            if !known {
                errors.push(format!("unknown column `{name}`"));
            } else if seen.contains(&name) {
                errors.push(format!("column `{name}` appears twice"));
            }
            seen.push(name);
        }
        let has = |c: &str| seen.contains(&c);
        let named = has("firstName") && has("lastName");
        if !(named || has("externalId") || has("primaryPhoneNumber")) {
            errors.push("the header names neither firstName and lastName nor externalId or primaryPhoneNumber".into());
        }
        if errors.is_empty() { Ok(Self(names.iter().map(|n| n.trim().to_owned()).collect())) } else { Err(errors) }
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.0
    }

    /// A row as a (partial) worker document: empty cells are absent.
    pub fn document(&self, cells: &[String]) -> Value {
        let mut doc = Map::new();
        for (name, cell) in self.0.iter().zip(cells) {
            let cell = crate::cell::unguard(cell.trim());
            if cell.is_empty() {
                continue;
            }
            if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
                let custom = doc.entry("customFields").or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = custom {
                    m.insert(key.to_owned(), Value::String(cell.to_owned()));
                }
                continue;
            }
            let Some((_, record, kind)) = COLUMNS.iter().find(|(c, _, _)| c == name) else { continue };
            let value = convert(cell, *kind);
            if record.is_empty() {
                doc.insert(name.clone(), value);
            } else {
                let sub = doc.entry(*record).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = sub {
                    m.insert(name.clone(), value);
                }
            }
        }
        Value::Object(doc)
    }
}

/// A cell as the JSON value its field takes; text that does not parse stays text, so validation names
/// the field.
fn convert(cell: &str, kind: Kind) -> Value {
    match kind {
        Kind::Text => Value::String(cell.to_owned()),
        Kind::Bool => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => Value::String(cell.to_owned()),
        },
        Kind::Float => cell
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .unwrap_or_else(|| Value::String(cell.to_owned())),
        Kind::Int => cell.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(cell.to_owned())),
        Kind::Tags => Value::Array(
            cell.split(';').map(str::trim).filter(|t| !t.is_empty()).map(|t| Value::String(t.to_owned())).collect(),
        ),
    }
}

/// The column an error's JSON pointer names, as the file's author knows it (`/contact/primaryPhoneNumber`
/// is column `primaryPhoneNumber`, `/tags/2` is `tags`, `/customFields` is `customFields`).
pub(crate) fn column_of(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        [] | [""] => String::new(),
        ["customFields", key, ..] => format!("{CUSTOM_PREFIX}{key}"),
        [record, field, ..]
            if ["contact", "employment", "engagement", "wellbeing", "gamification"].contains(record) =>
        {
            (*field).to_owned()
        }
        [first, ..] => (*first).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_header_of_too_many_columns_is_refused_whole() {
        let mut names: Vec<String> = vec!["firstName".into(), "lastName".into()];
        names.extend((0..MAX_COLUMNS - 1).map(|i| format!("customFields.k{i}")));
        let Err(errors) = Header::parse(&names) else { panic!("accepted {} columns", names.len()) };
        assert_eq!(errors, [format!("the header has {} columns, at most {MAX_COLUMNS}", MAX_COLUMNS + 1)]);
        let fits = Header::parse(&names[..MAX_COLUMNS]);
        assert!(fits.is_ok(), "{:?}", fits.err());
    }

    fn header(names: &[&str]) -> Result<Header, Vec<String>> {
        Header::parse(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_row_becomes_a_nested_document() {
        let h = header(&[
            "firstName",
            "lastName",
            "primaryPhoneNumber",
            "department",
            "tags",
            "isActive",
            "pointsBalance",
            "overallWellbeingScore",
            "customFields.shift",
            "gender",
        ])
        .unwrap();
        let cells: Vec<String> = ["Ana", "Silva", "+14155552671", "Ops", "a; b ;", "no", "12", "71.5", "night", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            h.document(&cells),
            json!({"firstName": "Ana", "lastName": "Silva", "contact": {"primaryPhoneNumber": "+14155552671"},
                   "employment": {"department": "Ops"}, "tags": ["a", "b"], "isActive": false,
                   "gamification": {"pointsBalance": 12}, "wellbeing": {"overallWellbeingScore": 71.5},
                   "customFields": {"shift": "night"}})
        );
    }

    #[test]
    fn guarded_cells_lose_their_guard() {
        let h = header(&["externalId", "primaryPhoneNumber", "customFields.f"]).unwrap();
        assert_eq!(
            h.document(&["'=E1".into(), "'+14155552671".into(), "'plain".into()]),
            json!({"externalId": "=E1", "contact": {"primaryPhoneNumber": "+14155552671"}, "customFields": {"f": "'plain"}})
        );
    }

    #[test]
    fn unreadable_numbers_stay_text_for_validation_to_name() {
        let h = header(&["externalId", "pointsBalance"]).unwrap();
        assert_eq!(
            h.document(&["E1".into(), "lots".into()]),
            json!({"externalId": "E1", "gamification": {"pointsBalance": "lots"}})
        );
    }

    #[test]
    fn bad_headers_name_every_problem() {
        let errors = header(&["firstName", "nickname", "firstName"]).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(header(&["externalId", "customFields.x"]).is_ok());
        assert!(header(&["customFields."]).is_err());
    }

    #[test]
    fn pointers_map_back_to_columns() {
        assert_eq!(column_of("/contact/primaryPhoneNumber"), "primaryPhoneNumber");
        assert_eq!(column_of("/tags/2"), "tags");
        assert_eq!(column_of("/firstName"), "firstName");
        assert_eq!(column_of("/customFields/shift"), "customFields.shift");
        assert_eq!(column_of(""), "");
    }
}
