//! Worker imports end to end: a presigned upload into the emulator's S3, its ObjectCreated notification
//! on the imports queue, the import consumer applying rows in chunks across continuation messages, per-row
//! errors, matching existing workers, redelivered events and stale continuations changing nothing.

use e2e::{IMPORT_ROWS_PER_RUN, stack};
use nudge_core::auth::SystemRole;
use nudge_workers::import::job::{self, ImportStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

/// Declares an import and uploads `body` with the presigned request it returns.
async fn upload(token: &str, format: &str, body: &[u8], declared: Option<u64>) -> String {
    let s = stack();
    let size = declared.unwrap_or(body.len() as u64);
    let created =
        s.post("/worker-imports", token, &json!({"format": format, "fileName": "workers", "size": size})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["status"], "pending");
    let url = created.body["uploadUrl"].as_str().unwrap();
    assert_eq!(created.body["uploadMethod"], "PUT");
    let mut put = reqwest::Client::new().put(url).body(body.to_vec());
    for (name, value) in created.body["uploadHeaders"].as_object().unwrap() {
        // reqwest sets content-length from the body itself.
        if name != "content-length" {
            put = put.header(name, value.as_str().unwrap());
        }
    }
    let sent = put.send().await.unwrap();
    assert!(sent.status().is_success(), "upload: {}", sent.status());
    created.body["id"].as_str().unwrap().to_owned()
}

/// The import once it is no longer pending or processing.
async fn finished(token: &str, id: &str) -> Value {
    let path = format!("/worker-imports/{id}");
    stack()
        .eventually(&path, token, "finishes", |j| !matches!(j["status"].as_str(), Some("pending" | "processing")))
        .await
}

fn phone(n: u32) -> String {
    format!("+44 20 7946 {:04}", n)
}

async fn sqs() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&nudge_local::emulator::sdk_config(&stack().endpoint).await)
}

fn imports_queue() -> String {
    stack().resources.queues["WorkerImportsQueue"].url.clone()
}

#[tokio::test]
async fn a_csv_import_creates_updates_and_reports_bad_rows_once() {
    let s = stack();
    let tenant = s.organization("Import CSV").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let existing = s
        .post(
            "/workers",
            &admin,
            &json!({"firstName": "Pre", "lastName": "Existing", "externalId": "I-PRE",
                                          "employment": {"department": "Old"}}),
        )
        .await;
    assert_eq!(existing.status, StatusCode::CREATED);

    let mut csv =
        String::from("externalId,firstName,lastName,primaryPhoneNumber,department,tags,pointsBalance,isActive\n");
    for n in 1..=400u32 {
        let row = match n {
            5 => format!("I-{n},Bad,Phone,123,Ops,,,\n"),
            7 => format!("I-{n},No,,{},Ops,,,\n", phone(n)),
            9 => format!("I-{n},Bad,Points,{},Ops,,lots,\n", phone(n)),
            13 => format!("I-{n},Gone,Away,{},Ops,,,no\n", phone(n)),
            // The same existing worker twice: the first changes it, the second finds nothing to change.
            11 | 12 => "I-PRE,Pre,Existing,,New Dept,\"a;b\",,\n".to_owned(),
            // Points are the XP ledger's: a new worker's may only be 0.
            17 => format!("I-{n},Rich,Worker,{},Ops,night,500,yes\n", phone(n)),
            _ => format!("I-{n},Worker,\"Number {n}\",{},Ops,night,0,yes\n", phone(n)),
        };
        csv.push_str(&row);
    }
    let id = upload(&admin, "csv", csv.as_bytes(), None).await;
    let job = finished(&admin, &id).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["counts"], json!({"total": 400, "created": 393, "updated": 1, "unchanged": 1, "failed": 5}));
    let errors: Vec<(u64, &str)> = job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (5, "primaryPhoneNumber"),
            (7, "lastName"),
            (9, "pointsBalance"),
            (13, "deactivationReason"),
            (17, "pointsBalance")
        ]
    );
    // 400 rows at 150 per run: three runs, two continuation messages; a checkpoint per 4 KiB chunk.
    const { assert!(400 > 2 * IMPORT_ROWS_PER_RUN) };
    assert!(job["version"].as_u64().unwrap() > 5, "one checkpoint per chunk: {job}");

    // The rows are workers like any other.
    let listed = s.get("/workers?department=ops&limit=100", &admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 100);
    let updated = s.get("/workers?name=pre", &admin).await;
    assert_eq!(updated.body["items"][0]["employment"]["department"], "New Dept");
    assert_eq!(updated.body["items"][0]["tags"], json!(["a", "b"]));

    // The uploaded file (personal data) is deleted once the import has finished.
    let key = format!("tenants/{tenant}/imports/{id}/rows");
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let head =
        nudge_core::objects::Objects::client(&sdk).head_object().bucket(&s.resources.bucket).key(&key).send().await;
    assert!(head.is_err(), "the upload is still there");

    // A redelivered notification and a stale continuation change nothing.
    let event = json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T10:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": s.resources.bucket, "arn": "arn:aws:s3:::b"},
               "object": {"key": key, "size": csv.len(), "sequencer": "01"}}}]});
    let stale = json!({"importContinue": id, "tenantId": tenant, "offset": 0});
    for body in [event, stale] {
        sqs().await.send_message().queue_url(imports_queue()).message_body(body.to_string()).send().await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let again = finished(&admin, &id).await;
    assert_eq!((again["counts"].clone(), again["version"].clone()), (job["counts"].clone(), job["version"].clone()));
    let all = s.get("/workers?tag=night&limit=100", &admin).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn jsonl_rows_are_worker_documents_and_match_by_phone() {
    let s = stack();
    let tenant = s.organization("Import JSONL").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let lines = [
        json!({"firstName": "Jo", "lastName": "One", "contact": {"primaryPhoneNumber": phone(7001)}}),
        json!({"firstName": "Jo", "lastName": "Two", "gender": "robot"}),
        json!({"lastName": "Renamed", "contact": {"primaryPhoneNumber": "0044 20 7946 7001"}}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect::<String>() + "not json\n";
    let id = upload(&admin, "jsonl", body.as_bytes(), None).await;
    let job = finished(&admin, &id).await;
    assert_eq!(job["counts"], json!({"total": 4, "created": 1, "updated": 1, "unchanged": 0, "failed": 2}), "{job}");
    assert_eq!(job["errors"][0]["field"], "/gender");
    assert_eq!(job["errors"][1]["row"], 4);
    let listed = s.get("/workers", &admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["fullName"], "Jo Renamed");
}

#[tokio::test]
async fn bad_files_and_requests_fail_clearly() {
    let s = stack();
    let tenant = s.organization("Import bad").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let id = upload(&admin, "csv", b"firstName,nickname\nA,B\n", None).await;
    let job = finished(&admin, &id).await;
    assert_eq!(job["status"], "failed");
    assert!(job["failureReason"].as_str().unwrap().contains("nickname"), "{job}");

    // The emulator does not enforce the signed length, so the importer checks the object itself.
    let id = upload(&admin, "csv", b"firstName,lastName\nA,B\n", Some(5)).await;
    let job = finished(&admin, &id).await;
    assert_eq!(job["status"], "failed");
    assert!(job["failureReason"].as_str().unwrap().contains("not the 5 declared"), "{job}");

    let reply = s.post("/worker-imports", &admin, &json!({"format": "xlsx", "size": 0})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let mut pointers = reply.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/format", "/size"]);

    // Another tenant's import is not found; nor is one that never existed.
    let other = s.tenant(s.organization("Import other").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/worker-imports/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/worker-imports/{}", Uuid::now_v7()), &admin).await.status, StatusCode::NOT_FOUND);
    let listed = s.get("/worker-imports", &admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed.body["items"][0]["id"], id.as_str(), "newest first");
}

/// A file whose job never runs (never announced, its message lost) is not kept for ever: the presigned
/// upload carries the tag the bucket's lifecycle rule expires, signed so the upload cannot drop it.
#[tokio::test]
async fn an_import_upload_is_tagged_for_the_lifecycle_backstop() {
    let s = stack();
    let admin = s.tenant(s.organization("Import backstop").await, SystemRole::Admin);
    let created = s.post("/worker-imports", &admin, &json!({"format": "csv", "fileName": "w", "size": 10})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["uploadHeaders"]["x-amz-tagging"], "nudge-kind=import", "{:?}", created.body);
    assert!(created.body["uploadUrl"].as_str().unwrap().contains("x-amz-tagging"), "a signed header");

    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let s3 = nudge_core::objects::Objects::client(&sdk);
    let lifecycle = s3.get_bucket_lifecycle_configuration().bucket(&s.resources.bucket).send().await.unwrap();
    let rule = lifecycle
        .rules()
        .iter()
        .find(|r| r.filter().and_then(|f| f.tag()).is_some_and(|t| (t.key(), t.value()) == ("nudge-kind", "import")))
        .unwrap_or_else(|| panic!("no rule expires imports: {lifecycle:?}"));
    assert_eq!(rule.expiration().and_then(|e| e.days()), Some(7), "ImportFileRetentionDays' default");
    let aborts = lifecycle.rules().iter().find_map(|r| r.abort_incomplete_multipart_upload());
    assert_eq!(aborts.and_then(|a| a.days_after_initiation()), Some(1), "{lifecycle:?}");
}

/// An import whose continuation was lost mid-way (its send failed, so the message that ran it comes back)
/// goes on from its checkpoint on any message, even one that looks stale; rows applied before count as
/// before, and rows with no external id or phone do not create their workers twice.
#[tokio::test]
async fn a_lost_continuation_is_recovered_from_the_checkpoint_without_duplicates() {
    let s = stack();
    let tenant = s.organization("Import resume").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mut csv = String::from("firstName,lastName,department\n");
    for n in 0..40 {
        csv.push_str(&format!("Keyless{n},Row,resume\n"));
    }
    let id = upload(&admin, "csv", csv.as_bytes(), None).await;
    let job = finished(&admin, &id).await;
    assert_eq!(job["counts"], json!({"total": 40, "created": 40, "updated": 0, "unchanged": 0, "failed": 0}));
    let listed = || async { s.get("/workers?department=resume&limit=100", &admin).await.body["items"].clone() };
    let before = listed().await;
    assert_eq!(before.as_array().unwrap().len(), 40);

    // Rewind the job to just after its start, as if every run since had died with its continuation unsent;
    // a finished import's file is deleted, a job mid-way still has it.
    rewind(&admin, tenant, &id, &csv).await;

    // The message that comes back names an offset the job is no longer at.
    let behind = json!({"importContinue": id, "tenantId": tenant, "offset": 12345});
    sqs().await.send_message().queue_url(imports_queue()).message_body(behind.to_string()).send().await.unwrap();
    let again = finished(&admin, &id).await;
    assert_eq!(again["status"], "completed");
    assert_eq!(again["counts"], job["counts"], "replayed rows count as they did");
    assert_eq!(listed().await, before, "no worker was created twice");
}

/// Sets a finished import back to just after its start (processing, no rows read) and puts `rows` at its
/// key, as the state of a run that died mid-way; the job as rewound.
async fn rewind(admin: &str, tenant: Uuid, id: &str, rows: &str) -> job::ImportJob {
    let s = stack();
    let ctx = s.ctx().await;
    let org = s.keys.verifier().unwrap().verify(admin).unwrap().tenant().unwrap();
    let done = job::get(&ctx.store, &org, Uuid::parse_str(id).unwrap()).await.unwrap().unwrap();
    let mut rewound = done.clone();
    rewound.status = ImportStatus::Processing;
    rewound.counts = Default::default();
    rewound.checkpoint = Default::default();
    rewound.header = None;
    rewound.completed_at = None;
    rewound.version += 1;
    job::replace(&ctx.store, &org, done.version, &rewound).await.unwrap();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let key = format!("tenants/{tenant}/imports/{id}/rows");
    let put = nudge_core::objects::Objects::client(&sdk).put_object().bucket(&s.resources.bucket).key(&key);
    put.body(rows.to_owned().into_bytes().into()).send().await.unwrap();
    rewound
}

/// An import whose message keeps failing is failed on the last receive, with the reason, instead of
/// staying `processing` while SQS moves the message to the DLQ: driven through the consumer with a bucket
/// that does not exist, so reading the rows fails every time.
#[tokio::test]
async fn an_import_that_keeps_failing_is_failed_on_the_last_receive() {
    let s = stack();
    let ctx = s.ctx().await;
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let tenant_uuid = s.organization("Import failing").await;
    let admin = s.tenant(tenant_uuid, SystemRole::Admin);
    // Declared, never uploaded: the dev stack's own consumer never hears of it.
    let created = s.post("/worker-imports", &admin, &json!({"format": "csv", "fileName": "w", "size": 10})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = Uuid::parse_str(created.body["id"].as_str().unwrap()).unwrap();
    let (tenant, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant_uuid}/x")).unwrap();
    // Started, as if its upload had been seen: what is left is reading the rows.
    let mut started = job::get(&ctx.store, &tenant, id).await.unwrap().unwrap();
    let expected = started.version;
    started.status = ImportStatus::Processing;
    started.version += 1;
    job::replace(&ctx.store, &tenant, expected, &started).await.unwrap();
    let broken = nudge_core::objects::Objects::new(nudge_core::objects::Objects::client(&sdk), "no-such-bucket");
    let queue = nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&sdk), imports_queue());
    let importer = nudge_workers::import::Importer::new(ctx.store.clone(), broken, queue);
    let event = |receives: u32| -> aws_lambda_events::event::sqs::SqsEvent {
        let next = json!({"importContinue": id, "tenantId": tenant_uuid, "offset": 0});
        serde_json::from_value(json!({"Records": [{"messageId": "m-1", "body": next.to_string(),
            "attributes": {"ApproximateReceiveCount": receives.to_string()}}]}))
        .unwrap()
    };
    let deadline = nudge_core::queue::Deadline::after(Duration::from_secs(600));
    // Before the last receive the message fails and comes back; the job is untouched.
    let response = nudge_core::jobs::consume(&importer, event(1), deadline).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(s.get(&format!("/worker-imports/{id}"), &admin).await.body["status"], "processing");
    // The last receive gives up: the job is failed with the reason, and the message is settled.
    let response = nudge_core::jobs::consume(&importer, event(5), deadline).await;
    assert!(response.batch_item_failures.is_empty(), "the last receive settles the job");
    let failed = s.get(&format!("/worker-imports/{id}"), &admin).await.body;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(failed["failureReason"].as_str().unwrap_or_default().contains("import failed 5 times"), "{failed}");
}

/// An import reads every chunk from the upload it started with (its ETag): a file replaced mid-way fails
/// the job with the reason instead of mixing the rows of two files.
#[tokio::test]
async fn an_upload_replaced_mid_import_fails_the_job() {
    let s = stack();
    let tenant = s.organization("Import replaced").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mut csv = String::from("firstName,lastName,department\n");
    for n in 0..20 {
        csv.push_str(&format!("Pinned{n},Row,pinned\n"));
    }
    let id = upload(&admin, "csv", csv.as_bytes(), None).await;
    assert_eq!(finished(&admin, &id).await["status"], "completed");

    // As if the import were mid-way when another file took the key.
    let rewound = rewind(&admin, tenant, &id, &csv.replace("Pinned", "Other")).await;
    assert!(rewound.etag.is_some(), "the job pins the upload's version");

    let next = json!({"importContinue": id, "tenantId": tenant, "offset": 0});
    sqs().await.send_message().queue_url(imports_queue()).message_body(next.to_string()).send().await.unwrap();
    let failed = finished(&admin, &id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(failed["failureReason"].as_str().unwrap().contains("replaced"), "{failed}");
}
