//! Cross-cutting behaviour end to end: authentication, health, the OpenAPI document, template routes,
//! idempotency keys, and the dev server's SQS event-source stand-in.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::QueueAttributeName;
use e2e::stack;
use nudge_core::auth::SystemRole;
use nudge_core::auth::claims::Claims;
use nudge_core::queue::Consumer;
use nudge_local::devkeys::{AUDIENCE, DevKeys, ISSUER};
use nudge_local::queues::Poller;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

fn claims(tenant: Uuid) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: Uuid::now_v7().to_string(),
        tid: Some(tenant),
        role: "admin".into(),
        perms: vec!["organization:read".into()],
        sid: None,
        mfa_enrol: false,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: now + 600,
        iat: now,
        jti: Uuid::new_v4().to_string(),
    }
}

#[tokio::test]
async fn bad_tokens_are_401() {
    let s = stack();
    let tenant = s.organization("Auth").await;
    let issuer = s.keys.issuer().unwrap();
    let foreign = DevKeys::generate().unwrap().issuer().unwrap();
    let expired = Claims { exp: chrono::Utc::now().timestamp() - 3600, ..claims(tenant) };
    let wrong_iss = Claims { iss: "someone-else".into(), ..claims(tenant) };
    let wrong_aud = Claims { aud: "other-api".into(), ..claims(tenant) };
    let cases = [
        ("no token", None),
        ("garbage", Some("not-a-jwt".to_owned())),
        ("foreign key", Some(foreign.sign(&claims(tenant)).unwrap())),
        ("expired", Some(issuer.sign(&expired).unwrap())),
        ("issuer", Some(issuer.sign(&wrong_iss).unwrap())),
        ("audience", Some(issuer.sign(&wrong_aud).unwrap())),
    ];
    for (case, token) in cases {
        let r = s.call(Method::GET, "/organization", token.as_deref(), None, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{case}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{case}");
    }
    let good = s.call(Method::GET, "/organization", Some(&issuer.sign(&claims(tenant)).unwrap()), None, &[]).await;
    assert_eq!(good.status, StatusCode::OK);
}

#[tokio::test]
async fn health_and_openapi_need_no_token() {
    let s = stack();
    let health = s.call(Method::GET, "/health", None, None, &[]).await;
    assert_eq!((health.status, health.body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let doc = s.call(Method::GET, "/openapi.json", None, None, &[]).await;
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    // Every HTTP route template.yaml gives API Gateway is documented, but the meta function's own: health,
    // the document, and the reference over it.
    for route in &s.resources.routes {
        if route.path == "/health" || route.path == "/openapi.json" || route.path.starts_with("/docs") {
            continue;
        }
        let op = &doc.body["paths"][&route.path][route.method.to_lowercase()];
        assert!(op.is_object(), "{} {} missing from the OpenAPI document", route.method, route.path);
    }
    let unknown = s.call(Method::GET, "/nowhere", None, None, &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.header("content-type"), Some("application/problem+json"));
}

/// The dev server serves each route template.yaml declares (a protected route without a token is 401,
/// not the 404 of an unknown path).
/// The README promises 400 for unknown query parameters: the query guard holds every route to its
/// document, so routes without parameters refuse any, and lists refuse what they do not filter by.
#[tokio::test]
async fn undeclared_query_parameters_are_400_naming_each() {
    let s = stack();
    let tenant = s.organization("Query guard").await;
    let token = s.tenant(tenant, SystemRole::Owner);
    for path in ["/organization?x=1", "/roles?debug", "/me?expand=all&x=", "/segments/fields?x=1"] {
        let reply = s.get(path, &token).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}: {:?}", reply.body);
        assert!(reply.body["errors"][0]["parameter"].is_string(), "{path}: {:?}", reply.body);
    }
    let reply = s.get("/me?expand=all&x=1", &token).await;
    let named: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().filter_map(|e| e["parameter"].as_str()).collect();
    assert_eq!(named, ["expand", "x"]);
    let reply = s.get("/workers?limit=5&colour=red", &token).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    // Declared parameters pass; so does a query with none.
    assert_eq!(s.get("/workers?limit=5&department=Sales", &token).await.status, StatusCode::OK);
    assert_eq!(s.get("/organization", &token).await.status, StatusCode::OK);
    // A write with an undeclared parameter writes nothing.
    let reply = s.post("/tags?force=1", &token, &json!({"name": "guarded"})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    let tags = s.get("/tags", &token).await;
    assert_eq!(tags.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn every_template_route_is_served() {
    let s = stack();
    assert!(s.resources.routes.len() >= 9);
    for route in &s.resources.routes {
        let path = route.path.replace("{id}", &Uuid::now_v7().to_string()).replace("{asset+}", "assets/swagger-ui.css");
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        // As a browser asks: the public pages (a worker's touchpoint, a certificate's verification) answer an
        // unknown link or code with a page saying so: served, and 404.
        let r = s.call(method, &path, None, None, &[("accept", "text/html, application/json;q=0.9")]).await;
        let page = r.header("content-type").is_some_and(|t| t.starts_with("text/html"));
        assert!(r.status != StatusCode::NOT_FOUND || page, "{} {} is not served", route.method, route.path);
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{} {}", route.method, route.path);
    }
}

#[tokio::test]
async fn idempotency_keys_replay_reject_and_serialize() {
    let s = stack();
    let admin = s.platform();
    let key = Uuid::new_v4().to_string();
    let body = json!({"name": "Once", "type": "client", "slug": format!("once-{}", Uuid::new_v4().simple())});
    let headers = [("idempotency-key", key.as_str())];
    let first = s.call(Method::POST, "/organizations", Some(&admin), Some(&body), &headers).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = s.call(Method::POST, "/organizations", Some(&admin), Some(&body), &headers).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], first.body["id"], "the first response, replayed");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("etag"), first.header("etag"));
    let changed = json!({"name": "Twice", "type": "client"});
    let other = s.call(Method::POST, "/organizations", Some(&admin), Some(&changed), &headers).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_key = s.call(Method::POST, "/organizations", Some(&admin), Some(&body), &[("idempotency-key", "")]).await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);

    // The key is the caller's: another tenant's identical key is a different record.
    let a = s.organization("Idem A").await;
    let b = s.organization("Idem B").await;
    let shared = Uuid::new_v4().to_string();
    let patch_like = json!({"name": "New org", "type": "client"});
    for tenant in [a, b] {
        // Tenant tokens may not create organizations; the 403 is recorded per tenant and replayed.
        let t = s.tenant(tenant, SystemRole::Admin);
        let r =
            s.call(Method::POST, "/organizations", Some(&t), Some(&patch_like), &[("idempotency-key", &shared)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.header("idempotent-replayed").is_none(), "no record leaks across tenants");
    }
    // Nor across the members of one tenant: a member's key never replays another member's answer.
    let members = [s.tenant(a, SystemRole::Admin), s.tenant(a, SystemRole::Admin)];
    let worker = json!({"firstName": "Idem", "lastName": "Potent"});
    let shared = Uuid::new_v4().to_string();
    let mut ids = Vec::new();
    for t in &members {
        let r = s.call(Method::POST, "/workers", Some(t), Some(&worker), &[("idempotency-key", &shared)]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert!(r.header("idempotent-replayed").is_none(), "no record leaks across users");
        ids.push(r.body["id"].clone());
    }
    assert_ne!(ids[0], ids[1]);

    // Concurrent retries of one request create one organization.
    let key = Uuid::new_v4().to_string();
    let body = json!({"name": "Race", "type": "client", "slug": format!("race-{}", Uuid::new_v4().simple())});
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (admin, key, body) = (admin.clone(), key.clone(), body.clone());
            tokio::spawn(async move {
                stack()
                    .call(Method::POST, "/organizations", Some(&admin), Some(&body), &[("idempotency-key", &key)])
                    .await
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => {
                ids.insert(r.body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}: {:?}", r.body),
        }
    }
    assert_eq!(ids.len(), 1, "exactly one organization was created");
}

async fn queue_attribute(sqs: &aws_sdk_sqs::Client, url: &str, name: QueueAttributeName) -> String {
    let out = sqs.get_queue_attributes().queue_url(url).attribute_names(name.clone()).send().await.unwrap();
    out.attributes().and_then(|a| a.get(&name).cloned()).unwrap_or_default()
}

/// The queue poller delivers real SQS events, deletes what succeeded, redelivers what the consumer named in
/// batchItemFailures, and lets the redrive policy move a poison message to the DLQ.
#[tokio::test]
async fn queue_poller_honours_partial_batch_failures() {
    let s = stack();
    let sqs = aws_sdk_sqs::Client::new(&nudge_local::emulator::sdk_config(&s.endpoint).await);
    // A fresh queue with a short visibility timeout and a DLQ after 2 receives, as the template's queues.
    let dlq = sqs.create_queue().queue_name(format!("dlq-{}", Uuid::new_v4().simple())).send().await.unwrap();
    let dlq_url = dlq.queue_url().unwrap().to_owned();
    let dlq_arn = queue_attribute(&sqs, &dlq_url, QueueAttributeName::QueueArn).await;
    let queue = sqs
        .create_queue()
        .queue_name(format!("q-{}", Uuid::new_v4().simple()))
        .attributes(QueueAttributeName::VisibilityTimeout, "1")
        .attributes(
            QueueAttributeName::RedrivePolicy,
            json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}).to_string(),
        )
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap().to_owned();
    for body in ["ok-1", "ok-2", "poison"] {
        sqs.send_message().queue_url(&url).message_body(body).send().await.unwrap();
    }
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let handler: Consumer = Arc::new(move |event: SqsEvent, _deadline| {
        let log = log.clone();
        Box::pin(async move {
            let mut failures = Vec::new();
            for record in event.records {
                let body = record.body.unwrap_or_default();
                assert_eq!(record.event_source.as_deref(), Some("aws:sqs"));
                if body == "poison" {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = record.message_id.unwrap_or_default();
                    failures.push(failure);
                }
                log.lock().unwrap().push(body);
            }
            let mut response = SqsBatchResponse::default();
            response.batch_item_failures = failures;
            response
        })
    });
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let poller =
        Poller { sqs: sqs.clone(), queue_url: url.clone(), queue_arn: "arn:test".into(), batch_size: 10, handler };
    let task = tokio::spawn(poller.run(stop_rx));
    let mut in_dlq = 0;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        in_dlq = queue_attribute(&sqs, &dlq_url, QueueAttributeName::ApproximateNumberOfMessages)
            .await
            .parse::<u32>()
            .unwrap_or(0);
        if in_dlq == 1 {
            break;
        }
    }
    let _ = stop.send(true);
    let consumed = task.await.unwrap();
    assert_eq!(consumed, 2, "the two good messages were deleted once each");
    assert_eq!(in_dlq, 1, "the poison message reached the DLQ");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.iter().filter(|b| *b == "ok-1").count(), 1, "{seen:?}");
    assert!(seen.iter().filter(|b| *b == "poison").count() >= 2, "redelivered: {seen:?}");
}
