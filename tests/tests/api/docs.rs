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
    let root = nudge_local::root();
    let script = root.join("tests/browser/docs.mjs");
    assert!(
        root.join("tests/browser/node_modules/playwright-core").exists()
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium or the Playwright driver is missing: `make test` installs both"
    );
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .arg(&s.base)
        .arg(&token)
        .output()
        .await
        .unwrap_or_else(|e| panic!("node did not run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "the API reference failed in Chromium:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
