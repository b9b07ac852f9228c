//! Worker import at scale: a CSV of `IMPORT_BENCH_ROWS` rows (default 100,000) put into the emulator's S3,
//! announced by the bucket's own notification on the imports queue, and applied by the import consumer as
//! the dev server runs it, checkpointing and continuing in new messages every quarter of the file. Prints
//! the wall time, rows per second and how many continuation runs it took.

use nudge_core::objects::ObjectKey;
use nudge_local::LocalError;
use nudge_local::devkeys::DevKeys;
use nudge_local::server::Local;
use nudge_workers::import::{ImportFormat, ImportJob, ImportStatus, job};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn csv(rows: u64) -> Vec<u8> {
    // No pointsBalance: the XP ledger keeps it, and a new worker's is 0.
    let mut out =
        String::from("externalId,firstName,lastName,primaryPhoneNumber,department,team,tags,badgesEarnedCount\n");
    let departments = ["Warehouse", "Retail", "Logistics", "Office"];
    for n in 0..rows {
        // Brazilian mobile numbers: 9 and eight digits after the area code, all valid and distinct.
        out.push_str(&format!(
            "B-{n},Worker,Number {n},+55 11 9{:08},{},T{},night;bench,{}\n",
            n,
            departments[(n % 4) as usize],
            n % 20,
            n % 500
        ));
    }
    out.into_bytes()
}

async fn run() -> Result<(), LocalError> {
    let rows: u64 = std::env::var("IMPORT_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let mut local = Local::start(DevKeys::generate()?, 0, None).await?;
    local.import_rows_per_run = Some(rows.div_ceil(4));
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    for poller in local.pollers()? {
        tokio::spawn(poller.run(stop_rx.clone()));
    }
    // A fresh tenant, named the way the import consumer learns it: from an object key's prefix.
    let (tenant, _) = ObjectKey::parse(&format!("tenants/{}/imports", Uuid::now_v7()))
        .ok_or_else(|| LocalError::Setup("tenant key".into()))?;
    let body = csv(rows);
    let size = body.len() as u64;
    let import = ImportJob::new(
        Uuid::now_v7(),
        ImportFormat::Csv,
        Some("bench.csv".into()),
        size,
        Uuid::nil(),
        chrono::Utc::now(),
    );
    let setup = |e: &dyn std::fmt::Display| LocalError::Setup(e.to_string());
    job::create(&local.ctx.store, &tenant, &import).await.map_err(|e| setup(&e))?;
    let started = Instant::now();
    local.objects.put(&ImportJob::object(&tenant, import.id), body, "text/csv").await.map_err(|e| setup(&e))?;
    let done = loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let Some(now) = job::get(&local.ctx.store, &tenant, import.id).await.map_err(|e| setup(&e))? else { continue };
        if matches!(now.status, ImportStatus::Completed | ImportStatus::Failed) {
            break now;
        }
    };
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Import of {rows} CSV rows ({:.1} MiB) through S3 → SQS → worker-import against moto: {:?} in {secs:.0} s \
         ({:.0} rows/s), {} runs (checkpoint + continuation every {} rows); counts {:?}",
        size as f64 / 1048576.0,
        done.status,
        rows as f64 / secs,
        rows.div_ceil(rows.div_ceil(4)),
        rows.div_ceil(4),
        done.counts
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("import-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
