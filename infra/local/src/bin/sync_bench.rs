//! Segment sync at scale: `SYNC_BENCH_WORKERS` workers (default 100,000) loaded into the emulator, then a
//! rule-based segment matching half of them synced twice by the sync consumer's own code: first from empty
//! (every match an add), then again with nothing changed (reads only). Prints wall time, DynamoDB calls and
//! this process's CPU share for each run.

use nudge_core::TenantId;
use nudge_core::store::{Changes, Put, Store, Tx, Write, calls};
use nudge_core::values::Parse;
use nudge_local::LocalError;
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_segments::jobs::{self, SyncJob, SyncTrigger};
use nudge_segments::model::{Segment, SegmentType};
use nudge_segments::repo;
use nudge_segments::sync::{self, Limits, Outcome};
use nudge_workers::model::{Contact, Employment, Gamification, WorkerFields};
use nudge_workers::{Worker, repo as workers};
use std::process::ExitCode;
use std::time::Instant;
use uuid::Uuid;

fn setup(e: impl std::fmt::Display) -> LocalError {
    LocalError::Setup(e.to_string())
}

fn fields(n: u64) -> Result<WorkerFields, LocalError> {
    let departments = ["Warehouse", "Retail", "Logistics", "Office"];
    Ok(WorkerFields {
        first_name: "Worker".into(),
        last_name: format!("Number {n}"),
        tags: vec!["night".into()],
        contact: Some(Contact {
            location_city: None,
            location_state_province: None,
            location_country: Some("BR".into()),
            primary_phone_number: Parse::parse(&format!("+55119{n:08}")).map_err(setup)?,
            whatsapp_opt_in_status: Default::default(),
            preferred_language: Parse::parse("pt-BR").map_err(setup)?,
            communication_consent: !n.is_multiple_of(3),
            email_address: None,
        }),
        employment: Employment { department: Some(departments[(n % 4) as usize].into()), ..Default::default() },
        gamification: Gamification { points_balance: (n % 500) as i64, badges_earned_count: 0 },
        ..Default::default()
    })
}

/// This process's CPU time (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let parts: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| parts.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat; 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

async fn load(store: &Store, tenant: &TenantId, count: u64) -> Result<(), LocalError> {
    let now = chrono::Utc::now();
    let mut puts: Vec<Put> = Vec::new();
    for n in 0..count {
        let worker = Worker::new(Uuid::now_v7(), fields(n)?, now);
        puts.extend(workers::partition_puts(tenant, &worker).map_err(setup)?);
        if puts.len() >= 5000 {
            store.batch_put(std::mem::take(&mut puts)).await.map_err(setup)?;
        }
    }
    store.batch_put(puts).await.map_err(setup)
}

async fn sync_once(store: &Store, tenant: &TenantId, segment: Uuid) -> Result<(SyncJob, f64, u32, f64), LocalError> {
    let job = SyncJob::new(segment, SyncTrigger::Manual, chrono::Utc::now());
    let claim = Write::update(
        repo::state_key(tenant, segment),
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
    let done = jobs::get(store, tenant, segment, job.id).await.map_err(setup)?.ok_or_else(|| setup("job gone"))?;
    Ok((done, wall, calls, (cpu_seconds() - cpu) / wall))
}

async fn run() -> Result<(), LocalError> {
    let count: u64 = std::env::var("SYNC_BENCH_WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let local = Local::start(DevKeys::generate()?, 0, None).await?;
    let store = local.ctx.store.clone();
    // A fresh tenant, named the way background functions learn one: from an object key's prefix.
    let (tenant, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{}/bench", Uuid::now_v7()))
        .ok_or_else(|| setup("tenant key"))?;
    let started = Instant::now();
    load(&store, &tenant, count).await?;
    eprintln!("loaded {count} workers in {:.0} s", started.elapsed().as_secs_f64());
    // Half the workers: Warehouse and Retail.
    let rule = serde_json::json!({"all": [
        {"field": "employment.department", "op": "in", "value": ["warehouse", "retail"]},
        {"field": "gamification.pointsBalance", "op": "gte", "value": 0},
        {"not": {"field": "tags", "op": "contains", "value": "day"}}
    ]});
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
    store.transact(repo::create(&tenant, &segment, None).map_err(setup)?).await.map_err(setup)?;
    for label in ["first sync (all adds)", "second sync (no changes)"] {
        let (job, wall, calls, cpu) = sync_once(&store, &tenant, segment.id).await?;
        let count_now = repo::state(&store, &tenant, segment.id).await.map_err(setup)?.worker_count;
        println!(
            "segment sync {label}: {} workers, {} matched, {} added, {} removed, workerCount {count_now}: {wall:.1} s wall, {:.0} workers/s, {calls} DynamoDB calls, our CPU {:.0}% of wall",
            job.processed_count,
            job.match_count,
            job.added_count,
            job.removed_count,
            job.processed_count as f64 / wall,
            cpu * 100.0
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sync bench: {err}");
            ExitCode::FAILURE
        }
    }
}
