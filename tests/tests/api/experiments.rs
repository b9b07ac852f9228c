//! Experiments end to end: designed with every bad field named, started only with two weighted variants
//! of published content, sticky assignment through weight changes, re-randomisation, results, and
//! tenant isolation.

use crate::journeys::published;
use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn assign(token: &str, experiment: &str, worker: &str) -> Value {
    let reply =
        stack().post(&format!("/experiments/{experiment}/assignments"), token, &json!({"workerId": worker})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["assignment"].clone()
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
    let stranger =
        s.post(&format!("/experiments/{id}/assignments"), &admin, &json!({"workerId": Uuid::now_v7()})).await;
    assert_eq!(
        (stranger.status, stranger.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/workerId".to_owned()])
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
    let j = crate::journeys::journey(
        &admin,
        &json!({"title": "Lifting", "phases": [{"name": "One", "touchpoints": [
            {"contentId": short, "channel": "sms", "experimentId": id}]}]}),
    )
    .await;
    let program = crate::journeys::program(&admin, "Lifting", &[j["id"].as_str().unwrap()], json!({})).await;
    let ids: Vec<&str> = workers.iter().map(|(w, _)| w.as_str()).collect();
    crate::journeys::enrol(&admin, &program, &json!({"workerIds": ids})).await;
    let phones: Vec<&str> = workers.iter().map(|(_, p)| p.as_str()).collect();
    crate::journeys::advance(&admin, &program, &phones, 0).await;

    // Each worker got the content of their variant, the one the experiment assigns them.
    let mut exposed = [0u64; 2];
    for (worker, phone) in &workers {
        let variant = assign(&admin, &id, worker).await["variantIndex"].as_u64().unwrap() as usize;
        exposed[variant] += 1;
        let texts = s.sms_to(phone).await;
        let expected = if variant == 0 { "Short tip\n" } else { "Ana's story\n" };
        assert!(texts.len() == 1 && texts[0].starts_with(expected), "variant {variant}: {texts:?}");
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
