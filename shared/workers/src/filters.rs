//! Reading the worker list filters, from `GET /workers` query parameters or the `filters` object of an
//! export request: every filter checked, all bad ones reported together, each where the caller gave it
//! (a query parameter, or a JSON pointer). Pure.

use super::index::Filter;
use super::model::{EmploymentStatus, OptInStatus};
use nudge_core::http::FieldError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The filters' names, as query parameters and as fields of a `filters` object.
pub(crate) const NAMES: &[&str] = &[
    "name",
    "tag",
    "department",
    "team",
    "employmentStatus",
    "isActive",
    "supervisorId",
    "userId",
    "whatsappOptInStatus",
];

fn one_of<T: serde::de::DeserializeOwned>(value: &str) -> bool {
    serde_json::from_value::<T>(Value::String(value.to_owned())).is_ok()
}

/// Filters from their text (`isActive` as `true`/`false`); `at(name, message)` places an error.
pub(crate) fn read<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
    at: impl Fn(&str, &str) -> FieldError,
) -> Result<Filter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = |name: &str, errors: &mut Vec<FieldError>| -> Option<String> {
        let value = get(name)?;
        if let Err(message) = nudge_core::validate::text(value, 1, 100) {
            errors.push(at(name, &message));
            return None;
        }
        Some(value.to_owned())
    };
    let name = text("name", &mut errors);
    let tag = text("tag", &mut errors);
    let department = text("department", &mut errors);
    let team = text("team", &mut errors);
    let employment_status = get("employmentStatus").map(str::to_owned);
    if employment_status.as_deref().is_some_and(|v| !one_of::<EmploymentStatus>(v)) {
        errors.push(at("employmentStatus", "must be active, inactive, on_leave or terminated"));
    }
    let whatsapp = get("whatsappOptInStatus").map(str::to_owned);
    if whatsapp.as_deref().is_some_and(|v| !one_of::<OptInStatus>(v)) {
        errors.push(at("whatsappOptInStatus", "must be opted_in, opted_out, pending or failed"));
    }
    let is_active = match get("isActive") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push(at("isActive", "must be true or false"));
            None
        }
    };
    let supervisor_id = match get("supervisorId").map(Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(at("supervisorId", "must be a worker id (UUID)"));
            None
        }
    };
    let user_id = match get("userId").map(Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(at("userId", "must be a user id (UUID)"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Filter {
        name,
        tag,
        supervisor_id,
        user_id,
        team,
        department,
        whatsapp_opt_in_status: whatsapp,
        employment_status,
        is_active,
    })
}

/// Filters from a JSON object at `base` (a JSON pointer): strings, and `isActive` a boolean. Unknown
/// fields and values of the wrong type are errors too.
pub(crate) fn from_json(object: &Map<String, Value>, base: &str) -> Result<Filter, Vec<FieldError>> {
    let pointer = |name: &str| format!("{base}/{}", nudge_core::http::input::pointer_token(name));
    let mut errors = Vec::new();
    let mut text: BTreeMap<&str, String> = BTreeMap::new();
    for (name, value) in object {
        let Some(known) = NAMES.iter().find(|n| **n == name.as_str()) else {
            errors.push(FieldError::body(pointer(name), "is not a known filter"));
            continue;
        };
        match (value, *known) {
            (Value::Null, _) => {}
            (Value::Bool(b), "isActive") => {
                text.insert(known, b.to_string());
            }
            (_, "isActive") => errors.push(FieldError::body(pointer(name), "must be true or false")),
            (Value::String(s), _) => {
                text.insert(known, s.clone());
            }
            _ => errors.push(FieldError::body(pointer(name), "must be a string")),
        }
    }
    let read =
        read(|name| text.get(name).map(String::as_str), |name, message| FieldError::body(pointer(name), message));
    match read {
        Ok(filter) if errors.is_empty() => Ok(filter),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(result: Result<Filter, Vec<FieldError>>) -> Vec<String> {
        let mut out: Vec<String> = result.unwrap_err().into_iter().filter_map(|e| e.pointer).collect();
        out.sort();
        out
    }

    #[test]
    fn a_filters_object_reads_like_the_query() {
        let object = json!({"department": "Ops", "isActive": false, "employmentStatus": "on_leave", "tag": null});
        let f = from_json(object.as_object().unwrap(), "/filters").unwrap();
        assert_eq!(
            (f.department.as_deref(), f.is_active, f.employment_status.as_deref(), f.tag),
            (Some("Ops"), Some(false), Some("on_leave"), None)
        );
    }

    #[test]
    fn every_bad_filter_is_named_by_its_pointer() {
        let object = json!({"isActive": "yes", "employmentStatus": "retired", "supervisorId": "x", "team": 3,
                            "name": "", "shoeSize": "42", "userId": "me"});
        assert_eq!(
            pointers(from_json(object.as_object().unwrap(), "/filters")),
            [
                "/filters/employmentStatus",
                "/filters/isActive",
                "/filters/name",
                "/filters/shoeSize",
                "/filters/supervisorId",
                "/filters/team",
                "/filters/userId"
            ]
        );
    }
}
