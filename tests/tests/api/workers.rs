//! Workers end to end: the full model through the API, merge patches with If-Match, deactivation, the
//! supervisor hierarchy with cycle refusal, list filters served by index entries, uniqueness of phone and
//! external id, links to user accounts, concurrency, deletion without orphans, and tenant isolation.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{Reply, stack};
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn create(token: &str, body: Value) -> Value {
    let reply = stack().post("/workers", token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn names(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|w| w["fullName"].as_str().unwrap().to_owned()).collect()
}

/// A phone number nobody else in the suite uses: US numbers 202-555-01xx are fictional, so vary the
/// exchange-free London range instead.
fn phone(n: u32) -> String {
    format!("+44 20 7946 {:04}", n % 10000)
}

async fn items_of(pk: String, prefix: &str) -> Vec<std::collections::HashMap<String, AttributeValue>> {
    let s = stack();
    let ddb = aws_sdk_dynamodb::Client::new(&nudge_local::emulator::sdk_config(&s.endpoint).await);
    let query = ddb.query().table_name(&s.resources.table).expression_attribute_values(":pk", AttributeValue::S(pk));
    let query = if prefix.is_empty() {
        query.key_condition_expression("pk = :pk")
    } else {
        query
            .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
            .expression_attribute_values(":sk", AttributeValue::S(prefix.to_owned()))
    };
    let out = query.send().await.unwrap();
    out.items.unwrap_or_default()
}

fn shard(id: &str) -> String {
    format!("{:x}", Uuid::parse_str(id).unwrap().as_u128() & 0xf)
}

#[tokio::test]
async fn the_full_model_round_trips_and_changes_by_merge_patch() {
    let s = stack();
    let tenant = s.organization("Workers model").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let body = json!({
        "externalId": "EMP-1", "firstName": "Ana", "lastName": "Silva", "dateOfBirth": "1990-04-01",
        "gender": "female", "tags": ["Night Shift", "forklift"], "customFields": {"badge": "B-12"},
        "performanceMetric": 82.5,
        "contact": {"primaryPhoneNumber": phone(1001), "whatsappOptInStatus": "opted_in", "preferredLanguage": "pt-BR",
                    "communicationConsent": true, "emailAddress": "Ana@Example.com", "locationCity": "Lisbon",
                    "locationCountry": "PT"},
        "employment": {"jobTitle": "Picker", "department": "Warehouse", "team": "A", "hireDate": "2021-03-01",
                       "employmentType": "full_time"},
        "engagement": {"lastActiveAt": "2026-11-01T10:00:00Z"},
        "wellbeing": {"overallWellbeingScore": 64, "lastWellbeingAssessmentDate": "2026-10-01T00:00:00Z"},
        "gamification": {"pointsBalance": 120, "badgesEarnedCount": 3}
    });
    // The points are the XP ledger's: a new worker starts at 0, and no document sets them.
    let points = s.post("/workers", &admin, &body).await;
    assert_eq!(
        (points.status, points.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/gamification/pointsBalance".to_owned()])
    );
    let mut body = body;
    body["gamification"]["pointsBalance"] = json!(0);
    let reply = s.post("/workers", &admin, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let w = reply.body.clone();
    let wid = id(&w);
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(reply.header("location"), Some(format!("/workers/{wid}").as_str()));
    assert_eq!(w["fullName"], "Ana Silva");
    assert_eq!(w["contact"]["primaryPhoneNumber"], "+442079461001");
    assert_eq!(w["contact"]["emailAddress"], "ana@example.com");
    assert_eq!(w["employment"]["employmentStatus"], "active");
    assert_eq!((w["isActive"].as_bool(), w["gamification"]["pointsBalance"].as_i64()), (Some(true), Some(0)));
    assert!(w["contact"]["createdAt"].is_string() && w["employment"]["updatedAt"].is_string());

    // One partition holds the worker and its five records.
    let items = items_of(format!("T#{tenant}#WORKERS#{}", shard(&wid)), &wid).await;
    assert_eq!(items.len(), 6, "{items:?}");
    let read = s.get(&format!("/workers/{wid}"), &admin).await;
    assert_eq!((read.status, &read.body), (StatusCode::OK, &w));

    // Merge patch into a record; a stale If-Match is refused.
    let path = format!("/workers/{wid}");
    let patched = s.patch(&path, &admin, &json!({"employment": {"team": "B"}, "tags": ["Day"]}), Some("\"1\"")).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(
        (patched.body["employment"]["team"].as_str(), patched.body["employment"]["department"].as_str()),
        (Some("B"), Some("Warehouse"))
    );
    assert_eq!(patched.body["contact"]["updatedAt"], w["contact"]["updatedAt"], "unchanged records keep their time");
    assert_eq!(patched.header("etag"), Some("\"2\""));
    let stale = s.patch(&path, &admin, &json!({"firstName": "Anna"}), Some("\"1\"")).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    // A patch may repeat the points, not move them.
    let same = s.patch(&path, &admin, &json!({"gamification": {"pointsBalance": 0}}), None).await;
    assert_eq!(same.status, StatusCode::OK, "{:?}", same.body);
    let moved = s.patch(&path, &admin, &json!({"gamification": {"pointsBalance": 50}}), None).await;
    assert_eq!(
        (moved.status, moved.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/gamification/pointsBalance".to_owned()])
    );

    // Deactivation needs a reason; reactivation clears it.
    let no_reason = s.post(&format!("{path}/deactivate"), &admin, &json!({})).await;
    assert_eq!(
        (no_reason.status, no_reason.pointers()),
        (StatusCode::BAD_REQUEST, vec!["/deactivationReason".to_owned()])
    );
    // Through a patch the body fits its schema and the fields disagree: a rule, 422.
    let via_patch = s.patch(&path, &admin, &json!({"isActive": false}), None).await;
    assert_eq!(
        (via_patch.status, via_patch.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/deactivationReason".to_owned()])
    );
    let off = s.post(&format!("{path}/deactivate"), &admin, &json!({"deactivationReason": "end_of_contract"})).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(
        (off.body["isActive"].as_bool(), off.body["deactivationReason"].as_str()),
        (Some(false), Some("end_of_contract"))
    );
    let on = s.post(&format!("{path}/reactivate"), &admin, &json!({})).await;
    assert_eq!((on.body["isActive"].as_bool(), on.body.get("deactivationReason")), (Some(true), None));

    // Removing the contact record deletes its item and frees the phone number.
    let no_contact = s.patch(&path, &admin, &json!({"contact": null}), None).await;
    assert!(no_contact.body.get("contact").is_none(), "{:?}", no_contact.body);
    let items = items_of(format!("T#{tenant}#WORKERS#{}", shard(&wid)), &wid).await;
    assert_eq!(items.len(), 5);
    create(&admin, json!({"firstName": "New", "lastName": "Owner", "contact": {"primaryPhoneNumber": phone(1001)}}))
        .await;
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let s = stack();
    let tenant = s.organization("Workers input").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let bad = json!({"lastName": "", "gender": "robot", "tags": "x", "performanceMetric": 500, "nickname": "z",
                     "contact": {"primaryPhoneNumber": "12345"}, "employment": {"hireDate": "yesterday"},
                     "wellbeing": {"overallWellbeingScore": 101}});
    let reply = s.post("/workers", &admin, &bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    let mut pointers = reply.pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/contact/primaryPhoneNumber",
            "/employment/hireDate",
            "/firstName",
            "/gender",
            "/lastName",
            "/nickname",
            "/performanceMetric",
            "/tags",
            "/wellbeing/overallWellbeingScore"
        ]
    );
    assert!(names(&s.get("/workers", &admin).await).is_empty());
    assert!(items_of(format!("T#{tenant}#WORKER-PHONES"), "").await.is_empty());
    // Bad list parameters are named too.
    let reply = s.get("/workers?isActive=maybe&employmentStatus=retired&colour=red", &admin).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn phone_numbers_and_external_ids_are_unique_per_tenant() {
    let s = stack();
    let (a, b) = (s.organization("Unique A").await, s.organization("Unique B").await);
    let (admin_a, admin_b) = (s.tenant(a, SystemRole::Admin), s.tenant(b, SystemRole::Admin));
    create(&admin_a, json!({"firstName": "A", "lastName": "One", "externalId": "X-1", "contact": {"primaryPhoneNumber": phone(2001)}})).await;
    // The same number written differently is the same number.
    let dup = s
        .post(
            "/workers",
            &admin_a,
            &json!({"firstName": "B", "lastName": "Two", "contact": {"primaryPhoneNumber": "0044 (20) 7946-2001"}}),
        )
        .await;
    assert_eq!((dup.status, dup.pointers()), (StatusCode::CONFLICT, vec!["/contact/primaryPhoneNumber".to_owned()]));
    let dup = s.post("/workers", &admin_a, &json!({"firstName": "B", "lastName": "Two", "externalId": "X-1"})).await;
    assert_eq!((dup.status, dup.pointers()), (StatusCode::CONFLICT, vec!["/externalId".to_owned()]));
    assert_eq!(names(&s.get("/workers", &admin_a).await), ["A One"]);
    // Another tenant may use both.
    create(&admin_b, json!({"firstName": "C", "lastName": "Three", "externalId": "X-1", "contact": {"primaryPhoneNumber": phone(2001)}})).await;
}

#[tokio::test]
async fn a_worker_links_to_one_user_of_its_organization() {
    let s = stack();
    let tenant = s.organization("Workers linked").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let user = s.member(tenant, "employee").await.id;
    let first = id(&create(&admin, json!({"firstName": "Lia", "lastName": "First", "userId": user})).await);
    let first_path = format!("/workers/{first}");
    let read = s.get(&first_path, &admin).await;
    assert_eq!((read.status, read.body["userId"].as_str()), (StatusCode::OK, Some(user.to_string().as_str())));
    assert_eq!(names(&s.get(&format!("/workers?userId={user}"), &admin).await), ["Lia First"]);

    // The user is the first worker's: a second worker cannot hold it, created or patched.
    let taken = s.post("/workers", &admin, &json!({"firstName": "Lia", "lastName": "Second", "userId": user})).await;
    assert_eq!((taken.status, taken.pointers()), (StatusCode::CONFLICT, vec!["/userId".to_owned()]));
    let second = id(&create(&admin, json!({"firstName": "Lia", "lastName": "Second"})).await);
    let second_path = format!("/workers/{second}");
    let taken = s.patch(&second_path, &admin, &json!({"userId": user}), None).await;
    assert_eq!((taken.status, taken.pointers()), (StatusCode::CONFLICT, vec!["/userId".to_owned()]));
    let stranger = s.patch(&second_path, &admin, &json!({"userId": Uuid::now_v7()}), None).await;
    assert_eq!((stranger.status, stranger.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/userId".to_owned()]));

    // Unlinking frees the user for another worker.
    let cleared = s.patch(&first_path, &admin, &json!({"userId": null}), None).await;
    assert_eq!((cleared.status, cleared.body.get("userId")), (StatusCode::OK, None), "{:?}", cleared.body);
    let moved = s.patch(&second_path, &admin, &json!({"userId": user}), None).await;
    assert_eq!((moved.status, moved.body["userId"].as_str()), (StatusCode::OK, Some(user.to_string().as_str())));
    assert_eq!(names(&s.get(&format!("/workers?userId={user}"), &admin).await), ["Lia Second"]);

    // Deleting the linked worker frees the user too, guard and all.
    assert_eq!(s.delete(&second_path, &admin).await.status, StatusCode::NO_CONTENT);
    assert!(items_of(format!("T#{tenant}#WORKER-USERS"), &user.to_string()).await.is_empty());
    let third = create(&admin, json!({"firstName": "Lia", "lastName": "Third", "userId": user})).await;
    assert_eq!(third["userId"].as_str(), Some(user.to_string().as_str()));

    // Another organization's admin cannot link their own worker to this organization's user.
    let other = s.tenant(s.organization("Workers linked other").await, SystemRole::Admin);
    let theirs = s.post("/workers", &other, &json!({"firstName": "Not", "lastName": "Lia", "userId": user})).await;
    assert_eq!((theirs.status, theirs.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/userId".to_owned()]));
    let theirs = id(&create(&other, json!({"firstName": "Not", "lastName": "Lia"})).await);
    let refused = s.patch(&format!("/workers/{theirs}"), &other, &json!({"userId": user}), None).await;
    assert_eq!((refused.status, refused.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/userId".to_owned()]));
}

#[tokio::test]
async fn the_hierarchy_refuses_cycles_and_survives_deletion() {
    let s = stack();
    let tenant = s.organization("Hierarchy").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let top = id(&create(&admin, json!({"firstName": "Top", "lastName": "Boss"})).await);
    let mid = id(&create(&admin, json!({"firstName": "Mid", "lastName": "Lead", "supervisorId": top})).await);
    let low = id(&create(&admin, json!({"firstName": "Low", "lastName": "Hand", "supervisorId": mid})).await);

    let chain = s.get(&format!("/workers/{low}/supervisors"), &admin).await;
    let chain_ids: Vec<&str> =
        chain.body["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(chain_ids, [mid.as_str(), top.as_str()]);
    assert_eq!(names(&s.get(&format!("/workers/{top}/supervisees"), &admin).await), ["Mid Lead"]);
    assert_eq!(names(&s.get(&format!("/workers?supervisorId={mid}"), &admin).await), ["Low Hand"]);

    for (who, sup) in [(&top, &low), (&top, &mid), (&mid, &mid)] {
        let reply = s.patch(&format!("/workers/{who}"), &admin, &json!({"supervisorId": sup}), None).await;
        assert_eq!(
            (reply.status, reply.pointers()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["/supervisorId".to_owned()]),
            "{who} -> {sup}"
        );
    }
    // A supervisor of another tenant is no worker of this one.
    let other = s.organization("Hierarchy other").await;
    let foreign = id(&create(&s.tenant(other, SystemRole::Admin), json!({"firstName": "F", "lastName": "X"})).await);
    let reply = s.patch(&format!("/workers/{low}"), &admin, &json!({"supervisorId": foreign}), None).await;
    assert_eq!((reply.status, reply.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/supervisorId".to_owned()]));

    // Deleting the middle manager leaves its reports without a supervisor (cleared in the background,
    // from the delete's outbox entry), and no item of it behind.
    let other_low = id(&create(&admin, json!({"firstName": "Other", "lastName": "Hand", "supervisorId": mid})).await);
    assert_eq!(s.delete(&format!("/workers/{mid}"), &admin).await.status, StatusCode::NO_CONTENT);
    for report in [&low, &other_low] {
        let path = format!("/workers/{report}");
        let now =
            s.eventually(&path, &admin, "loses its deleted supervisor", |w| w.get("supervisorId").is_none()).await;
        assert_eq!(now["version"], 2, "cleared once: {now}");
    }
    assert!(items_of(format!("T#{tenant}#WORKERS#{}", shard(&mid)), &mid).await.is_empty());
    assert!(names(&s.get(&format!("/workers?supervisorId={mid}"), &admin).await).is_empty());
    assert_eq!(s.get(&format!("/workers/{mid}"), &admin).await.status, StatusCode::NOT_FOUND);
    assert!(s.get(&format!("/workers/{mid}/supervisors"), &admin).await.status == StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_are_served_by_indexes_and_paginate() {
    let s = stack();
    let tenant = s.organization("Workers filters").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let rows = [
        ("Ana", "Silva", "Warehouse", "A", vec!["night"], true, "opted_in"),
        ("Bruno", "Costa", "Warehouse", "B", vec!["day"], true, "pending"),
        ("Carla", "Souza", "Retail", "A", vec!["night", "forklift"], false, "opted_out"),
        ("Anabel", "Reis", "Retail", "C", vec![], true, "opted_in"),
        ("Diego", "Anders", "Office", "C", vec!["Night"], true, "pending"),
    ];
    for (i, (first, last, dept, team, tags, active, opt_in)) in rows.iter().enumerate() {
        let mut body = json!({"firstName": first, "lastName": last, "tags": tags,
            "employment": {"department": dept, "team": team},
            "contact": {"primaryPhoneNumber": phone(3000 + i as u32), "whatsappOptInStatus": opt_in}});
        if !active {
            body["isActive"] = json!(false);
            body["deactivationReason"] = json!("redundancy");
        }
        create(&admin, body).await;
    }
    let q = |query: &str| format!("/workers?{query}");
    assert_eq!(
        names(&s.get(&q(""), &admin).await),
        ["Diego Anders", "Bruno Costa", "Anabel Reis", "Ana Silva", "Carla Souza"]
    );
    assert_eq!(names(&s.get(&q("department=warehouse"), &admin).await), ["Bruno Costa", "Ana Silva"]);
    assert_eq!(names(&s.get(&q("team=A"), &admin).await), ["Ana Silva", "Carla Souza"]);
    assert_eq!(names(&s.get(&q("tag=NIGHT"), &admin).await), ["Diego Anders", "Ana Silva", "Carla Souza"]);
    assert_eq!(names(&s.get(&q("isActive=false"), &admin).await), ["Carla Souza"]);
    assert_eq!(
        names(&s.get(&q("employmentStatus=active&isActive=true&whatsappOptInStatus=opted_in"), &admin).await),
        ["Anabel Reis", "Ana Silva"]
    );
    assert_eq!(names(&s.get(&q("name=an"), &admin).await), ["Ana Silva", "Anabel Reis", "Diego Anders"]);
    assert_eq!(names(&s.get(&q("name=an&tag=night"), &admin).await), ["Ana Silva", "Diego Anders"]);
    assert_eq!(names(&s.get(&q("department=Retail&isActive=true"), &admin).await), ["Anabel Reis"]);

    // Pages of two, in order, with nothing lost or repeated.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => q(&format!("limit=2&cursor={c}")),
            None => q("limit=2"),
        };
        let page = s.get(&path, &admin).await;
        seen.extend(names(&page));
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["Diego Anders", "Bruno Costa", "Anabel Reis", "Ana Silva", "Carla Souza"]);

    // Another tenant sees none of them, and a cursor of this tenant is no cursor of another.
    let other = s.tenant(s.organization("Workers filters other").await, SystemRole::Admin);
    assert!(names(&s.get(&q("department=warehouse"), &other).await).is_empty());
    let page = s.get(&q("limit=2"), &admin).await;
    let c = page.body["nextCursor"].as_str().unwrap();
    assert_eq!(s.get(&q(&format!("limit=2&cursor={c}")), &other).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_tenants_worker_is_not_found_and_permissions_hold() {
    let s = stack();
    let (a, b) = (s.organization("Iso A").await, s.organization("Iso B").await);
    let admin_a = s.tenant(a, SystemRole::Admin);
    let admin_b = s.tenant(b, SystemRole::Admin);
    let wid = id(&create(&admin_a, json!({"firstName": "Only", "lastName": "Mine"})).await);
    let path = format!("/workers/{wid}");
    assert_eq!(s.get(&path, &admin_b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.patch(&path, &admin_b, &json!({"firstName": "X"}), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&path, &admin_b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.post(&format!("{path}/deactivate"), &admin_b, &json!({"deactivationReason": "other"})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.get(&format!("{path}/supervisees"), &admin_b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("{path}/supervisors"), &admin_b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.post(&format!("{path}/reactivate"), &admin_b, &json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/workers/not-a-uuid", &admin_a).await.status, StatusCode::NOT_FOUND);
    let viewer = s.tenant(a, SystemRole::Viewer);
    assert_eq!(s.get(&path, &viewer).await.status, StatusCode::OK);
    assert_eq!(
        s.post("/workers", &viewer, &json!({"firstName": "N", "lastName": "O"})).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn concurrent_patches_lose_no_update() {
    let s = stack();
    let tenant = s.organization("Workers race").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let wid = id(&create(&admin, json!({"firstName": "Race", "lastName": "Car"})).await);
    let path = format!("/workers/{wid}");
    let writers = (0..8).map(|i| {
        let (path, admin) = (path.clone(), admin.clone());
        async move { s.patch(&path, &admin, &json!({"customFields": {format!("k{i}"): i}}), None).await.status }
    });
    let statuses = futures_util::future::join_all(writers).await;
    assert!(statuses.iter().all(|st| *st == StatusCode::OK), "{statuses:?}");
    let last = s.get(&path, &admin).await;
    let custom = last.body["customFields"].as_object().unwrap();
    assert_eq!(custom.len(), 8, "{custom:?}");
    assert_eq!(last.body["version"], 9);
}
