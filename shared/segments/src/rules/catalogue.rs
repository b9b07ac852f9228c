//! What `GET /segments/fields` answers: every field a rule may test, with its operators.

use super::field::{Attr, CUSTOM, Kind};
use super::op::Op;
use serde::Serialize;
use utoipa::ToSchema;

/// A field a segment rule may test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    /// The path to use as a condition's `field`; custom fields as `customFields.<key>`.
    #[schema(example = "employment.department")]
    pub field: String,
    /// How explanations name the field.
    #[schema(example = "department")]
    pub label: String,
    /// text, enum, number, integer, boolean, date, datetime, textList, id or custom.
    #[serde(rename = "type")]
    #[schema(example = "text")]
    pub kind: String,
    /// The operators the field allows.
    pub operators: Vec<String>,
    /// An enum field's values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Units, formats and when the field is missing.
    pub description: String,
}

fn info(field: &str, label: &str, kind: Kind, description: &str) -> FieldInfo {
    FieldInfo {
        field: field.to_owned(),
        label: label.to_owned(),
        kind: kind.name().to_owned(),
        operators: Op::allowed(kind).iter().map(|op| op.name().to_owned()).collect(),
        values: match kind {
            Kind::Enum(choice) => Some(choice.values()),
            _ => None,
        },
        description: description.to_owned(),
    }
}

/// Every built-in field, then the custom field pattern.
pub fn catalogue() -> Vec<FieldInfo> {
    let mut out: Vec<FieldInfo> = Attr::ALL
        .into_iter()
        .map(|a| {
            let s = a.spec();
            info(s.path, s.label, s.kind, s.note)
        })
        .collect();
    out.push(info(
        &format!("{CUSTOM}<key>"),
        "custom field",
        Kind::Custom,
        "a key of customFields (1 to 64 letters, digits, _ or -); a stored value of a type the operator does not \
         compare does not match",
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::field::Field;
    use serde_json::json;

    #[test]
    fn every_field_is_listed_with_operators() {
        let all = catalogue();
        assert_eq!(all.len(), Attr::ALL.len() + 1);
        for f in &all {
            assert!(!f.operators.is_empty(), "{}", f.field);
            assert!(!f.label.is_empty() && !f.description.is_empty(), "{}", f.field);
            let path = f.field.replace("<key>", "shift");
            assert!(Field::parse(&path).is_ok(), "{path}");
            assert_eq!(f.values.is_some(), f.kind == "enum", "{}", f.field);
        }
    }

    #[test]
    fn enum_fields_list_their_wire_values() {
        let opt_in = catalogue().into_iter().find(|f| f.field == "contact.whatsappOptInStatus");
        let opt_in = serde_json::to_value(opt_in).unwrap_or_default();
        assert_eq!(
            opt_in,
            json!({
                "field": "contact.whatsappOptInStatus",
                "label": "WhatsApp opt-in status",
                "type": "enum",
                "operators": ["eq", "neq", "in", "notIn", "exists", "missing"],
                "values": ["opted_in", "opted_out", "pending", "failed"],
                "description": "missing without a contact record",
            })
        );
    }
}
