//! The query string of `GET /audit-log`, read into a log filter: pure, so every rule is unit-tested.
//!
//! The default window is the last 30 days. A page's `nextCursor` carries the window's start in front of the
//! store's signed cursor (`<fromMillis>.<cursor>`), so the next page reads the same window although `now`
//! has moved on; the store's signature covers the query, window included, so an edited start is a 400.

use chrono::{DateTime, Duration, Utc};
use nudge_core::audit::{EntityFilter, Filter};
use nudge_core::http::{ApiError, FieldError, ListQuery};
use uuid::Uuid;

/// The query parameters besides `limit` and `cursor`.
const FILTERS: &[&str] = &["from", "to", "actorId", "entityType", "entityId"];
/// How far back the log is read when `from` is not given.
const DEFAULT_WINDOW: Duration = Duration::days(30);
/// Longest entity type or id accepted (as long as the log keeps).
const MAX_NAME_CHARS: usize = 256;

/// A parsed request: what to read, and where to resume.
#[derive(Debug, PartialEq)]
pub(crate) struct LogRequest {
    pub filter: Filter,
    pub limit: u32,
    /// The store's cursor, unwrapped.
    pub cursor: Option<String>,
}

fn time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value).ok().map(|t| t.with_timezone(&Utc))
}

fn name(errors: &mut Vec<FieldError>, param: &str, value: Option<&str>) -> Option<String> {
    let value = value?;
    if value.is_empty() || value.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::param(param, format!("must be 1 to {MAX_NAME_CHARS} characters")));
        return None;
    }
    Some(value.to_owned())
}

/// Reads the query string; every bad parameter is named in one 400 (422 when they only disagree).
pub(crate) fn parse(query: Option<&str>, now: DateTime<Utc>) -> Result<LogRequest, ApiError> {
    let list = ListQuery::parse(query, FILTERS)?;
    let mut errors = Vec::new();
    // Parameters that each fit the document but disagree (422 when nothing else is wrong).
    let mut broken = Vec::new();

    let (window_start, cursor) = match list.cursor.as_deref().map(unwrap_cursor) {
        None => (None, None),
        Some(Some((start, inner))) => (Some(start), Some(inner)),
        Some(None) => {
            errors.push(FieldError::param("cursor", "is not a cursor issued for this list; start again without it"));
            (None, None)
        }
    };
    let from = match list.filter("from") {
        Some(v) => time(v).or_else(|| {
            errors.push(FieldError::param("from", "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z"));
            None
        }),
        None => Some(window_start.unwrap_or(now - DEFAULT_WINDOW)),
    };
    let to = match list.filter("to") {
        Some(v) => match time(v) {
            Some(t) => Some(t),
            None => {
                errors.push(FieldError::param("to", "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z"));
                None
            }
        },
        None => None,
    };
    if let Some(from) = from
        && from > to.unwrap_or(now)
    {
        let end = if to.is_some() { "`to`" } else { "now (the default `to`)" };
        if window_start.is_some() && list.filter("from").is_none() {
            // The window came from the cursor: an edited cursor, not two parameters that disagree.
            errors.push(FieldError::param("cursor", "is not a cursor issued for this list; start again without it"));
        } else {
            broken.push(FieldError::param("from", format!("must not be after {end}")));
        }
    }
    let actor = list.filter("actorId").and_then(|v| {
        Uuid::parse_str(v).map_err(|_| errors.push(FieldError::param("actorId", "must be a user id (UUID)"))).ok()
    });
    let entity_type = name(&mut errors, "entityType", list.filter("entityType"));
    let entity_id = name(&mut errors, "entityId", list.filter("entityId"));
    if entity_id.is_some() && list.filter("entityType").is_none() {
        broken.push(FieldError::param("entityId", "needs `entityType` too"));
    }
    let entity = match (entity_type, entity_id) {
        (Some(entity_type), Some(entity_id)) => Some(EntityFilter::One { entity_type, entity_id }),
        (Some(t), None) => Some(EntityFilter::Type(t)),
        _ => None,
    };
    ApiError::of_read(errors, broken)?;
    let from = from.ok_or_else(|| ApiError::internal("audit window start missing without a reported error"))?;
    Ok(LogRequest { filter: Filter { from, to, actor, entity }, limit: list.limit, cursor })
}

/// The cursor handed to the client: the window's start, then the store's signed cursor.
pub(crate) fn wrap_cursor(from: DateTime<Utc>, inner: &str) -> String {
    format!("{}.{inner}", from.timestamp_millis())
}

fn unwrap_cursor(cursor: &str) -> Option<(DateTime<Utc>, String)> {
    let (start, inner) = cursor.split_once('.')?;
    let start = DateTime::from_timestamp_millis(start.parse().ok()?)?;
    (!inner.is_empty()).then(|| (start, inner.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        time("2026-03-01T12:00:00Z").unwrap()
    }

    fn bad(query: &str) -> Vec<String> {
        match parse(Some(query), now()) {
            Err(ApiError::Invalid(errors) | ApiError::Rejected(errors)) => {
                errors.into_iter().filter_map(|e| e.parameter).collect()
            }
            other => panic!("{query}: expected 400 or 422, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_last_30_days_until_now() {
        let r = parse(None, now()).unwrap();
        assert_eq!(r.filter, Filter { from: now() - DEFAULT_WINDOW, to: None, actor: None, entity: None });
        assert_eq!((r.limit, r.cursor), (25, None));
    }

    #[test]
    fn every_filter_is_read() {
        let actor = Uuid::now_v7();
        let q = format!(
            "from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00%2B01:00&actorId={actor}&entityType=organization&entityId=o1&limit=5"
        );
        let r = parse(Some(&q), now()).unwrap();
        assert_eq!(r.filter.from, time("2026-02-01T00:00:00Z").unwrap());
        assert_eq!(r.filter.to, time("2026-02-01T23:00:00Z"));
        assert_eq!(r.filter.actor, Some(actor));
        assert_eq!(
            r.filter.entity,
            Some(EntityFilter::One { entity_type: "organization".into(), entity_id: "o1".into() })
        );
        assert_eq!(r.limit, 5);
        let by_type = parse(Some("entityType=user"), now()).unwrap();
        assert_eq!(by_type.filter.entity, Some(EntityFilter::Type("user".into())));
    }

    #[test]
    fn bad_parameters_are_each_named() {
        assert_eq!(bad("from=yesterday"), ["from"]);
        assert_eq!(bad("to=2026-13-01T00:00:00Z"), ["to"]);
        assert_eq!(bad("from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z"), ["from"]);
        assert_eq!(bad("from=2026-04-01T00:00:00Z"), ["from"], "after now");
        assert_eq!(bad("actorId=bob"), ["actorId"]);
        assert_eq!(bad("entityId=o1"), ["entityId"]);
        assert_eq!(bad("entityType="), ["entityType"]);
        assert_eq!(bad("cursor=nonsense"), ["cursor"]);
        assert_eq!(bad("from=x&actorId=y&entityId=z"), ["from", "actorId", "entityId"]);
        assert_eq!(bad("actor=me"), ["actor"], "unknown parameters too");
        let disagree = parse(Some("entityId=o1"), now()).unwrap_err();
        assert!(matches!(disagree, ApiError::Rejected(_)), "well-formed parameters that disagree are a 422");
    }

    #[test]
    fn the_cursor_keeps_the_window_of_the_first_page() {
        let first = parse(None, now()).unwrap();
        let cursor = wrap_cursor(first.filter.from, "payload.tag");
        let later = now() + Duration::minutes(5);
        let next = parse(Some(&format!("cursor={cursor}")), later).unwrap();
        assert_eq!(next.filter.from, first.filter.from);
        assert_eq!(next.cursor.as_deref(), Some("payload.tag"));
        // An explicit `from` wins; the store then refuses the cursor if it was issued for another window.
        let explicit = parse(Some(&format!("from=2026-02-20T00:00:00Z&cursor={cursor}")), later).unwrap();
        assert_eq!(explicit.filter.from, time("2026-02-20T00:00:00Z").unwrap());
        assert!(unwrap_cursor("12.").is_none() && unwrap_cursor("x.y").is_none());
    }
}
