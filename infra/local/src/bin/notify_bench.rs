//! A broadcast at scale: `NOTIFY_BENCH_WORKERS` workers (default 100,000) in a segment, one SMS request to
//! the segment, and the notifications consumer's own code (fan-out, then deliveries through the emulator's
//! SNS) run by `NOTIFY_BENCH_CONSUMERS` concurrent pollers (default 4, as Lambda runs several) until every
//! delivery is settled, the SMS send rate raised to `NOTIFY_BENCH_SMS_PER_SECOND` (default 1000). Prints the wall time, DynamoDB calls and provider calls per recipient, and this
//! process's CPU per recipient (the emulator's own CPU is not ours, and not counted).

use nudge_core::store::calls;
use nudge_identity::people::Directory;
use nudge_local::LocalError;
use nudge_local::bench::{counting, cpu_seconds, load_workers, rule_segment, setup, sync_once};
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_notifications::ChannelKind;
use nudge_notifications::send::service::{Accepted, Service};
use nudge_notifications::send::{Recipients, SendInput};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run() -> Result<(), LocalError> {
    let count = number("NOTIFY_BENCH_WORKERS", 100_000);
    let consumers = number("NOTIFY_BENCH_CONSUMERS", 4);
    let sms_rate = number("NOTIFY_BENCH_SMS_PER_SECOND", 1000);
    let local = Local::start(DevKeys::generate()?, 0, None).await?;
    let store = local.ctx.store.clone();
    let tenant = nudge_local::bench::tenant()?;
    let started = Instant::now();
    load_workers(&store, &tenant, count).await?;
    let everyone = serde_json::json!({"field": "gamification.pointsBalance", "op": "gte", "value": 0});
    let segment = rule_segment(&store, &tenant, everyone).await?;
    let synced = sync_once(&store, &tenant, segment).await?;
    eprintln!(
        "loaded {count} workers and a segment of {} in {:.0} s",
        synced.job.added_count,
        started.elapsed().as_secs_f64()
    );

    let queue = local.notifications_queue()?;
    let directory = Directory { store: store.clone() };
    let service = Service { store: &store, queue: &queue, users: &directory };
    let input = SendInput {
        channel: ChannelKind::Sms,
        recipients: Recipients { segment_id: Some(segment), ..Default::default() },
        template_id: None,
        title: None,
        message: Some("Hi {{firstName}}, your shift plan for next week is out.".into()),
        link: None,
        kind: Default::default(),
        priority: Default::default(),
        variables: Default::default(),
        dedup_key: None,
        scheduled_for: None,
    };

    let total_calls = Arc::new(AtomicU64::new(0));
    // The account's SNS quota (template default 20 texts a second) would make this a measure of that
    // quota alone; the bench lifts it to see the pipeline's own speed (NOTIFY_BENCH_SMS_PER_SECOND).
    let mut vars = local.emulator.resources.environment("notification-delivery");
    vars.insert("SMS_SENDS_PER_SECOND".into(), sms_rate.to_string());
    let env = nudge_core::config::Env::local(local.sdk.clone(), local.settings.clone(), local.clock.clone(), vars);
    let consumer = counting(notifications::deliver(&env).map_err(setup)?, total_calls.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let pollers = nudge_local::bench::pollers(&local, "NotificationsQueue", consumers, consumer, &stop_rx)?;

    let (cpu, started) = (cpu_seconds(), Instant::now());
    let (accepted, create_calls) = calls::counted(service.create(&tenant, input, None, chrono::Utc::now())).await;
    let request = match accepted.map_err(|e| setup(format!("{e:?}")))? {
        Accepted::New(view) | Accepted::Replayed(view) => view.request.id,
    };
    let counts = loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let view = service.get(&tenant, request).await.map_err(|e| setup(format!("{e:?}")))?;
        let c = view.counts;
        if view.request.status == nudge_notifications::send::RequestStatus::FannedOut && c.queued == 0 {
            break c;
        }
        eprintln!(
            "{:.0} s: {} deliveries, {} sent, {} refused",
            started.elapsed().as_secs_f64(),
            c.total,
            c.sent,
            c.refused
        );
    };
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let _ = stop_tx.send(true);
    for p in pollers {
        let _ = p.await;
    }
    let recipients = counts.total.max(1) as f64;
    let dynamo = total_calls.load(Ordering::Relaxed) + u64::from(create_calls);
    println!(
        "notification fan-out: {} recipients ({} sent by SMS at up to {sms_rate}/s, {} refused for consent) in {wall:.1} s wall, {:.0} recipients/s with {consumers} consumers; {:.2} DynamoDB calls and {:.2} provider calls per recipient; our CPU {:.0} µs per recipient",
        counts.total,
        counts.sent,
        counts.refused,
        recipients / wall,
        dynamo as f64 / recipients,
        counts.sent as f64 / recipients,
        cpu / recipients * 1e6,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("notify bench: {err}");
            ExitCode::FAILURE
        }
    }
}
