//! `GET /docs`, the API reference, as a person uses it: tests/browser/docs.mjs drives Debian's Chromium
//! through it (authorize with a token, try GET /organization, read the 200) and fails on any request to
//! another origin, script error or policy violation. `make test` installs Chromium and the driver.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn the_reference_is_served_from_this_origin_only() {
    let s = stack();
    let page = s.call(Method::GET, "/docs", None, None, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.header("content-security-policy").unwrap_or_default().to_owned();
    assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "{policy}");
    for asset in ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/start.js"] {
        assert_eq!(s.call(Method::GET, asset, None, None, &[]).await.status, StatusCode::OK, "{asset}");
    }
}

#[tokio::test]
async fn a_person_authorizes_and_tries_a_request_in_chromium() {
    let s = stack();
    let tenant = s.organization("Docs reader").await;
    let token = s.tenant(tenant, SystemRole::Admin);
    e2e::chromium("docs.mjs", &[&s.base, &token]).await;
}
