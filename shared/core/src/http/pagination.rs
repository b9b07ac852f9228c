//! `?limit=&cursor=` list parameters and the `{items, nextCursor}` page body.

use crate::http::problem::{ApiError, FieldError};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;

/// The query string of a list request. Unknown parameters are rejected so a typo is not silently ignored.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub limit: u32,
    pub cursor: Option<String>,
    params: HashMap<String, String>,
}

impl ListQuery {
    /// Parses the query, allowing `limit`, `cursor` and the named filters.
    pub fn parse(query: Option<&str>, filters: &[&str]) -> Result<Self, ApiError> {
        let mut params = HashMap::new();
        let mut errors = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if k != "limit" && k != "cursor" && !filters.contains(&k.as_ref()) {
                errors.push(FieldError::param(k.as_ref(), "is not a known query parameter"));
            }
            params.insert(k.into_owned(), v.into_owned());
        }
        let limit = match params.get("limit").map(|l| l.parse::<u32>()) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::param("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")));
                DEFAULT_LIMIT
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let cursor = params.get("cursor").filter(|c| !c.is_empty()).cloned();
        Ok(Self { limit, cursor, params })
    }

    /// A filter's raw value.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// One page of a list, as stored and as served: every list answers `{items, nextCursor}`, and a route's
/// document names each `Page_<Item>` (`body = Page<Item>`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass it back as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, ToSchema)]
    struct Thing {
        name: String,
    }

    #[test]
    fn a_page_refers_to_its_item() {
        let schema = serde_json::to_value(<Page<Thing> as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["properties"]["items"]["items"]["$ref"], "#/components/schemas/Thing");
    }

    #[test]
    fn limits_and_unknown_parameters() {
        let q = ListQuery::parse(Some("limit=10&cursor=abc&status=deleted"), &["status"]).unwrap();
        assert_eq!((q.limit, q.cursor.as_deref(), q.filter("status")), (10, Some("abc"), Some("deleted")));
        assert_eq!(ListQuery::parse(None, &[]).unwrap().limit, DEFAULT_LIMIT);
        let ApiError::Invalid(errors) = ListQuery::parse(Some("limit=0&lmit=5"), &[]).unwrap_err() else {
            panic!("expected 400")
        };
        assert_eq!(errors.len(), 2);
        assert!(ListQuery::parse(Some("limit=101"), &[]).is_err());
    }
}
