//! A programme at scale: `JOURNEY_BENCH_WORKERS` workers (default 100,000) in a segment, enrolled in an
//! active program through the API's enrolment job, then one day on, every enrolment's first touchpoint
//! advanced by the journey engine's own code (the minute tick, then `Advance` steps, each sending through
//! the notifications path's outbox) run by `JOURNEY_BENCH_CONSUMERS` concurrent pollers (default 4). Prints
//! the wall time, AWS calls (DynamoDB and SQS, ours) and this process's CPU per enrolment and per step (the
//! emulator's own CPU is not ours, and not counted). The notifications queue is left unconsumed: the
//! deliveries are the notify bench's.

use nudge_core::auth::SystemRole;
use nudge_local::LocalError;
use nudge_local::bench::{counting, cpu_seconds, load_workers, rule_segment, setup, sync_once};
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn id(value: &serde_json::Value) -> Result<String, LocalError> {
    value["id"].as_str().map(str::to_owned).ok_or_else(|| setup(format!("no id in {value}")))
}

/// Waits (checking every two seconds) until `done` says so, printing progress.
async fn until<F, Fut>(what: &str, mut done: F) -> Result<(), LocalError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(bool, String), LocalError>>,
{
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (finished, progress) = done().await?;
        if finished {
            return Ok(());
        }
        eprintln!("{what}: {:.0} s, {progress}", started.elapsed().as_secs_f64());
    }
}

async fn run() -> Result<(), LocalError> {
    let count = number("JOURNEY_BENCH_WORKERS", 100_000);
    let consumers = number("JOURNEY_BENCH_CONSUMERS", 4);
    let local = Local::start(DevKeys::generate()?, 0, None).await?;
    let store = local.ctx.store.clone();
    let tenant = nudge_local::bench::tenant()?;
    let started = Instant::now();
    load_workers(&store, &tenant, count).await?;
    let everyone = json!({"field": "gamification.pointsBalance", "op": "gte", "value": 0});
    let segment = rule_segment(&store, &tenant, everyone).await?;
    let synced = sync_once(&store, &tenant, segment).await?;
    eprintln!(
        "loaded {count} workers and a segment of {} in {:.0} s",
        synced.job.added_count,
        started.elapsed().as_secs_f64()
    );

    // The program, made through the API: a published text, a one-touchpoint journey a day after
    // enrolment, an active program.
    let owner = local
        .keys
        .issuer()?
        .issue(Uuid::now_v7(), Some(tenant.as_uuid()), SystemRole::Owner, chrono::Duration::hours(12))
        .map_err(setup)?;
    let token = Some(owner.as_str());
    let content = id(&local
        .post("/contents", token, json!({"type": "text", "title": "Shift tips", "text": {"text": "Drink water."}}))
        .await?)?;
    for to in ["review", "approved", "published"] {
        local.post(&format!("/contents/{content}/status"), token, json!({"status": to})).await?;
    }
    let journey = json!({"title": "Bench", "phases": [{"name": "Only", "touchpoints": [
        {"contentId": content, "channel": "sms", "ruleLogic": {"delay": {"after": "enrolment", "days": 1}}}]}]});
    let journey = id(&local.post("/journeys", token, journey).await?)?;
    local.post(&format!("/journeys/{journey}/publish"), token, json!({})).await?;
    let program = id(&local
        .post("/programs", token, json!({"name": "Bench", "journeyIds": [journey], "status": "active"}))
        .await?)?;
    let program_id = Uuid::parse_str(&program).map_err(setup)?;

    let total_calls = Arc::new(AtomicU64::new(0));
    let consumer = counting(journeys::engine(&local.env("journey-engine")).map_err(setup)?, total_calls.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let pollers = nudge_local::bench::pollers(&local, "JourneysQueue", consumers, consumer, &stop_rx)?;

    // Enrolment: the API's call, then the job through the engine.
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    let job = local
        .post(&format!("/programs/{program}/enrolments"), token, json!({"segmentId": segment.to_string()}))
        .await?;
    let job_id = Uuid::parse_str(&id(&job)?).map_err(setup)?;
    until("enrolment", || async {
        let job = nudge_journeys::engine::enrol::get_job(&store, &tenant, program_id, job_id)
            .await
            .map_err(setup)?
            .ok_or_else(|| setup("the job is gone"))?;
        if job.status == nudge_core::jobs::JobStatus::Failed {
            return Err(setup(format!("the enrolment failed: {:?}", job.error)));
        }
        Ok((job.status.is_finished(), format!("{} enrolled", job.enrolled)))
    })
    .await?;
    let (enrol_wall, enrol_cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let enrol_calls = total_calls.swap(0, Ordering::Relaxed);
    let enrolled = nudge_journeys::repo::counters(&store, &tenant, program_id).await.map_err(setup)?;
    let enrolled = enrolled.get("all").and_then(|c| c.get("enrolled")).copied().unwrap_or(0).max(1) as f64;

    // A day on: the tick hands every enrolment over, and each one's step sends its touchpoint.
    local.clock.advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    local.journeys_queue()?.send(&nudge_journeys::Message::Tick).await.map_err(setup)?;
    let sent = || async {
        let counters = nudge_journeys::repo::counters(&store, &tenant, program_id).await.map_err(setup)?;
        Ok::<i64, LocalError>(counters.values().filter_map(|c| c.get("sent")).sum())
    };
    until("steps", || async {
        let n = sent().await?;
        Ok((n as f64 >= enrolled, format!("{n} sent")))
    })
    .await?;
    let (step_wall, step_cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let step_calls = total_calls.load(Ordering::Relaxed);
    let _ = stop_tx.send(true);
    for p in pollers {
        let _ = p.await;
    }
    let steps = sent().await? as f64;
    println!(
        "journey enrolment: {enrolled:.0} workers of a segment enrolled in {enrol_wall:.1} s wall, {:.0} enrolments/s with {consumers} consumers; {:.2} AWS calls and {:.0} µs of our CPU per enrolment",
        enrolled / enrol_wall,
        enrol_calls as f64 / enrolled,
        enrol_cpu / enrolled * 1e6,
    );
    println!(
        "journey steps: {steps:.0} due steps (tick, step, send through the outbox) in {step_wall:.1} s wall, {:.0} steps/s with {consumers} consumers; {:.2} AWS calls and {:.0} µs of our CPU per step",
        steps / step_wall,
        step_calls as f64 / steps.max(1.0),
        step_cpu / steps.max(1.0) * 1e6,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("journey bench: {err}");
            ExitCode::FAILURE
        }
    }
}
