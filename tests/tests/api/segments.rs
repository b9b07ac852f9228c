//! Segments end to end: rules validated by pointer, previews, rule-based syncs through the segment sync
//! queue across pages and continuation messages, manual members kept by syncs, incremental re-evaluation
//! when workers change, redelivered and duplicate messages, an interrupted job resuming with exact counts,
//! deletion, and tenant isolation.

use e2e::stack;
use nudge_core::TenantId;
use nudge_core::auth::SystemRole;
use nudge_core::store::{Changes, Tx, Write};
use nudge_segments::jobs::{self, SyncJob, SyncTrigger};
use nudge_segments::sync::{self, Limits, Outcome};
use nudge_segments::{Message, SegmentQueue, repo};
use nudge_workers::input::Origin;
use nudge_workers::marker::{self, Marker};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

fn phone(n: u32) -> String {
    format!("+44 20 7946 {:04}", n % 10000)
}

/// A worker in `department` with `points`, awarded through the XP ledger (which keeps the document's
/// pointsBalance); phones are unique per tenant, so `n` need only differ within one.
async fn worker(token: &str, n: u32, department: &str, points: i64) -> String {
    let reply = stack().post("/workers", token, &worker_doc(n, department)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    if points != 0 {
        award(token, &id, points).await;
    }
    id
}

/// XP for a worker (negative: a correction of its spendable points).
async fn award(token: &str, worker: &str, amount: i64) {
    let body = json!({"subjectType": "worker", "subjectId": worker, "amount": amount, "reason": "Segments"});
    let reply = stack().post("/xp/awards", token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

fn worker_doc(n: u32, department: &str) -> Value {
    json!({
        "firstName": format!("W{n}"), "lastName": department,
        "contact": {"primaryPhoneNumber": phone(n), "preferredLanguage": "en"},
        "employment": {"department": department},
    })
}

async fn tenant() -> (Uuid, String) {
    let s = stack();
    let org = s.organization("Segments").await;
    (org, s.tenant(org, SystemRole::Admin))
}

fn sales_rule() -> Value {
    json!({"all": [
        {"field": "employment.department", "op": "eq", "value": "sales"},
        {"field": "gamification.pointsBalance", "op": "gte", "value": 10}
    ]})
}

/// The segment once no sync is pending or running.
async fn synced(token: &str, id: &str) -> Value {
    stack()
        .eventually(&format!("/segments/{id}"), token, "finishes syncing", |s| s.get("activeSyncJobId").is_none())
        .await
}

/// Every member, through the paginated list.
async fn members(token: &str, id: &str) -> Vec<Value> {
    stack().all_pages(&format!("/segments/{id}/members"), token, 5).await
}

fn ids(members: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = members.iter().map(|m| m["workerId"].as_str().unwrap().to_owned()).collect();
    out.sort();
    out
}

/// The members once `check` holds for them (incremental updates land within seconds).
async fn eventually(token: &str, id: &str, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    e2e::until(what, || async {
        let found = members(token, id).await;
        check(&found).then_some(found)
    })
    .await
}

async fn queue() -> SegmentQueue {
    let s = stack();
    let sqs = aws_sdk_sqs::Client::new(&nudge_local::emulator::sdk_config(&s.endpoint).await);
    SegmentQueue(nudge_core::queue::Queue::new(sqs, s.resources.queues["SegmentSyncQueue"].url.clone()))
}

#[tokio::test]
async fn a_rule_based_segment_syncs_keeps_manual_members_and_counts_exactly() {
    let s = stack();
    let (_, token) = tenant().await;
    let mut sales = Vec::new();
    for n in 0..7 {
        sales.push(worker(&token, n, "Sales", 10 + i64::from(n)).await);
    }
    let low = worker(&token, 7, "Sales", 5).await;
    let mut ops = Vec::new();
    for n in 8..12 {
        ops.push(worker(&token, n, "Ops", 100).await);
    }
    let created = s
        .post(
            "/segments",
            &token,
            &json!({"name": "Sales achievers", "type": "rule_based", "ruleDefinition": sales_rule()}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert!(created.body["activeSyncJobId"].is_string(), "the first sync is queued");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let seg = synced(&token, &id).await;
    assert_eq!(seg["workerCount"], 7);
    assert!(seg["lastSyncAt"].is_string());
    let found = members(&token, &id).await;
    let mut expected = sales.clone();
    expected.sort();
    assert_eq!(ids(&found), expected, "the 7 sales workers with 10+ points, not {low}");
    for m in &found {
        assert_eq!(m["ruleMatch"], true);
        let reason = m["ruleMatchReason"].as_str().unwrap();
        assert!(reason.contains("department") && reason.contains("points"), "{reason}");
    }

    // A manual member of a rule-based segment survives a sync.
    let added = s.post(&format!("/segments/{id}/members"), &token, &json!({"workerIds": [ops[0]]})).await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert_eq!(added.body["changed"], 1);
    assert_eq!(added.body["workerCount"], 8);
    let started = s.post(&format!("/segments/{id}/sync"), &token, &json!({})).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    let job = started.body["id"].as_str().unwrap().to_owned();
    let seg = synced(&token, &id).await;
    assert_eq!(seg["workerCount"], 8);
    let found = members(&token, &id).await;
    assert_eq!(found.len(), 8);
    let manual = found.iter().find(|m| m["workerId"] == ops[0].as_str()).unwrap();
    assert_eq!((manual["ruleMatch"].clone(), manual["manual"].clone()), (json!(false), json!(true)));

    let jobs = s.get(&format!("/segments/{id}/sync-jobs"), &token).await;
    assert_eq!(jobs.status, StatusCode::OK);
    let items = jobs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], job.as_str(), "newest first");
    assert_eq!(items[0]["status"], "completed");
    assert_eq!(items[0]["processedCount"], 12);
    assert_eq!(items[0]["matchCount"], 7);
    assert_eq!(items[0]["addedCount"], 0, "nothing changed since the first sync");
    assert_eq!(items[1]["trigger"], "rule_change");
    let one = s.get(&format!("/segments/{id}/sync-jobs/{job}"), &token).await;
    assert_eq!(one.body["status"], "completed");
    let (_, stranger) = tenant().await;
    assert_eq!(s.get(&format!("/segments/{id}/sync-jobs/{job}"), &stranger).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/segments/{id}/sync-jobs/nope"), &token).await.status, StatusCode::NOT_FOUND);

    let of_worker = s.get(&format!("/workers/{}/segments", ops[0]), &token).await;
    assert_eq!(of_worker.status, StatusCode::OK);
    assert_eq!(of_worker.body["items"][0]["segmentId"], id.as_str());
    assert_eq!(of_worker.body["items"][0]["manual"], true);
    let none = s.get(&format!("/workers/{}/segments", ops[1]), &token).await;
    assert_eq!(none.body["items"], json!([]));

    // Removing by hand: the manual member goes; a rule member stays.
    let removed = s
        .call(
            Method::DELETE,
            &format!("/segments/{id}/members"),
            Some(&token),
            Some(&json!({"workerIds": [ops[0], sales[0]]})),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert_eq!((removed.body["changed"].clone(), removed.body["workerCount"].clone()), (json!(1), json!(7)));

    // A changed rule re-syncs on its own.
    let rule = json!({"field": "employment.department", "op": "in", "value": ["ops"]});
    let patched = s.patch(&format!("/segments/{id}"), &token, &json!({"ruleDefinition": rule}), None).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    let seg = synced(&token, &id).await;
    assert_eq!(seg["workerCount"], 4);
    let mut ops_sorted = ops.clone();
    ops_sorted.sort();
    assert_eq!(ids(&members(&token, &id).await), ops_sorted);

    // Deleting the segment takes its memberships (cleared in the background, unreachable at once).
    assert_eq!(s.delete(&format!("/segments/{id}"), &token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&format!("/segments/{id}"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/segments/{id}/members"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/workers/{}/segments", ops[1]), &token).await.body["items"], json!([]));
    let ctx = s.ctx().await;
    let (org, seg_id) = (tenant_of(&token), Uuid::parse_str(&id).unwrap());
    for _ in 0..300 {
        let left: Vec<Value> =
            ctx.store.all(&nudge_core::store::Query::partition(repo::members_partition(&org, seg_id))).await.unwrap();
        if left.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deleted segment's memberships were never purged");
}

fn tenant_of(token: &str) -> TenantId {
    stack().keys.verifier().unwrap().verify(token).unwrap().tenant().unwrap()
}

#[tokio::test]
async fn workers_are_re_evaluated_when_they_change() {
    let s = stack();
    let (_, token) = tenant().await;
    let a = worker(&token, 1, "Sales", 50).await;
    let b = worker(&token, 2, "Ops", 50).await;
    let created = s
        .post("/segments", &token, &json!({"name": "Sales", "type": "rule_based", "ruleDefinition": sales_rule()}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(synced(&token, &id).await["workerCount"], 1);

    // Changed into the rule: joins without a sync.
    let moved = s.patch(&format!("/workers/{b}"), &token, &json!({"employment": {"department": "sales"}}), None).await;
    assert_eq!(moved.status, StatusCode::OK);
    eventually(&token, &id, "b joins", |m| m.len() == 2).await;
    // Created matching: joins.
    let c = worker(&token, 3, "SALES", 99).await;
    let found = eventually(&token, &id, "c joins", |m| m.iter().any(|m| m["workerId"] == c.as_str())).await;
    assert_eq!(found.len(), 3);
    // Changed out of the rule: leaves; deleted: leaves.
    award(&token, &a, -49).await;
    assert_eq!(s.delete(&format!("/workers/{c}"), &token).await.status, StatusCode::NO_CONTENT);
    let found = eventually(&token, &id, "a and c leave", |m| m.len() == 1).await;
    assert_eq!(ids(&found), std::slice::from_ref(&b));
    assert_eq!(s.get(&format!("/segments/{id}"), &token).await.body["workerCount"], 1);

    // Duplicate and redelivered messages change nothing twice.
    let q = queue().await;
    let org = tenant_of(&token);
    let b_id = Uuid::parse_str(&b).unwrap();
    for _ in 0..3 {
        q.workers_changed(&org, &[b_id, b_id]).await.unwrap();
    }
    let jobs = s.get(&format!("/segments/{id}/sync-jobs"), &token).await;
    let first = jobs.body["items"][0]["id"].as_str().unwrap();
    let job_before = s.get(&format!("/segments/{id}/sync-jobs/{first}"), &token).await.body;
    let again = Message::Sync { segment_id: Uuid::parse_str(&id).unwrap(), job_id: Uuid::parse_str(first).unwrap() };
    q.send_for(&org, &again).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(members(&token, &id).await.len(), 1);
    assert_eq!(s.get(&format!("/segments/{id}"), &token).await.body["workerCount"], 1);
    assert_eq!(s.get(&format!("/segments/{id}/sync-jobs/{first}"), &token).await.body, job_before);
}

#[tokio::test]
async fn an_interrupted_sync_resumes_without_lost_or_doubled_members() {
    let s = stack();
    let (_, token) = tenant().await;
    // Written directly, without re-evaluation messages: a late one would add a member this test counts
    // as the sync's.
    let ctx = s.ctx().await;
    let org = tenant_of(&token);
    let mut all = Vec::new();
    for n in 0..14 {
        let doc = worker_doc(n, if n % 2 == 0 { "Sales" } else { "Ops" });
        let fields = nudge_workers::input::read(doc, chrono::Utc::now().date_naive(), Origin::Whole).unwrap();
        all.push(
            nudge_workers::service::create(&ctx.store, &nudge_workers::Users::default(), &org, fields, None)
                .await
                .unwrap()
                .id
                .to_string(),
        );
    }
    let created = s
        .post("/segments", &token, &json!({"name": "Sales", "type": "rule_based", "ruleDefinition": sales_rule()}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(synced(&token, &id).await["workerCount"], 0, "nobody has 10 points yet");

    // Points change behind the API's back (no re-evaluation message), so only a sync can see them.
    for w in &all {
        let id = Uuid::parse_str(w).unwrap();
        // As an award writes them, without the award.
        let points = nudge_workers::service::points_writes(&ctx.store, &org, id, 20, chrono::Utc::now());
        ctx.store.transact(points.await.unwrap().unwrap()).await.unwrap();
    }
    // A job as POST /sync makes it, whose message is lost: run it here for one page, then "crash".
    let seg = Uuid::parse_str(&id).unwrap();
    let job = SyncJob::new(seg, SyncTrigger::Manual, chrono::Utc::now());
    let claim =
        Write::update(repo::state_key(&org, seg), Changes::new().set("activeJobId", &job.id).unwrap(), "segment");
    ctx.store.transact(Tx::new().with(Write::create(jobs::put(&org, &job).unwrap(), "job")).with(claim)).await.unwrap();
    let limits = Limits { page_workers: 3, pages_per_run: Some(1) };
    // Page by page until some workers are done (a shard may hold none of these 14).
    let mut partial = job.clone();
    while partial.processed_count == 0 {
        let outcome = sync::run(&ctx.store, &org, seg, job.id, limits, || true).await.unwrap();
        assert_eq!(outcome, Outcome::Continue);
        partial = jobs::get(&ctx.store, &org, seg, job.id).await.unwrap().unwrap();
    }
    assert_eq!(partial.status, jobs::SyncStatus::Processing);
    assert!(partial.processed_count > 0 && partial.processed_count < 14, "{partial:?}");
    // A page written but never checkpointed (the crash came between): a worker re-evaluated meanwhile,
    // one of the sales workers the job has not reached yet (shards in order, ids in order within one).
    let cp = &partial.checkpoint;
    let ahead = |id: &Uuid| {
        let shard = nudge_workers::index::shard(*id);
        shard > cp.shard || (shard == cp.shard && cp.after.is_none_or(|after| *id > after))
    };
    let sales_worker = all
        .iter()
        .step_by(2)
        .map(|w| Uuid::parse_str(w).unwrap())
        .find(ahead)
        .expect("a sales worker the partial run has not read");
    nudge_segments::incremental::reevaluate(&ctx.store, &org, &[sales_worker]).await.unwrap();

    // The message comes back (visibility timeout): the job resumes from its checkpoint, twice over.
    let q = queue().await;
    let message = Message::Sync { segment_id: seg, job_id: job.id };
    q.send_for(&org, &message).await.unwrap();
    q.send_for(&org, &message).await.unwrap();
    let done = synced(&token, &id).await;
    assert_eq!(done["workerCount"], 7);
    let found = members(&token, &id).await;
    let mut sales: Vec<String> = all.iter().step_by(2).cloned().collect();
    sales.sort();
    assert_eq!(ids(&found), sales);
    let finished = jobs::get(&ctx.store, &org, seg, job.id).await.unwrap().unwrap();
    assert_eq!(finished.status, jobs::SyncStatus::Completed);
    assert_eq!((finished.processed_count, finished.match_count), (14, 7));
    assert_eq!(finished.added_count, 6, "the seventh was added by the re-evaluation, not twice");
}

#[tokio::test]
async fn static_segments_take_members_by_hand_only() {
    let s = stack();
    let (_, token) = tenant().await;
    let a = worker(&token, 1, "Sales", 0).await;
    let b = worker(&token, 2, "Ops", 0).await;
    let created =
        s.post("/segments", &token, &json!({"name": "Pilot", "type": "static", "description": "Store 12"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["workerCount"], 0);
    assert!(created.body.get("activeSyncJobId").is_none());
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/segments/{id}/members");

    // An unknown id (well-formed, naming nothing) refuses the whole request with a 422: nothing is written.
    let stranger = Uuid::now_v7().to_string();
    let bad = s.post(&path, &token, &json!({"workerIds": [a, stranger]})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.pointers(), ["/workerIds/1"]);
    assert!(members(&token, &id).await.is_empty());
    for body in [json!({"workerIds": []}), json!({"workerIds": ["nope"]}), json!({})] {
        assert_eq!(s.post(&path, &token, &body).await.status, StatusCode::BAD_REQUEST, "{body}");
    }

    let added = s.post(&path, &token, &json!({"workerIds": [a, b, a]})).await;
    assert_eq!((added.body["changed"].clone(), added.body["workerCount"].clone()), (json!(2), json!(2)));
    let again = s.post(&path, &token, &json!({"workerIds": [a]})).await;
    assert_eq!((again.body["changed"].clone(), again.body["workerCount"].clone()), (json!(0), json!(2)));
    let found = members(&token, &id).await;
    assert!(found.iter().all(|m| m["ruleMatch"] == false && m["manual"] == true && m["addedAt"].is_string()));

    // A static segment has no rule to sync.
    assert_eq!(s.post(&format!("/segments/{id}/sync"), &token, &json!({})).await.status, StatusCode::CONFLICT);
    // A deleted worker leaves static segments too.
    assert_eq!(s.delete(&format!("/workers/{b}"), &token).await.status, StatusCode::NO_CONTENT);
    eventually(&token, &id, "b leaves", |m| m.len() == 1).await;
    assert_eq!(s.get(&format!("/segments/{id}"), &token).await.body["workerCount"], 1);

    // The type is fixed; renaming works under If-Match.
    let etag = s.get(&format!("/segments/{id}"), &token).await.header("etag").unwrap().to_owned();
    let retyped = s.patch(&format!("/segments/{id}"), &token, &json!({"type": "rule_based"}), None).await;
    assert_eq!(retyped.pointers(), ["/type"]);
    let renamed = s.patch(&format!("/segments/{id}"), &token, &json!({"name": "Pilot B"}), Some(&etag)).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let stale = s.patch(&format!("/segments/{id}"), &token, &json!({"name": "C"}), Some(&etag)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    // Listing, with the type filter.
    let listed = s.get("/segments?type=static", &token).await;
    assert_eq!(listed.body["items"][0]["name"], "Pilot B");
    assert_eq!(s.get("/segments?type=dynamic", &token).await.status, StatusCode::BAD_REQUEST);

    // Another tenant sees none of it.
    let (_, other) = tenant().await;
    assert_eq!(s.get(&format!("/segments/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.post(&path, &other, &json!({"workerIds": [a]})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&path, &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&format!("/segments/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/workers/{a}/segments"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.post(&format!("/segments/{id}/sync"), &other, &json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/segments/{id}/sync-jobs"), &other).await.status, StatusCode::NOT_FOUND);
    assert!(s.get("/segments", &other).await.body["items"].as_array().unwrap().is_empty());
    // Readers read, writers write.
    let org = tenant_of(&token).as_uuid();
    let viewer = s.tenant(org, SystemRole::Viewer);
    assert_eq!(s.get(&format!("/segments/{id}"), &viewer).await.status, StatusCode::OK);
    assert_eq!(s.post(&path, &viewer, &json!({"workerIds": [a]})).await.status, StatusCode::FORBIDDEN);
}

/// A deleted worker's cleanup survives a lost message: the delete leaves a change marker, and the scheduled
/// tick asks again for the re-evaluation of any that are overdue.
#[tokio::test]
async fn a_deleted_worker_leaves_its_segments_even_when_the_message_is_lost() {
    let s = stack();
    let (_, token) = tenant().await;
    let a = worker(&token, 1, "Sales", 0).await;
    let b = worker(&token, 2, "Ops", 0).await;
    let created = s.post("/segments", &token, &json!({"name": "Pilot", "type": "static"})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let added = s.post(&format!("/segments/{id}/members"), &token, &json!({"workerIds": [a, b]})).await;
    assert_eq!(added.body["workerCount"], 2);

    // The re-evaluations the two creations asked for run first: one that came after the delete below
    // would find `a` gone and clear it, which is not the path under test.
    s.drained(&["SegmentSyncQueue"]).await;
    // Deleted behind the API's back: the transaction writes the marker, but no message is sent.
    let ctx = s.ctx().await;
    let org = tenant_of(&token);
    let a_id = Uuid::parse_str(&a).unwrap();
    // (Its supervisee clearing goes to the imports' dead-letter queue, which nothing consumes.)
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let dlq = s.resources.queues["WorkerImportsDLQ"].url.clone();
    let jobs = nudge_workers::orphans::WorkerJobs(nudge_core::queue::Queue::new(aws_sdk_sqs::Client::new(&sdk), dlq));
    nudge_workers::service::delete(&ctx.store, &jobs, &org, a_id, None).await.unwrap();
    let key = marker::key(&org, a_id);
    let stone: Marker = ctx.store.get(&key).await.unwrap().expect("the delete leaves a marker");
    assert_eq!((stone.tenant_id.tenant(), stone.worker_id), (org, a_id));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(members(&token, &id).await.len(), 2, "nothing cleared it yet");

    // Not yet overdue: the tick leaves it alone.
    let q = queue().await;
    q.tick().await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(members(&token, &id).await.len(), 2);

    // An hour old: the tick re-sends the cleanup, which removes the membership and then the marker.
    let old = marker::put(&org, a_id, stone.changed_at - chrono::Duration::hours(1)).unwrap();
    ctx.store.write(Write::upsert(old)).await.unwrap();
    q.tick().await.unwrap();
    let left = eventually(&token, &id, "a leaves", |m| m.len() == 1).await;
    assert_eq!(ids(&left), std::slice::from_ref(&b));
    assert_eq!(s.get(&format!("/segments/{id}"), &token).await.body["workerCount"], 1);
    for _ in 0..50 {
        if ctx.store.get::<Marker>(&key).await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ctx.store.get::<Marker>(&key).await.unwrap().is_none(), "the marker is cleared");

    // Through the API, the message does it and leaves no marker behind.
    assert_eq!(s.delete(&format!("/workers/{b}"), &token).await.status, StatusCode::NO_CONTENT);
    eventually(&token, &id, "b leaves", |m| m.is_empty()).await;
    let b_key = marker::key(&org, Uuid::parse_str(&b).unwrap());
    for _ in 0..50 {
        if ctx.store.get::<Marker>(&b_key).await.unwrap().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("b's marker was never cleared");
}

/// A changed worker's re-evaluation survives a lost message too: every worker write leaves a marker in its
/// own transaction, and the tick re-sends the overdue ones.
#[tokio::test]
async fn a_changed_worker_joins_its_segments_even_when_the_message_is_lost() {
    let s = stack();
    let (_, token) = tenant().await;
    let a = worker(&token, 1, "Sales", 20).await;
    let b = worker(&token, 2, "Ops", 20).await;
    let created = s
        .post("/segments", &token, &json!({"name": "Sales", "type": "rule_based", "ruleDefinition": sales_rule()}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    synced(&token, &id).await;
    assert_eq!(members(&token, &id).await.len(), 1);

    // Moved to sales behind the API's back: the transaction writes the marker, no message is sent.
    let ctx = s.ctx().await;
    let org = tenant_of(&token);
    let b_id = Uuid::parse_str(&b).unwrap();
    let patch = json!({"employment": {"department": "Sales"}});
    nudge_workers::service::update(&ctx.store, &nudge_workers::Users::default(), &org, b_id, &patch, None, None)
        .await
        .unwrap();
    let key = marker::key(&org, b_id);
    let mark: Marker = ctx.store.get(&key).await.unwrap().expect("the update leaves a marker");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(members(&token, &id).await.len(), 1, "nothing re-evaluated it yet");

    let old = marker::put(&org, b_id, mark.changed_at - chrono::Duration::hours(1)).unwrap();
    ctx.store.write(Write::upsert(old)).await.unwrap();
    queue().await.tick().await.unwrap();
    let joined = eventually(&token, &id, "b joins", |m| m.len() == 2).await;
    assert!(ids(&joined).contains(&b) && ids(&joined).contains(&a));
    for _ in 0..50 {
        if ctx.store.get::<Marker>(&key).await.unwrap().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("b's marker was never cleared");
}

#[tokio::test]
async fn bad_rules_are_named_by_pointer_and_previews_write_nothing() {
    let s = stack();
    let (tenant_id, token) = tenant().await;
    for n in 0..5 {
        worker(&token, n, if n < 3 { "Sales" } else { "Ops" }, 20).await;
    }
    let fields = s.get("/segments/fields", &token).await;
    assert_eq!(fields.status, StatusCode::OK);
    let department =
        fields.body["items"].as_array().unwrap().iter().find(|f| f["field"] == "employment.department").unwrap();
    assert!(department["operators"].as_array().unwrap().contains(&json!("startsWith")));

    let bad = json!({"name": "x", "type": "rule_based", "ruleDefinition": {"all": [
        {"field": "employment.department", "op": "gt", "value": "a"},
        {"field": "nope", "op": "eq", "value": 1},
        {"field": "gamification.pointsBalance", "op": "gte", "value": "ten"},
        {"any": []}
    ]}});
    // Each node has a documented shape; what breaks the rule language is a 422 naming every bad node.
    let reply = s.post("/segments", &token, &bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", reply.body);
    let pointers = reply.pointers();
    for p in [
        "/ruleDefinition/all/0/op",
        "/ruleDefinition/all/1/field",
        "/ruleDefinition/all/2/value",
        "/ruleDefinition/all/3/any",
    ] {
        assert!(pointers.contains(&p.to_owned()), "{p} not in {pointers:?}");
    }
    assert!(s.get("/segments", &token).await.body["items"].as_array().unwrap().is_empty(), "nothing written");

    let preview = s.post("/segments/preview", &token, &json!({"ruleDefinition": sales_rule(), "sampleSize": 2})).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    assert_eq!((preview.body["matchCount"].clone(), preview.body["processedCount"].clone()), (json!(3), json!(5)));
    assert_eq!(preview.body["sample"].as_array().unwrap().len(), 2);
    assert_eq!(preview.body["complete"], true);
    assert!(preview.body["sample"][0]["ruleMatchReason"].as_str().unwrap().contains("department"));
    // A role with segments:read but not workers:read gets the counts and no one's name (it could otherwise
    // search workers' fields through rules).
    let analyst = s
        .post("/roles", &token, &json!({"name": "analyst", "displayName": "Analyst", "permissions": ["segments:read"]}))
        .await;
    assert_eq!(analyst.status, StatusCode::CREATED, "{:?}", analyst.body);
    let counts_only = s.member(tenant_id, "analyst").await;
    let blind = s
        .post("/segments/preview", &counts_only.access, &json!({"ruleDefinition": sales_rule(), "sampleSize": 2}))
        .await;
    assert_eq!(blind.status, StatusCode::OK, "{:?}", blind.body);
    assert_eq!((blind.body["matchCount"].clone(), blind.body["sample"].clone()), (json!(3), json!([])));
    let wrong = s.post("/segments/preview", &token, &json!({"ruleDefinition": {"not": {}}, "sampleSize": 99})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.pointers().contains(&"/sampleSize".to_owned()));
    assert!(wrong.pointers().iter().any(|p| p.starts_with("/ruleDefinition/not")), "{:?}", wrong.pointers());
    assert!(s.get("/segments", &token).await.body["items"].as_array().unwrap().is_empty());
}
