//! `make dev`: the emulator with template.yaml's resources, every function on http://127.0.0.1:3000, every
//! queue polled, and a demo tenant. Ctrl-C stops it all.

use nudge_core::auth::SystemRole;
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_local::whatsapp::FakeWhatsapp;
use nudge_local::{LocalError, root};
use std::process::ExitCode;

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var).ok().and_then(|p| p.parse().ok()).unwrap_or(default)
}

/// The demo tenant's admin, printed by `make dev`.
const ADMIN_EMAIL: &str = "admin@demo.example";
const ADMIN_PASSWORD: &str = "demo-admin-password";
/// The token the local fake WhatsApp Cloud API accepts (the demo tenant's integration holds it, sealed).
const WHATSAPP_TOKEN: &str = "local-whatsapp-token";
const WHATSAPP_APP_SECRET: &str = "local-whatsapp-app-secret";
const WHATSAPP_VERIFY_TOKEN: &str = "local-whatsapp-verify-token";
const WHATSAPP_NUMBER_ID: &str = "100000000000001";

/// The local platform admin (creates organizations, may enter any of them through switch-tenant).
const PLATFORM_EMAIL: &str = "platform@nudge.local";
const PLATFORM_PASSWORD: &str = "platform-admin-password";

/// One POST through the served router (see [`Local::post`]).
async fn call(
    local: &Local,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> Result<serde_json::Value, LocalError> {
    local.post(path, token, body).await
}

/// The demo tenant and its admin are made through the API itself: a platform admin creates the
/// organization, an operator token invites the admin as owner, and the admin accepts the emailed invitation.
/// The demo tenant's id, its WhatsApp integration's, and an owner's operator token.
async fn demo_tenant(local: &Local, whatsapp: &FakeWhatsapp) -> Result<(String, String, String), LocalError> {
    let issuer = local.keys.issuer()?;
    let operator = |tenant: Option<uuid::Uuid>, role| {
        issuer
            .issue(uuid::Uuid::now_v7(), tenant, role, chrono::Duration::minutes(5))
            .map_err(|e| LocalError::Setup(e.to_string()))
    };
    let body = serde_json::json!({
        "name": "Demo Retail", "type": "client", "slug": "demo", "subscriptionTier": "pro",
        "website": "https://demo.example", "locale": "en", "customTerminology": {"worker": "associate"}
    });
    let org = call(local, "/organizations", Some(&operator(None, SystemRole::PlatformAdmin)?), body).await?;
    let tenant = org["id"].as_str().ok_or_else(|| LocalError::Setup(format!("no id in {org}")))?.to_owned();
    let tenant_id = uuid::Uuid::parse_str(&tenant).map_err(|e| LocalError::Setup(e.to_string()))?;
    let owner = operator(Some(tenant_id), SystemRole::Owner)?;
    let invite = serde_json::json!({"email": ADMIN_EMAIL, "role": "owner", "name": "Demo Admin"});
    call(local, "/users", Some(&owner), invite).await?;
    let mail = local.mailbox()?.take(ADMIN_EMAIL, nudge_notifications::NotificationKind::Invite).await?;
    let accept = serde_json::json!({"token": mail.token, "password": ADMIN_PASSWORD});
    call(local, "/auth/invites/accept", None, accept).await?;
    // WhatsApp sends of the demo tenant go to the local fake Cloud API (`/_fake/messages` lists them),
    // which calls its webhook back as Meta would.
    let integration = serde_json::json!({
        "type": "whatsapp", "name": "Local fake WhatsApp Cloud API", "status": "active",
        "config": {"baseUrl": whatsapp.base_url, "phoneNumberId": whatsapp.phone_number_id, "accessToken": WHATSAPP_TOKEN,
                   "appSecret": WHATSAPP_APP_SECRET, "verifyToken": WHATSAPP_VERIFY_TOKEN}
    });
    let integration = call(local, "/integrations", Some(&owner), integration).await?;
    let integration = integration["id"].as_str().ok_or_else(|| LocalError::Setup(format!("no id in {integration}")))?;
    Ok((tenant, integration.to_owned(), owner))
}

/// The `id` of an answer.
fn id_of(value: &serde_json::Value) -> Result<String, LocalError> {
    value["id"].as_str().map(str::to_owned).ok_or_else(|| LocalError::Setup(format!("no id in {value}")))
}

/// A content item of the demo tenant, taken through the workflow to `published`.
async fn demo_content(local: &Local, owner: &str, body: serde_json::Value) -> Result<String, LocalError> {
    let id = id_of(&call(local, "/contents", Some(owner), body).await?)?;
    for to in ["review", "approved", "published"] {
        call(local, &format!("/contents/{id}/status"), Some(owner), serde_json::json!({"status": to})).await?;
    }
    Ok(id)
}

/// A crew of opted-in workers on WhatsApp, a live-enrollable segment of them, and a small active program
/// (a week: a welcome, a quiz two days on at 09:00, a reflection once the quiz is done, a wrap-up). The
/// program's id and the segment's.
async fn demo_program(local: &Local, owner: &str) -> Result<(String, String), LocalError> {
    use serde_json::json;
    for (i, name) in ["Ana", "Bojan", "Carla", "Dev", "Eva"].iter().enumerate() {
        let worker = json!({"firstName": name, "lastName": "Demo", "tags": ["demo-crew"],
            "contact": {"primaryPhoneNumber": format!("+38640{:06}", 100 + i), "communicationConsent": true,
                        "whatsappOptInStatus": "opted_in", "preferredLanguage": "en"}});
        call(local, "/workers", Some(owner), worker).await?;
    }
    let rule = json!({"field": "tags", "op": "contains", "value": "demo-crew"});
    let segment = id_of(
        &call(
            local,
            "/segments",
            Some(owner),
            json!({"name": "Demo crew", "type": "rule_based", "ruleDefinition": rule}),
        )
        .await?,
    )?;
    let template = demo_content(
        local,
        owner,
        json!({"type": "template", "title": "journey_step", "template": {
        "templateText": "{{title}}: {{link}}", "channel": "whatsapp", "approvalStatus": "approved",
        "variables": [{"name": "title"}, {"name": "link"}]}}),
    )
    .await?;
    let welcome =
        demo_content(local, owner, json!({"type": "text", "title": "Welcome to the crew", "text": {"text": "Glad you are here. Tap the button when you have read this."}})).await?;
    let quiz = demo_content(local, owner, json!({"type": "quiz", "title": "Safety check", "quiz": {"questions": [
        {"id": "q1", "type": "single_choice", "text": "Where is the fire exit?",
         "options": [{"id": "a", "text": "By the loading bay"}, {"id": "b", "text": "Behind the cold room"}], "correctAnswers": ["a"]},
        {"id": "q2", "type": "true_false", "text": "Near misses are reported the same day.", "correctAnswers": ["true"]}],
        "scoringType": "pass_fail", "passingScore": 2, "maxAttempts": 3}})).await?;
    let reflection = demo_content(
        local,
        owner,
        json!({"type": "reflection", "title": "One thing to change",
        "reflection": {"promptText": "What will you do differently on your next shift?"}}),
    )
    .await?;
    let wrap =
        demo_content(local, owner, json!({"type": "text", "title": "Week one done", "text": {"text": "Thank you!"}}))
            .await?;
    let touch = |content: &str, logic: serde_json::Value| json!({"contentId": content, "channel": "whatsapp", "templateId": template, "ruleLogic": logic});
    let journey = json!({"title": "First week", "purpose": "Welcome and safety basics", "phases": [
        {"name": "Welcome", "touchpoints": [
            touch(&welcome, json!({})),
            touch(&quiz, json!({"delay": {"after": "previous", "days": 2}, "sendTime": {"at": "09:00"}}))]},
        {"name": "Practice", "touchpoints": [
            touch(&reflection, json!({"waitFor": {"event": "completed", "timeout": {"days": 2}, "onTimeout": "remind"}})),
            touch(&wrap, json!({"delay": {"after": "phaseStart", "days": 4}, "sendTime": {"at": "10:00"}}))]}]});
    let journey = id_of(&call(local, "/journeys", Some(owner), journey).await?)?;
    call(local, &format!("/journeys/{journey}/publish"), Some(owner), json!({})).await?;
    let program = json!({"name": "Demo onboarding", "journeyIds": [journey], "status": "active"});
    let program = id_of(&call(local, "/programs", Some(owner), program).await?)?;
    Ok((program, segment))
}

async fn run() -> Result<(), LocalError> {
    let root = root();
    let keys = DevKeys::load_or_create(&root.join(".local"))?;
    let mut local = Local::start(keys, port("MOTO_PORT", 4566), None).await?;
    let api_port = port("PORT", 3000);
    // The workers' touchpoint links lead to this server.
    local.public_url = format!("http://127.0.0.1:{api_port}");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", api_port))
        .await
        .map_err(LocalError::io(format!("binding 127.0.0.1:{api_port}")))?;

    nudge_local::bootstrap::platform_admin(&local.ctx.store, PLATFORM_EMAIL, PLATFORM_PASSWORD).await?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let pollers = local.pollers()?;
    let queues = pollers.len();
    let tasks: Vec<_> = pollers.into_iter().map(|p| tokio::spawn(p.run(stop_rx.clone()))).collect();
    // After the pollers: the owner's invitation email is sent by the notifications consumer.
    let whatsapp = FakeWhatsapp::start(WHATSAPP_TOKEN, WHATSAPP_NUMBER_ID).await?;
    let (tenant, integration, owner) = demo_tenant(&local, &whatsapp).await?;
    let (program, segment) = demo_program(&local, &owner).await?;
    let webhook = format!("http://127.0.0.1:{api_port}/webhooks/whatsapp/{integration}");
    whatsapp.post_webhooks_to(webhook.clone(), WHATSAPP_APP_SECRET);
    std::fs::write(root.join(".local/demo-tenant"), &tenant).map_err(LocalError::io("writing .local/demo-tenant"))?;
    let ticker = tokio::spawn(schedule(
        local.segment_queue()?,
        local.notifications_queue()?,
        local.learning_queue()?,
        stop_rx.clone(),
    ));
    let sweeper = tokio::spawn(sweep_outbox(local.sweeper()?, stop_rx.clone()));
    let journeys = tokio::spawn(tick_journeys(local.journeys_queue()?, stop_rx.clone()));

    eprintln!(
        "\nNudge is running.\n\
         \x20 API        http://127.0.0.1:{api_port}   (OpenAPI: /openapi.json, health: /health)\n\
         \x20 Emulator   {endpoint}   table {table}, bucket {bucket}, {nq} queues ({queues} with a consumer)\n\
         \x20 Demo       tenant {tenant} (slug `demo`)\n\
         \x20 WhatsApp   {wa}/_fake/messages (the demo tenant's WhatsApp goes to this fake Cloud API,\n\
         \x20            which posts statuses to {webhook}; a worker's reply:\n\
         \x20            curl -d '{{\"from\":\"+<phone>\",\"text\":\"Hi\"}}' {wa}/_fake/inbound)\n\
         \x20 Sent mail  {endpoint}/_local/ses/sent, SMS {endpoint}/_local/sns/sms\n\
         \x20 Admin      {ADMIN_EMAIL} / {ADMIN_PASSWORD} (owner of the demo tenant)\n\
         \x20 Platform   {PLATFORM_EMAIL} / {PLATFORM_PASSWORD} (platform admin; enrols MFA at\n\
         \x20            first sign-in: POST /me/mfa/enrol, /me/mfa/activate, then sign in with mfaCode)\n\n\
         Sign in and make a first call:\n\
         \x20 TOKEN=$(curl -s -H 'content-type: application/json' -d '{{\"email\":\"{ADMIN_EMAIL}\",\"password\":\"{ADMIN_PASSWORD}\"}}' http://127.0.0.1:{api_port}/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"accessToken\"])')\n\
         \x20 curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{api_port}/organization\n\
         Operator tokens: TOKEN=$(make -s token TENANT={tenant} ROLE=admin), platform admin: TOKEN=$(make -s token)\n\
         A week of the demo program: enrol its segment, then move the clock a day at a time and watch the fake\n\
         WhatsApp (the dev server ticks the journey engine every 10 s; open a message's link to answer it):\n\
         \x20 curl -s -H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' -d '{{\"segmentId\":\"{segment}\",\"mode\":\"live\"}}' http://127.0.0.1:{api_port}/programs/{program}/enrolments\n\
         \x20 make advance DAYS=1; curl -s {wa}/_fake/messages; curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{api_port}/programs/{program}/progress\n\
         Ctrl-C stops everything.\n",
        endpoint = local.emulator.endpoint,
        wa = whatsapp.root_url,
        table = local.emulator.resources.table,
        bucket = local.emulator.resources.bucket,
        nq = local.emulator.resources.queues.len(),
    );

    // The peer's address stands in for API Gateway's source IP (the per-IP sign-in throttles count it).
    let app = local.app()?.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(LocalError::io("serving"))?;
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    let _ = ticker.await;
    let _ = sweeper.await;
    let _ = journeys.await;
    Ok(())
}

/// What the JourneyTickSchedule does on AWS every minute, here every `JOURNEY_TICK_SECONDS` (default 10):
/// a clock moved forward with `make advance` plays out in seconds.
async fn tick_journeys(queue: nudge_core::queue::Queue, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(
        std::env::var("JOURNEY_TICK_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10),
    );
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = queue.send(&nudge_journeys::Message::Tick).await {
                    tracing::warn!(error = %e, "could not send the journey tick");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// What the OutboxFunction's schedule does on AWS: a sweep of the outbox every minute.
async fn sweep_outbox(sweeper: nudge_core::outbox::Sweeper, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(60);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = sweeper.sweep().await {
                    tracing::warn!(error = %e, "outbox sweep failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// What EventBridge's schedules do on AWS: the tick of time-relative segment rules on the segment sync
/// queue, the unread digests' tick on the notifications queue and the learning schedule's tick
/// (`SEGMENT_SCHEDULE_SECONDS`, default hourly as in template.yaml).
async fn schedule(
    queue: nudge_segments::SegmentQueue,
    notifications: nudge_core::queue::Queue,
    learning: nudge_core::queue::Queue,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let every = std::time::Duration::from_secs(
        std::env::var("SEGMENT_SCHEDULE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600),
    );
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = queue.tick().await {
                    tracing::warn!(error = %e, "could not send the segment schedule tick");
                }
                // The digest schedule's tick (template.yaml's DigestSchedule, also hourly).
                if let Err(e) = notifications.send(&nudge_notifications::Message::DigestTick).await {
                    tracing::warn!(error = %e, "could not send the digest tick");
                }
                // The learning schedule's tick (template.yaml's LearningTickSchedule, also hourly).
                if let Err(e) = learning.send(&nudge_learning::schedule::Message::Tick).await {
                    tracing::warn!(error = %e, "could not send the learning tick");
                }
            }
            _ = stop.changed() => return,
        }
    }
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
    nudge_local::logs::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("make dev: {err}");
            ExitCode::FAILURE
        }
    }
}
