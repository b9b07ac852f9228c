//! Reading a list request's query: the core's `limit` and `cursor`, and the inbox's `status` and `type`,
//! every bad one named in one problem.

use crate::inbox::model::NotificationType;
use crate::inbox::repo::{Filter, InboxStatus};
use axum::extract::Query;
use nudge_core::http::{ApiError, FieldError, ListQuery};
use nudge_core::values::Parse;

const FILTERS: [&str; 2] = ["status", "type"];

pub(crate) fn list(uri: &http::Uri) -> Result<(ListQuery, Filter), ApiError> {
    let mut errors = Vec::new();
    let listed = match ListQuery::parse(uri.query(), &FILTERS) {
        Ok(query) => Some(query),
        // Kept, so a bad filter is named beside a bad limit.
        Err(ApiError::Invalid(found)) => {
            errors.extend(found);
            None
        }
        Err(other) => return Err(other),
    };
    let pairs = Query::<Vec<(String, String)>>::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    // The last of a repeated parameter counts, as in `ListQuery`.
    let last = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let status = match last("status") {
        None => None,
        Some(text) => {
            let status = InboxStatus::ALL.into_iter().find(|s| s.as_str() == text);
            if status.is_none() {
                errors.push(FieldError::param("status", "must be `unread`, `read`, `archived` or `all`"));
            }
            status
        }
    };
    let kind = match last("type").map(NotificationType::parse).transpose() {
        Ok(kind) => kind,
        Err(message) => {
            errors.push(FieldError::param("type", message));
            None
        }
    };
    match listed {
        Some(query) if errors.is_empty() => Ok((query, Filter { status, kind })),
        _ => Err(ApiError::invalid(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(query: &str) -> Result<(ListQuery, Filter), ApiError> {
        let uri: http::Uri = format!("/me/notifications?{query}").parse().unwrap_or_else(|e| panic!("{e}"));
        list(&uri)
    }

    fn named(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Invalid(errors) => errors.into_iter().filter_map(|e| e.parameter).collect(),
            other => panic!("expected 400, got {other:?}"),
        }
    }

    #[test]
    fn the_default_is_the_inbox() {
        let (query, filter) = read("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((query.limit, filter), (nudge_core::http::pagination::DEFAULT_LIMIT, Filter::default()));
    }

    #[test]
    fn filters_are_read() {
        let (query, filter) = read("status=archived&type=XP_EARNED&limit=5").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(query.limit, 5);
        assert_eq!(filter, Filter { status: Some(InboxStatus::Archived), kind: Some(NotificationType::XpEarned) });
        for status in InboxStatus::ALL {
            let (_, f) = read(&format!("status={}", status.as_str())).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(f.status, Some(status));
        }
    }

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let mut got = named(read("status=new&type=system&limit=0").err().unwrap_or_else(|| panic!("accepted")));
        got.sort();
        assert_eq!(got, ["limit", "status", "type"]);
        assert_eq!(named(read("status=").err().unwrap_or_else(|| panic!("accepted"))), ["status"]);
        assert_eq!(named(read("type=NOPE").err().unwrap_or_else(|| panic!("accepted"))), ["type"]);
    }
}
