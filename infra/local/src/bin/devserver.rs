//! `make dev`: the emulator with template.yaml's resources, every function on http://127.0.0.1:3000, every
//! queue polled, and a demo tenant. Ctrl-C stops it all.

use axum::body::Body;
use http_body_util::BodyExt;
use nudge::auth::SystemRole;
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_local::{LocalError, root};
use std::process::ExitCode;
use tower::ServiceExt;

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var).ok().and_then(|p| p.parse().ok()).unwrap_or(default)
}

/// The demo tenant is made through the API itself, as a platform admin would.
async fn demo_tenant(local: &Local) -> Result<String, LocalError> {
    let token = local
        .keys
        .issuer()?
        .issue(uuid::Uuid::now_v7(), None, SystemRole::PlatformAdmin, chrono::Duration::minutes(5))
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let body = serde_json::json!({
        "name": "Demo Retail", "type": "client", "slug": "demo", "subscriptionTier": "pro",
        "website": "https://demo.example", "locale": "en", "customTerminology": {"worker": "associate"}
    });
    let request = http::Request::post("/organizations")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let response = local.app().oneshot(request).await.map_err(|e| LocalError::Setup(e.to_string()))?;
    let status = response.status();
    let bytes = response.into_body().collect().await.map_err(|e| LocalError::Setup(e.to_string()))?.to_bytes();
    let org: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| LocalError::Setup(e.to_string()))?;
    match org["id"].as_str() {
        Some(id) if status.is_success() => Ok(id.to_owned()),
        _ => Err(LocalError::Setup(format!("creating the demo tenant answered {status}: {org}"))),
    }
}

async fn run() -> Result<(), LocalError> {
    let root = root();
    let keys = DevKeys::load_or_create(&root.join(".local"))?;
    let local = Local::start(keys, port("MOTO_PORT", 4566)).await?;
    let api_port = port("PORT", 3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", api_port))
        .await
        .map_err(LocalError::io(format!("binding 127.0.0.1:{api_port}")))?;
    let tenant = demo_tenant(&local).await?;
    std::fs::write(root.join(".local/demo-tenant"), &tenant).map_err(LocalError::io("writing .local/demo-tenant"))?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let pollers = local.pollers()?;
    let queues = pollers.len();
    let tasks: Vec<_> = pollers.into_iter().map(|p| tokio::spawn(p.run(stop_rx.clone()))).collect();

    eprintln!(
        "\nNudge is running.\n\
         \x20 API        http://127.0.0.1:{api_port}   (OpenAPI: /openapi.json, health: /health)\n\
         \x20 Emulator   {endpoint}   table {table}, bucket {bucket}, {nq} queues ({queues} with a consumer)\n\
         \x20 Demo       tenant {tenant} (slug `demo`)\n\n\
         Get a token and make a first call:\n\
         \x20 TOKEN=$(make -s token TENANT={tenant} ROLE=admin)\n\
         \x20 curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{api_port}/organization\n\
         Platform admin (no TENANT): TOKEN=$(make -s token)\n\
         Ctrl-C stops everything.\n",
        endpoint = local.emulator.endpoint,
        table = local.emulator.resources.table,
        bucket = local.emulator.resources.bucket,
        nq = local.emulator.resources.queues.len(),
    );

    axum::serve(listener, local.app()).with_graceful_shutdown(shutdown()).await.map_err(LocalError::io("serving"))?;
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// Ctrl-C or SIGTERM: stop serving, stop the pollers, and let the emulator be killed on drop.
async fn shutdown() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    nudge::telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("make dev: {err}");
            ExitCode::FAILURE
        }
    }
}
