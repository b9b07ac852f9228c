//! `make bench`: per function, the release bootstrap's size, its cold start under a local Lambda Runtime
//! API (exec → first poll = init; exec → first response = cold) and its peak RSS, median of 21 runs on one
//! core, with the emulator behind a TLS front so the first invocation pays the TCP and TLS handshakes it
//! pays against AWS; a lambda_runtime hello world is the floor. Then the dev server's median and p99
//! latency for `GET /organization` under a short loopback load. Prints Markdown.

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use nudge_core::auth::SystemRole;
use nudge_local::devkeys::{AUDIENCE, DevKeys, ISSUER};
use nudge_local::server::Local;
use nudge_local::{LocalError, root};
use std::process::{ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const RUNS: usize = 21;
const REQUESTS: usize = 2000;
const CONCURRENCY: usize = 8;

#[derive(Clone)]
struct RuntimeApi {
    event: Arc<String>,
    polls: Arc<Mutex<u32>>,
    tx: mpsc::UnboundedSender<(&'static str, Instant)>,
}

async fn next(State(api): State<RuntimeApi>) -> axum::response::Response {
    let n = {
        let mut polls = api.polls.lock().unwrap_or_else(|p| p.into_inner());
        *polls += 1;
        *polls
    };
    if n == 1 {
        let _ = api.tx.send(("init", Instant::now()));
        let deadline = (chrono::Utc::now() + chrono::Duration::seconds(30)).timestamp_millis().to_string();
        (
            [
                ("lambda-runtime-aws-request-id", "bench-1".to_owned()),
                ("lambda-runtime-deadline-ms", deadline),
                ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:bench".into()),
                ("content-type", "application/json".into()),
            ],
            api.event.as_str().to_owned(),
        )
            .into_response()
    } else {
        // The one invocation is done; park the poll until the process is killed.
        std::future::pending::<()>().await;
        ().into_response()
    }
}

async fn response(State(api): State<RuntimeApi>, body: String) -> impl IntoResponse {
    // Any answer but a 5xx is the function working (an unknown refresh token is a correct 401).
    let server_error = body.contains("\"statusCode\":5");
    let _ = api.tx.send((if server_error { "bad" } else { "ok" }, Instant::now()));
    axum::http::StatusCode::ACCEPTED
}

/// Peak resident memory of a running process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One cold start, pinned to one core when `taskset` is there: (init ms, cold ms, peak RSS KiB).
async fn cold_start(binary: &str, env: &[(String, String)], event: &str) -> Result<(f64, f64, u64), LocalError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let api = RuntimeApi { event: Arc::new(event.to_owned()), polls: Arc::default(), tx };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(response))
        .route("/2018-06-01/runtime/init/error", post(response))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(LocalError::io("bind"))?;
    let addr = listener.local_addr().map_err(LocalError::io("addr"))?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let pinned = std::path::Path::new("/usr/bin/taskset").exists();
    let mut command = if pinned {
        let mut c = tokio::process::Command::new("/usr/bin/taskset");
        c.args(["-c", "0", binary]);
        c
    } else {
        tokio::process::Command::new(binary)
    };
    let started = Instant::now();
    let mut child = command
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(LocalError::io(format!("starting {binary}")))?;
    let mut init = None;
    let outcome = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some((what, at)) = rx.recv().await {
            match what {
                "init" => init = Some(at),
                "ok" => return Ok(at),
                _ => return Err(LocalError::Setup(format!("{binary} answered its first event with an error"))),
            }
        }
        Err(LocalError::Setup(format!("{binary} stopped")))
    })
    .await
    .map_err(|_| LocalError::Setup(format!("{binary} did not answer within 20 s")))??;
    // taskset execs the binary, so the child's pid is the function's.
    let rss = child.id().and_then(peak_rss_kib).unwrap_or(0);
    let _ = child.kill().await;
    server.abort();
    let init = init.ok_or_else(|| LocalError::Setup("no poll".into()))?;
    let ms = |t: Instant| t.duration_since(started).as_secs_f64() * 1000.0;
    Ok((ms(init), ms(outcome), rss))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn apigw_event(method: &str, path: &str, token: &str, body: Option<&str>) -> String {
    serde_json::json!({
        "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path, "rawQueryString": "",
        "headers": {"authorization": format!("Bearer {token}"), "host": "bench.local", "content-type": "application/json"},
        "requestContext": {"accountId": "123456789012", "apiId": "bench", "domainName": "bench.local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": "bench", "routeKey": format!("{method} {path}"), "stage": "$default", "time": "", "timeEpoch": 0},
        "body": body,
        "isBase64Encoded": false
    })
    .to_string()
}

async fn run() -> Result<(), LocalError> {
    let root = root();
    let keys = DevKeys::generate()?;
    let local = Local::start(keys.clone(), 0, None).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(LocalError::io("bind"))?;
    let base = format!("http://{}", listener.local_addr().map_err(LocalError::io("addr"))?);
    let app = local.app()?.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A tenant to read, made through the API.
    let http = reqwest::Client::new();
    let platform =
        keys.issuer()?.issue(uuid::Uuid::now_v7(), None, SystemRole::PlatformAdmin, chrono::Duration::hours(1));
    let platform = platform.map_err(|e| LocalError::Setup(e.to_string()))?;
    let created: serde_json::Value = http
        .post(format!("{base}/organizations"))
        .bearer_auth(&platform)
        .json(&serde_json::json!({"name": "Bench", "type": "client"}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| LocalError::Setup(e.to_string()))?
        .json()
        .await
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let tenant = created["id"].as_str().and_then(|i| uuid::Uuid::parse_str(i).ok());
    let token = keys
        .issuer()?
        .issue(uuid::Uuid::now_v7(), tenant, SystemRole::Admin, chrono::Duration::hours(1))
        .map_err(|e| LocalError::Setup(e.to_string()))?;

    // The functions reach the emulator through TLS, as they reach AWS; BENCH_PLAIN=1 measures them over
    // plain HTTP instead, to tell the handshakes' share of a cold start from the emulator's.
    let upstream = local.emulator.endpoint.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let front = nudge_local::tls::start(upstream).await?;
    let plain = std::env::var_os("BENCH_PLAIN").is_some();
    let (endpoint, ca_file) = if plain {
        (local.emulator.endpoint.clone(), String::new())
    } else {
        (front.endpoint.clone(), front.ca_file.to_string_lossy().into_owned())
    };
    let data_key = local.key.to_base64();
    // What Lambda and the stack's parameters give every function; template.yaml's own variables (queues,
    // bucket) are added per function below.
    let lambda_env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("SSL_CERT_FILE", ca_file.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("TABLE_NAME", local.emulator.resources.table.as_str()),
        ("JWT_PUBLIC_KEY", keys.public_pem.as_str()),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
        ("CURSOR_SECRET", "bench-cursor-secret-0123456789abcdef"),
        ("JWT_PRIVATE_KEY", keys.private_pem.as_str()),
        ("DATA_KEY", data_key.as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench"),
        ("NUDGE_METRICS_OFF", "1"),
        ("RUST_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();

    println!("The emulator {}.\n", if plain { "over plain HTTP (BENCH_PLAIN)" } else { "behind the TLS front" });
    println!(
        "| function | bootstrap size | init (exec → first poll), median | cold (exec → first response), median | \
         peak RSS, median |"
    );
    println!("|---|---|---|---|---|");
    let refresh = r#"{"refreshToken":"00000000-0000-0000-0000-000000000000.bench"}"#;
    let functions = [
        ("bench_hello", "GET", "/", None),
        ("organizations", "GET", "/organization", None),
        ("meta", "GET", "/health", None),
        ("auth", "POST", "/auth/refresh", Some(refresh)),
        ("users", "GET", "/me/preferences", None),
        ("audit", "GET", "/audit-log", None),
        ("integrations", "GET", "/integrations", None),
        ("workers", "GET", "/workers", None),
        ("content", "GET", "/contents", None),
        ("media", "GET", "/media-assets", None),
        ("segments", "GET", "/segments", None),
    ];
    for (binary, method, path, body) in functions {
        let file = root.join("target/release").join(binary);
        let size =
            std::fs::metadata(&file).map_err(LocalError::io(format!("{} (build it first)", file.display())))?.len();
        let event = apigw_event(method, path, &token, body);
        let own = local.emulator.resources.environments.get(binary).cloned().unwrap_or_default();
        let env: Vec<(String, String)> = own.into_iter().chain(lambda_env.iter().cloned()).collect();
        let (mut inits, mut colds, mut rss) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let (init, cold, kib) = cold_start(&file.to_string_lossy(), &env, &event).await?;
            inits.push(init);
            colds.push(cold);
            rss.push(kib as f64);
        }
        let what = if binary == "bench_hello" {
            "lambda_runtime hello world".to_owned()
        } else {
            format!("`{method} {path}`")
        };
        println!(
            "| {binary} ({what}) | {:.2} MiB | {:.1} ms | {:.1} ms | {:.1} MiB |",
            size as f64 / 1048576.0,
            median(inits),
            median(colds),
            median(rss) / 1024.0
        );
    }

    // Dev server latency under a short loopback load.
    let url = format!("{base}/organization");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(REQUESTS / CONCURRENCY);
            for _ in 0..REQUESTS / CONCURRENCY {
                let t = Instant::now();
                let ok =
                    http.get(&url).bearer_auth(&token).send().await.map(|r| r.status().is_success()).unwrap_or(false);
                if ok {
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap_or_default());
    }
    let wall = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    if all.len() < REQUESTS {
        return Err(LocalError::Setup(format!("only {} of {REQUESTS} requests succeeded", all.len())));
    }
    println!();
    println!(
        "Dev server, `GET /organization` ({REQUESTS} requests, {CONCURRENCY} concurrent, moto behind it): \
         median {:.2} ms, p99 {:.2} ms, {:.0} req/s",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.len() as f64 / wall
    );
    identity(&local, &http, &base).await
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64() * 1000.0)
}

/// Password hashing and token verification in-process, then sign-in latency through the dev server.
async fn identity(local: &Local, http: &reqwest::Client, base: &str) -> Result<(), LocalError> {
    use nudge_core::crypto::password;
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    for _ in 0..RUNS {
        let (phc, ms) = timed(|| password::hash("bench password 123"));
        let phc = phc.map_err(|e| LocalError::Setup(e.to_string()))?;
        hashes.push(ms);
        verifies.push(timed(|| password::verify("bench password 123", &phc)).1);
    }
    let token = local
        .keys
        .issuer()?
        .issue(uuid::Uuid::now_v7(), Some(uuid::Uuid::now_v7()), SystemRole::Admin, chrono::Duration::hours(1))
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    const VERIFIES: u32 = 5000;
    let t = Instant::now();
    for _ in 0..VERIFIES {
        local.ctx.verifier.verify(&token).map_err(|e| LocalError::Setup(e.to_string()))?;
    }
    let verify_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(VERIFIES);
    println!();
    println!(
        "argon2id (m={} KiB, t={}, p={}), this machine, one core: hash median {:.1} ms, verify median {:.1} ms. \
         Access-token verification (EdDSA): {verify_us:.1} µs per token (mean of {VERIFIES}).",
        password::MEMORY_KIB,
        password::PASSES,
        password::LANES,
        median(hashes),
        median(verifies)
    );

    // A member to sign in as, made as make dev makes its admin: invited, then accepted.
    let owner = local
        .keys
        .issuer()?
        .issue(
            uuid::Uuid::now_v7(),
            Some(local_tenant(http, base, local).await?),
            SystemRole::Owner,
            chrono::Duration::hours(1),
        )
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let email = "bench@example.com";
    let post = |path: &str, token: Option<&str>, body: serde_json::Value| {
        let mut req = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    post("/users", Some(&owner), serde_json::json!({"email": email, "role": "admin"}))
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    // The invitation email goes out through the notifications consumer: run the queues' pollers meanwhile.
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let pollers: Vec<_> = local.pollers()?.into_iter().map(|p| tokio::spawn(p.run(stop_rx.clone()))).collect();
    let mail = local.mailbox()?.take(email, nudge_notifications::NotificationKind::Invite).await;
    let _ = stop.send(true);
    for poller in pollers {
        let _ = poller.await;
    }
    let mail = mail?;
    post("/auth/invites/accept", None, serde_json::json!({"token": mail.token, "password": "bench password 123"}))
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let mut logins = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        post("/auth/login", None, serde_json::json!({"email": email, "password": "bench password 123"}))
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| LocalError::Setup(e.to_string()))?;
        logins.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    logins.sort_by(f64::total_cmp);
    println!(
        "Sign-in through the dev server (`POST /auth/login`, {RUNS} sequential, argon2 + 9 DynamoDB calls to moto): \
         median {:.1} ms, max {:.1} ms.",
        percentile(&logins, 0.5),
        percentile(&logins, 1.0)
    );
    Ok(())
}

/// A fresh organization for the sign-in bench.
async fn local_tenant(http: &reqwest::Client, base: &str, local: &Local) -> Result<uuid::Uuid, LocalError> {
    let platform = local
        .keys
        .issuer()?
        .issue(uuid::Uuid::now_v7(), None, SystemRole::PlatformAdmin, chrono::Duration::hours(1))
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    let created: serde_json::Value = http
        .post(format!("{base}/organizations"))
        .bearer_auth(&platform)
        .json(&serde_json::json!({"name": "Bench sign-in", "type": "client"}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| LocalError::Setup(e.to_string()))?
        .json()
        .await
        .map_err(|e| LocalError::Setup(e.to_string()))?;
    created["id"]
        .as_str()
        .and_then(|i| uuid::Uuid::parse_str(i).ok())
        .ok_or_else(|| LocalError::Setup(format!("{created}")))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}
