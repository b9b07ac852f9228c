//! The meta function: `GET /health` and `GET /openapi.json`, both without auth. The OpenAPI document is
//! generated from every function's code and merged here, so it cannot drift from the routes.

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};

/// The whole API's document.
pub fn openapi() -> OpenApi {
    let mut doc = nudge_organizations::openapi();
    doc.merge(nudge_audit::openapi());
    doc.merge(nudge_integrations::openapi());
    doc.merge(nudge_identity::signin::openapi());
    doc.merge(nudge_identity::people::openapi());
    doc.merge(nudge_workers::http::openapi());
    doc.merge(nudge_segments::http::openapi());
    doc.merge(nudge_content::openapi());
    doc.merge(nudge_media::openapi());
    doc.info = InfoBuilder::new()
        .title("Nudge API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Multi-tenant backend for frontline workforce behaviour change. The tenant is always the bearer \
             token's; errors are RFC 9457 problem+json.",
        ))
        .build();
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

async fn health() -> impl IntoResponse {
    axum::Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn openapi_json() -> impl IntoResponse {
    axum::Json(openapi())
}

pub fn router() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_json))
        .layer(axum::middleware::from_fn(nudge_core::telemetry::observe))
}

#[cfg(test)]
mod tests {
    use super::*;

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
