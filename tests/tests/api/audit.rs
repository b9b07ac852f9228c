//! The audit log end to end: mutations of the organizations function recorded by the core crate's layer,
//! read back through `GET /audit-log` with its filters and pagination, tenant isolation, permissions, and
//! what is not recorded (refused mutations, idempotent replays).

use e2e::{Reply, Stack, stack};
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use uuid::Uuid;

const AGENT: &str = "nudge-e2e/1.0 (audit)";

/// A token for a known user, so entries can be checked against their actor.
fn token(s: &Stack, user: Uuid, tenant: Option<Uuid>, role: SystemRole) -> String {
    s.keys
        .issuer()
        .and_then(|i| {
            i.issue(user, tenant, role, chrono::Duration::minutes(10))
                .map_err(|e| nudge_local::LocalError::Setup(e.to_string()))
        })
        .unwrap_or_else(|e| panic!("token: {e}"))
}

/// A request as a browser behind a proxy would send it.
async fn send(s: &Stack, method: Method, path: &str, token: &str, body: Option<&Value>) -> Reply {
    let headers = [("user-agent", AGENT), ("x-forwarded-for", "198.51.100.9, 10.0.0.1")];
    s.call(method, path, Some(token), body, &headers).await
}

async fn log(s: &Stack, token: &str, query: &str) -> Reply {
    s.get(&format!("/audit-log?{query}"), token).await
}

/// The entries of a query, newest first.
async fn entries(s: &Stack, token: &str, query: &str) -> Vec<Value> {
    let page = log(s, token, &format!("{query}&limit=100")).await;
    assert_eq!(page.status, StatusCode::OK, "{query}: {:?}", page.body);
    page.body["items"].as_array().cloned().unwrap_or_default()
}

/// Every entry of a query, read one per page through the cursors.
async fn all_pages(s: &Stack, token: &str, query: &str) -> Vec<Value> {
    s.all_pages(&format!("/audit-log?{query}"), token, 1).await
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|e| e["id"].as_str().unwrap_or_default().to_owned()).collect()
}

fn error_parameters(reply: &Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["parameter"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn mutations_are_recorded_in_the_right_log_with_who_what_and_where() {
    let s = stack();
    let operator = Uuid::now_v7();
    let platform = token(s, operator, None, SystemRole::PlatformAdmin);
    let slug = format!("audited-{}", Uuid::new_v4().simple());
    let body = json!({"name": "Audited", "type": "client", "slug": slug});
    let created = send(s, Method::POST, "/organizations", &platform, Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let org = created.body["id"].as_str().unwrap().to_owned();

    // The tenant admin's patch goes to the tenant's log.
    let admin_user = Uuid::now_v7();
    let admin = token(s, admin_user, Some(Uuid::parse_str(&org).unwrap()), SystemRole::Admin);
    let patch = json!({"description": "Audited stores", "settings": {"tz": "UTC"}});
    let patched = send(s, Method::PATCH, "/organization", &admin, Some(&patch)).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);

    let tenant_log = entries(s, &admin, "").await;
    assert_eq!(tenant_log.len(), 1, "only the patch is the tenant's: {tenant_log:?}");
    let e = &tenant_log[0];
    assert_eq!(e["action"], "organization.updated");
    assert_eq!(e["entityType"], "organization");
    assert_eq!(e["entityId"], org.as_str());
    assert_eq!(e["actorId"], admin_user.to_string());
    assert_eq!(e["metadata"], patch, "a PATCH records its merge patch: what changed");
    assert_eq!(e["status"], 200);
    assert_eq!((e["userAgent"].as_str(), e["ip"].as_str()), (Some(AGENT), Some("198.51.100.9")));
    assert!(e["requestId"].as_str().is_some_and(|r| !r.is_empty()), "{e}");
    let time = chrono::DateTime::parse_from_rfc3339(e["time"].as_str().unwrap()).unwrap();
    assert!((chrono::Utc::now() - time.with_timezone(&chrono::Utc)).num_seconds() < 60);
    assert!(Uuid::parse_str(e["id"].as_str().unwrap()).is_ok());

    // The platform admin's create, edit and delete go to the platform log, with the same detail.
    let path = format!("/organizations/{org}");
    let renamed = send(s, Method::PATCH, &path, &platform, Some(&json!({"name": "Audited Retail"}))).await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(send(s, Method::DELETE, &path, &platform, None).await.status, StatusCode::NO_CONTENT);
    let platform_log = entries(s, &s.platform(), &format!("entityType=organization&entityId={org}")).await;
    let actions: Vec<_> = platform_log.iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
    assert_eq!(actions, ["organization.deleted", "organization.updated", "organization.created"]);
    let create = &platform_log[2];
    assert_eq!(create["actorId"], operator.to_string());
    assert_eq!(create["metadata"], body);
    assert_eq!((create["status"].as_u64(), create["userAgent"].as_str()), (Some(201), Some(AGENT)));
    assert_eq!(platform_log[1]["metadata"], json!({"name": "Audited Retail"}));
    assert_eq!(platform_log[0]["metadata"], Value::Null);
    assert!(platform_log.iter().all(|e| e["entityId"] == org.as_str() && e["actorId"] == operator.to_string()));
}

/// The log is kept for ever, so a worker's personal data is masked in it: an auditor sees which fields a
/// request set, and only enough of an email or phone number to tell them apart.
#[tokio::test]
async fn personal_fields_are_masked_in_the_log() {
    let s = stack();
    let org = s.organization("Audit personal").await;
    let admin = s.tenant(org, SystemRole::Admin);
    let worker = json!({
        "firstName": "Ann", "lastName": "Lee", "dateOfBirth": "1990-04-01", "tags": ["night"],
        "customFields": {"badge": "B-17"},
        "contact": {"primaryPhoneNumber": "+14155552671", "emailAddress": "ann.lee@example.com"},
    });
    let created = s.post("/workers", &admin, &worker).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let logged = entries(s, &admin, &format!("entityType=worker&entityId={id}")).await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    let personal = nudge_core::audit::PERSONAL;
    assert_eq!(
        logged[0]["metadata"],
        json!({
            "firstName": personal, "lastName": personal, "dateOfBirth": personal, "tags": ["night"],
            "customFields": {"badge": personal},
            "contact": {"primaryPhoneNumber": "•••2671", "emailAddress": "a•••@example.com"},
        })
    );
    let text = logged[0].to_string();
    assert!(!text.contains("ann.lee") && !text.contains("4155552671") && !text.contains("Lee"), "{text}");
}

#[tokio::test]
async fn time_actor_and_entity_filters_work_and_paginate() {
    let s = stack();
    let org = s.organization("Filtered").await;
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let first_token = token(s, first, Some(org), SystemRole::Admin);
    let second_token = token(s, second, Some(org), SystemRole::Owner);
    for (i, t) in [&first_token, &second_token, &first_token].into_iter().enumerate() {
        let r = send(s, Method::PATCH, "/organization", t, Some(&json!({"description": format!("edit {i}")}))).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // Distinct milliseconds, so the time-range checks below have exact answers.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let reader = token(s, Uuid::now_v7(), Some(org), SystemRole::Hr);
    let everything = entries(s, &reader, "").await;
    assert_eq!(everything.len(), 3);
    let descriptions: Vec<_> = everything.iter().map(|e| e["metadata"]["description"].as_str().unwrap()).collect();
    assert_eq!(descriptions, ["edit 2", "edit 1", "edit 0"], "newest first");

    // One per page through the cursors: every entry once, in the same order.
    assert_eq!(ids(&all_pages(s, &reader, "").await), ids(&everything));

    // By actor (gsi1), paginated.
    let by_first = all_pages(s, &reader, &format!("actorId={first}")).await;
    assert_eq!(ids(&by_first), ids(&[everything[0].clone(), everything[2].clone()]));
    assert_eq!(entries(s, &reader, &format!("actorId={}", Uuid::now_v7())).await.len(), 0);

    // By entity (gsi2), alone and with an actor.
    let entity = format!("entityType=organization&entityId={org}");
    assert_eq!(ids(&all_pages(s, &reader, &entity).await), ids(&everything));
    let by_both = all_pages(s, &reader, &format!("{entity}&actorId={second}")).await;
    assert_eq!(ids(&by_both), ids(&everything[1..2]));
    assert!(entries(s, &reader, &format!("entityType=organization&entityId={}", Uuid::now_v7())).await.is_empty());
    assert_eq!(entries(s, &reader, "entityType=organization").await.len(), 3);
    assert!(entries(s, &reader, "entityType=user").await.is_empty());
    let typed_by_actor = all_pages(s, &reader, &format!("entityType=organization&actorId={first}")).await;
    assert_eq!(ids(&typed_by_actor), ids(&by_first));

    // By time: both ends inclusive, to the millisecond.
    let middle = everything[1]["time"].as_str().unwrap();
    let until = entries(s, &reader, &format!("to={middle}")).await;
    assert_eq!(ids(&until), ids(&everything[1..]));
    let since = all_pages(s, &reader, &format!("from={middle}")).await;
    assert_eq!(ids(&since), ids(&everything[..2]));
    let exactly = entries(s, &reader, &format!("from={middle}&to={middle}")).await;
    assert_eq!(ids(&exactly), ids(&everything[1..2]));
    let before = entries(s, &reader, "from=2020-01-01T00:00:00Z&to=2020-12-31T00:00:00Z").await;
    assert!(before.is_empty());
}

#[tokio::test]
async fn bad_parameters_are_400_and_disagreeing_ones_422_naming_each() {
    let s = stack();
    let org = s.organization("Bad params").await;
    let admin = s.tenant(org, SystemRole::Admin);
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    const RULE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    let cases = [
        ("from=yesterday", BAD, vec!["from"]),
        ("to=2026-02-30T00:00:00Z", BAD, vec!["to"]),
        ("from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z", RULE, vec!["from"]),
        ("actorId=bob", BAD, vec!["actorId"]),
        ("entityId=x", RULE, vec!["entityId"]),
        ("from=x&actorId=y", BAD, vec!["from", "actorId"]),
        ("actorId=y&entityId=x", BAD, vec!["actorId", "entityId"]),
        ("cursor=forged.cursor.x", BAD, vec!["cursor"]),
        ("limit=0", BAD, vec!["limit"]),
        ("tenantId=x", BAD, vec!["tenantId"]),
    ];
    for (query, status, expected) in cases {
        let r = log(s, &admin, query).await;
        assert_eq!(r.status, status, "{query}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(error_parameters(&r), expected, "{query}: {:?}", r.body);
    }
}

#[tokio::test]
async fn tenants_never_see_each_others_entries() {
    let s = stack();
    let (a, b) = (s.organization("Audit A").await, s.organization("Audit B").await);
    let a_admin = s.tenant(a, SystemRole::Admin);
    let b_admin = s.tenant(b, SystemRole::Owner);
    for i in 0..2 {
        let r = s.patch("/organization", &a_admin, &json!({"description": format!("A {i}")}), None).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(s.patch("/organization", &b_admin, &json!({"description": "B"}), None).await.status, StatusCode::OK);

    let b_log = entries(s, &b_admin, "").await;
    assert_eq!(b_log.len(), 1);
    assert_eq!(b_log[0]["entityId"], b.to_string());
    // Naming A's organization from B reads B's log only: nothing.
    assert!(entries(s, &b_admin, &format!("entityType=organization&entityId={a}")).await.is_empty());
    assert!(entries(s, &b_admin, "entityType=organization").await.iter().all(|e| e["entityId"] == b.to_string()));
    // The platform log does not hold tenants' own acts either.
    let platform = entries(s, &s.platform(), &format!("entityType=organization&entityId={a}")).await;
    let actions: Vec<_> = platform.iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
    assert_eq!(actions, ["organization.created"]);

    // A's cursor is A's: for B it is a 400, not a page of A.
    let a_page = log(s, &a_admin, "limit=1").await;
    let cursor = a_page.body["nextCursor"].as_str().unwrap_or_else(|| panic!("{:?}", a_page.body)).to_owned();
    let stolen = log(s, &b_admin, &format!("limit=1&cursor={cursor}")).await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_parameters(&stolen), ["cursor"]);
    // Nor does it serve another query, or another window, of A's own log.
    let other_query = log(s, &a_admin, &format!("limit=1&cursor={cursor}&entityType=organization")).await;
    assert_eq!(other_query.status, StatusCode::BAD_REQUEST);
    let edited_window = format!("1{cursor}");
    assert_eq!(log(s, &a_admin, &format!("limit=1&cursor={edited_window}")).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(log(s, &a_admin, &format!("limit=1&cursor={cursor}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn only_roles_with_audit_read_read_the_log() {
    let s = stack();
    let org = s.organization("Audit roles").await;
    for role in SystemRole::ALL.into_iter().filter(|r| *r != SystemRole::PlatformAdmin) {
        let r = log(s, &s.tenant(org, role), "").await;
        let may = role.permissions().contains(&"audit:read");
        assert_eq!(r.status, if may { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role}");
    }
    for role in [SystemRole::Viewer, SystemRole::Employee, SystemRole::Manager] {
        let r = log(s, &s.tenant(org, role), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    assert_eq!(s.call(Method::GET, "/audit-log", None, None, &[]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(log(s, &s.platform(), "").await.status, StatusCode::OK, "a platform admin reads the platform log");
}

#[tokio::test]
async fn refused_mutations_write_nothing() {
    let s = stack();
    let org = s.organization("Refused").await;
    let admin = s.tenant(org, SystemRole::Admin);
    let viewer = s.tenant(org, SystemRole::Viewer);
    let refused = [
        s.patch("/organization", &admin, &json!({"name": ""}), None).await.status,
        s.patch("/organization", &admin, &json!({"name": "Stale"}), Some("\"9\"")).await.status,
        s.patch("/organization", &admin, &json!({"type": "expert"}), None).await.status,
        s.patch("/organization", &viewer, &json!({"name": "Viewer"}), None).await.status,
        s.post("/organizations", &admin, &json!({"name": "Not mine", "type": "client"})).await.status,
        s.delete(&format!("/organizations/{org}"), &admin).await.status,
        s.call(Method::PATCH, "/organization", None, Some(&json!({"name": "Anon"})), &[]).await.status,
    ];
    assert_eq!(
        refused.map(|status| status.as_u16()),
        [400, 412, 403, 403, 403, 403, 401],
        "every one of these is refused"
    );
    assert!(entries(s, &admin, "").await.is_empty(), "a refused mutation changed nothing and records nothing");
    assert_eq!(s.patch("/organization", &admin, &json!({"name": "Accepted"}), None).await.status, StatusCode::OK);
    assert_eq!(entries(s, &admin, "").await.len(), 1);
}

#[tokio::test]
async fn an_idempotent_replay_is_recorded_once() {
    let s = stack();
    let admin = s.platform();
    let key = Uuid::new_v4().to_string();
    let body = json!({"name": "Once", "type": "client", "slug": format!("audit-once-{}", Uuid::new_v4().simple())});
    let headers = [("idempotency-key", key.as_str())];
    let first = s.call(Method::POST, "/organizations", Some(&admin), Some(&body), &headers).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = s.call(Method::POST, "/organizations", Some(&admin), Some(&body), &headers).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    let id = first.body["id"].as_str().unwrap();
    let recorded = entries(s, &admin, &format!("entityType=organization&entityId={id}")).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0]["action"], "organization.created");
    let unique: HashSet<_> = ids(&recorded).into_iter().collect();
    assert_eq!(unique.len(), 1);
}
