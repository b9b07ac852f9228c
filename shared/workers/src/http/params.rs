//! `GET /workers` query parameters: every filter checked, all bad ones reported together. Pure.

use crate::filters;
use crate::index::Filter;
use nudge_core::http::{ApiError, FieldError, ListQuery};

pub(super) const FILTERS: &[&str] = filters::NAMES;

pub(super) fn filter(query: &ListQuery) -> Result<Filter, ApiError> {
    filters::read(|name| query.filter(name), |name, message| FieldError::param(name, message))
        .map_err(ApiError::invalid)
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
        let user = "01a228c0-9996-7567-b935-a88edab1da1c";
        assert_eq!(parse(&format!("userId={user}")).unwrap().user_id.map(|u| u.to_string()).as_deref(), Some(user));
        match parse("isActive=maybe&employmentStatus=retired&supervisorId=x&whatsappOptInStatus=no&name=&userId=me") {
            Err(ApiError::Invalid(errors)) => assert_eq!(errors.len(), 6),
            other => panic!("{other:?}"),
        }
    }
}
