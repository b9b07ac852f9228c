//! `GET /workers` query parameters: every filter checked, all bad ones reported together. Pure.

use nudge::http::{ApiError, FieldError, ListQuery};
use nudge::workers::index::Filter;
use nudge::workers::model::{EmploymentStatus, OptInStatus};
use uuid::Uuid;

pub const FILTERS: &[&str] =
    &["name", "tag", "department", "team", "employmentStatus", "isActive", "supervisorId", "whatsappOptInStatus"];

fn one_of<T: serde::de::DeserializeOwned>(value: &str) -> bool {
    serde_json::from_value::<T>(serde_json::Value::String(value.to_owned())).is_ok()
}

pub fn filter(query: &ListQuery) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let text = |name: &str, errors: &mut Vec<FieldError>| -> Option<String> {
        let value = query.filter(name)?;
        if value.trim().is_empty() || value.chars().count() > 100 {
            errors.push(FieldError::param(name, "must be 1 to 100 characters"));
            return None;
        }
        Some(value.to_owned())
    };
    let name = text("name", &mut errors);
    let tag = text("tag", &mut errors);
    let department = text("department", &mut errors);
    let team = text("team", &mut errors);
    let employment_status = query.filter("employmentStatus").map(str::to_owned);
    if employment_status.as_deref().is_some_and(|v| !one_of::<EmploymentStatus>(v)) {
        errors.push(FieldError::param("employmentStatus", "must be active, inactive, on_leave or terminated"));
    }
    let whatsapp = query.filter("whatsappOptInStatus").map(str::to_owned);
    if whatsapp.as_deref().is_some_and(|v| !one_of::<OptInStatus>(v)) {
        errors.push(FieldError::param("whatsappOptInStatus", "must be opted_in, opted_out, pending or failed"));
    }
    let is_active = match query.filter("isActive") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push(FieldError::param("isActive", "must be true or false"));
            None
        }
    };
    let supervisor_id = match query.filter("supervisorId").map(Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(FieldError::param("supervisorId", "must be a worker id (UUID)"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(Filter {
        name,
        tag,
        supervisor_id,
        team,
        department,
        whatsapp_opt_in_status: whatsapp,
        employment_status,
        is_active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Filter, ApiError> {
        filter(&ListQuery::parse(Some(q), FILTERS)?)
    }

    #[test]
    fn filters_are_read_and_checked_together() {
        let f = parse("department=Ops&isActive=false&employmentStatus=on_leave").unwrap();
        assert_eq!(
            (f.department.as_deref(), f.is_active, f.employment_status.as_deref()),
            (Some("Ops"), Some(false), Some("on_leave"))
        );
        match parse("isActive=maybe&employmentStatus=retired&supervisorId=x&whatsappOptInStatus=no&name=") {
            Err(ApiError::Invalid(errors)) => assert_eq!(errors.len(), 5),
            other => panic!("{other:?}"),
        }
    }
}
