//! `GET /docs`: an interactive reference of the OpenAPI document, in Swagger UI. Its JS and CSS are
//! embedded in the binary (the `swagger-ui-dist` crate) and served under `/docs/assets`, and the page's
//! Content-Security-Policy lets it load nothing but this origin, so it works without a CDN and behind a
//! closed network. "Authorize" takes an access token; "Try it out" then sends real requests with it.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use swagger_ui_dist::{ApiDefinition, OpenApiSource};

const ASSETS: &str = "/docs/assets";

/// Only this origin: scripts and styles from `/docs/assets`, requests to the API itself. Swagger UI sets
/// inline styles and draws icons from data: URLs.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                      img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
                      frame-ancestors 'none'";

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Nudge API reference</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/start.js"></script>
</body>
</html>
"#;

/// Kept out of the page so the policy needs no inline script.
const START: &str = r##"window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  filter: true,
});
"##;

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
}

async fn start() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], START)
}

/// `/docs`, its start script, and Swagger UI's assets (the crate also serves its own index at
/// `/docs/assets`, which nothing links to).
pub fn router() -> Router {
    let assets = swagger_ui_dist::generate_routes(ApiDefinition {
        uri_prefix: ASSETS,
        api_definition: OpenApiSource::Uri("/openapi.json"),
        title: Some("Nudge API reference"),
    });
    Router::new().route("/docs", get(page)).route("/docs/start.js", get(start)).merge(assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_what_it_serves() {
        for src in ["/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js", "/docs/start.js"] {
            assert!(PAGE.contains(src), "{src}");
        }
        assert!(!PAGE.contains("http"), "no other origin");
        assert!(PAGE.contains(r#"rel="icon" href="data:,""#), "no favicon request to answer 404");
        assert!(!PAGE.contains("<script>"), "no inline script for the policy to allow");
        assert!(POLICY.contains("script-src 'self'"));
    }
}
