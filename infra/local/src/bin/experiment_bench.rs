//! Experiments at scale, three figures:
//!
//! 1. assignment: `EXPERIMENT_BENCH_ASSIGNMENTS` workers (default 5,000,000) decided by the pure code a
//!    first assignment runs (the GrowthBook hash and the weights' ranges), on one thread: per second of
//!    this process's CPU, so per core;
//! 2. results over 100,000 exposures: their counts added into the variants' sharded counters through the
//!    counters' own `ADD` writes, then `GET /experiments/{id}/results`' work (one query of the counters and
//!    the statistics) timed 50 times: the median, and the statistics alone;
//! 3. recording: `EXPERIMENT_BENCH_EXPOSED` workers (default 2,000) assigned and exposed through the API's
//!    batch path against the emulator: AWS calls and wall time per worker.

use chrono::Utc;
use nudge_core::store::{Changes, Tx, Write, calls};
use nudge_experiments::assign::{Decision, decide};
use nudge_experiments::model::{Experiment, ExperimentStatus, ExperimentType, PrimaryMetric, Variant};
use nudge_experiments::results::{Counts, results};
use nudge_experiments::{keys, repo, tracking};
use nudge_local::LocalError;
use nudge_local::bench::{cpu_seconds, setup};
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;
use uuid::Uuid;

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn experiment(weights: &[f64]) -> Experiment {
    let id = Uuid::now_v7();
    let now = Utc::now();
    Experiment {
        id,
        experiment_type: ExperimentType::Multivariate,
        name: "Bench".into(),
        hypothesis: None,
        primary_metric: PrimaryMetric::Completion,
        status: ExperimentStatus::Running,
        start_date: None,
        end_date: None,
        variants: weights
            .iter()
            .enumerate()
            .map(|(i, w)| Variant {
                id: Uuid::now_v7(),
                experiment_id: id,
                variant_name: format!("V{i}"),
                variant_details: serde_json::json!({}),
                weight: *w,
            })
            .collect(),
        segment_id: None,
        coverage: 1.0,
        use_holdout: false,
        hash_version: 2,
        bucket_version: 0,
        started_at: Some(now),
        created_by: None,
        updated_by: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

fn worker(n: u64) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(n))
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn run() -> Result<(), LocalError> {
    let e = experiment(&[0.2, 0.3, 0.5]);

    // 1. Deciding, on one thread.
    let n = number("EXPERIMENT_BENCH_ASSIGNMENTS", 5_000_000);
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    let mut split = [0u64; 3];
    for i in 0..n {
        if let Decision::Variant(v) = decide(&e, worker(i), true, 0.0) {
            split[v] += 1;
        }
    }
    let (cpu, wall) = (cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
    println!(
        "experiment assignment: {n} workers decided in {wall:.2} s wall, {:.2} M assignments per second of CPU (one core); split {split:?}",
        n as f64 / cpu.max(1e-9) / 1e6
    );

    let local = Local::start(DevKeys::generate()?, 0, None).await?;
    let store = local.ctx.store.clone();
    let tenant = nudge_local::bench::tenant()?;
    store.write(Write::create(repo::put_experiment(&tenant, &e).map_err(setup)?, "exists")).await.map_err(setup)?;

    // 2. 100,000 exposures summed into the sharded counters, by the counters' own ADD.
    let exposures = 100_000u64;
    let mut shards: HashMap<nudge_core::keys::Key, Counts> = HashMap::new();
    let mut expected = vec![Counts::default(); 3];
    for i in 0..exposures {
        let w = worker(i);
        let Decision::Variant(v) = decide(&e, w, true, 0.0) else { continue };
        let c = shards.entry(keys::counts(&tenant, e.id, 0, v, w)).or_default();
        let completed = i % (4 + v as u64) == 0;
        let score = ((i % 11) * 10) as f64;
        for c in [c, &mut expected[v]] {
            c.exposed += 1;
            if completed {
                c.completed += 1;
                c.scored += 1;
                c.score_sum += score;
                c.score_sum_sq += score * score;
            }
        }
    }
    for (key, c) in &shards {
        let milli = (c.score_sum * 1000.0).round() as i64;
        let sq_micro = (c.score_sum_sq * 1_000_000.0).round() as i64;
        let changes = Changes::new()
            .add("exposed", c.exposed as i64)
            .add("completed", c.completed as i64)
            .add("scored", c.scored as i64)
            .add("scoreMilli", milli)
            .add("scoreSqMicro", sq_micro);
        store.transact(Tx::new().with(Write::upsert_changes(key.clone(), changes))).await.map_err(setup)?;
    }
    let variants: Vec<(Uuid, String, f64)> =
        e.variants.iter().map(|v| (v.id, v.variant_name.clone(), v.weight)).collect();
    let mut whole = Vec::new();
    let mut pure = Vec::new();
    let mut last = None;
    for _ in 0..50 {
        let started = Instant::now();
        let counts = repo::counts(&store, &tenant, e.id, 0, 3).await.map_err(setup)?;
        let computed = Instant::now();
        let r = results(e.id, 0, &variants, &counts);
        pure.push(computed.elapsed().as_secs_f64() * 1e6);
        whole.push(started.elapsed().as_secs_f64() * 1e3);
        last = Some((counts, r));
    }
    let (counts, r) = last.ok_or_else(|| setup("no run"))?;
    let total: u64 = counts.iter().map(|c| c.exposed).sum();
    if total != exposures
        || counts.iter().zip(&expected).any(|(a, b)| a.exposed != b.exposed || a.completed != b.completed)
    {
        return Err(setup(format!("the counters hold {counts:?}, not {expected:?}")));
    }
    println!(
        "experiment results: {total} exposures in {} counter items; median {:.2} ms to read and compute (of which the statistics {:.0} µs), 50 runs; SRM flagged: {}",
        shards.len(),
        median(whole),
        median(pure),
        r.sample_ratio.flagged
    );

    // 3. Assigning and exposing through the API's batch path.
    let m = number("EXPERIMENT_BENCH_EXPOSED", 2_000);
    let workers: Vec<Uuid> = (0..m).map(|i| worker(1_000_000 + i)).collect();
    let e3 = experiment(&[0.5, 0.5]);
    store.write(Write::create(repo::put_experiment(&tenant, &e3).map_err(setup)?, "exists")).await.map_err(setup)?;
    let wall = Instant::now();
    let mut total_calls = 0u64;
    for chunk in workers.chunks(tracking::MAX_BATCH) {
        let (placed, n) = calls::counted(tracking::assign(&store, &tenant, &e3, chunk, None, true, Utc::now())).await;
        placed.map_err(setup)?;
        total_calls += u64::from(n);
    }
    let wall = wall.elapsed().as_secs_f64();
    println!(
        "experiment exposure: {m} workers assigned and exposed in batches of {} in {wall:.1} s against the emulator: {:.2} AWS calls and {:.2} ms per worker",
        tracking::MAX_BATCH,
        total_calls as f64 / m as f64,
        wall * 1e3 / m as f64
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("experiment bench: {e}");
            ExitCode::FAILURE
        }
    }
}
