//! Experiments end to end: designed with every bad field named, started only with two weighted variants
//! of published content, sticky assignment through weight changes, re-randomisation, results, and
//! tenant isolation.

use crate::journeys::published;
use e2e::stack;
use futures_util::StreamExt;
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn assign(token: &str, experiment: &str, worker: &str) -> Value {
    let reply =
        stack().post(&format!("/experiments/{experiment}/assignments"), token, &json!({"workerIds": [worker]})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["placements"][0]["assignment"].clone()
}

#[tokio::test]
async fn an_experiment_assigns_stickily_and_reports_its_results() {
    let s = stack();
    let tenant = s.organization("Experiments").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let a =
        published(&admin, &json!({"type": "text", "title": "Short", "text": {"text": "Lift with your legs."}})).await;
    let b = published(&admin, &json!({"type": "text", "title": "Story", "text": {"text": "Ana hurt her back…"}})).await;
    let draft =
        s.post("/contents", &admin, &json!({"type": "text", "title": "Draft", "text": {"text": "x"}})).await.body["id"]
            .clone();

    // Every bad field at once; rules the schema cannot state are 422.
    let bad = s
        .post(
            "/experiments",
            &admin,
            &json!({"experimentType": "ab", "name": " ", "coverage": 2,
            "variants": [{"variantName": "A", "variantDetails": [], "weight": 0.5}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
    for pointer in ["/name", "/coverage", "/variants", "/variants/0/variantDetails"] {
        assert!(bad.pointers().contains(&pointer.to_owned()), "{pointer}: {:?}", bad.body);
    }
    let uneven = s
        .post(
            "/experiments",
            &admin,
            &json!({"experimentType": "ab", "name": "Lifting",
            "variants": [{"variantName": "A", "variantDetails": {"contentId": a}, "weight": 0.5},
                         {"variantName": "B", "variantDetails": {"contentId": b}, "weight": 0.6}]}),
        )
        .await;
    assert_eq!((uneven.status, uneven.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/variants".to_owned()]));

    // A variant without published content keeps it from starting.
    let body = json!({"experimentType": "ab", "name": "Lifting", "hypothesis": "A story lands better",
        "variants": [{"variantName": "Control", "variantDetails": {"contentId": a}, "weight": 0.5},
                     {"variantName": "Story", "variantDetails": {"contentId": draft}, "weight": 0.5}]});
    let created = s.post("/experiments", &admin, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let refused = s.patch(&format!("/experiments/{id}"), &admin, &json!({"status": "running"}), None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", refused.body);
    assert_eq!(refused.pointers(), ["/variants/1/variantDetails/contentId"]);
    let mut variants = created.body["variants"].clone();
    variants[1]["variantDetails"] = json!({"contentId": b});
    for v in variants.as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("experimentId");
    }
    let started =
        s.patch(&format!("/experiments/{id}"), &admin, &json!({"variants": variants, "status": "running"}), None).await;
    assert_eq!(
        (started.status, started.body["status"].as_str()),
        (StatusCode::OK, Some("running")),
        "{:?}",
        started.body
    );

    // The start is on record, from draft to running.
    let log = s.get(&format!("/audit-log?entityType=experiment&entityId={id}"), &admin).await.body;
    let moves: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|e| e["action"] == "experiment.status_changed").collect();
    assert_eq!(moves.len(), 1, "{log}");
    assert_eq!((&moves[0]["metadata"]["from"], &moves[0]["metadata"]["to"]), (&json!("draft"), &json!("running")));

    // Forty workers assigned; the same answers after the weights change.
    let mut workers = Vec::new();
    for i in 0..40 {
        workers.push(s.worker(&admin, &format!("W{i}"), json!({})).await.0);
    }
    let mut first = Vec::new();
    for w in &workers {
        first.push(assign(&admin, &id, w).await["variantIndex"].as_u64().unwrap());
    }
    assert!(first.contains(&0) && first.contains(&1), "{first:?}");
    let mut reweighted = started.body["variants"].clone();
    reweighted[0]["weight"] = json!(0.1);
    reweighted[1]["weight"] = json!(0.9);
    for v in reweighted.as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("experimentId");
    }
    let moved = s.patch(&format!("/experiments/{id}"), &admin, &json!({"variants": reweighted}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    for (w, v) in workers.iter().zip(&first) {
        assert_eq!(assign(&admin, &id, w).await["variantIndex"].as_u64(), Some(*v), "sticky");
    }
    // No variant may be removed while it runs.
    let one = json!([moved.body["variants"][0].clone()]);
    let shrink = s.patch(&format!("/experiments/{id}"), &admin, &json!({"variants": one}), None).await;
    assert!(shrink.status.is_client_error(), "{:?}", shrink.body);

    // A deliberate re-randomisation starts a new bucket version.
    let again = s.post(&format!("/experiments/{id}/rerandomise"), &admin, &json!({})).await;
    assert_eq!(again.body["bucketVersion"], 1, "{:?}", again.body);
    assert_eq!(assign(&admin, &id, &workers[0]).await["bucketVersion"], 1);

    // Results: nobody exposed yet under the new version.
    let results = s.get(&format!("/experiments/{id}/results"), &admin).await;
    assert_eq!(results.status, StatusCode::OK, "{:?}", results.body);
    assert_eq!(results.body["variants"][0]["exposed"], 0);
    assert_eq!(results.body["sampleRatio"]["flagged"], false);

    // Another tenant sees none of it; an unknown worker is named.
    let other = s.tenant(s.organization("Experiment outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/experiments/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    let stranger = s
        .post(&format!("/experiments/{id}/assignments"), &admin, &json!({"workerIds": [workers[0], Uuid::now_v7()]}))
        .await;
    assert_eq!(
        (stranger.status, stranger.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/workerIds/1".to_owned()])
    );
}

#[tokio::test]
async fn a_journey_touchpoint_sends_each_worker_their_variant_and_counts_the_outcome() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Experiment journeys").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let short =
        published(&admin, &json!({"type": "text", "title": "Short tip", "text": {"text": "Bend your knees."}})).await;
    let story =
        published(&admin, &json!({"type": "text", "title": "Ana's story", "text": {"text": "Ana lifted…"}})).await;
    let experiment = s
        .post(
            "/experiments",
            &admin,
            &json!({"experimentType": "ab", "name": "Tip or story", "status": "running",
            "variants": [{"variantName": "Tip", "variantDetails": {"contentId": short}, "weight": 0.5},
                         {"variantName": "Story", "variantDetails": {"contentId": story}, "weight": 0.5}]}),
        )
        .await;
    assert_eq!(experiment.status, StatusCode::CREATED, "{:?}", experiment.body);
    let id = experiment.body["id"].as_str().unwrap().to_owned();
    let consent = json!({"communicationConsent": true});
    let mut workers = Vec::new();
    for i in 0..12 {
        workers.push(s.worker(&admin, &format!("W{i}"), consent.clone()).await);
    }
    // Each variant then goes its own way: the story's workers branch past the tip's follow-up.
    let tip_more =
        published(&admin, &json!({"type": "text", "title": "More tips", "text": {"text": "Keep it close."}})).await;
    let story_more =
        published(&admin, &json!({"type": "text", "title": "Ana, a week on", "text": {"text": "Ana is fine."}})).await;
    let everyone = json!({"field": "isActive", "op": "eq", "value": true});
    let j = crate::journeys::journey(
        &admin,
        &json!({"title": "Lifting", "phases": [
            {"name": "One", "touchpoints": [{"contentId": short, "channel": "sms", "experimentId": id,
                "ruleLogic": {"branch": [{"variant": "Story", "goTo": 3}]}}]},
            {"name": "Tip", "touchpoints": [{"contentId": tip_more, "channel": "sms",
                "ruleLogic": {"branch": [{"when": everyone, "goTo": "end"}]}}]},
            {"name": "Story", "touchpoints": [{"contentId": story_more, "channel": "sms"}]}]}),
    )
    .await;
    let program = crate::journeys::program(&admin, "Lifting", &[j["id"].as_str().unwrap()], json!({})).await;
    let ids: Vec<&str> = workers.iter().map(|(w, _)| w.as_str()).collect();
    crate::journeys::enrol(&admin, &program, &json!({"workerIds": ids})).await;
    let phones: Vec<&str> = workers.iter().map(|(_, p)| p.as_str()).collect();
    crate::journeys::advance(&admin, &program, &phones, 0).await;
    crate::journeys::advance(&admin, &program, &phones, 0).await;

    // Each worker got the content of their variant, the one the experiment assigns them, then its branch's.
    let mut exposed = [0u64; 2];
    for (worker, phone) in &workers {
        let variant = assign(&admin, &id, worker).await["variantIndex"].as_u64().unwrap() as usize;
        exposed[variant] += 1;
        let texts = s.sms_to(phone).await;
        let expected =
            if variant == 0 { ["Short tip\n", "More tips\n"] } else { ["Ana's story\n", "Ana, a week on\n"] };
        assert!(
            texts.len() == 2 && texts[0].starts_with(expected[0]) && texts[1].starts_with(expected[1]),
            "variant {variant}: {texts:?}"
        );
    }
    // Three of them mark it done on their page: the outcome counts for their variant.
    for (_, phone) in &workers[..3] {
        let token = crate::journeys::token_in(&s.sms_to(phone).await[0]);
        let (status, _) = crate::journeys::page(&token, Some("action=complete")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut completed = [0u64; 2];
    for (worker, _) in &workers[..3] {
        completed[assign(&admin, &id, worker).await["variantIndex"].as_u64().unwrap() as usize] += 1;
    }
    let results = s.get(&format!("/experiments/{id}/results"), &admin).await.body;
    for v in 0..2 {
        assert_eq!(results["variants"][v]["exposed"].as_u64(), Some(exposed[v]), "{results}");
        assert_eq!(results["variants"][v]["completed"].as_u64(), Some(completed[v]), "{results}");
    }
}

/// `a` and `b` alike: integers equal, other numbers to 1e-12 relative (JSON parsing may differ in the
/// last digit), everything else equal.
fn same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "at {at}");
            x.iter().for_each(|(k, v)| same(v, &y[k], &format!("{at}/{k}")));
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "at {at}");
            x.iter().zip(y).enumerate().for_each(|(i, (v, w))| same(v, w, &format!("{at}/{i}")));
        }
        (Value::Number(x), Value::Number(y)) if !(x.is_f64() || y.is_f64()) => assert_eq!(x, y, "at {at}"),
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()), "at {at}: {x} ≠ {y}");
        }
        _ => assert_eq!(a, b, "at {at}"),
    }
}

/// `n` workers of `tenant` written straight into the table (their core items: no records, no index
/// entries): the import's own path is measured elsewhere, and through moto it would take minutes here.
async fn seed_workers(tenant: Uuid, n: usize) -> Vec<Uuid> {
    let ctx = stack().ctx().await;
    let (tenant, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant}/seed")).unwrap();
    let now = chrono::Utc::now();
    let mut ids = Vec::with_capacity(n);
    let mut puts = Vec::new();
    for i in 0..n {
        let fields = nudge_workers::WorkerFields {
            first_name: "Seeded".into(),
            last_name: format!("Worker {i}"),
            is_active: true,
            ..Default::default()
        };
        let worker = nudge_workers::Worker::new(Uuid::now_v7(), fields, now);
        ids.push(worker.id);
        // The core item alone (the first): what an assignment checks a worker by, one item per worker.
        puts.extend(nudge_workers::repo::partition_puts(&tenant, &worker).unwrap().into_iter().take(1));
    }
    ctx.store.batch_put(puts).await.unwrap();
    ids
}

/// Removes what a scale test wrote into the shared emulator's table: its seeded workers and the
/// experiments' assignments and counters. Moto answers every index query by reading every item of the
/// table, so tens of thousands left behind would slow each later test's index reads several times over.
async fn forget(tenant: Uuid, workers: &[Uuid], experiments: &[&Value]) {
    let ctx = stack().ctx().await;
    let (t, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant}/seed")).unwrap();
    let mut keys: Vec<_> = workers.iter().map(|w| nudge_workers::repo::core_key(&t, *w)).collect();
    for e in experiments {
        let id = Uuid::parse_str(e["id"].as_str().unwrap()).unwrap();
        for partition in
            [nudge_experiments::keys::assignments_partition(&t, id), nudge_experiments::keys::counts_partition(&t, id)]
        {
            let items = ctx.store.all_items(&nudge_core::store::Query::partition(partition)).await.unwrap();
            keys.extend(items.iter().filter_map(nudge_core::store::item_key));
        }
    }
    ctx.store.batch_delete(&keys).await.unwrap();
}

/// Every worker's placement, 100 a call, two calls at a time, in order.
async fn place_all(token: &str, experiment: &str, workers: &[Uuid], expose: bool) -> Vec<Value> {
    let calls = workers.chunks(100).map(|chunk| async move {
        let body = json!({"workerIds": chunk, "expose": expose});
        let reply = stack().post(&format!("/experiments/{experiment}/assignments"), token, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body["placements"].as_array().unwrap().clone()
    });
    let batches: Vec<Vec<Value>> = futures_util::stream::iter(calls).buffered(2).collect().await;
    batches.into_iter().flatten().collect()
}

fn variant_of(placement: &Value) -> usize {
    placement["assignment"]["variantIndex"].as_u64().unwrap() as usize
}

async fn running(token: &str, name: &str, contents: &[&String], weights: &[f64], extra: Value) -> Value {
    let variants: Vec<Value> = contents
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(i, (c, w))| json!({"variantName": format!("V{i}"), "variantDetails": {"contentId": c}, "weight": w}))
        .collect();
    let kind = if variants.len() == 2 { "ab" } else { "multivariate" };
    let mut body = json!({"experimentType": kind, "name": name, "status": "running", "variants": variants});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let created = stack().post("/experiments", token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

#[tokio::test]
async fn ten_thousand_workers_split_by_the_weights_and_the_results_are_exact() {
    // Its thousands of writes keep the emulator busy for a while: not while the time-driven tests run.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Experiment at scale").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let workers = seed_workers(tenant, 10_000).await;
    let mut contents = Vec::new();
    for title in ["Tip", "Story", "Video"] {
        contents.push(published(&admin, &json!({"type": "text", "title": title, "text": {"text": title}})).await);
    }
    let weights = [0.2, 0.3, 0.5];
    let e = running(&admin, "Three ways", &contents.iter().collect::<Vec<_>>(), &weights, json!({})).await;
    let id = e["id"].as_str().unwrap().to_owned();

    // Everyone assigned and shown their variant: the split is within a point of the weights.
    let placed = place_all(&admin, &id, &workers, true).await;
    let variant: Vec<usize> = placed.iter().map(variant_of).collect();
    let mut split = [0u64; 3];
    variant.iter().for_each(|v| split[*v] += 1);
    for (n, w) in split.iter().zip(weights) {
        assert!((*n as f64 / 10_000.0 - w).abs() < 0.01, "{split:?}");
    }

    // A known outcome set: in variant v, every (5 − v)th worker completes, scoring (j mod 11) × 10.
    let mut seen = [0u64; 3];
    let mut counts = vec![nudge_experiments::results::Counts::default(); 3];
    let mut outcomes = Vec::new();
    for (w, v) in workers.iter().zip(&variant) {
        let j = seen[*v];
        seen[*v] += 1;
        let c = &mut counts[*v];
        c.exposed += 1;
        if j % (5 - *v as u64) == 0 {
            let score = ((j % 11) * 10) as f64;
            c.completed += 1;
            c.scored += 1;
            c.score_sum += score;
            c.score_sum_sq += score * score;
            outcomes.push(json!({"workerId": w, "completed": true, "score": score}));
        }
    }
    let admin = admin.as_str();
    let record = |batch: &[Value]| {
        let body = json!({"outcomes": batch});
        let path = format!("/experiments/{id}/outcomes");
        async move { stack().post(&path, admin, &body).await }
    };
    let calls = outcomes.chunks(100).map(record);
    let replies: Vec<_> = futures_util::stream::iter(calls).buffered(2).collect().await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert!(
            reply.body["results"].as_array().unwrap().iter().all(|r| r["outcome"] == "recorded"),
            "{:?}",
            reply.body
        );
    }
    // Sent again (a client's retry), nothing counts twice.
    let again = record(&outcomes[..100]).await;
    assert!(again.body["results"].as_array().unwrap().iter().all(|r| r["outcome"] == "unchanged"), "{:?}", again.body);

    let results = s.get(&format!("/experiments/{id}/results"), admin).await.body;
    let rows: Vec<(Uuid, String, f64)> = e["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let id = Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
            (id, v["variantName"].as_str().unwrap().to_owned(), v["weight"].as_f64().unwrap())
        })
        .collect();
    let expected = nudge_experiments::results::results(Uuid::parse_str(&id).unwrap(), 0, &rows, &counts);
    same(&results, &serde_json::to_value(&expected).unwrap(), "");
    for v in 0..3 {
        assert_eq!(results["variants"][v]["exposed"].as_u64(), Some(split[v]));
    }
    assert_eq!(results["sampleRatio"]["flagged"], false, "{results}");

    // New weights change no one's variant.
    let mut reweighted = e["variants"].clone();
    for (v, w) in reweighted.as_array_mut().unwrap().iter_mut().zip([0.6, 0.2, 0.2]) {
        v["weight"] = json!(w);
        v.as_object_mut().unwrap().remove("experimentId");
    }
    let moved = s.patch(&format!("/experiments/{id}"), admin, &json!({"variants": reweighted}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let after: Vec<usize> = place_all(admin, &id, &workers, false).await.iter().map(variant_of).collect();
    assert!(after == variant, "assignments moved with the weights");
    forget(tenant, &workers, &[&e]).await;
}

#[tokio::test]
async fn a_skewed_exposure_is_flagged_and_the_holdout_stays_out_of_every_experiment() {
    let s = stack();
    let tenant = s.organization("Experiment skew").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let workers = seed_workers(tenant, 1_000).await;
    let a = published(&admin, &json!({"type": "text", "title": "A", "text": {"text": "a"}})).await;
    let b = published(&admin, &json!({"type": "text", "title": "B", "text": {"text": "b"}})).await;

    // Assigned evenly, but only half of the second variant's workers are ever shown it.
    let e = running(&admin, "Skewed", &[&a, &b], &[0.5, 0.5], json!({})).await;
    let id = e["id"].as_str().unwrap().to_owned();
    let placed = place_all(&admin, &id, &workers, false).await;
    let (control, treated): (Vec<&Value>, Vec<&Value>) = placed.iter().partition(|p| variant_of(p) == 0);
    let mut shown: Vec<Uuid> =
        control.iter().map(|p| Uuid::parse_str(p["workerId"].as_str().unwrap()).unwrap()).collect();
    shown.extend(treated.iter().step_by(2).map(|p| Uuid::parse_str(p["workerId"].as_str().unwrap()).unwrap()));
    place_all(&admin, &id, &shown, true).await;
    let results = s.get(&format!("/experiments/{id}/results"), &admin).await.body;
    assert_eq!(results["variants"][0]["exposed"].as_u64(), Some(control.len() as u64));
    assert_eq!(results["variants"][1]["exposed"].as_u64(), Some(treated.len().div_ceil(2) as u64));
    assert_eq!(results["sampleRatio"]["flagged"], true, "{results}");
    // An outcome of a worker never shown their variant does not count.
    let unseen = &treated[1]["workerId"];
    let body = json!({"outcomes": [{"workerId": unseen, "completed": true}]});
    let reply = s.post(&format!("/experiments/{id}/outcomes"), &admin, &body).await;
    assert_eq!(reply.body["results"][0]["outcome"], "not_exposed", "{:?}", reply.body);

    // A fifth of the organization held out: the same workers out of every experiment using the holdout.
    let set = s
        .call(reqwest::Method::PUT, "/experiment-settings", Some(&admin), Some(&json!({"holdoutFraction": 0.2})), &[])
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let first = running(&admin, "Held 1", &[&a, &b], &[0.5, 0.5], json!({"useHoldout": true})).await;
    let second = running(&admin, "Held 2", &[&b, &a], &[0.5, 0.5], json!({"useHoldout": true})).await;
    let held = |placed: &[Value]| -> Vec<String> {
        placed
            .iter()
            .filter(|p| p["decision"]["outcome"] == "in_holdout")
            .map(|p| p["workerId"].as_str().unwrap().to_owned())
            .collect()
    };
    let held_first = held(&place_all(&admin, first["id"].as_str().unwrap(), &workers[..300], false).await);
    let held_second = held(&place_all(&admin, second["id"].as_str().unwrap(), &workers[..300], false).await);
    assert!((30..90).contains(&held_first.len()), "{}", held_first.len());
    assert_eq!(held_first, held_second);
    // Once an experiment using it runs, the holdout is fixed.
    let change = s
        .call(reqwest::Method::PUT, "/experiment-settings", Some(&admin), Some(&json!({"holdoutFraction": 0.3})), &[])
        .await;
    assert_eq!(change.status, StatusCode::CONFLICT, "{:?}", change.body);
    let settings = s.get("/experiment-settings", &admin).await.body;
    assert_eq!((settings["holdoutFraction"].as_f64(), &settings["holdoutLockedBy"]), (Some(0.2), &first["id"]));
    forget(tenant, &workers, &[&e, &first, &second]).await;
}
