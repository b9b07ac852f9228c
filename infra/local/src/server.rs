//! The local stack: emulator + context + the merged router of every function, as API Gateway routes them.

use crate::devkeys::{AUDIENCE, DevKeys, ISSUER};
use crate::emulator::Emulator;
use crate::queues::{Handler, Poller};
use crate::{LocalError, root};
use axum::Router;
use nudge_core::Ctx;
use nudge_core::auth::TokenIssuer;
use nudge_core::config::Settings;
use nudge_core::crypto::DataKey;
use nudge_core::queue::Queue;
use nudge_notifications::Notifier;
use std::collections::HashMap;

/// Every function's routes on one router, with the shared 404 for the rest, each function given what its
/// main.rs would build from its environment on AWS.
fn app(local: &Local) -> Router {
    let ctx = local.ctx.clone();
    let auth_deps = nudge_identity::signin::Deps {
        issuer: local.issuer.clone(),
        key: local.key.clone(),
        notifier: local.notifier.clone(),
        app_url: local.settings.app_url.clone(),
    };
    let users_deps = nudge_identity::people::Deps {
        key: local.key.clone(),
        notifier: local.notifier.clone(),
        app_url: local.settings.app_url.clone(),
    };
    Router::new()
        .merge(meta::router())
        .merge(nudge_audit::router(ctx.clone()))
        .merge(nudge_identity::signin::router(ctx.clone(), auth_deps))
        .merge(nudge_identity::people::router(ctx.clone(), users_deps))
        .merge(nudge_integrations::router(ctx.clone(), local.key.clone()))
        .merge(nudge_workers::http::router(
            ctx.clone(),
            local.objects.clone(),
            local.worker_events(),
            local.export_queue(),
        ))
        .merge(nudge_segments::http::router(ctx.clone(), local.segment_queue()))
        .merge(nudge_content::router(ctx.clone(), nudge_content::snapshots::Snapshots::new(local.objects.clone())))
        .merge(nudge_media::router(ctx.clone(), local.objects.clone()))
        .merge(nudge_organizations::router(ctx))
        .fallback(nudge_core::app::not_found)
}

/// A background job as Lambda's event source mapping runs it, with the deadline of a 15-minute function.
fn job<J: nudge_core::jobs::Job + 'static>(job: J) -> Handler {
    let job = std::sync::Arc::new(job);
    std::sync::Arc::new(move |event| {
        let job = job.clone();
        Box::pin(async move {
            let deadline = nudge_core::queue::Deadline::after(std::time::Duration::from_secs(900));
            Ok(nudge_core::jobs::consume(job.as_ref(), event, deadline).await)
        })
    })
}

/// Queue consumers by the binary name template.yaml gives their function, each built as its main.rs would
/// build it on AWS and given the invocation deadline Lambda would (the function's timeout).
fn consumers(local: &Local) -> Result<HashMap<&'static str, Handler>, LocalError> {
    let mut out: HashMap<&'static str, Handler> = HashMap::new();
    let queue = local
        .emulator
        .resources
        .queues
        .get("WorkerImportsQueue")
        .ok_or_else(|| LocalError::Setup("no WorkerImportsQueue in template.yaml".into()))?;
    let mut importer = nudge_workers::import::Importer::new(
        local.ctx.store.clone(),
        local.objects.clone(),
        nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&local.sdk), queue.url.clone()),
    );
    importer.rows_per_run = local.import_rows_per_run;
    importer.events = local.worker_events();
    if let Some(bytes) = local.import_chunk_bytes {
        importer.chunk_bytes = bytes;
    }
    out.insert("worker-import", job(importer));
    let mut exporter =
        nudge_workers::export::Exporter::new(local.ctx.store.clone(), local.objects.clone(), local.export_queue().0);
    exporter.rows_per_run = local.export_rows_per_run;
    if let Some(bytes) = local.export_part_bytes {
        exporter.part_bytes = bytes;
    }
    if let Some(workers) = local.export_page_workers {
        exporter.page_workers = workers;
    }
    out.insert("worker-export", job(exporter));
    let mut syncer = nudge_segments::syncer::Syncer::new(local.ctx.store.clone(), local.segment_queue());
    syncer.limits.pages_per_run = local.sync_pages_per_run;
    if let Some(workers) = local.sync_page_workers {
        syncer.limits.page_workers = workers;
    }
    out.insert("segment-sync", job(syncer));
    let ingest = std::sync::Arc::new(nudge_media::ingest::Ingest::new(local.ctx.store.clone(), local.objects.clone()));
    out.insert(
        "media-ingest",
        std::sync::Arc::new(move |event| {
            let ingest = ingest.clone();
            Box::pin(async move { Ok(ingest.handle(event).await) })
        }),
    );
    Ok(out)
}

fn queue(emulator: &Emulator, sdk: &nudge_core::config::SdkConfig, logical_id: &str) -> Result<Queue, LocalError> {
    let q = emulator
        .resources
        .queues
        .get(logical_id)
        .ok_or_else(|| LocalError::Setup(format!("no {logical_id} in template.yaml")))?;
    Ok(Queue::new(aws_sdk_sqs::Client::new(sdk), q.url.clone()))
}

pub struct Local {
    pub emulator: Emulator,
    pub sdk: nudge_core::config::SdkConfig,
    pub ctx: Ctx,
    pub keys: DevKeys,
    pub settings: Settings,
    /// Signs access tokens (the auth function's key).
    pub issuer: TokenIssuer,
    /// Seals secrets at rest (a fresh one per run: the emulator keeps nothing between runs either).
    pub key: DataKey,
    pub notifier: Notifier,
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
        let settings = Settings {
            table: emulator.resources.table.clone(),
            jwt_public_key: keys.public_pem.clone(),
            jwt_issuer: ISSUER.into(),
            jwt_audience: AUDIENCE.into(),
            cursor_secret: format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()),
            data_key: Some(DataKey::generate().map_err(|e| LocalError::Setup(e.to_string()))?.to_base64()),
            jwt_private_key: Some(keys.private_pem.clone()),
            media_bucket: Some(emulator.resources.bucket.clone()),
            app_url: "http://127.0.0.1:3000".into(),
            session_cache: session_cache.unwrap_or_else(|| {
                std::time::Duration::from_secs(
                    std::env::var("SESSION_CACHE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(30),
                )
            }),
        };
        let setup = |e: nudge_core::config::ConfigError| LocalError::Setup(e.to_string());
        let ctx = Ctx::from_parts(&sdk, &settings).map_err(setup)?;
        let issuer = settings.issuer().map_err(setup)?;
        let key = settings.data_key().map_err(setup)?;
        let notifier = Notifier::new(queue(&emulator, &sdk, "NotificationsQueue")?);
        let objects = nudge_core::objects::Objects::from_settings(&sdk, &settings).map_err(setup)?;
        let import_rows_per_run = std::env::var("IMPORT_ROWS_PER_RUN").ok().and_then(|v| v.parse().ok());
        Ok(Self {
            emulator,
            sdk,
            ctx,
            keys,
            settings,
            issuer,
            key,
            notifier,
            objects,
            import_rows_per_run,
            import_chunk_bytes: None,
            export_rows_per_run: std::env::var("EXPORT_ROWS_PER_RUN").ok().and_then(|v| v.parse().ok()),
            export_part_bytes: None,
            export_page_workers: None,
            sync_pages_per_run: std::env::var("SYNC_PAGES_PER_RUN").ok().and_then(|v| v.parse().ok()),
            sync_page_workers: None,
        })
    }

    /// A queue of template.yaml by its logical id, as a function holds it (the URL its environment names).
    pub fn queue(&self, logical_id: &str) -> Result<Queue, LocalError> {
        queue(&self.emulator, &self.sdk, logical_id)
    }

    /// The notifications queue, read as a mailbox.
    pub fn mailbox(&self) -> Result<crate::mailbox::Mailbox, LocalError> {
        Ok(crate::mailbox::Mailbox::new(
            self.emulator.endpoint.clone(),
            self.queue("NotificationsQueue")?.url().to_owned(),
        ))
    }

    /// The segment sync queue, as the functions that send to it hold it.
    pub fn segment_queue(&self) -> nudge_segments::SegmentQueue {
        nudge_segments::SegmentQueue(self.queue("SegmentSyncQueue").unwrap_or_else(|_| self.missing_queue()))
    }

    /// What the workers function and the import tell of changed workers: segments hear it.
    pub fn worker_events(&self) -> nudge_workers::WorkerEvents {
        nudge_workers::WorkerEvents::to(self.segment_queue())
    }

    /// The worker exports queue, as the workers function holds it.
    pub fn export_queue(&self) -> nudge_workers::export::ExportQueue {
        nudge_workers::export::ExportQueue(self.queue("WorkerExportsQueue").unwrap_or_else(|_| self.missing_queue()))
    }

    /// A queue template.yaml lacks: sends to it fail, as they would on AWS with a wrong URL.
    fn missing_queue(&self) -> Queue {
        Queue::new(aws_sdk_sqs::Client::new(&self.sdk), "")
    }

    pub fn app(&self) -> Router {
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
