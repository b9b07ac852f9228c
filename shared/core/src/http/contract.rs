//! What every operation of the API shares, written once and applied to the merged OpenAPI document: the
//! client-error response (one `4XX` row: every refusal is a problem+json), and the exact shape of the
//! parameters the core reads for every function (`limit`, `cursor`, `If-Match`, `Idempotency-Key`). A
//! handler's `#[utoipa::path]` then names only what is its own: its success response and its fields.
//!
//! The document also guards the routes it describes ([`QueryGuard`]): a query parameter an operation does
//! not declare is a 400 naming it, for every route alike, so the README's promise holds by construction.

use super::pagination::MAX_LIMIT;
use super::problem::{ApiError, FieldError};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Content, OpenApi, RefOr, ResponseBuilder};

/// The one client-error row every operation carries.
pub const CLIENT_ERROR: &str = "4XX";

/// `If-Match` as [`super::IfMatch`] reads it: `*`, a strong or weak tag of a version, or the bare version.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,19}"|[0-9]{1,19})$"#;
/// `Idempotency-Key` as the idempotency layer reads it: 1 to 255 visible ASCII characters.
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// Applies the shared responses and parameter shapes to every operation of `doc`.
pub fn apply(doc: &mut OpenApi) {
    let problem = problem_response();
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            op.responses.responses.entry(CLIENT_ERROR.to_owned()).or_insert_with(|| problem.clone().into());
            for param in op.parameters.iter_mut().flatten() {
                shape(param);
            }
        }
    }
}

/// The document as served: [`apply`]'s, with white space spelled out in its patterns.
pub fn served(doc: &OpenApi) -> serde_json::Value {
    let mut json = serde_json::to_value(doc).unwrap_or_default();
    spell_out_blanks(&mut json);
    json
}

/// Every character the server counts as white space ([`crate::validate::is_blank`]), as a class body.
const BLANK_CLASS: &str = r"\s\u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

/// `\s` means different sets to ECMA-262, to Python's `re` (with or without `re.ASCII`) and to Rust: a
/// handler writes `\S` or `[^\s…]` in its `pattern`, and the served document names the characters, so
/// every reader (and the contract tests' generator) draws the line where the server does.
fn spell_out_blanks(json: &mut serde_json::Value) {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    match v {
                        serde_json::Value::String(p) if key == "pattern" => *p = spelled(p),
                        _ => walk(v),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(json);
}

fn spelled(pattern: &str) -> String {
    pattern.replace(r"[^\s", &format!("[^{BLANK_CLASS}")).replace(r"\S", &format!("[^{BLANK_CLASS}]"))
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head]
        .into_iter()
        .filter_map(|op| op.as_mut())
}

fn problem_response() -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(
            "A client error as RFC 9457 problem+json: 400 names every bad field or parameter in `errors`; 401 a \
             missing or invalid token; 403 a missing permission; 404 not found (or another tenant's); 405 a \
             method the path does not serve; 409 a conflict; 412 a stale If-Match; 415 a body that is not JSON; \
             422 a request that fits its schema but breaks a rule no schema states (an id naming nothing, \
             fields that disagree; `errors` names them) or an Idempotency-Key reused with another request; \
             429 too many attempts (Retry-After).",
        )
        .content(
            "application/problem+json",
            Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem")))),
        )
        .build()
}

fn string(pattern: Option<&str>, min: usize, max: Option<usize>, example: &str) -> Schema {
    let mut b = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .min_length(Some(min))
        .examples([serde_json::Value::from(example)]);
    if let Some(p) = pattern {
        b = b.pattern(Some(p));
    }
    if let Some(m) = max {
        b = b.max_length(Some(m));
    }
    Schema::Object(b.build())
}

/// The exact schema of a parameter the core reads, by name; others are the handler's own.
fn shape(param: &mut Parameter) {
    let schema = match param.name.as_str() {
        "limit" => Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int32)))
                .minimum(Some(1))
                .maximum(Some(MAX_LIMIT))
                .default(Some(25.into()))
                .build(),
        ),
        // Opaque and signed: only a `nextCursor` the server gave back is valid; empty is the first page.
        "cursor" => string(None, 0, Some(2048), ""),
        "If-Match" => string(Some(IF_MATCH_PATTERN), 1, None, "\"1\""),
        "Idempotency-Key" => string(Some(IDEMPOTENCY_KEY_PATTERN), 1, Some(255), "3f2c1d0e-create-tag"),
        _ => return,
    };
    param.schema = Some(RefOr::T(schema));
}

/// The query parameters each operation declares: route template → method → names.
type Declared = HashMap<String, HashMap<http::Method, HashSet<String>>>;

/// The query parameters each operation of a document declares, read from the document the function's
/// router was built with (`routes!` makes both at once), which is then dropped.
#[derive(Clone, Debug)]
pub struct QueryGuard {
    declared: Arc<Declared>,
}

impl QueryGuard {
    pub fn new(doc: &OpenApi) -> Self {
        Self { declared: Arc::new(declared(doc)) }
    }

    /// The names in `query` the operation does not declare, in order; none for an undocumented route.
    fn unknown(&self, method: &http::Method, route: &str, query: &str) -> Vec<String> {
        let Some(declared) = self.declared.get(route).and_then(|m| m.get(method)) else { return Vec::new() };
        let mut unknown: Vec<String> = Vec::new();
        for (name, _) in url::form_urlencoded::parse(query.as_bytes()) {
            if !declared.contains(name.as_ref()) && !unknown.iter().any(|u| u == name.as_ref()) {
                unknown.push(name.into_owned());
            }
        }
        unknown
    }
}

fn declared(doc: &OpenApi) -> Declared {
    use utoipa::openapi::path::ParameterIn;
    let mut map: Declared = HashMap::new();
    for (path, item) in &doc.paths.paths {
        let methods = [
            (http::Method::GET, &item.get),
            (http::Method::PUT, &item.put),
            (http::Method::POST, &item.post),
            (http::Method::DELETE, &item.delete),
            (http::Method::PATCH, &item.patch),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let names = op
                .parameters
                .iter()
                .flatten()
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .map(|p| p.name.clone())
                .collect();
            map.entry(path.clone()).or_default().insert(method, names);
        }
    }
    map
}

/// The layer: refuses a request whose query names a parameter its operation does not declare.
pub async fn guard_query(State(guard): State<QueryGuard>, request: Request, next: Next) -> Response {
    if let (Some(query), Some(route)) = (request.uri().query(), request.extensions().get::<MatchedPath>()) {
        let unknown = guard.unknown(request.method(), route.as_str(), query);
        if !unknown.is_empty() {
            let errors =
                unknown.into_iter().map(|name| FieldError::param(name, "is not a parameter of this operation"));
            return ApiError::invalid(errors.collect()).into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod blank_tests {
    use super::*;

    #[test]
    fn white_space_is_named_where_patterns_mention_it() {
        assert_eq!(spelled(r"^[a-z]+$"), r"^[a-z]+$");
        let non_blank = spelled(r"\S");
        let class = regex_lite::Regex::new(&non_blank.replace(r"\s", r"\t\n\x0b\x0c\r ")).unwrap();
        for c in (0..=0x3000u32).chain([0xfeff]).filter_map(char::from_u32) {
            assert_eq!(class.is_match(&c.to_string()), !crate::validate::is_blank(c), "U+{:04X}", c as u32);
        }
        assert_eq!(spelled(r"^https?://[^\s/?#]+$"), format!(r"^https?://[^{BLANK_CLASS}/?#]+$"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_accept_what_the_readers_accept() {
        let if_match = regex_lite::Regex::new(IF_MATCH_PATTERN).unwrap();
        for ok in ["*", "\"3\"", "W/\"12\"", "7"] {
            assert!(if_match.is_match(ok), "{ok}");
            assert!(super::super::IfMatch::from_headers(&headers("if-match", ok)).is_ok(), "{ok}");
        }
        for bad in ["x", "\"x\"", "", "\"3\" ", "W/7\""] {
            assert!(!if_match.is_match(bad), "{bad}");
        }
        let key = regex_lite::Regex::new(IDEMPOTENCY_KEY_PATTERN).unwrap();
        assert!(key.is_match("abc-123_~") && !key.is_match("a b") && !key.is_match(&"k".repeat(256)));
    }

    #[test]
    fn the_guard_names_each_undeclared_parameter_once() {
        fn doc() -> OpenApi {
            serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"get": {"parameters": [{"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"}}],
                                           "responses": {}}},
                      "/me": {"get": {"responses": {}}}}
            }))
            .unwrap()
        }
        let guard = QueryGuard::new(&doc());
        assert!(guard.unknown(&http::Method::GET, "/things", "limit=3").is_empty());
        assert_eq!(guard.unknown(&http::Method::GET, "/things", "limit=3&x=1&y&x=2"), ["x", "y"]);
        assert_eq!(guard.unknown(&http::Method::GET, "/me", "debug=1"), ["debug"]);
        // A route the document does not describe is not this guard's to judge.
        assert!(guard.unknown(&http::Method::POST, "/things", "x=1").is_empty());
    }

    fn headers(name: &'static str, value: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }
}
