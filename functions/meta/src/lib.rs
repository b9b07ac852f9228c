//! The meta function: `GET /health`, `GET /openapi.json` and the API reference at `GET /docs`, all without
//! auth. The OpenAPI document is generated from every function's routes (`document`, a test-time module
//! that links every domain) and committed as `openapi.json`, which this function serves: a test fails when
//! the two differ, so the served document cannot drift from the routes, and the function links no domain
//! code (`make openapi` rewrites the file).

mod docs;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

/// The document, as `make openapi` generated it from the routes.
const DOCUMENT: &str = include_str!("../openapi.json");

async fn health() -> impl IntoResponse {
    axum::Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

pub fn router() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_json))
        .merge(docs::router())
        .layer(nudge_core::app::catch_panics())
        .layer(axum::middleware::from_fn(nudge_core::telemetry::observe))
}

/// The document generated from every domain's routes: what `openapi.json` must hold.
#[cfg(test)]
mod document {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    use utoipa::openapi::{InfoBuilder, OpenApi};

    /// Every domain's own document, in the order they are merged.
    pub fn documents() -> Vec<OpenApi> {
        vec![
            nudge_organizations::openapi(),
            nudge_audit::openapi(),
            nudge_integrations::openapi(),
            nudge_identity::signin::openapi(),
            nudge_identity::people::openapi(),
            nudge_workers::http::openapi(),
            nudge_segments::http::openapi(),
            nudge_content::openapi(),
            nudge_media::openapi(),
            nudge_notifications::http::openapi(),
            nudge_journeys::http::openapi(),
            nudge_experiments::http::openapi(),
            nudge_learning::http::openapi(),
            nudge_gamification::http::openapi(),
            nudge_community::http::openapi(),
        ]
    }

    /// The whole API's document.
    pub fn openapi() -> OpenApi {
        let mut docs = documents().into_iter();
        let mut doc =
            docs.next().unwrap_or_else(|| OpenApi::new(InfoBuilder::new().build(), utoipa::openapi::Paths::new()));
        for other in docs {
            doc.merge(other);
        }
        doc.info = InfoBuilder::new()
            .title("Nudge API")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "Multi-tenant backend for frontline workforce behaviour change. The tenant is always the bearer \
                 token's; errors are RFC 9457 problem+json.",
            ))
            .build();
        nudge_core::http::contract::apply(&mut doc);
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT (EdDSA)")
                    .description(Some("An access token; `make token` prints one locally"))
                    .build(),
            ),
        );
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::document::{documents, openapi};

    /// The committed document is the generated one; `make openapi` (UPDATE_OPENAPI=1) rewrites it.
    #[test]
    fn the_served_document_is_the_generated_one() {
        let generated = nudge_core::http::contract::served(&openapi());
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        assert!(
            super::DOCUMENT == text,
            "functions/meta/openapi.json is not the document the routes generate: run `make openapi`"
        );
    }

    /// Merging keeps the first schema of a name: two domains naming different schemas alike would
    /// silently document one with the other's shape.
    #[test]
    fn no_two_domains_give_one_schema_name_two_shapes() {
        let mut seen: std::collections::HashMap<String, serde_json::Value> = Default::default();
        for doc in documents() {
            for (name, schema) in doc.components.map(|c| c.schemas).unwrap_or_default() {
                let shape = serde_json::to_value(&schema).unwrap();
                if let Some(before) = seen.insert(name.clone(), shape.clone()) {
                    assert_eq!(before, shape, "schema {name} has two shapes");
                }
            }
        }
    }

    /// Routes bring their schemas with them (`routes!`); a `$ref` to a schema nobody registered would make
    /// the document unreadable to every client generator.
    #[test]
    fn every_reference_resolves() {
        fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match v {
                            serde_json::Value::String(r) if k == "$ref" => out.push(r.clone()),
                            _ => refs(v, out),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let doc = nudge_core::http::contract::served(&openapi());
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 100, "{} references", found.len());
        // One generic page for every list, named by its item.
        assert!(doc["components"]["schemas"]["Page_Organization"]["properties"]["nextCursor"].is_object());
        assert!(doc["components"]["schemas"].get("Page").is_none(), "a page without its item's name");
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(doc["components"]["schemas"][name].is_object(), "{r} names no schema");
        }
    }

    #[test]
    fn every_operation_documents_client_errors_once() {
        let doc = serde_json::to_value(openapi()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.contains_key("4XX"), "{method} {path}");
                assert!(!responses.keys().any(|k| k.starts_with('4') && k != "4XX"), "{method} {path}");
            }
        }
    }

    #[test]
    fn the_document_is_openapi_31_with_every_route() {
        let doc = serde_json::to_value(openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in [
            "/organizations",
            "/organizations/{id}",
            "/organization",
            "/audit-log",
            "/auth/login",
            "/me",
            "/users/{id}",
            "/roles",
            "/integrations",
            "/integrations/{id}",
            "/workers",
            "/workers/{id}",
            "/workers/{id}/deactivate",
            "/workers/{id}/reactivate",
            "/workers/{id}/supervisees",
            "/workers/{id}/supervisors",
            "/workers/{id}/segments",
            "/segments",
            "/segments/fields",
            "/segments/preview",
            "/segments/{id}",
            "/segments/{id}/members",
            "/segments/{id}/sync",
            "/segments/{id}/sync-jobs",
            "/segments/{id}/sync-jobs/{job}",
            "/worker-imports",
            "/worker-imports/{id}",
            "/worker-exports",
            "/worker-exports/{id}",
            "/contents",
            "/contents/{id}",
            "/contents/{id}/status",
            "/contents/{id}/render",
            "/contents/{id}/versions",
            "/contents/{id}/versions/{number}",
            "/contents/{id}/versions/{number}/restore",
            "/tags",
            "/tags/{id}",
            "/collections",
            "/collections/{id}",
            "/collections/{id}/items",
            "/collections/{id}/items/{contentId}",
            "/media-assets",
            "/media-assets/{id}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}
