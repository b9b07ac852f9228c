//! The local stack: emulator + context + the merged router of every function, as API Gateway routes them.

use crate::devkeys::{AUDIENCE, DevKeys, ISSUER};
use crate::emulator::Emulator;
use crate::queues::Poller;
use crate::{LocalError, root};
use axum::Router;
use nudge_core::Ctx;
use nudge_core::clock::Clock;
use nudge_core::config::{Env, Settings};
use nudge_core::crypto::DataKey;
use nudge_core::queue::{Consumer, Queue};
use std::collections::{BTreeMap, HashMap};

/// A function's composition root (`functions/<name>/src/lib.rs`).
type Root<T> = fn(&Env) -> Result<T, nudge_core::config::ConfigError>;

/// Every function's routes on one router, with the shared 404 for the rest, each function composed by the
/// root its main.rs uses, from the environment template.yaml gives it.
fn app(local: &Local) -> Result<Router, LocalError> {
    let setup = |e: nudge_core::config::ConfigError| LocalError::Setup(e.to_string());
    let http: [(&str, Root<Router>); 15] = [
        ("audit", audit::compose),
        ("auth", auth::compose),
        ("users", users::compose),
        ("integrations", integrations::compose),
        ("workers", workers::compose),
        ("segments", segments::compose),
        ("content", content::compose),
        ("media", media::compose),
        ("notifications", notifications::compose),
        ("journeys", journeys::compose),
        ("experiments", experiments::compose),
        ("learning", learning::compose),
        ("gamification", gamification::compose),
        ("community", community::compose),
        ("organizations", organizations::compose),
    ];
    let mut router = Router::new().merge(meta::router());
    for (binary, compose) in http {
        router = router.merge(compose(&local.env(binary)).map_err(setup)?);
    }
    let control = crate::control::router(local.clock.clone(), local.sweeper()?);
    Ok(router.merge(control).fallback(nudge_core::app::not_found))
}

/// Queue consumers by the binary name template.yaml gives their function, each composed by the root its
/// main.rs uses. The local poller hands each batch the deadline of a 15-minute function.
fn consumers(local: &Local) -> Result<HashMap<&'static str, Consumer>, LocalError> {
    let setup = |e: nudge_core::config::ConfigError| LocalError::Setup(e.to_string());
    let roots: [(&'static str, Root<Consumer>); 8] = [
        ("worker-import", worker_import::import),
        ("worker-export", worker_import::export),
        ("segment-sync", segment_sync::compose),
        ("media-ingest", media::ingest),
        ("notification-delivery", notifications::deliver),
        ("provider-events", notifications::provider_events),
        ("journey-engine", journeys::engine),
        ("learning-schedule", learning::schedule),
    ];
    roots.into_iter().map(|(binary, compose)| Ok((binary, compose(&local.env(binary)).map_err(setup)?))).collect()
}

fn queue(emulator: &Emulator, sdk: &nudge_core::config::SdkConfig, logical_id: &str) -> Result<Queue, LocalError> {
    let q = emulator
        .resources
        .queues
        .get(logical_id)
        .ok_or_else(|| LocalError::Setup(format!("no {logical_id} in template.yaml")))?;
    Ok(Queue::new(aws_sdk_sqs::Client::new(sdk), q.url.clone()))
}

/// The address local account emails come from (verified in the emulator's SES at start).
pub const EMAIL_FROM: &str = "no-reply@nudge.local";

pub struct Local {
    pub emulator: Emulator,
    /// The one clock of every function here, which `/_local/clock` moves (see `nudge_core::clock`).
    pub clock: Clock,
    pub sdk: nudge_core::config::SdkConfig,
    pub ctx: Ctx,
    pub keys: DevKeys,
    pub settings: Settings,
    /// Seals secrets at rest (a fresh one per run: the emulator keeps nothing between runs either).
    pub key: DataKey,
    /// The media bucket, for presigned uploads and the background functions.
    pub objects: nudge_core::objects::Objects,
    /// Rows an import applies per invocation before it continues in a new message (tests make it small
    /// to exercise continuation); `None` runs until the deadline nears, as on AWS.
    pub import_rows_per_run: Option<u64>,
    /// Bytes an import reads per chunk (tests make it small to cross chunk boundaries).
    pub import_chunk_bytes: Option<u64>,
    /// Rows an export writes per invocation before it continues in a new message (tests make it small).
    pub export_rows_per_run: Option<u64>,
    /// Bytes an export part holds at least (tests make it small; the emulator accepts parts from
    /// [`crate::emulator::S3_PART_MIN_BYTES`]).
    pub export_part_bytes: Option<usize>,
    /// Workers an export reads per page (tests make it small).
    pub export_page_workers: Option<u32>,
    /// Pages a segment sync runs per invocation before continuing in a new message (tests make it small).
    pub sync_pages_per_run: Option<u32>,
    /// Workers per sync page (tests make it small, so a few workers span pages).
    pub sync_page_workers: Option<u32>,
    /// Where the API is served (the base of the workers' touchpoint links); API Gateway's URL on AWS.
    pub public_url: String,
}

impl Local {
    /// Starts the emulator (on `port`, 0 for any) with template.yaml's resources and builds the context.
    /// `session_cache` overrides `SESSION_CACHE_SECONDS` (tests use zero to see revocations at once).
    pub async fn start(
        keys: DevKeys,
        port: u16,
        session_cache: Option<std::time::Duration>,
    ) -> Result<Self, LocalError> {
        let emulator = Emulator::start(&root(), port).await?;
        let sdk = emulator.sdk_config().await;
        // SES sends only from a verified identity (the stack's EmailFromAddress on AWS).
        aws_sdk_sesv2::Client::new(&sdk)
            .create_email_identity()
            .email_identity(EMAIL_FROM)
            .send()
            .await
            .map_err(|e| LocalError::Setup(format!("verifying {EMAIL_FROM} in SES: {e}")))?;
        let settings = Settings {
            table: emulator.resources.table.clone(),
            jwt_public_key: keys.public_pem.clone(),
            jwt_issuer: ISSUER.into(),
            jwt_audience: AUDIENCE.into(),
            cursor_secret: format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()),
            data_key: Some(DataKey::generate().map_err(|e| LocalError::Setup(e.to_string()))?.to_base64()),
            jwt_private_key: Some(keys.private_pem.clone()),
            media_bucket: Some(emulator.resources.bucket.clone()),
            app_url: Some("http://127.0.0.1:3000".into()),
            audit_retention: chrono::Duration::days(nudge_core::config::DEFAULT_AUDIT_RETENTION_DAYS),
            session_cache: session_cache.unwrap_or_else(|| {
                std::time::Duration::from_secs(
                    std::env::var("SESSION_CACHE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(30),
                )
            }),
        };
        let setup = |e: nudge_core::config::ConfigError| LocalError::Setup(e.to_string());
        let clock = Clock::shifted();
        let ctx = Ctx { clock: clock.clone(), ..Ctx::from_parts(&sdk, &settings).map_err(setup)? };
        let key = settings.data_key().map_err(setup)?;
        let objects = nudge_core::objects::Objects::from_settings(&sdk, &settings).map_err(setup)?;
        let import_rows_per_run = std::env::var("IMPORT_ROWS_PER_RUN").ok().and_then(|v| v.parse().ok());
        Ok(Self {
            emulator,
            clock,
            sdk,
            ctx,
            keys,
            settings,
            key,
            objects,
            import_rows_per_run,
            import_chunk_bytes: None,
            export_rows_per_run: std::env::var("EXPORT_ROWS_PER_RUN").ok().and_then(|v| v.parse().ok()),
            export_part_bytes: None,
            export_page_workers: None,
            sync_pages_per_run: std::env::var("SYNC_PAGES_PER_RUN").ok().and_then(|v| v.parse().ok()),
            sync_page_workers: None,
            public_url: "http://127.0.0.1:3000".into(),
        })
    }

    /// A queue of template.yaml by its logical id, as a function holds it (the URL its environment names).
    pub fn queue(&self, logical_id: &str) -> Result<Queue, LocalError> {
        queue(&self.emulator, &self.sdk, logical_id)
    }

    /// The outbox function, as its schedule runs it.
    pub fn sweeper(&self) -> Result<nudge_core::outbox::Sweeper, LocalError> {
        outbox::compose(&self.env("outbox")).map_err(|e| LocalError::Setup(e.to_string()))
    }

    /// The emails the emulator's SES sent, read as a mailbox.
    pub fn mailbox(&self) -> Result<crate::mailbox::Mailbox, LocalError> {
        Ok(crate::mailbox::Mailbox::new(self.emulator.endpoint.clone()))
    }

    /// The segment sync queue, which the local schedule ticks (EventBridge's rule on AWS).
    pub fn segment_queue(&self) -> Result<nudge_segments::SegmentQueue, LocalError> {
        Ok(nudge_segments::SegmentQueue(self.queue("SegmentSyncQueue")?))
    }

    /// The journeys queue (the engine's minute tick's target).
    pub fn journeys_queue(&self) -> Result<Queue, LocalError> {
        self.queue("JourneysQueue")
    }

    /// The learning queue (the learning schedule's hourly tick's target).
    pub fn learning_queue(&self) -> Result<Queue, LocalError> {
        self.queue("LearningQueue")
    }

    /// The notifications queue (the digest schedule's target).
    pub fn notifications_queue(&self) -> Result<Queue, LocalError> {
        self.queue("NotificationsQueue")
    }

    /// The environment template.yaml gives the function built as `binary`, resolved against the emulator,
    /// with this run's tuning of the bulk jobs.
    pub fn env(&self, binary: &str) -> Env {
        let mut vars: BTreeMap<String, String> = self.emulator.resources.environment(binary);
        let tuning = [
            ("IMPORT_ROWS_PER_RUN", self.import_rows_per_run.map(|n| n.to_string())),
            ("IMPORT_CHUNK_BYTES", self.import_chunk_bytes.map(|n| n.to_string())),
            ("EXPORT_ROWS_PER_RUN", self.export_rows_per_run.map(|n| n.to_string())),
            ("EXPORT_PART_BYTES", self.export_part_bytes.map(|n| n.to_string())),
            ("EXPORT_PAGE_WORKERS", self.export_page_workers.map(|n| n.to_string())),
            ("SYNC_PAGES_PER_RUN", self.sync_pages_per_run.map(|n| n.to_string())),
            ("SYNC_PAGE_WORKERS", self.sync_page_workers.map(|n| n.to_string())),
        ];
        vars.extend(tuning.into_iter().filter_map(|(name, value)| Some((name.to_owned(), value?))));
        // template.yaml names API Gateway's URL, which has no local counterpart: this server's.
        if vars.contains_key("PAGE_URL") || binary == "journey-engine" {
            vars.insert("PAGE_URL".into(), self.public_url.clone());
        }
        Env::local(self.sdk.clone(), self.settings.clone(), self.clock.clone(), vars)
    }

    /// One POST of JSON through the served router, as a client makes it (the dev server's demo data, a
    /// bench's setup): the JSON answer, or an error naming the call and its answer.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, LocalError> {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let setup = |e: &dyn std::fmt::Display| LocalError::Setup(format!("{path}: {e}"));
        let mut request = http::Request::post(path).header("content-type", "application/json");
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        let request = request.body(axum::body::Body::from(body.to_string())).map_err(|e| setup(&e))?;
        let response = self.app()?.oneshot(request).await.map_err(|e| setup(&e))?;
        let status = response.status();
        let bytes = response.into_body().collect().await.map_err(|e| setup(&e))?.to_bytes();
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| setup(&e))?;
        if status.is_success() { Ok(value) } else { Err(setup(&format!("answered {status}: {value}"))) }
    }

    pub fn app(&self) -> Result<Router, LocalError> {
        app(self)
    }

    /// A poller for every SQS event source in template.yaml; an unknown consumer is a setup error.
    pub fn pollers(&self) -> Result<Vec<Poller>, LocalError> {
        let mut handlers = consumers(self)?;
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        self.emulator
            .resources
            .consumers
            .iter()
            .map(|c| {
                let queue =
                    self.emulator.resources.queues.get(&c.queue).ok_or_else(|| {
                        LocalError::Setup(format!("{} consumes unknown queue {}", c.function, c.queue))
                    })?;
                let handler = handlers.remove(c.binary.as_str()).ok_or_else(|| {
                    LocalError::Setup(format!("no local handler for queue consumer {} ({})", c.function, c.binary))
                })?;
                Ok(Poller {
                    sqs: sqs.clone(),
                    queue_url: queue.url.clone(),
                    queue_arn: queue.arn.clone(),
                    batch_size: c.batch_size,
                    handler,
                })
            })
            .collect()
    }
}
