//! Segment sync at scale: `SYNC_BENCH_WORKERS` workers (default 100,000) loaded into the emulator, then a
//! rule-based segment matching half of them synced twice by the sync consumer's own code: first from empty
//! (every match an add), then again with nothing changed (reads only). Prints wall time, DynamoDB calls and
//! this process's CPU share for each run.

use nudge_local::LocalError;
use nudge_local::bench::{Synced, load_workers, rule_segment, setup, sync_once};
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_segments::repo;
use std::process::ExitCode;
use std::time::Instant;

async fn run() -> Result<(), LocalError> {
    let count: u64 = std::env::var("SYNC_BENCH_WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let local = Local::start(DevKeys::generate()?, 0, None).await?;
    let store = local.ctx.store.clone();
    let tenant = nudge_local::bench::tenant()?;
    let started = Instant::now();
    load_workers(&store, &tenant, count).await?;
    eprintln!("loaded {count} workers in {:.0} s", started.elapsed().as_secs_f64());
    // Half the workers: Warehouse and Retail.
    let rule = serde_json::json!({"all": [
        {"field": "employment.department", "op": "in", "value": ["warehouse", "retail"]},
        {"field": "gamification.pointsBalance", "op": "gte", "value": 0},
        {"not": {"field": "tags", "op": "contains", "value": "day"}}
    ]});
    let segment = rule_segment(&store, &tenant, rule).await?;
    for label in ["first sync (all adds)", "second sync (no changes)"] {
        let Synced { job, wall, calls, cpu } = sync_once(&store, &tenant, segment).await?;
        let count_now = repo::state(&store, &tenant, segment).await.map_err(setup)?.worker_count;
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
