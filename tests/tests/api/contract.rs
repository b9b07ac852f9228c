//! The OpenAPI document is a contract: schemathesis (pinned in infra/requirements.txt, configured by
//! infra/schemathesis.toml) generates requests from `/openapi.json` with every check, positive and negative
//! data, against this stack, as an owner of a tenant of its own. Any finding fails the test: there is no
//! list of known failures.
//!
//! One worker: schemathesis's workers are threads, and CPython 3.11's AST constructor keeps its recursion
//! depth in interpreter-wide state, so two threads parsing source at once (hypothesis does, to describe
//! strategies) can fail a run with "AST constructor recursion depth mismatch" (python/cpython#106905).
//! The threads share one GIL, so a second worker bought little: 164 s with one against 133–247 s with two.

use e2e::stack;
use nudge_core::auth::SystemRole;

#[tokio::test]
async fn schemathesis_finds_nothing() {
    let s = stack();
    let tenant = s.organization("Contract").await;
    let token = s.tenant(tenant, SystemRole::Owner);
    let root = nudge_local::root();
    let exe = nudge_local::emulator::venv(&root).join("bin/schemathesis");
    assert!(exe.exists(), "{} is missing: `make test` installs it (infra/requirements.txt)", exe.display());
    let out = tokio::process::Command::new(exe)
        .arg("--config-file")
        .arg(root.join("infra/schemathesis.toml"))
        .arg("run")
        .arg(format!("{}/openapi.json", s.base))
        .args(["--checks", "all", "--workers", "1", "--max-examples", "10", "--generation-deterministic"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--request-timeout", "30"])
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap_or_else(|e| panic!("schemathesis did not run: {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schemathesis found failures:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
}
