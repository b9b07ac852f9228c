//! Workers as export rows. A CSV export has exactly the columns an import reads: every fixed column of
//! [`crate::import::rows`] (sub-record fields by their own names, `tags` as `a;b`), then one
//! `customFields.<key>` column per custom-field key, so the file re-imports as it is. Text cells are
//! guarded against spreadsheet formulas ([`crate::cell`]), which the import undoes. A JSON Lines
//! row is the worker's `POST /workers` body. Pure: no I/O.

use super::job::ExportFormat;
use crate::WorkerFields;
use crate::cell::guard;
use crate::import::rows::{CUSTOM_PREFIX, columns, custom_key_fits};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
#[error("encoding a row failed: {0}")]
pub struct EncodeError(String);

/// The CSV header: the fixed columns, then `customFields.<key>` for each key (sorted, once each; keys a
/// column cannot name are left out, and re-importing leaves those values as they are).
pub(crate) fn header(custom_keys: &[String]) -> Vec<String> {
    let keys: BTreeSet<&str> = custom_keys.iter().map(String::as_str).filter(|k| custom_key_fits(k)).collect();
    columns().map(|(name, _)| name.to_owned()).chain(keys.into_iter().map(|k| format!("{CUSTOM_PREFIX}{k}"))).collect()
}

/// Adds the custom-field keys of `fields` to `seen`.
pub(crate) fn collect_keys(fields: &WorkerFields, seen: &mut BTreeSet<String>) {
    if let Some(custom) = &fields.custom_fields {
        seen.extend(custom.keys().filter(|k| custom_key_fits(k)).cloned());
    }
}

/// A value as its cell: text guarded, numbers and booleans as JSON writes them, `tags` joined by `;`,
/// anything absent empty, and a nested custom value as its JSON text.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => guard(s).into_owned(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            guard(&joined.join(";")).into_owned()
        }
        Some(other) => guard(&other.to_string()).into_owned(),
    }
}

/// A worker's cells under `columns`.
pub(crate) fn record(fields: &WorkerFields, columns_: &[String]) -> Result<Vec<String>, EncodeError> {
    let doc = serde_json::to_value(fields).map_err(|e| EncodeError(e.to_string()))?;
    let records: Vec<(&str, &str)> = columns().collect();
    Ok(columns_
        .iter()
        .map(|name| {
            if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
                return cell(doc.get("customFields").and_then(|c| c.get(key)));
            }
            match records.iter().find(|(n, _)| n == name) {
                Some((_, "")) => cell(doc.get(name.as_str())),
                Some((_, record)) => cell(doc.get(*record).and_then(|r| r.get(name.as_str()))),
                None => String::new(),
            }
        })
        .collect())
}

/// Rows in the file's format appended to `out`; `columns` is the CSV header (`header` also writes it).
pub(crate) fn encode<'a>(
    format: ExportFormat,
    columns_: &[String],
    header: bool,
    workers: impl IntoIterator<Item = &'a WorkerFields>,
    out: &mut Vec<u8>,
) -> Result<u64, EncodeError> {
    let mut rows = 0u64;
    match format {
        ExportFormat::Csv => {
            let mut writer = csv::WriterBuilder::new().from_writer(out);
            if header {
                writer.write_record(columns_).map_err(|e| EncodeError(e.to_string()))?;
            }
            for fields in workers {
                writer.write_record(record(fields, columns_)?).map_err(|e| EncodeError(e.to_string()))?;
                rows += 1;
            }
            writer.flush().map_err(|e| EncodeError(e.to_string()))?;
        }
        ExportFormat::Jsonl => {
            for fields in workers {
                serde_json::to_writer(&mut *out, fields).map_err(|e| EncodeError(e.to_string()))?;
                out.push(b'\n');
                rows += 1;
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::chunk::{self, RawRow};
    use crate::import::rows::Header;
    use crate::model::{Contact, OptInStatus};
    use serde_json::json;

    fn worker() -> WorkerFields {
        let mut f = WorkerFields {
            external_id: Some("=E-1".into()),
            first_name: "Ana, \"Annie\"".into(),
            last_name: "Silva\nJr".into(),
            tags: vec!["night shift".into(), "forklift".into()],
            performance_metric: Some(82.5),
            is_active: true,
            ..Default::default()
        };
        f.custom_fields = json!({"badge": "B-12", "level": 3, "nested": {"a": [1]}}).as_object().cloned();
        f.employment.department = Some("Ops".into());
        f.gamification.points_balance = 12;
        f.contact = Some(Contact {
            location_city: None,
            location_state_province: None,
            location_country: None,
            primary_phone_number: nudge_core::values::Parse::parse("+14155552671").unwrap(),
            whatsapp_opt_in_status: OptInStatus::OptedIn,
            preferred_language: nudge_core::values::Parse::parse("en").unwrap(),
            time_zone: None,
            communication_consent: true,
            email_address: None,
        });
        f
    }

    #[test]
    fn the_header_is_one_the_import_accepts() {
        let keys = vec!["badge".to_owned(), "level".into(), "badge".into(), String::new(), "k".repeat(65)];
        let h = header(&keys);
        assert_eq!(
            h.iter().filter(|c| c.starts_with(CUSTOM_PREFIX)).collect::<Vec<_>>(),
            ["customFields.badge", "customFields.level"]
        );
        assert!(Header::parse(&h).is_ok());
    }

    #[test]
    fn a_row_is_read_back_by_the_import_as_the_same_worker() {
        let f = worker();
        let mut seen = BTreeSet::new();
        collect_keys(&f, &mut seen);
        let columns = header(&seen.into_iter().collect::<Vec<_>>());
        let mut out = Vec::new();
        assert_eq!(encode(ExportFormat::Csv, &columns, true, [&f], &mut out).unwrap(), 1);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("'=E-1") && text.contains("'+14155552671") && text.contains("night shift;forklift"));

        let parsed = chunk::rows(ExportFormat::Csv, &out, true, true);
        let [RawRow::Cells(names), RawRow::Cells(cells)] = parsed.rows.as_slice() else { panic!("{parsed:?}") };
        let doc = Header::parse(names).unwrap().document(cells);
        assert_eq!(doc["externalId"], "=E-1");
        assert_eq!(doc["firstName"], "Ana, \"Annie\"");
        assert_eq!(doc["lastName"], "Silva\nJr");
        assert_eq!(doc["tags"], json!(["night shift", "forklift"]));
        assert_eq!(doc["performanceMetric"], json!(82.5));
        assert_eq!(doc["contact"]["primaryPhoneNumber"], "+14155552671");
        assert_eq!(doc["contact"]["communicationConsent"], true);
        assert_eq!(doc["gamification"]["pointsBalance"], 12);
        assert_eq!(doc["employment"]["employmentStatus"], "active");
        // Custom values are text in CSV: a number comes back as its digits, an object as its JSON.
        assert_eq!(doc["customFields"], json!({"badge": "B-12", "level": "3", "nested": "{\"a\":[1]}"}));
        // Absent values stay absent: re-importing changes nothing the export did not write.
        assert!(doc.get("dateOfBirth").is_none() && doc["contact"].get("emailAddress").is_none());
    }

    #[test]
    fn a_jsonl_row_is_the_worker_document() {
        let f = worker();
        let mut out = Vec::new();
        encode(ExportFormat::Jsonl, &[], false, [&f, &f], &mut out).unwrap();
        let lines: Vec<WorkerFields> =
            out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        assert_eq!(lines, [f.clone(), f]);
    }
}
