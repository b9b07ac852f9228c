//! Worker exports end to end: an export request queued for the export consumer, the file written to the
//! emulator's S3 in multipart parts across continuation messages, downloaded through its presigned URL,
//! and re-imported through the import, which finds every worker unchanged. Filters, JSON Lines, duplicate
//! messages, bad requests and other tenants.

use e2e::{EXPORT_PART_BYTES, EXPORT_ROWS_PER_RUN, stack};
use futures_util::StreamExt;
use nudge_core::auth::SystemRole;
use nudge_workers::import::chunk::{self, RawRow};
use nudge_workers::import::{ImportFormat, rows::Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

fn phone(n: u32) -> String {
    format!("+44 20 7946 {:04}", n)
}

async fn sqs() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&nudge_local::emulator::sdk_config(&stack().endpoint).await)
}

async fn s3() -> aws_sdk_s3::Client {
    nudge_core::objects::Objects::client(&nudge_local::emulator::sdk_config(&stack().endpoint).await)
}

fn exports_queue() -> String {
    stack().resources.queues["WorkerExportsQueue"].url.clone()
}

async fn export_queue() -> nudge_workers::export::ExportQueue {
    nudge_workers::export::ExportQueue(nudge_core::queue::Queue::new(sqs().await, exports_queue()))
}

/// The exports' dead-letter queue, which nothing consumes: a job written with its message posted there
/// is never run, even when a test's outbox sweep sends what others left behind.
async fn unheard() -> nudge_workers::export::ExportQueue {
    let dlq = stack().resources.queues["WorkerExportsDLQ"].url.clone();
    nudge_workers::export::ExportQueue(nudge_core::queue::Queue::new(sqs().await, dlq))
}

/// Creates `n` plain workers (with external ids) a few at a time.
async fn workers(token: &str, prefix: &str, n: u32, department: &str) {
    let s = stack();
    futures_util::stream::iter(0..n)
        .map(|i| {
            let body = json!({"externalId": format!("{prefix}-{i}"), "firstName": format!("Worker{i}"),
                "lastName": format!("{prefix} Number {i}"), "tags": ["bulk"],
                "customFields": {"shift": "night", "bio": format!("bio-{i}-{}", "x".repeat(200))},
                "employment": {"department": department, "team": "B"}});
            async move {
                let reply = s.post("/workers", token, &body).await;
                assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
            }
        })
        .buffer_unordered(6)
        .collect::<Vec<_>>()
        .await;
}

/// Asks for an export; returns its id.
async fn export(token: &str, body: &Value) -> String {
    let s = stack();
    let reply = s.post("/worker-exports", token, body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location"), Some(format!("/worker-exports/{id}").as_str()));
    id
}

/// The export once it is no longer pending or processing.
async fn finished(token: &str, id: &str) -> Value {
    let path = format!("/worker-exports/{id}");
    stack()
        .eventually(&path, token, "finishes", |j| !matches!(j["status"].as_str(), Some("pending" | "processing")))
        .await
}

/// The completed export's file, through its presigned URL.
async fn download(job: &Value) -> Vec<u8> {
    assert_eq!(job["status"], "completed", "{job}");
    let url = job["downloadUrl"].as_str().unwrap_or_else(|| panic!("no downloadUrl: {job}"));
    assert!(job["downloadExpiresAt"].is_string());
    let (status, bytes) = stack().fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.len() as u64, job["size"].as_u64().unwrap());
    bytes
}

/// A CSV file as (header, rows of cells), read as the import reads it.
fn csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let parsed = chunk::rows(ImportFormat::Csv, bytes, true, true);
    assert_eq!(parsed.consumed, bytes.len() as u64);
    let mut rows = parsed.rows.into_iter().map(|r| match r {
        RawRow::Cells(c) => c,
        other => panic!("{other:?}"),
    });
    let header = rows.next().unwrap_or_default();
    (header, rows.collect())
}

/// Imports `body` through a presigned upload and waits for the import to finish.
async fn import(token: &str, body: &[u8]) -> Value {
    let s = stack();
    let created = s.post("/worker-imports", token, &json!({"format": "csv", "size": body.len()})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let mut put = reqwest::Client::new().put(created.body["uploadUrl"].as_str().unwrap()).body(body.to_vec());
    for (name, value) in created.body["uploadHeaders"].as_object().unwrap() {
        if name != "content-length" {
            put = put.header(name, value.as_str().unwrap());
        }
    }
    assert!(put.send().await.unwrap().status().is_success());
    let id = created.body["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let job = s.get(&format!("/worker-imports/{id}"), token).await.body;
        if !matches!(job["status"].as_str(), Some("pending" | "processing")) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("import {id} did not finish");
}

#[tokio::test]
async fn an_export_spans_parts_and_re_imports_unchanged() {
    let s = stack();
    let tenant = s.organization("Export round trip").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let boss = s
        .post(
            "/workers",
            &admin,
            &json!({"externalId": "=BOSS", "firstName": "Anna", "lastName": "Andrews",
            "dateOfBirth": "1980-02-29", "gender": "female", "tags": ["night shift", "forklift"],
            "customFields": {"badge": "B-12", "note": "@home, \"quoted\"\nsecond line"}, "performanceMetric": 82.5,
            "contact": {"primaryPhoneNumber": phone(1), "whatsappOptInStatus": "opted_in", "preferredLanguage": "pt-BR",
                        "communicationConsent": true, "emailAddress": "anna@example.com", "locationCity": "Porto"},
            "employment": {"jobTitle": "Lead", "department": "Warehouse", "team": "A", "hireDate": "2020-01-15",
                           "employmentStatus": "on_leave", "employmentType": "full_time"},
            "engagement": {"lastActiveAt": "2026-01-02T03:04:05Z"},
            "wellbeing": {"overallWellbeingScore": 64, "lastWellbeingAssessmentDate": "2026-01-01T00:00:00Z"},
            "gamification": {"badgesEarnedCount": 3}}),
        )
        .await;
    assert_eq!(boss.status, StatusCode::CREATED, "{:?}", boss.body);
    let boss_id = boss.body["id"].as_str().unwrap().to_owned();
    // Points come from the XP ledger; the export carries them and a re-import repeats them unchanged.
    let award = json!({"subjectType": "worker", "subjectId": boss_id, "amount": 120, "reason": "Opening balance"});
    assert_eq!(s.post("/xp/awards", &admin, &award).await.status, StatusCode::CREATED);
    let report = s
        .post(
            "/workers",
            &admin,
            &json!({"externalId": "E-2", "firstName": "Bo", "lastName": "Berg",
            "supervisorId": boss_id, "isActive": false, "deactivationReason": "retirement",
            "contact": {"primaryPhoneNumber": phone(2)}, "employment": {"department": "Office"}}),
        )
        .await;
    assert_eq!(report.status, StatusCode::CREATED, "{:?}", report.body);
    workers(&admin, "Bulk", 88, "Warehouse").await;

    let id = export(&admin, &json!({})).await;
    // A duplicate of the start message (SQS delivers at least once): the file is still written once.
    let duplicate = json!({"exportId": id, "tenantId": tenant}).to_string();
    sqs().await.send_message().queue_url(exports_queue()).message_body(duplicate.clone()).send().await.unwrap();
    let job = finished(&admin, &id).await;
    assert_eq!(job["rowCount"], 90, "{job}");
    // Claim, parts, a pause, a second claim: the export went on in a continuation message.
    assert!(job["version"].as_u64().unwrap_or(0) >= 7, "{job}");
    let bytes = download(&job).await;
    const { assert!(90 > 2 * EXPORT_ROWS_PER_RUN) };
    assert!(bytes.len() > 2 * EXPORT_PART_BYTES, "{} bytes: at least two full parts", bytes.len());
    // A multipart object's ETag counts its parts.
    let key = format!("tenants/{tenant}/exports/{id}/workers.csv");
    let head = s3().await.head_object().bucket(&s.resources.bucket).key(&key).send().await.unwrap();
    let etag = head.e_tag().unwrap_or_default().to_owned();
    let parts: u32 = etag.trim_matches('"').rsplit_once('-').and_then(|(_, n)| n.parse().ok()).unwrap_or(0);
    assert!(parts >= 3, "ETag {etag}: two full parts and the last");

    let (header, rows) = csv(&bytes);
    assert!(Header::parse(&header).is_ok(), "{header:?}");
    assert_eq!(&header[..3], ["externalId", "firstName", "lastName"]);
    assert_eq!(
        &header[header.len() - 4..],
        ["customFields.badge", "customFields.bio", "customFields.note", "customFields.shift"]
    );
    assert_eq!(rows.len(), 90);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let anna = rows.iter().find(|r| r[col("firstName")] == "Anna").unwrap();
    assert_eq!(anna[col("externalId")], "'=BOSS", "formula guard");
    assert_eq!(anna[col("primaryPhoneNumber")], "'+442079460001");
    assert_eq!(anna[col("tags")], "night shift;forklift");
    assert_eq!(anna[col("customFields.note")], "'@home, \"quoted\"\nsecond line");
    assert_eq!(anna[col("employmentStatus")], "on_leave");
    assert_eq!(anna[col("overallWellbeingScore")], "64.0");
    assert_eq!((anna[col("pointsBalance")].as_str(), anna[col("badgesEarnedCount")].as_str()), ("120", "3"));
    assert_eq!(anna[col("customFields.shift")], "");
    let bo = rows.iter().find(|r| r[col("firstName")] == "Bo").unwrap();
    assert_eq!((bo[col("supervisorId")].as_str(), bo[col("isActive")].as_str()), (boss_id.as_str(), "false"));

    // The same message again, after the end: nothing changes.
    sqs().await.send_message().queue_url(exports_queue()).message_body(duplicate).send().await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let again = finished(&admin, &id).await;
    assert_eq!((&again["version"], &again["size"]), (&job["version"], &job["size"]));
    let head = s3().await.head_object().bucket(&s.resources.bucket).key(&key).send().await.unwrap();
    assert_eq!(head.e_tag().unwrap_or_default(), etag);

    // The file re-imports as it is: every worker matched and unchanged.
    let imported = import(&admin, &bytes).await;
    assert_eq!(imported["status"], "completed", "{imported}");
    assert_eq!(imported["counts"], json!({"total": 90, "created": 0, "updated": 0, "unchanged": 90, "failed": 0}));

    // A filter reads its index: one department, and a name both of Anna's names start with, once.
    let id = export(&admin, &json!({"filters": {"department": "office"}})).await;
    let (_, rows) = csv(&download(&finished(&admin, &id).await).await);
    assert_eq!(rows.len(), 1);
    let id = export(&admin, &json!({"filters": {"name": "An", "tag": "Forklift"}, "customFieldKeys": ["badge"]})).await;
    let job = finished(&admin, &id).await;
    let (header, rows) = csv(&download(&job).await);
    assert_eq!((rows.len(), header.last().map(String::as_str)), (1, Some("customFields.badge")));
    assert_eq!(job["filters"], json!({"name": "An", "tag": "Forklift"}));

    // JSON Lines: each row is the worker's document.
    let id = export(&admin, &json!({"format": "jsonl", "filters": {"isActive": false}})).await;
    let job = finished(&admin, &id).await;
    let bytes = download(&job).await;
    let lines: Vec<Value> =
        bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["deactivationReason"], "retirement");
    assert_eq!(lines[0]["contact"]["primaryPhoneNumber"], "+442079460002");

    let listed = s.get("/worker-exports?limit=2", &admin).await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str(), "newest first");
    assert!(listed.body["items"][0].get("downloadUrl").is_none());
    assert!(listed.body["nextCursor"].is_string());
}

#[tokio::test]
async fn bad_requests_write_nothing_and_other_tenants_see_nothing() {
    let s = stack();
    let tenant = s.organization("Export bad").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let reply = s
        .post(
            "/worker-exports",
            &admin,
            &json!({"format": "xlsx",
            "filters": {"isActive": "maybe", "employmentStatus": "retired", "supervisorId": "x", "colour": "red"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    let mut pointers = reply.pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        ["/filters/colour", "/filters/employmentStatus", "/filters/isActive", "/filters/supervisorId", "/format"]
    );
    let listed = s.get("/worker-exports", &admin).await;
    assert_eq!(listed.body["items"], json!([]), "nothing written");

    // Reading workers is what an export needs; a role without it is refused.
    let employee = s.tenant(tenant, SystemRole::Employee);
    assert_eq!(s.post("/worker-exports", &employee, &json!({})).await.status, StatusCode::FORBIDDEN);

    // The Idempotency-Key middleware replays the first answer.
    let key = [("idempotency-key", "export-once")];
    let body = json!({"format": "jsonl"});
    let first = s.call(reqwest::Method::POST, "/worker-exports", Some(&admin), Some(&body), &key).await;
    let second = s.call(reqwest::Method::POST, "/worker-exports", Some(&admin), Some(&body), &key).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!((second.status, &second.body["id"]), (StatusCode::ACCEPTED, &first.body["id"]));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    let id = first.body["id"].as_str().unwrap().to_owned();
    let job = finished(&admin, &id).await;
    assert_eq!((job["status"].as_str(), job["rowCount"].as_u64()), (Some("completed"), Some(0)), "{job}");
    assert_eq!(download(&job).await, b"");

    let other = s.tenant(s.organization("Export other").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/worker-exports/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/worker-exports", &other).await.body["items"], json!([]));
    assert_eq!(s.get(&format!("/worker-exports/{}", Uuid::now_v7()), &admin).await.status, StatusCode::NOT_FOUND);
}

/// A message that keeps failing fails its export on the last delivery, instead of leaving it processing
/// for the DLQ: driven through the consumer with a bucket that does not exist.
#[tokio::test]
async fn an_export_that_keeps_failing_is_failed_on_the_last_attempt() {
    let s = stack();
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let tenant_uuid = s.organization("Export failing").await;
    let admin = s.tenant(tenant_uuid, SystemRole::Admin);
    workers(&admin, "Fail", 2, "Ops").await;
    let (tenant, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant_uuid}/x")).unwrap();
    // Written directly, so the dev stack's consumer never hears of it.
    let job = nudge_workers::export::ExportJob::new(
        Uuid::now_v7(),
        ImportFormat::Csv,
        Default::default(),
        None,
        Uuid::now_v7(),
        chrono::Utc::now(),
    );
    let (start, _never_sent) = unheard().await.post(&tenant, job.id, chrono::Utc::now()).unwrap();
    nudge_workers::export::job::create(&ctx.store, &tenant, &job, start).await.unwrap();
    let broken = nudge_core::objects::Objects::new(nudge_core::objects::Objects::client(&sdk), "no-such-bucket");
    let queue = nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&sdk), exports_queue());
    let exporter = nudge_workers::export::Exporter::new(ctx.store.clone(), broken, queue);
    let event = |attempt: u32| -> aws_lambda_events::event::sqs::SqsEvent {
        serde_json::from_value(json!({"Records": [{"messageId": "m-1", "body": json!({"exportId": job.id, "tenantId": tenant_uuid}).to_string(),
            "attributes": {"ApproximateReceiveCount": attempt.to_string()}}]}))
        .unwrap()
    };
    let deadline = nudge_core::queue::Deadline::after(Duration::from_secs(600));
    let response = nudge_core::jobs::consume(&exporter, event(5), deadline).await;
    assert!(response.batch_item_failures.is_empty(), "the last attempt settles the job");
    let failed = finished(&admin, &job.id.to_string()).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["failureReason"].as_str().unwrap_or_default().contains("failed 5 times"), "{failed}");
}

/// Each export reads the whole directory: a tenant has at most two unfinished at once, and the third waits.
#[tokio::test]
async fn a_tenant_runs_at_most_two_exports_at_once() {
    let s = stack();
    let tenant = s.organization("Export quota").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let ctx = s.ctx().await;
    let org = s.keys.verifier().unwrap().verify(&admin).unwrap().tenant().unwrap();
    for _ in 0..2 {
        let job = nudge_workers::export::ExportJob::new(
            Uuid::now_v7(),
            nudge_workers::export::ExportFormat::Csv,
            Default::default(),
            None,
            Uuid::now_v7(),
            chrono::Utc::now(),
        );
        // Unfinished, their messages never sent: as two exports still running.
        let (start, _never_sent) = unheard().await.post(&org, job.id, chrono::Utc::now()).unwrap();
        nudge_workers::export::job::create(&ctx.store, &org, &job, start).await.unwrap();
    }
    let third = s.post("/worker-exports", &admin, &json!({"format": "csv"})).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", third.body);
    assert!(third.header("retry-after").is_some());
    let other = s.organization("Export quota elsewhere").await;
    let elsewhere = s.post("/worker-exports", &s.tenant(other, SystemRole::Admin), &json!({"format": "csv"})).await;
    assert_eq!(elsewhere.status, StatusCode::ACCEPTED, "a quota per tenant: {:?}", elsewhere.body);
}

/// A crash between an export's commit and its message: the job and its outbox entry are written as
/// `POST /worker-exports` writes them, and the message is never sent. The outbox sweep leaves the entry
/// alone while its writer may still send it, and sends it once the clock is past that; the export runs.
#[tokio::test]
async fn an_export_whose_message_was_never_sent_is_started_by_the_outbox_sweep() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Export outbox").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    workers(&admin, "outbox", 3, "Outbox").await;
    let org = s.keys.verifier().unwrap().verify(&admin).unwrap().tenant().unwrap();
    let job = nudge_workers::export::ExportJob::new(
        Uuid::now_v7(),
        nudge_workers::export::ExportFormat::Csv,
        Default::default(),
        None,
        Uuid::now_v7(),
        chrono::Utc::now(),
    );
    // Dated by the local cloud's clock, which other tests of this run move forward.
    let clock = || async { s.get("/_local/clock", &admin).await.body };
    let now = clock().await;
    let at = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap().to_utc();
    let (start, posted) = export_queue().await.post(&org, job.id, at).unwrap();
    nudge_workers::export::job::create(&s.ctx().await.store, &org, &job, start).await.unwrap();
    drop(posted); // the crash

    let path = format!("/worker-exports/{}", job.id);
    let swept = s.public("/_local/outbox/sweep", &json!({})).await;
    assert_eq!(swept.status, StatusCode::OK, "{:?}", swept.body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = s.get(&path, &admin).await.body["status"].clone();
    // Unless another test moved the clock meanwhile, the entry is within its grace period: not sent.
    if clock().await["offsetSeconds"] == now["offsetSeconds"] {
        assert_eq!(status, "pending", "within the grace period nothing is sent");
    }

    let moved = s.public("/_local/clock", &json!({"advanceSeconds": 180})).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let swept = s.public("/_local/outbox/sweep", &json!({})).await;
    assert_eq!(swept.status, StatusCode::OK, "{:?}", swept.body);
    let done = finished(&admin, &job.id.to_string()).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rowCount"], 3, "{done}");
    let backwards = s.public("/_local/clock", &json!({"advanceSeconds": -60})).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
}
