//! The end-to-end harness: one local cloud per test binary (emulator on a free port with template.yaml's
//! resources, every function served on a free port), started on first use on a thread of its own so every
//! `#[tokio::test]` can reach it over HTTP. The emulator ends with the test process.

use nudge_core::auth::SystemRole;
use nudge_local::devkeys::DevKeys;
use nudge_local::emulator::Resources;
use nudge_local::mailbox::Mail;
use nudge_local::server::Local;
use nudge_notifications::NotificationKind;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;
use std::sync::OnceLock;
use uuid::Uuid;

pub struct Stack {
    pub base: String,
    pub endpoint: String,
    pub resources: Resources,
    pub keys: DevKeys,
    pub settings: nudge_core::config::Settings,
    pub mailbox: nudge_local::mailbox::Mailbox,
    http: reqwest::Client,
}

static STACK: OnceLock<Stack> = OnceLock::new();

/// Rows an import applies per invocation in the test stack.
pub const IMPORT_ROWS_PER_RUN: u64 = 150;

/// Rows an export writes per invocation in the test stack, and the bytes of its parts (the emulator's
/// smallest), so an export of a hundred workers spans parts and continuation messages.
pub const EXPORT_ROWS_PER_RUN: u64 = 40;
pub const EXPORT_PART_BYTES: usize = nudge_local::emulator::S3_PART_MIN_BYTES;

/// The shared stack, started on first use.
pub fn stack() -> &'static Stack {
    STACK.get_or_init(|| {
        // Server-side logs (a 500's cause) on stderr when asked for: .ci/run sets RUST_LOG=warn.
        if std::env::var_os("RUST_LOG").is_some() {
            nudge_core::telemetry::init();
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("test runtime: {e}"));
            runtime.block_on(async move {
                let keys = DevKeys::generate().unwrap_or_else(|e| panic!("keys: {e}"));
                let mut local = Local::start(keys.clone(), 0, Some(std::time::Duration::ZERO))
                    .await
                    .unwrap_or_else(|e| panic!("local cloud: {e}"));
                // Small import runs, so a test import of a few hundred rows continues across messages.
                local.import_rows_per_run = Some(IMPORT_ROWS_PER_RUN);
                local.import_chunk_bytes = Some(4096);
                local.export_rows_per_run = Some(EXPORT_ROWS_PER_RUN);
                local.export_part_bytes = Some(EXPORT_PART_BYTES);
                local.export_page_workers = Some(10);
                // Small sync pages and runs, so a segment of a dozen workers spans pages and messages.
                local.sync_page_workers = Some(4);
                local.sync_pages_per_run = Some(2);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
                let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
                // The workers' touchpoint links lead to this server.
                local.public_url = format!("http://{addr}");
                // Queue consumers run as the dev server runs them (Lambda's event source mappings).
                let (_stop, stop_rx) = tokio::sync::watch::channel(false);
                for poller in local.pollers().unwrap_or_else(|e| panic!("pollers: {e}")) {
                    tokio::spawn(poller.run(stop_rx.clone()));
                }
                let info = (
                    format!("http://{addr}"),
                    local.emulator.endpoint.clone(),
                    local.emulator.resources.clone(),
                    local.settings.clone(),
                    local.mailbox().unwrap_or_else(|e| panic!("mailbox: {e}")),
                );
                let _ = tx.send((info, keys));
                let app = local.app().unwrap_or_else(|e| panic!("app: {e}"));
                // With the peer's address, as API Gateway gives its source IP: the per-IP throttles count it.
                let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                let _ = axum::serve(listener, app).await;
                drop(local);
            });
        });
        let ((base, endpoint, resources, settings, mailbox), keys) =
            rx.recv().unwrap_or_else(|e| panic!("stack did not start: {e}"));
        // No pooled connections: each #[tokio::test] has its own runtime, and a connection made on one
        // cannot serve another after it ends.
        let http =
            reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap_or_else(|e| panic!("http client: {e}"));
        Stack { base, endpoint, resources, keys, settings, mailbox, http }
    })
}

/// Polls `probe` every 100 ms until it answers something, for at most three minutes; panics naming `what`.
/// A passing test waits only as long as its work takes; the margin is for a CI machine that is also
/// building (a four-week program's 199 sends once took longer than a minute there).
pub async fn until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..1800 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: never happened")
}

/// One response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The JSON pointers named by a problem's `errors`.
    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|x| x["pointer"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

impl Stack {
    /// A context on the caller's runtime over the same emulator, table and keys as the served stack.
    pub async fn ctx(&self) -> nudge_core::Ctx {
        let sdk = nudge_local::emulator::sdk_config(&self.endpoint).await;
        nudge_core::Ctx::from_parts(&sdk, &self.settings).unwrap_or_else(|e| panic!("ctx: {e}"))
    }

    /// The environment template.yaml gives the function built as `binary`, resolved against this stack's
    /// emulator, for calling its composition root in a test's own runtime.
    pub async fn env(&self, binary: &str) -> nudge_core::config::Env {
        let sdk = nudge_local::emulator::sdk_config(&self.endpoint).await;
        let mut vars = self.resources.environment(binary);
        // API Gateway's URL has no local counterpart: the workers' links lead to this stack.
        if binary == "journey-engine" {
            vars.insert("PAGE_URL".into(), self.base.clone());
        }
        nudge_core::config::Env::local(sdk, self.settings.clone(), nudge_core::clock::Clock::system(), vars)
    }

    pub fn token(&self, tenant: Option<Uuid>, role: SystemRole) -> String {
        self.keys
            .issuer()
            .and_then(|i| {
                i.issue(Uuid::now_v7(), tenant, role, chrono::Duration::minutes(10))
                    .map_err(|e| nudge_local::LocalError::Setup(e.to_string()))
            })
            .unwrap_or_else(|e| panic!("token: {e}"))
    }

    pub fn platform(&self) -> String {
        self.token(None, SystemRole::PlatformAdmin)
    }

    pub fn tenant(&self, tenant: Uuid, role: SystemRole) -> String {
        self.token(Some(tenant), role)
    }

    /// Sends a request; `body` is sent as JSON (`content-type` overridable through `headers`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let response = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default();
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|m| vec![("if-match", m)]).unwrap_or_default();
        self.call(Method::PATCH, path, Some(token), Some(body), &headers).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None, &[]).await
    }

    /// Creates a worker `first_name` with a phone no other test uses and `contact` merged into its contact
    /// record (consent, opt-in, a time zone …); answers its id and phone.
    pub async fn worker(&self, token: &str, first_name: &str, contact: Value) -> (String, String) {
        let phone = unique_phone();
        let mut record = serde_json::json!({"primaryPhoneNumber": phone});
        if let (Some(r), Some(extra)) = (record.as_object_mut(), contact.as_object()) {
            r.extend(extra.clone());
        }
        let body = serde_json::json!({"firstName": first_name, "lastName": "Tester", "contact": record});
        let reply = self.post("/workers", token, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        (reply.body["id"].as_str().unwrap_or_else(|| panic!("{:?}", reply.body)).to_owned(), phone)
    }

    /// The texts the emulator's SNS has taken for `phone`, oldest first.
    pub async fn sms_to(&self, phone: &str) -> Vec<String> {
        let url = format!("{}/_local/sns/sms", self.endpoint);
        let sent: Vec<Value> = self.http.get(&url).send().await.unwrap().json().await.unwrap();
        sent.into_iter()
            .filter(|m| m["to"] == phone)
            .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Creates an organization with a unique slug and returns its id.
    pub async fn organization(&self, name: &str) -> Uuid {
        let slug = format!("org-{}", Uuid::new_v4().simple());
        let reply = self
            .post(
                "/organizations",
                &self.platform(),
                &serde_json::json!({"name": name, "type": "client", "slug": slug}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()).unwrap_or_else(|| panic!("{:?}", reply.body))
    }

    /// A POST without a bearer token (the sign-in endpoints).
    pub async fn public(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, None, Some(body), &[]).await
    }

    /// The message of `kind` the notifications queue holds for `to`.
    pub async fn mail(&self, to: &str, kind: NotificationKind) -> Mail {
        self.mailbox.take(to, kind).await.unwrap_or_else(|e| panic!("mail for {to}: {e}"))
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.public("/auth/login", &serde_json::json!({"email": email, "password": password})).await
    }

    /// A real member of `tenant` with `role`: invited by an operator owner token, accepted with a password,
    /// signed in. Returns the member with the tokens of that first session.
    pub async fn member(&self, tenant: Uuid, role: &str) -> Member {
        let email = format!("{}-{}@example.com", role.replace('_', "-"), Uuid::new_v4().simple());
        let owner = self.tenant(tenant, SystemRole::Owner);
        let invited = self.post("/users", &owner, &serde_json::json!({"email": email, "role": role})).await;
        assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
        let mail = self.mail(&email, NotificationKind::Invite).await;
        let password = format!("pw-{}", Uuid::new_v4().simple());
        let accepted =
            self.public("/auth/invites/accept", &serde_json::json!({"token": mail.token, "password": password})).await;
        assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
        let id = accepted.body["user"]["id"]
            .as_str()
            .and_then(|i| Uuid::parse_str(i).ok())
            .unwrap_or_else(|| panic!("{:?}", accepted.body));
        Member {
            id,
            email,
            password,
            access: accepted.body["accessToken"].as_str().unwrap_or_default().to_owned(),
            refresh: accepted.body["refreshToken"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

/// A signed-up member and the tokens of their latest session.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

/// Held by the tests that move the shared clock or need it to stand still while they look (a daily cap,
/// a send that must not go before its time), and by those whose load would starve them (ten thousand
/// workers' assignments): they take turns, and the rest of the suite runs beside them.
pub fn clock_lock() -> &'static tokio::sync::Mutex<()> {
    static LOCK: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| tokio::sync::Mutex::new(()))
}

/// Runs the Playwright script `tests/browser/<script>` with `args` on Debian's Chromium (which `make test`
/// installs, with the driver); panics naming the failure and what it printed, else answers its stdout.
pub async fn chromium(script: &str, args: &[&str]) -> String {
    let root = nudge_local::root();
    let path = root.join("tests/browser").join(script);
    assert!(
        root.join("tests/browser/node_modules/playwright-core").exists()
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium or the Playwright driver is missing: `make test` installs both"
    );
    let out = tokio::process::Command::new("node")
        .arg(&path)
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("node did not run {}: {e}", path.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{script} failed in Chromium:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// A Brazilian mobile number no other test of the run uses (the emulator's SNS keeps every SMS of the run).
pub fn unique_phone() -> String {
    format!("+55119{:08}", Uuid::new_v4().as_u128() % 100_000_000)
}

/// A real PNG of `w` × `h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap_or_else(|e| panic!("png: {e}"));
    out.into_inner()
}

impl Stack {
    /// Declares an asset, uploads `bytes` with its presigned PUT (through the emulator's S3, whose
    /// notification feeds the ingest consumer) and waits until ingest settles it. Returns the settled asset.
    pub async fn upload(&self, token: &str, kind: &str, mime: &str, name: &str, bytes: Vec<u8>) -> Value {
        let declared = self
            .post(
                "/media-assets",
                token,
                &serde_json::json!({"fileName": name, "mimeType": mime, "size": bytes.len(), "type": kind}),
            )
            .await;
        assert_eq!(declared.status, StatusCode::CREATED, "{:?}", declared.body);
        let id = declared.body["id"].as_str().unwrap_or_default().to_owned();
        let mut put = self.http.put(declared.body["uploadUrl"].as_str().unwrap_or_default());
        for (k, v) in declared.body["upload"]["headers"].as_object().into_iter().flatten() {
            // reqwest sets the length from the body itself.
            if k != "host" && k != "content-length" {
                put = put.header(k, v.as_str().unwrap_or_default());
            }
        }
        let sent = put.body(bytes).send().await.unwrap_or_else(|e| panic!("upload: {e}"));
        assert!(sent.status().is_success(), "upload answered {}", sent.status());
        self.settled(&format!("/media-assets/{id}"), token).await
    }

    /// The asset at `path` once it has left `processing`.
    pub async fn settled(&self, path: &str, token: &str) -> Value {
        self.eventually(path, token, "leaves processing", |b| b["status"] != "processing").await
    }

    /// The body of `GET path` once `done` holds for it: background work (queues, syncs, ingest) run to
    /// completion as the dev server runs it, checked every 100 ms for at most a minute. Every answer on
    /// the way must be 200.
    pub async fn eventually(&self, path: &str, token: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        until(&format!("{path} {what}"), || async {
            let reply = self.get(path, token).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {:?}", reply.body);
            done(&reply.body).then_some(reply.body)
        })
        .await
    }

    /// Every item of a list, `limit` per page through its cursors; each page must be 200 and hold at most
    /// `limit` items. `path` may carry its own query.
    pub async fn all_pages(&self, path: &str, token: &str, limit: u32) -> Vec<Value> {
        let join = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let page_path = match &cursor {
                Some(c) => format!("{path}{join}limit={limit}&cursor={c}"),
                None => format!("{path}{join}limit={limit}"),
            };
            let page = self.get(&page_path, token).await;
            assert_eq!(page.status, StatusCode::OK, "{page_path}: {:?}", page.body);
            let items = page.body["items"].as_array().cloned().unwrap_or_default();
            assert!(items.len() <= limit as usize, "{page_path}: {} items", items.len());
            out.extend(items);
            match page.body["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("{path}: more than a thousand pages")
    }

    /// A queue of template.yaml by its logical id, on the caller's runtime.
    pub async fn queue(&self, logical_id: &str) -> nudge_core::queue::Queue {
        let sdk = nudge_local::emulator::sdk_config(&self.endpoint).await;
        let url = self.resources.queues.get(logical_id).unwrap_or_else(|| panic!("no queue {logical_id}")).url.clone();
        nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&sdk), url)
    }

    /// Sends a message body as is to a queue of template.yaml (a redelivery, as a test makes one).
    pub async fn send_raw(&self, logical_id: &str, body: &Value) {
        let sdk = nudge_local::emulator::sdk_config(&self.endpoint).await;
        let url = self.resources.queues.get(logical_id).unwrap_or_else(|| panic!("no queue {logical_id}")).url.clone();
        aws_sdk_sqs::Client::new(&sdk)
            .send_message()
            .queue_url(url)
            .message_body(body.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("send to {logical_id}: {e}"));
    }

    /// What the journey engine's minute schedule sends.
    pub async fn journeys_tick(&self) {
        let queue = self.queue("JourneysQueue").await;
        queue.send(&nudge_journeys::Message::Tick).await.unwrap_or_else(|e| panic!("journey tick: {e}"));
    }

    /// Waits until the queues named hold no message, visible or in flight, twice in a row 200 ms apart:
    /// the background work they carry has run to completion.
    pub async fn drained(&self, logical_ids: &[&str]) {
        let sdk = nudge_local::emulator::sdk_config(&self.endpoint).await;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let mut quiet = 0;
        for _ in 0..600 {
            let mut busy = 0u64;
            for id in logical_ids {
                let url = &self.resources.queues[*id].url;
                let attrs = sqs
                    .get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
                    .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("queue attributes: {e}"));
                for (_, v) in attrs.attributes.unwrap_or_default() {
                    busy += v.parse::<u64>().unwrap_or(0);
                }
            }
            quiet = if busy == 0 { quiet + 1 } else { 0 };
            if quiet >= 2 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("the queues never drained")
    }

    /// GETs an absolute URL (a presigned download).
    pub async fn fetch(&self, url: &str) -> (StatusCode, Vec<u8>) {
        let response = self.http.get(url).send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status();
        (status, response.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }
}
