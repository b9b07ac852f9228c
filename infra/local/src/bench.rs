//! What the benchmarks share: a fresh tenant, workers loaded straight into the table, a rule-based segment
//! synced by the sync consumer's own code, and this process's CPU time.

use crate::LocalError;
use nudge_core::TenantId;
use nudge_core::queue::Consumer;
use nudge_core::store::{Changes, Put, Store, Tx, Write, calls};
use nudge_core::values::Parse;
use nudge_segments::jobs::{self, SyncJob, SyncTrigger};
use nudge_segments::model::{Segment, SegmentType};
use nudge_segments::sync::{self, Limits, Outcome};
use nudge_workers::model::{Contact, Employment, Gamification, WorkerFields};
use nudge_workers::{Worker, repo as workers};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use uuid::Uuid;

pub fn setup(e: impl std::fmt::Display) -> LocalError {
    LocalError::Setup(e.to_string())
}

/// A fresh tenant, named the way background functions learn one: from an object key's prefix.
pub fn tenant() -> Result<TenantId, LocalError> {
    nudge_core::objects::ObjectKey::parse(&format!("tenants/{}/bench", Uuid::now_v7()))
        .map(|(tenant, _)| tenant)
        .ok_or_else(|| setup("tenant key"))
}

/// Worker `n` of a bench: four departments in turn, two in three consenting to messages, a Brazilian
/// mobile number of its own.
pub fn worker_fields(n: u64) -> Result<WorkerFields, LocalError> {
    let departments = ["Warehouse", "Retail", "Logistics", "Office"];
    Ok(WorkerFields {
        first_name: "Worker".into(),
        last_name: format!("Number {n}"),
        tags: vec!["night".into()],
        is_active: true,
        contact: Some(Contact {
            location_city: None,
            location_state_province: None,
            location_country: Some("BR".into()),
            primary_phone_number: Parse::parse(&format!("+55119{n:08}")).map_err(setup)?,
            whatsapp_opt_in_status: Default::default(),
            preferred_language: Parse::parse("pt-BR").map_err(setup)?,
            time_zone: None,
            communication_consent: !n.is_multiple_of(3),
            email_address: None,
        }),
        employment: Employment { department: Some(departments[(n % 4) as usize].into()), ..Default::default() },
        gamification: Gamification { points_balance: (n % 500) as i64, badges_earned_count: 0 },
        ..Default::default()
    })
}

/// Writes `count` workers (with their index entries) in batches.
pub async fn load_workers(store: &Store, tenant: &TenantId, count: u64) -> Result<(), LocalError> {
    let now = chrono::Utc::now();
    let mut puts: Vec<Put> = Vec::new();
    for n in 0..count {
        let worker = Worker::new(Uuid::now_v7(), worker_fields(n)?, now);
        puts.extend(workers::partition_puts(tenant, &worker).map_err(setup)?);
        if puts.len() >= 5000 {
            store.batch_put(std::mem::take(&mut puts)).await.map_err(setup)?;
        }
    }
    store.batch_put(puts).await.map_err(setup)
}

/// This process's CPU time (user + system), from /proc.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let parts: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| parts.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat; 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

/// A new rule-based segment of `rule`, not yet synced; its id.
pub async fn rule_segment(store: &Store, tenant: &TenantId, rule: serde_json::Value) -> Result<Uuid, LocalError> {
    let now = chrono::Utc::now();
    let segment = Segment {
        id: Uuid::now_v7(),
        name: "Bench".into(),
        description: None,
        kind: SegmentType::RuleBased,
        rule_definition: Some(rule),
        rule_version: 1,
        time_relative: false,
        created_by_id: None,
        updated_by_id: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store.transact(nudge_segments::repo::create(tenant, &segment, None).map_err(setup)?).await.map_err(setup)?;
    Ok(segment.id)
}

/// One sync run: the job as it ended, its wall time, DynamoDB calls and our CPU share of the wall time.
pub struct Synced {
    pub job: SyncJob,
    pub wall: f64,
    pub calls: u32,
    pub cpu: f64,
}

/// Syncs `segment` once to the end, as the sync consumer does.
pub async fn sync_once(store: &Store, tenant: &TenantId, segment: Uuid) -> Result<Synced, LocalError> {
    let job = SyncJob::new(segment, SyncTrigger::Manual, chrono::Utc::now());
    let claim = Write::update(
        nudge_segments::repo::state_key(tenant, segment),
        Changes::new().set("activeJobId", &job.id).map_err(setup)?,
        "segment",
    );
    let tx = Tx::new().with(Write::create(jobs::put(tenant, &job).map_err(setup)?, "job")).with(claim);
    store.transact(tx).await.map_err(setup)?;
    let (cpu, started) = (cpu_seconds(), Instant::now());
    let limits = Limits { page_workers: 100, pages_per_run: None };
    let (outcome, calls) = calls::counted(sync::run(store, tenant, segment, job.id, limits, || true)).await;
    let wall = started.elapsed().as_secs_f64();
    if outcome.map_err(setup)? != Outcome::Settled {
        return Err(setup("the sync did not finish"));
    }
    let job = jobs::get(store, tenant, segment, job.id).await.map_err(setup)?.ok_or_else(|| setup("job gone"))?;
    Ok(Synced { job, wall, calls, cpu: (cpu_seconds() - cpu) / wall })
}

/// `inner`, adding the AWS calls of each batch it handles to `total`.
pub fn counting(inner: Consumer, total: Arc<AtomicU64>) -> Consumer {
    Arc::new(move |event, deadline| {
        let (inner, total) = (inner.clone(), total.clone());
        Box::pin(async move {
            let (response, n) = calls::counted(inner(event, deadline)).await;
            total.fetch_add(u64::from(n), Ordering::Relaxed);
            response
        })
    })
}

/// `consumers` pollers of the template's queue `logical_id`, each handing its batches to `handler`, running
/// until `stop` says so (as several concurrent Lambda invocations consume a queue).
pub fn pollers(
    local: &crate::server::Local,
    logical_id: &str,
    consumers: u64,
    handler: Consumer,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<u64>>, LocalError> {
    let q = local.emulator.resources.queues.get(logical_id).ok_or_else(|| setup(format!("no {logical_id}")))?;
    Ok((0..consumers)
        .map(|_| crate::queues::Poller {
            sqs: aws_sdk_sqs::Client::new(&local.sdk),
            queue_url: q.url.clone(),
            queue_arn: q.arn.clone(),
            batch_size: 10,
            handler: handler.clone(),
        })
        .map(|p| tokio::spawn(p.run(stop.clone())))
        .collect())
}
