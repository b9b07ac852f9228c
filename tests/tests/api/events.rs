//! The Lambda path: each sample event in events/ goes through lambda_http's own API Gateway conversion into
//! the function's router, exactly as `lambda_http::run` hands it over on AWS.

use axum::Router;
use e2e::stack;
use http_body_util::BodyExt;
use nudge_core::auth::SystemRole;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

fn event(name: &str, token: &str) -> lambda_http::Request {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text.replace("{{TOKEN}}", token).replace("{{SLUG}}", &format!("sample-{}", Uuid::new_v4().simple()));
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"))
}

async fn invoke(router: Router, request: lambda_http::Request) -> (u16, Option<String>, Value) {
    let response = router.oneshot(request).await.unwrap_or_else(|e| match e {});
    let status = response.status().as_u16();
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    (status, request_id, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn sample_events_drive_the_functions() {
    let s = stack();
    let ctx = s.ctx().await;
    let orgs = || nudge_organizations::router(ctx.clone()).fallback(nudge_core::app::not_found);

    let (status, _, body) = invoke(meta::router(), event("apigw-health.json", "")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));

    // Create as platform admin; the API Gateway request id is the request's id.
    let (status, request_id, created) = invoke(orgs(), event("apigw-create-organization.json", &s.platform())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(request_id.as_deref(), Some("JKJaXmPLvHcESHA="));
    assert_eq!(created["locale"], "sl-SI");
    let tenant = Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();

    let admin = s.tenant(tenant, SystemRole::Admin);
    let (status, _, own) = invoke(orgs(), event("apigw-get-organization.json", &admin)).await;
    assert_eq!((status, &own["id"]), (200, &created["id"]));
    let (status, _, patched) = invoke(orgs(), event("apigw-patch-organization.json", &admin)).await;
    assert_eq!((status, patched["description"].as_str()), (200, Some("Updated from a sample event")));

    // The patch is in the tenant's audit log, with what API Gateway said about the caller.
    let (status, _, log) = invoke(nudge_audit::router(ctx.clone()), event("apigw-audit-log.json", &admin)).await;
    assert_eq!(status, 200, "{log}");
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "organization.updated", "{log}");
    assert_eq!(entry["entityId"], created["id"]);
    assert_eq!(entry["metadata"], serde_json::json!({"description": "Updated from a sample event"}));
    assert_eq!((entry["ip"].as_str(), entry["userAgent"].as_str()), (Some("203.0.113.7"), Some("curl/8.5.0")));
    assert_eq!(entry["requestId"], "JKJaXmPLvHcESHA=");

    // The same events with a tenant token (create) or no valid token (read) are refused.
    let (status, _, _) = invoke(orgs(), event("apigw-create-organization.json", &admin)).await;
    assert_eq!(status, 403);
    let (status, _, problem) = invoke(orgs(), event("apigw-get-organization.json", "forged")).await;
    assert_eq!((status, problem["status"].as_u64()), (401, Some(401)));
}

/// The integrations sample: created through the Lambda path with the deployment's data key, its secrets
/// answered as the placeholder.
#[tokio::test]
async fn integration_sample_event_seals_and_redacts() {
    let s = stack();
    let ctx = s.ctx().await;
    let key = s.settings.data_key().unwrap_or_else(|e| panic!("data key: {e}"));
    let tenant = s.organization("Sample integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let router = nudge_integrations::router(ctx, key).fallback(nudge_core::app::not_found);
    let (status, request_id, created) = invoke(router, event("apigw-integrations-create.json", &admin)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(request_id.as_deref(), Some("JKJbYnQMvHcESJB="));
    assert_eq!(created["config"]["accessToken"], "********");
    assert_eq!(created["config"]["webhook"]["verifyToken"], "********");
    assert_eq!(created["config"]["phoneNumberId"], "123456789");
    assert!(!created.to_string().contains("sample-verify-token"));
}

/// The sign-in and people functions through their Lambda path: a real member signs in from a sample
/// event, and invites someone from another.
#[tokio::test]
async fn identity_sample_events_sign_in_and_invite() {
    let s = stack();
    let tenant = s.organization("Identity events").await;
    let admin = s.member(tenant, "admin").await;
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let notifier = || {
        let url = s.resources.queues["NotificationsQueue"].url.clone();
        let queue = nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&sdk), url);
        nudge_notifications::Notifier::new(queue, s.settings.data_key().unwrap())
    };
    let auth_deps = nudge_identity::signin::Deps {
        issuer: s.settings.issuer().unwrap(),
        key: s.settings.data_key().unwrap(),
        notifier: notifier(),
        app_url: s.settings.app_url().unwrap_or_else(|e| panic!("{e}")),
        require_platform_admin_mfa: true,
    };
    let fill = |name: &str, email: &str, password: &str, token: &str| {
        let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let text = text.replace("{{EMAIL}}", email).replace("{{PASSWORD}}", password).replace("{{TOKEN}}", token);
        lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };

    let login = fill("apigw-auth-login.json", &admin.email, &admin.password, "");
    let (status, _, tokens) = invoke(nudge_identity::signin::router(ctx.clone(), auth_deps), login).await;
    assert_eq!((status, tokens["tenantId"].clone()), (200, serde_json::json!(tenant)), "{tokens}");
    let access = tokens["accessToken"].as_str().unwrap();

    let users_deps = nudge_identity::people::Deps {
        key: s.settings.data_key().unwrap(),
        notifier: notifier(),
        app_url: s.settings.app_url().unwrap_or_else(|e| panic!("{e}")),
    };
    let email = format!("sample-{}@example.com", Uuid::new_v4().simple());
    let (status, _, member) =
        invoke(nudge_identity::people::router(ctx, users_deps), fill("apigw-users-invite.json", &email, "", access))
            .await;
    assert_eq!((status, member["status"].as_str()), (201, Some("invited")), "{member}");
    let mail = s.mail(&email, nudge_notifications::NotificationKind::Invite).await;
    assert!(mail.link.contains(&mail.token), "{mail:?}");
}

/// The workers samples: a worker created through the Lambda path, and the S3-notification SQS event the
/// import consumer receives, driven through the consumer exactly as Lambda would hand it over. The real
/// notification of the same upload reaches the dev stack's poller too: whichever comes second changes nothing.
#[tokio::test]
async fn worker_sample_events_create_and_import() {
    let s = stack();
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let objects = nudge_core::objects::Objects::from_settings(&sdk, &s.settings).unwrap();
    let tenant = s.organization("Worker samples").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let segments = nudge_segments::SegmentQueue(nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["SegmentSyncQueue"].url.clone(),
    ));
    let exports = nudge_workers::export::ExportQueue(nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["WorkerExportsQueue"].url.clone(),
    ));
    let jobs = nudge_workers::orphans::WorkerJobs(nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["WorkerImportsQueue"].url.clone(),
    ));
    let events = nudge_workers::WorkerEvents::to(segments);
    let users = nudge_workers::Users::default();
    let router = nudge_workers::http::router(ctx.clone(), objects.clone(), events, exports, jobs, users)
        .fallback(nudge_core::app::not_found);
    let (status, _, created) = invoke(router, event("apigw-workers-create.json", &admin)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["contact"]["primaryPhoneNumber"], "+5511912345678");

    let rows = b"externalId,firstName,lastName\nS-1,Sam,Ple\nS-2,Ann,Other\n";
    let declared = s.post("/worker-imports", &admin, &serde_json::json!({"size": rows.len()})).await;
    let import = declared.body["id"].as_str().unwrap().to_owned();
    // The tenant as a background function learns it: from the object key's prefix.
    let (tenant_id, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant}/imports")).unwrap();
    let key = nudge_workers::import::ImportJob::object(&tenant_id, Uuid::parse_str(&import).unwrap());
    objects.put(&key, rows.to_vec(), "text/csv").await.unwrap();

    let path = format!("{}/../events/sqs-s3-worker-import.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("{{TENANT}}", &tenant.to_string())
        .replace("{{IMPORT}}", &import)
        .replace("{{BUCKET}}", &s.resources.bucket);
    let sqs_event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(&text).unwrap();
    let queue = nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["WorkerImportsQueue"].url.clone(),
    );
    let importer = nudge_workers::import::Importer::new(ctx.store.clone(), objects, queue);
    let deadline = nudge_core::queue::Deadline::after(std::time::Duration::from_secs(600));
    let response = nudge_core::jobs::consume(&importer, sqs_event, deadline).await;
    assert!(response.batch_item_failures.is_empty());
    let mut job = Value::Null;
    for _ in 0..100 {
        job = s.get(&format!("/worker-imports/{import}"), &admin).await.body;
        if job["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        job["counts"],
        serde_json::json!({"total": 2, "created": 2, "updated": 0, "unchanged": 0, "failed": 0}),
        "{job}"
    );
}

/// The export sample: an export asked for over HTTP, and its queue message (as SQS hands it to the
/// worker-export function) driven through the consumer. The dev stack's poller gets the real message of the
/// same export: whichever runs second finds it finished (or held) and changes nothing.
#[tokio::test]
async fn worker_export_sample_event_writes_the_file() {
    let s = stack();
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let tenant = s.organization("Export samples").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let worker = serde_json::json!({"externalId": "X-1", "firstName": "Sam", "lastName": "Ple"});
    assert_eq!(s.post("/workers", &admin, &worker).await.status, reqwest::StatusCode::CREATED);
    let asked = s.post("/worker-exports", &admin, &serde_json::json!({"format": "jsonl"})).await;
    assert_eq!(asked.status, reqwest::StatusCode::ACCEPTED, "{:?}", asked.body);
    let export = asked.body["id"].as_str().unwrap_or_default().to_owned();

    let path = format!("{}/../events/sqs-worker-export.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("{{TENANT}}", &tenant.to_string())
        .replace("{{EXPORT}}", &export);
    let sqs_event: aws_lambda_events::event::sqs::SqsEvent =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let objects = nudge_core::objects::Objects::from_settings(&sdk, &s.settings).unwrap_or_else(|e| panic!("{e}"));
    let queue = nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["WorkerExportsQueue"].url.clone(),
    );
    let exporter = nudge_workers::export::Exporter::new(ctx.store.clone(), objects, queue);
    let deadline = nudge_core::queue::Deadline::after(std::time::Duration::from_secs(600));
    let response = nudge_core::jobs::consume(&exporter, sqs_event, deadline).await;
    assert!(response.batch_item_failures.is_empty());
    let mut job = Value::Null;
    for _ in 0..100 {
        job = s.get(&format!("/worker-exports/{export}"), &admin).await.body;
        if job["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(job["rowCount"], 1, "{job}");
    let (status, bytes) = s.fetch(job["downloadUrl"].as_str().unwrap_or_default()).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let line: Value = serde_json::from_slice(bytes.trim_ascii_end()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line["externalId"], "X-1");
}

/// The content and media samples through their Lambda paths: a quiz created from an API Gateway event, an
/// asset declared from another, and the upload's S3 notification (as SQS delivers it) through the ingest
/// consumer's handler, which answers no failures and leaves the asset ready.
#[tokio::test]
async fn content_and_media_sample_events() {
    let s = stack();
    let ctx = s.ctx().await;
    let tenant = s.organization("Content events").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let objects =
        nudge_core::objects::Objects::new(nudge_core::objects::Objects::client(&sdk), s.resources.bucket.clone());

    let snapshots = nudge_content::snapshots::Snapshots::new(objects.clone());
    let router = nudge_content::router(ctx.clone(), snapshots).fallback(nudge_core::app::not_found);
    let (status, request_id, quiz) = invoke(router, event("apigw-contents-create.json", &admin)).await;
    assert_eq!(status, 201, "{quiz}");
    assert_eq!(request_id.as_deref(), Some("JKJcZoRNvHcESKC="));
    assert_eq!((quiz["type"].as_str(), quiz["status"].as_str()), (Some("quiz"), Some("draft")));
    assert_eq!(quiz["quiz"]["questions"][1]["options"].as_array().map(Vec::len), Some(2));

    let png = e2e::png(32, 24);
    let text = std::fs::read_to_string(format!("{}/../events/apigw-media-create.json", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_default()
        .replace("{{TOKEN}}", &admin)
        .replace("48213", &png.len().to_string());
    let declare = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("media sample: {e}"));
    let (status, _, asset) = invoke(nudge_media::router(ctx.clone(), objects.clone()), declare).await;
    assert_eq!((status, asset["status"].as_str()), (201, Some("processing")), "{asset}");
    let id = asset["id"].as_str().unwrap_or_default().to_owned();
    // The upload, written straight to the bucket (the key names the tenant, as S3's event will).
    let key = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant}/media/{id}/original"))
        .map(|(t, rest)| nudge_core::objects::ObjectKey::tenant(&t, &rest))
        .unwrap_or_else(|| panic!("not a tenant key"));
    objects.put(&key, png.clone(), "image/png").await.unwrap_or_else(|e| panic!("{e}"));

    let path = format!("{}/../events/sqs-s3-media-upload.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text
        .replace("{{BUCKET}}", &s.resources.bucket)
        .replace("{{TENANT}}", &tenant.to_string())
        .replace("{{ASSET}}", &id)
        .replace("\\\"{{SIZE}}\\\"", &png.len().to_string());
    let sqs: aws_lambda_events::event::sqs::SqsEvent =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let ingest = nudge_media::ingest::Ingest::new(ctx.store.clone(), objects);
    let response = ingest.handle(sqs, nudge_core::queue::Deadline::after(std::time::Duration::from_secs(60))).await;
    assert!(response.batch_item_failures.is_empty());
    let ready = s.settled(&format!("/media-assets/{id}"), &admin).await;
    assert_eq!((ready["status"].as_str(), ready["metadata"]["width"].as_u64()), (Some("ready"), Some(32)), "{ready}");
}

/// The segments samples: a rule-based segment created through the Lambda path, and its sync job's SQS
/// message driven through the segment-sync consumer as Lambda hands it over. The dev stack's poller gets the
/// same job's real message: whichever runs second finds the job finished and changes nothing.
#[tokio::test]
async fn segment_sample_events_create_and_sync() {
    let s = stack();
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let tenant = s.organization("Segment samples").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let body = serde_json::json!({"firstName": "Ana", "lastName": "Lima",
        "contact": {"primaryPhoneNumber": "+5511912340000", "whatsappOptInStatus": "opted_in", "preferredLanguage": "pt-BR"},
        "employment": {"department": "warehouse"}});
    assert_eq!(s.post("/workers", &admin, &body).await.status, reqwest::StatusCode::CREATED);
    let queue = nudge_segments::SegmentQueue(nudge_core::queue::Queue::new(
        aws_sdk_sqs::Client::new(&sdk),
        s.resources.queues["SegmentSyncQueue"].url.clone(),
    ));
    let router = nudge_segments::http::router(ctx.clone(), queue.clone()).fallback(nudge_core::app::not_found);
    let (status, _, created) = invoke(router, event("apigw-segments-create.json", &admin)).await;
    assert_eq!(status, 201, "{created}");
    let segment = created["id"].as_str().unwrap().to_owned();
    let job = created["activeSyncJobId"].as_str().unwrap().to_owned();

    let path = format!("{}/../events/sqs-segment-sync.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("{{TENANT}}", &tenant.to_string())
        .replace("{{SEGMENT}}", &segment)
        .replace("{{JOB}}", &job);
    let sqs_event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(&text).unwrap();
    let syncer = nudge_segments::syncer::Syncer::new(ctx.store.clone(), queue);
    let deadline = nudge_core::queue::Deadline::after(std::time::Duration::from_secs(600));
    let response = nudge_core::jobs::consume(&syncer, sqs_event, deadline).await;
    assert!(response.batch_item_failures.is_empty());
    let mut seg = Value::Null;
    for _ in 0..200 {
        seg = s.get(&format!("/segments/{segment}"), &admin).await.body;
        if seg.get("activeSyncJobId").is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seg["workerCount"], 1, "{seg}");
    let done = s.get(&format!("/segments/{segment}/sync-jobs/{job}"), &admin).await.body;
    assert_eq!(
        (done["status"].clone(), done["matchCount"].clone()),
        (serde_json::json!("completed"), serde_json::json!(1))
    );
}

/// The notifications function's sample event: a reset request for a member's address sends one reset email
/// (through the emulator's SES), however often the message comes; one for an unknown address sends none.
#[tokio::test]
async fn notification_sample_event_sends_a_reset_once() {
    let s = stack();
    let tenant = s.organization("Notification events").await;
    let member = s.member(tenant, "viewer").await;
    // The notification-delivery function as its main.rs composes it, from its template environment.
    let env = s.env("notification-delivery").await;
    let consumer = notifications::deliver(&env).unwrap();
    let path = format!("{}/../events/sqs-notifications-reset.json", env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read_to_string(&path).unwrap();
    let event = |address: &str| -> aws_lambda_events::event::sqs::SqsEvent {
        let text = sample.replace("{{REQUEST}}", &Uuid::now_v7().to_string()).replace("{{EMAIL}}", address);
        serde_json::from_str(&text).unwrap()
    };
    let deadline = || nudge_core::queue::Deadline::after(std::time::Duration::from_secs(60));
    let once = event(&member.email);
    for _ in 0..2 {
        let response = consumer(once.clone(), deadline()).await;
        assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    }
    let unknown = format!("nobody-{}@example.com", Uuid::new_v4().simple());
    let response = consumer(event(&unknown), deadline()).await;
    assert!(response.batch_item_failures.is_empty());

    let mail = s.mail(&member.email, nudge_notifications::NotificationKind::PasswordReset).await;
    let confirm = json!({"token": mail.token, "password": "a brand new passphrase"});
    assert_eq!(s.public("/auth/password-reset/confirm", &confirm).await.status, reqwest::StatusCode::NO_CONTENT);
    let sent = s.mailbox.sent().await.unwrap();
    let to = |address: &str| {
        sent.iter().filter(|m| m.to.iter().any(|t| t == address) && m.body.contains("/reset-password?")).count()
    };
    assert_eq!((to(&member.email.to_lowercase()), to(&unknown)), (1, 0), "one reset email, none for nobody");
}

/// The outbox function's sample event is a plain EventBridge schedule: its fields are not read, every
/// invocation is one sweep.
#[tokio::test]
async fn outbox_sample_event_is_one_sweep() {
    let s = stack();
    let path = format!("{}/../events/schedule-outbox-sweep.json", env!("CARGO_MANIFEST_DIR"));
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(sample["detail-type"], "Scheduled Event");
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let sweeper = nudge_core::outbox::Sweeper {
        store: s.ctx().await.store,
        sqs: aws_sdk_sqs::Client::new(&sdk),
        clock: nudge_core::clock::Clock::system(),
    };
    sweeper.sweep().await.unwrap();
}

/// The notifications API's sample event: an in-app send to a member, accepted through lambda_http's own
/// conversion, then fanned out and delivered by the stack's consumer into the member's inbox.
#[tokio::test]
async fn notifications_sample_event_sends_to_an_inbox() {
    let s = stack();
    let tenant = s.organization("Notifications events").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let member = s.member(tenant, "viewer").await;
    let env = s.env("notifications").await;
    let router = notifications::compose(&env).unwrap().fallback(nudge_core::app::not_found);
    let path = format!("{}/../events/apigw-notifications-send.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("{{TOKEN}}", &admin)
        .replace("{{USER}}", &member.id.to_string());
    let request = lambda_http::request::from_str(&text).unwrap();
    let (status, request_id, accepted) = invoke(router, request).await;
    assert_eq!((status, request_id.as_deref()), (202, Some("KLKdQxRNvHcESKD=")), "{accepted}");
    let inbox = s
        .eventually("/me/notifications", &member.access, "gets the notification", |b| {
            b["items"][0]["title"] == "Welcome"
        })
        .await;
    assert_eq!(inbox["items"][0]["message"], "Hello there, welcome aboard.");
    assert_eq!(inbox["items"][0]["requestId"], accepted["id"]);
}

fn sample(name: &str) -> String {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn deadline() -> nudge_core::queue::Deadline {
    nudge_core::queue::Deadline::after(std::time::Duration::from_secs(60))
}

/// The WhatsApp webhook's sample: a signed batch (a worker's STOP) through lambda_http's conversion into
/// the notifications function, for an integration whose app secret signed it.
#[tokio::test]
async fn whatsapp_webhook_sample_event_opts_the_worker_out() {
    let s = stack();
    let tenant = s.organization("Webhook events").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let integration = s
        .post(
            "/integrations",
            &admin,
            &json!({"type": "whatsapp", "status": "active", "config": {
            "phoneNumberId": "106540352242922", "accessToken": "EAAG-sample", "appSecret": "sample-app-secret"}}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let worker = s
        .post(
            "/workers",
            &admin,
            &json!({"firstName": "Sam", "lastName": "Sample", "contact": {
            "primaryPhoneNumber": "+5511987650001", "communicationConsent": true, "whatsappOptInStatus": "opted_in"}}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let router = notifications::compose(&s.env("notifications").await).unwrap().fallback(nudge_core::app::not_found);
    let text = sample("apigw-whatsapp-webhook.json").replace("{{INTEGRATION}}", &integration);
    let (status, _, received) = invoke(router, lambda_http::request::from_str(&text).unwrap()).await;
    assert_eq!((status, received["messages"].as_u64()), (200, Some(1)), "{received}");
    let after = s.get(&format!("/workers/{worker}"), &admin).await.body;
    assert_eq!(after["contact"]["whatsappOptInStatus"], "opted_out");
}

/// The provider-events function's SQS sample (SES's delivery event in its SNS envelope) moves the email
/// delivery it names; the digest tick's sample is consumed by the delivery function; the SMS delivery
/// logs' sample reads as one delivered SMS.
#[tokio::test]
async fn provider_sample_events_are_consumed() {
    let s = stack();
    let admin = s.tenant(s.organization("Provider events").await, SystemRole::Admin);
    let email = format!("sample-{}@example.com", Uuid::new_v4().simple());
    let (worker, _) = s.worker(&admin, "Eve", json!({"communicationConsent": true, "emailAddress": email})).await;
    let body = json!({"channel": "email", "recipients": {"workerIds": [worker]}, "title": "Hi", "message": "Hello"});
    let id = s.post("/notifications", &admin, &body).await.body["id"].as_str().unwrap().to_owned();
    s.eventually(&format!("/notifications/{id}"), &admin, "is sent", |r| r["counts"]["sent"] == 1).await;
    let deliveries = s.get(&format!("/workers/{worker}/deliveries"), &admin).await.body;
    let message_id = deliveries["items"][0]["providerMessageId"].as_str().unwrap().to_owned();

    let consumer = notifications::provider_events(&s.env("provider-events").await).unwrap();
    let text = sample("sqs-ses-event.json")
        .replace("{{MESSAGE_ID}}", &message_id)
        .replace("{{SEND_ID}}", deliveries["items"][0]["id"].as_str().unwrap());
    let response = consumer(serde_json::from_str(&text).unwrap(), deadline()).await;
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    let moved = s.get(&format!("/workers/{worker}/deliveries"), &admin).await.body;
    assert_eq!(
        (moved["items"][0]["state"].as_str(), moved["items"][0]["deliveredAt"].as_str()),
        (Some("delivered"), Some("2026-11-22T02:00:01.500Z"))
    );

    let delivery = notifications::deliver(&s.env("notification-delivery").await).unwrap();
    let tick = delivery(serde_json::from_str(&sample("sqs-notifications-digest-tick.json")).unwrap(), deadline()).await;
    assert!(tick.batch_item_failures.is_empty());

    let logs: Value = serde_json::from_str(&sample("cloudwatch-logs-sms-delivery.json")).unwrap();
    let data = logs["awslogs"]["data"].as_str().unwrap();
    let records = nudge_notifications::providers::sns_sms::parse_logs_event(data).unwrap();
    let event = records.into_iter().next().unwrap().unwrap();
    assert_eq!(event.provider_message_id, "b7e2c9a1-4d3f-5e6a-8b7c-9d0e1f2a3b4c");
    assert_eq!(event.progress, nudge_notifications::providers::Progress::Delivered);
    let ctx = s.ctx().await;
    let moved = nudge_notifications::provider_events::sms_logs(&ctx.store, &ctx.clock, data).await.unwrap();
    assert_eq!(moved, 0, "no delivery of ours has that message id");
}

/// The journeys function's samples: a journey's draft created from the API Gateway event (its content
/// named), and the engine's minute tick consumed as the JourneysQueue delivers it.
#[tokio::test]
async fn journey_sample_events_drive_the_functions() {
    let s = stack();
    let admin = s.tenant(s.organization("Journey events").await, SystemRole::Admin);
    let created = s.post("/contents", &admin, &json!({"type": "text", "title": "Hi", "text": {"text": "Hello"}})).await;
    let content = created.body["id"].as_str().unwrap().to_owned();
    let router = journeys::compose(&s.env("journeys").await).unwrap().fallback(nudge_core::app::not_found);
    let text = sample("apigw-journeys-create.json").replace("{{TOKEN}}", &admin).replace("{{CONTENT}}", &content);
    let (status, _, journey) = invoke(router, lambda_http::request::from_str(&text).unwrap()).await;
    assert_eq!(status, 201, "{journey}");
    assert_eq!(journey["phases"][0]["touchpoints"].as_array().map(Vec::len), Some(2), "{journey}");
    assert_eq!(journey["phases"][0]["sequenceOrder"], 1);

    let engine = journeys::engine(&s.env("journey-engine").await).unwrap();
    let tick = engine(serde_json::from_str(&sample("sqs-journeys-tick.json")).unwrap(), deadline()).await;
    assert!(tick.batch_item_failures.is_empty(), "{:?}", tick.batch_item_failures);
}

/// The learning schedule's hourly tick, consumed as the LearningQueue delivers it.
#[tokio::test]
async fn the_learning_tick_sample_drives_the_schedule() {
    let s = stack();
    let schedule = learning::schedule(&s.env("learning-schedule").await).unwrap();
    let tick = schedule(serde_json::from_str(&sample("sqs-learning-tick.json")).unwrap(), deadline()).await;
    assert!(tick.batch_item_failures.is_empty(), "{:?}", tick.batch_item_failures);
}
