//! The content library end to end: every content type created and validated, the workflow with its
//! permissions, versions (one per change, large snapshots in the bucket) and restore, tags and filters,
//! ordered collections, concurrency, and tenant isolation.

use e2e::{Reply, png, stack};
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

async fn create(token: &str, body: &Value) -> Reply {
    let reply = stack().post("/contents", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply
}

fn id(reply: &Reply) -> String {
    reply.body["id"].as_str().unwrap_or_default().to_owned()
}

async fn transition(token: &str, content: &str, to: &str) -> Reply {
    stack().post(&format!("/contents/{content}/status"), token, &json!({"status": to})).await
}

async fn count(token: &str, path: &str) -> usize {
    stack().get(path, token).await.body["items"].as_array().map(Vec::len).unwrap_or(usize::MAX)
}

fn quiz() -> Value {
    json!({"questions": [
        {"id": "q1", "type": "single_choice", "text": "Where is the fire exit?",
         "options": [{"id": "a", "text": "Left"}, {"id": "b", "text": "Right"}], "correctAnswers": ["b"], "points": 2},
        {"id": "q2", "type": "multiple_choice", "text": "Which are PPE?",
         "options": [{"id": "a", "text": "Gloves"}, {"id": "b", "text": "Helmet"}, {"id": "c", "text": "Phone"}],
         "correctAnswers": ["a", "b"]},
        {"id": "q3", "type": "true_false", "text": "Report near misses.", "correctAnswers": ["true"]}
    ], "scoringType": "pass_fail", "passingScore": 3, "timeLimit": 300, "maxAttempts": 3})
}

#[tokio::test]
async fn every_type_is_created_and_validated() {
    let s = stack();
    let tenant = s.organization("Content types").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let image = s.upload(&admin, "image", "image/png", "i.png", png(16, 16)).await;
    let mp4 = [b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".as_slice(), &[0u8; 64]].concat();
    let video = s.upload(&admin, "video", "video/mp4", "v.mp4", mp4).await;
    let audio = s
        .upload(&admin, "audio", "audio/mpeg", "a.mp3", [b"ID3\x04\0\0\0\0\0\0".as_slice(), &[0u8; 64]].concat())
        .await;
    let doc = s.upload(&admin, "document", "application/pdf", "d.pdf", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
    for asset in [&image, &video, &audio, &doc] {
        assert_eq!(asset["status"], "ready", "{asset}");
    }
    let bodies = [
        json!({"type": "text", "title": "Welcome", "text": {"text": "Hello team", "formatting": {"bold": [[0, 5]]}}}),
        json!({"type": "image", "title": "Exit map", "image": {"mediaAssetId": image["id"], "altText": "Map", "caption": "Exits"}}),
        json!({"type": "video", "title": "Lifting", "video": {"mediaAssetId": video["id"], "duration": 95, "transcript": "Bend your knees"}}),
        json!({"type": "audio", "title": "Podcast", "audio": {"mediaAssetId": audio["id"], "caption": "Episode 1"}}),
        json!({"type": "document", "title": "Policy", "document": {"mediaAssetId": doc["id"], "description": "2026 policy"}}),
        json!({"type": "quiz", "title": "Safety quiz", "quiz": quiz()}),
        json!({"type": "reflection", "title": "Reflect", "reflection": {"promptText": "What went well?", "guidanceText": "Be specific"}}),
        json!({"type": "template", "title": "Shift SMS", "licenseType": "internal",
               "template": {"templateText": "Hi {{name}}, your shift at {{site}} starts at {{time}}.", "channel": "sms",
                            "variables": [{"name": "name", "description": "First name"}, {"name": "site"}, {"name": "time"}]}}),
    ];
    for body in &bodies {
        let created = create(&admin, body).await;
        let kind = body["type"].as_str().unwrap();
        assert_eq!(
            (created.body["status"].as_str(), created.body["version"].as_u64()),
            (Some("draft"), Some(1)),
            "{kind}"
        );
        assert!(created.body[kind].is_object(), "{kind}: {:?}", created.body);
        assert_eq!(created.header("etag"), Some("\"1\""));
        let read = s.get(&format!("/contents/{}", id(&created)), &admin).await;
        assert_eq!(read.body, created.body, "{kind}");
    }
    let sms = s.get("/contents?type=template", &admin).await;
    let template_id = sms.body["items"][0]["id"].as_str().unwrap().to_owned();
    let template = s.get(&format!("/contents/{template_id}"), &admin).await;
    assert_eq!(
        template.body["template"]["smsSegments"],
        json!({"encoding": "gsm7", "units": 67, "segments": 1}),
        "braces are two septets each"
    );
    // Lists carry summaries, no bodies; each type filter finds its one item.
    let all = s.get("/contents", &admin).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 8);
    assert!(all.body["items"][0].get("text").is_none());
    for body in &bodies {
        assert_eq!(count(&admin, &format!("/contents?type={}", body["type"].as_str().unwrap())).await, 1);
    }

    // Rendering: every variable or an error naming the missing ones, never a blank.
    let render = format!("/contents/{template_id}/render");
    let rendered =
        s.post(&render, &admin, &json!({"variables": {"name": "Ana", "site": "Depot 3", "time": "9:00"}})).await;
    assert_eq!(rendered.body["text"], "Hi Ana, your shift at Depot 3 starts at 9:00.", "{:?}", rendered.body);
    assert_eq!(rendered.body["smsSegments"]["segments"], 1);
    let missing = s.post(&render, &admin, &json!({"variables": {"name": "Ana", "site": " "}})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.pointers(), ["/variables/site", "/variables/time"]);

    // Bad input names every field and writes nothing: a schema error is a 400 (naming the broken rules
    // too), broken rules alone a 422.
    let bad = [
        (
            json!({"type": "quiz", "title": "", "quiz": {"questions": [{"id": "q1", "type": "single_choice", "text": "?",
                  "options": [{"id": "a", "text": "A"}], "correctAnswers": ["z"]}], "passingScore": 9}}),
            StatusCode::BAD_REQUEST,
            vec!["/title", "/quiz/questions/0/correctAnswers/0", "/quiz/questions/0/options"],
        ),
        (
            json!({"type": "quiz", "title": "Q", "quiz": {"questions": [{"id": "q1", "type": "true_false", "text": "?",
                  "correctAnswers": ["true"], "points": 2}], "passingScore": 3, "timeLimit": 0}}),
            StatusCode::BAD_REQUEST,
            vec!["/quiz/passingScore", "/quiz/timeLimit"],
        ),
        (
            json!({"type": "template", "title": "T", "template": {"templateText": "Hi {{name}} {{site}}", "channel": "sms",
                  "variables": [{"name": "name"}]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["/template/templateText"],
        ),
        (
            json!({"type": "video", "title": "V", "video": {"mediaAssetId": image["id"]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["/video/mediaAssetId"],
        ),
        (
            json!({"type": "text", "title": "T", "text": {"text": "x"}, "quiz": quiz(), "tagIds": [Uuid::now_v7()]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["/quiz"],
        ),
        (json!({"type": "quiz", "title": "Q"}), StatusCode::UNPROCESSABLE_ENTITY, vec!["/quiz"]),
        (
            json!({"type": "reflection", "title": "R", "reflection": {}}),
            StatusCode::BAD_REQUEST,
            vec!["/reflection/promptText"],
        ),
    ];
    for (body, status, pointers) in bad {
        let reply = s.post("/contents", &admin, &body).await;
        assert_eq!(reply.status, status, "{body}");
        assert_eq!(reply.body["status"], status.as_u16());
        assert_eq!(reply.header("content-type"), Some("application/problem+json"));
        let mut got = reply.pointers();
        got.sort();
        let mut want: Vec<String> = pointers.into_iter().map(str::to_owned).collect();
        want.sort();
        assert_eq!(got, want, "{body}");
    }
    // An unknown tag is caught by the transaction's check, named, and nothing is written.
    let unknown = s
        .post(
            "/contents",
            &admin,
            &json!({"type": "text", "title": "T", "text": {"text": "x"}, "tagIds": [Uuid::now_v7()]}),
        )
        .await;
    assert_eq!((unknown.status, unknown.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/tagIds/0".to_owned()]));
    assert_eq!(count(&admin, "/contents").await, 8);
}

#[tokio::test]
async fn the_workflow_checks_each_step_and_edits_start_a_new_draft() {
    let s = stack();
    let tenant = s.organization("Content workflow").await;
    let writer = s.tenant(tenant, SystemRole::Contributor);
    let admin = s.tenant(tenant, SystemRole::Admin);
    let reader = s.tenant(tenant, SystemRole::Employee);
    let item = create(&writer, &json!({"type": "text", "title": "Guide", "text": {"text": "v1"}})).await;
    let cid = id(&item);

    assert_eq!(transition(&writer, &cid, "published").await.status, StatusCode::CONFLICT, "no shortcut");
    assert_eq!(transition(&reader, &cid, "review").await.status, StatusCode::FORBIDDEN);
    let review = transition(&writer, &cid, "review").await;
    assert_eq!((review.status, review.body["status"].as_str()), (StatusCode::OK, Some("review")));
    assert_eq!(transition(&writer, &cid, "approved").await.status, StatusCode::FORBIDDEN, "writers do not approve");
    assert_eq!(transition(&admin, &cid, "approved").await.body["status"], "approved");
    assert_eq!(transition(&writer, &cid, "published").await.status, StatusCode::FORBIDDEN, "writers do not publish");
    let published = transition(&admin, &cid, "published").await;
    assert_eq!(
        (published.body["status"].as_str(), published.body["publishedVersion"].as_u64()),
        (Some("published"), Some(4))
    );
    assert_eq!(count(&admin, "/contents?status=published").await, 1);
    assert_eq!(count(&admin, "/contents?status=published&type=text").await, 1);
    assert_eq!(count(&admin, "/contents?status=published&type=quiz").await, 0);

    // Editing published content makes a new draft; the published version stays live.
    let path = format!("/contents/{cid}");
    let edited = s.patch(&path, &writer, &json!({"text": {"text": "v2"}, "changeNote": "typo"}), None).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!((edited.body["status"].as_str(), edited.body["version"].as_u64()), (Some("draft"), Some(5)));
    assert_eq!(edited.body["publishedVersion"], 4);
    let live = s.get(&format!("/contents/{cid}/versions/4"), &reader).await;
    assert_eq!(live.body["snapshot"]["text"]["text"], "v1");
    // Archiving while a version is live needs publish; archived content is reopened before an edit.
    assert_eq!(transition(&writer, &cid, "archived").await.status, StatusCode::FORBIDDEN);
    let archived = transition(&admin, &cid, "archived").await;
    assert_eq!((archived.body["status"].as_str(), archived.body.get("publishedVersion")), (Some("archived"), None));
    assert_eq!(s.patch(&path, &writer, &json!({"title": "x"}), None).await.status, StatusCode::CONFLICT);
    assert_eq!(transition(&writer, &cid, "draft").await.body["status"], "draft");

    let versions = s.get(&format!("/contents/{cid}/versions"), &reader).await;
    let numbers: Vec<u64> =
        versions.body["items"].as_array().unwrap().iter().map(|v| v["versionNumber"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(versions.body["items"][2]["changeNote"], "typo");
    assert!(versions.body["items"][0].get("snapshot").is_none());
    let bad = s.post(&format!("/contents/{cid}/status"), &admin, &json!({"status": "gone", "note": 1})).await;
    assert_eq!(bad.pointers(), ["/status", "/note"]);
}

#[tokio::test]
async fn versions_are_kept_and_restored_and_large_ones_go_to_the_bucket() {
    let s = stack();
    let tenant = s.organization("Content versions").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let big = "Safety first. ".repeat(6_000);
    let item = create(&admin, &json!({"type": "text", "title": "Handbook", "text": {"text": big}})).await;
    let cid = id(&item);
    let path = format!("/contents/{cid}");
    let v2 = s.patch(&path, &admin, &json!({"title": "Handbook v2", "text": {"text": "short"}}), Some("\"1\"")).await;
    assert_eq!(v2.status, StatusCode::OK, "{:?}", v2.body);
    assert_eq!(
        s.patch(&path, &admin, &json!({"title": "stale"}), Some("\"1\"")).await.status,
        StatusCode::PRECONDITION_FAILED
    );

    // Version 1's snapshot (84 KB) lives in the bucket; it reads back whole.
    let one = s.get(&format!("/contents/{cid}/versions/1"), &admin).await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(one.body["snapshot"]["text"]["text"].as_str().map(str::len), Some(big.len()));
    assert_eq!(one.body["changeNote"], "Created");

    let restored = s.post(&format!("/contents/{cid}/versions/1/restore"), &admin, &json!({"changeNote": "undo"})).await;
    assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.body);
    assert_eq!((restored.body["title"].as_str(), restored.body["version"].as_u64()), (Some("Handbook"), Some(3)));
    assert_eq!(restored.body["text"]["text"].as_str().map(str::len), Some(big.len()));
    let three = s.get(&format!("/contents/{cid}/versions/3"), &admin).await;
    assert_eq!(three.body["changeNote"], "Restored version 1: undo");
    assert_eq!(s.get(&format!("/contents/{cid}/versions/9"), &admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/contents/{cid}/versions/x"), &admin).await.status, StatusCode::NOT_FOUND);
    let empty = s.call(Method::POST, &format!("/contents/{cid}/versions/2/restore"), Some(&admin), None, &[]).await;
    assert_eq!((empty.status, empty.body["title"].as_str()), (StatusCode::OK, Some("Handbook v2")));
}

#[tokio::test]
async fn concurrent_edits_lose_nothing() {
    let s = stack();
    let tenant = s.organization("Content concurrency").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let item = create(&admin, &json!({"type": "text", "title": "T", "text": {"text": "x"}})).await;
    let path = format!("/contents/{}", id(&item));
    let patches = [
        json!({"description": "d"}),
        json!({"licenseType": "CC-BY-4.0"}),
        json!({"mediaUrl": "https://example.com/x"}),
        json!({"title": "Title"}),
        json!({"text": {"formatting": {"italic": true}}}),
    ];
    // All at once: each retries on the version it lost to, so every change lands.
    let mut tasks = tokio::task::JoinSet::new();
    for patch in patches {
        let (path, admin) = (path.clone(), admin.clone());
        tasks.spawn(async move { stack().patch(&path, &admin, &patch, None).await.status });
    }
    let statuses = tasks.join_all().await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    let last = s.get(&path, &admin).await;
    assert_eq!(last.body["version"], 6);
    assert_eq!((last.body["description"].as_str(), last.body["licenseType"].as_str()), (Some("d"), Some("CC-BY-4.0")));
    assert_eq!(
        (last.body["mediaUrl"].as_str(), last.body["title"].as_str()),
        (Some("https://example.com/x"), Some("Title"))
    );
    assert_eq!(last.body["text"], json!({"text": "x", "formatting": {"italic": true}}));
    assert_eq!(count(&admin, &format!("{path}/versions")).await, 6);
}

#[tokio::test]
async fn tags_filter_content_and_are_unique() {
    let s = stack();
    let tenant = s.organization("Content tags").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let safety = s.post("/tags", &admin, &json!({"name": "Fire Safety", "color": "#FF0000"})).await;
    assert_eq!((safety.status, safety.body["color"].as_str()), (StatusCode::CREATED, Some("#ff0000")));
    let dup = s.post("/tags", &admin, &json!({"name": "  fire   safety "})).await;
    assert_eq!((dup.status, dup.pointers()), (StatusCode::CONFLICT, vec!["/name".to_owned()]));
    let onboarding = s.post("/tags", &admin, &json!({"name": "Onboarding"})).await;
    let (t1, t2) = (id(&safety), id(&onboarding));
    let a = create(&admin, &json!({"type": "text", "title": "A", "tagIds": [t1], "text": {"text": "a"}})).await;
    let b = create(
        &admin,
        &json!({"type": "reflection", "title": "B", "tagIds": [t1, t2], "reflection": {"promptText": "?"}}),
    )
    .await;
    assert_eq!(count(&admin, &format!("/contents?tag={t1}")).await, 2);
    assert_eq!(count(&admin, &format!("/contents?tag={t2}")).await, 1);
    assert_eq!(count(&admin, &format!("/contents?tag={t1}&type=text")).await, 1);
    assert_eq!(count(&admin, &format!("/contents?tag={t1}&status=draft")).await, 2);
    assert_eq!(count(&admin, &format!("/contents?tag={t1}&status=review")).await, 0);
    // A tag's copy follows the content: the title changes there too.
    s.patch(&format!("/contents/{}", id(&a)), &admin, &json!({"title": "A2"}), None).await;
    let tagged = s.get(&format!("/contents?tag={t1}&type=text"), &admin).await;
    assert_eq!(tagged.body["items"][0]["title"], "A2");
    let names: Vec<String> = s.get("/tags", &admin).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Fire Safety", "Onboarding"]);

    // Renaming keeps uniqueness; a tag in use is not deleted.
    assert_eq!(
        s.patch(&format!("/tags/{t2}"), &admin, &json!({"name": "FIRE SAFETY"}), None).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        s.patch(&format!("/tags/{t2}"), &admin, &json!({"name": "Induction"}), None).await.body["name"],
        "Induction"
    );
    assert_eq!(s.delete(&format!("/tags/{t2}"), &admin).await.status, StatusCode::CONFLICT);
    s.patch(&format!("/contents/{}", id(&b)), &admin, &json!({"tagIds": [t1]}), None).await;
    assert_eq!(count(&admin, &format!("/contents?tag={t2}")).await, 0);
    assert_eq!(s.delete(&format!("/tags/{t2}"), &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        s.post("/tags", &admin, &json!({"name": "Induction"})).await.status,
        StatusCode::CREATED,
        "the name is free again"
    );
    let gone = s.patch(&format!("/contents/{}", id(&b)), &admin, &json!({"tagIds": [t1, t2]}), None).await;
    assert_eq!((gone.status, gone.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/tagIds/1".to_owned()]));
}

#[tokio::test]
async fn collections_keep_a_dense_stable_order() {
    let s = stack();
    let tenant = s.organization("Content collections").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(id(&create(&admin, &json!({"type": "text", "title": format!("C{n}"), "text": {"text": "x"}})).await));
    }
    let coll = s.post("/collections", &admin, &json!({"name": "Week 1", "description": "Start here"})).await;
    assert_eq!(coll.status, StatusCode::CREATED);
    let items = format!("/collections/{}/items", id(&coll));
    for c in &ids[..3] {
        assert_eq!(s.post(&items, &admin, &json!({"contentId": c})).await.status, StatusCode::CREATED);
    }
    let first = s.post(&items, &admin, &json!({"contentId": ids[3], "order": 0})).await;
    assert_eq!(first.body["order"], 0);
    let order = |reply: &Reply| -> Vec<String> {
        reply.body["items"].as_array().unwrap().iter().map(|i| i["contentId"].as_str().unwrap().to_owned()).collect()
    };
    let listed = s.get(&items, &admin).await;
    assert_eq!(order(&listed), [ids[3].as_str(), &ids[0], &ids[1], &ids[2]]);
    let moved = s.patch(&format!("{items}/{}", ids[3]), &admin, &json!({"order": 3}), None).await;
    assert_eq!(order(&moved), [ids[0].as_str(), &ids[1], &ids[2], &ids[3]]);
    let orders: Vec<u64> =
        moved.body["items"].as_array().unwrap().iter().map(|i| i["order"].as_u64().unwrap()).collect();
    assert_eq!(orders, [0, 1, 2, 3]);
    assert_eq!(s.delete(&format!("{items}/{}", ids[1]), &admin).await.status, StatusCode::NO_CONTENT);
    let after = s.get(&items, &admin).await;
    assert_eq!(order(&after), [ids[0].as_str(), &ids[2], &ids[3]]);
    assert_eq!(after.body["items"][2]["order"], 2);

    assert_eq!(s.post(&items, &admin, &json!({"contentId": ids[0]})).await.status, StatusCode::CONFLICT);
    let missing = s.post(&items, &admin, &json!({"contentId": Uuid::now_v7()})).await;
    assert_eq!((missing.status, missing.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/contentId".to_owned()]));
    // Beyond this collection's end breaks a rule; beyond any collection's is a schema error.
    let far = s.patch(&format!("{items}/{}", ids[0]), &admin, &json!({"order": 9}), None).await;
    assert_eq!((far.status, far.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/order".to_owned()]));
    let farther = s.patch(&format!("{items}/{}", ids[0]), &admin, &json!({"order": 500}), None).await;
    assert_eq!((farther.status, farther.pointers()), (StatusCode::BAD_REQUEST, vec!["/order".to_owned()]));
    // One content in many collections.
    let other = s.post("/collections", &admin, &json!({"name": "Favourites"})).await;
    assert_eq!(
        s.post(&format!("/collections/{}/items", id(&other)), &admin, &json!({"contentId": ids[0]})).await.status,
        StatusCode::CREATED
    );
    let view = s.get(&format!("/collections/{}", id(&coll)), &admin).await;
    assert_eq!((view.body["itemCount"].as_u64(), view.body["name"].as_str()), (Some(3), Some("Week 1")));
    assert_eq!(count(&admin, "/collections").await, 2);
}

#[tokio::test]
async fn another_tenant_sees_nothing() {
    let s = stack();
    let (ta, tb) = (s.organization("Content A").await, s.organization("Content B").await);
    let (a, b) = (s.tenant(ta, SystemRole::Admin), s.tenant(tb, SystemRole::Admin));
    let tag = id(&s.post("/tags", &a, &json!({"name": "Private"})).await);
    let item = id(&create(&a, &json!({"type": "text", "title": "Mine", "tagIds": [tag], "text": {"text": "x"}})).await);
    let coll = id(&s.post("/collections", &a, &json!({"name": "Mine"})).await);
    for path in [
        format!("/contents/{item}"),
        format!("/contents/{item}/versions"),
        format!("/contents/{item}/versions/1"),
        format!("/tags/{tag}"),
        format!("/collections/{coll}"),
        format!("/collections/{coll}/items"),
    ] {
        assert_eq!(s.get(&path, &b).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        s.patch(&format!("/contents/{item}"), &b, &json!({"title": "x"}), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(transition(&b, &item, "review").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.post(&format!("/contents/{item}/versions/1/restore"), &b, &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&format!("/tags/{tag}"), &b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&format!("/collections/{coll}"), &b).await.status, StatusCode::NOT_FOUND);
    for path in ["/contents", "/tags", "/collections"] {
        assert_eq!(count(&b, path).await, 0, "{path}");
    }
    assert_eq!(count(&b, &format!("/contents?tag={tag}")).await, 0);
    // Tenant A's tag and content are unknown to B's writes.
    let foreign_tag =
        s.post("/contents", &b, &json!({"type": "text", "title": "T", "tagIds": [tag], "text": {"text": "x"}})).await;
    assert_eq!(foreign_tag.pointers(), ["/tagIds/0"]);
    let theirs = id(&s.post("/collections", &b, &json!({"name": "Theirs"})).await);
    let foreign_item = s.post(&format!("/collections/{theirs}/items"), &b, &json!({"contentId": item})).await;
    assert_eq!(
        (foreign_item.status, foreign_item.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/contentId".to_owned()])
    );
}

/// The snapshot objects stored under a content item's prefix in the bucket.
async fn snapshot_objects(tenant: Uuid, content: &str) -> Vec<String> {
    let s = stack();
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let listed = nudge_core::objects::Objects::client(&sdk)
        .list_objects_v2()
        .bucket(&s.resources.bucket)
        .prefix(format!("tenants/{tenant}/content/{content}/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("listing snapshots: {e}"));
    listed.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
}

fn content_ids(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|i| i["contentId"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn deleting_content_clears_everything_that_belongs_to_it() {
    let s = stack();
    let (tenant, other_tenant) = (s.organization("Content deletion").await, s.organization("Content deletion B").await);
    let admin = s.tenant(tenant, SystemRole::Admin);
    let writer = s.tenant(tenant, SystemRole::Contributor);
    let stranger = s.tenant(other_tenant, SystemRole::Admin);
    let image = s.upload(&admin, "image", "image/png", "map.png", png(16, 16)).await;
    let asset = format!("/media-assets/{}", image["id"].as_str().unwrap());
    let (t1, t2) = (
        id(&s.post("/tags", &admin, &json!({"name": "Maps"})).await),
        id(&s.post("/tags", &admin, &json!({"name": "Depot"})).await),
    );
    let item = create(
        &writer,
        &json!({"type": "image", "title": "Exit map", "tagIds": [t1, t2], "image": {"mediaAssetId": image["id"]}}),
    )
    .await;
    let cid = id(&item);
    let path = format!("/contents/{cid}");
    assert_eq!(s.patch(&path, &writer, &json!({"title": "Exit map v2"}), None).await.status, StatusCode::OK);
    assert_eq!(transition(&writer, &cid, "review").await.status, StatusCode::OK);
    assert_eq!(transition(&writer, &cid, "draft").await.status, StatusCode::OK);
    // In two collections, between other content.
    let mut others = Vec::new();
    for n in 0..3 {
        others
            .push(id(&create(&admin, &json!({"type": "text", "title": format!("O{n}"), "text": {"text": "x"}})).await));
    }
    let (week, faves) = (
        id(&s.post("/collections", &admin, &json!({"name": "Week 1"})).await),
        id(&s.post("/collections", &admin, &json!({"name": "Favourites"})).await),
    );
    for (coll, members) in [(&week, [&others[0], &cid, &others[1]].as_slice()), (&faves, &[&cid, &others[2]])] {
        for c in members {
            let added = s.post(&format!("/collections/{coll}/items"), &admin, &json!({"contentId": c})).await;
            assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
        }
    }
    assert_eq!(s.delete(&asset, &admin).await.status, StatusCode::CONFLICT, "the content uses the asset");

    // Another tenant's DELETE is a 404 and changes nothing; a stale If-Match is a 412.
    assert_eq!(s.delete(&path, &stranger).await.status, StatusCode::NOT_FOUND);
    let stale = s.call(Method::DELETE, &path, Some(&writer), None, &[("if-match", "\"1\"")]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let before = s.get(&path, &admin).await;
    assert_eq!((before.status, before.body["version"].as_u64()), (StatusCode::OK, Some(4)));
    assert_eq!(count(&admin, &format!("/collections/{week}/items")).await, 3);

    let deleted = s.call(Method::DELETE, &path, Some(&writer), None, &[("if-match", "\"4\"")]).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    for gone in [path.clone(), format!("{path}/versions"), format!("{path}/versions/1"), format!("{path}/versions/4")] {
        assert_eq!(s.get(&gone, &admin).await.status, StatusCode::NOT_FOUND, "{gone}");
    }
    for tag in [&t1, &t2] {
        assert_eq!(count(&admin, &format!("/contents?tag={tag}")).await, 0);
    }
    assert_eq!(count(&admin, "/contents?type=image").await, 0);
    assert_eq!(count(&admin, "/contents?status=draft").await, 3);
    // Both collections close the gap and count right.
    let week_items = s.get(&format!("/collections/{week}/items"), &admin).await;
    assert_eq!(content_ids(&week_items), [others[0].as_str(), &others[1]]);
    let orders: Vec<u64> =
        week_items.body["items"].as_array().unwrap().iter().map(|i| i["order"].as_u64().unwrap()).collect();
    assert_eq!(orders, [0, 1]);
    assert_eq!(content_ids(&s.get(&format!("/collections/{faves}/items"), &admin).await), [others[2].as_str()]);
    for (coll, n) in [(&week, 2), (&faves, 1)] {
        assert_eq!(s.get(&format!("/collections/{coll}"), &admin).await.body["itemCount"], n);
    }
    // Nothing uses the asset or the tags any more.
    assert_eq!(s.delete(&asset, &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.delete(&format!("/tags/{t2}"), &admin).await.status, StatusCode::NO_CONTENT);
    // A second DELETE finds nothing; restoring a version of it is a 404 too.
    assert_eq!(s.delete(&path, &writer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.post(&format!("{path}/versions/1/restore"), &admin, &json!({})).await.status, StatusCode::NOT_FOUND);
    // The other tenant's view was never touched either way.
    assert_eq!(count(&stranger, "/contents").await, 0);
}

#[tokio::test]
async fn published_content_is_archived_before_it_is_deleted() {
    let s = stack();
    let tenant = s.organization("Content deletion rules").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let writer = s.tenant(tenant, SystemRole::Contributor);
    let reader = s.tenant(tenant, SystemRole::Employee);
    let cid = id(&create(&writer, &json!({"type": "text", "title": "Policy", "text": {"text": "v1"}})).await);
    let path = format!("/contents/{cid}");
    for (who, to) in [(&writer, "review"), (&admin, "approved"), (&admin, "published")] {
        assert_eq!(transition(who, &cid, to).await.status, StatusCode::OK, "{to}");
    }
    let live = s.delete(&path, &admin).await;
    assert_eq!(live.status, StatusCode::CONFLICT);
    assert_eq!(live.header("content-type"), Some("application/problem+json"));
    assert!(live.body["detail"].as_str().unwrap_or_default().contains("archive it first"), "{:?}", live.body);
    // An edit makes a draft, but the published version is still live.
    assert_eq!(s.patch(&path, &writer, &json!({"title": "Policy 2"}), None).await.status, StatusCode::OK);
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::CONFLICT);
    let archived = transition(&admin, &cid, "archived").await;
    assert_eq!(archived.status, StatusCode::OK);
    assert!(archived.body["lastPublishedAt"].is_string(), "{:?}", archived.body);
    // What workers were sent is a publisher's to erase, even reopened as a draft.
    assert_eq!(s.delete(&path, &reader).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.delete(&path, &writer).await.status, StatusCode::FORBIDDEN);
    assert_eq!(transition(&writer, &cid, "draft").await.status, StatusCode::OK);
    assert_eq!(s.delete(&path, &writer).await.status, StatusCode::FORBIDDEN);
    assert_eq!(transition(&writer, &cid, "archived").await.status, StatusCode::OK);
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
    // Never published: a writer deletes it in any status that is not live.
    for steps in [&[][..], &["review"][..], &["review", "approved"][..], &["archived"][..]] {
        let other = id(&create(&writer, &json!({"type": "text", "title": "Draft", "text": {"text": "x"}})).await);
        for to in steps {
            let who = if *to == "approved" { &admin } else { &writer };
            assert_eq!(transition(who, &other, to).await.status, StatusCode::OK, "{to}");
        }
        assert_eq!(s.delete(&format!("/contents/{other}"), &writer).await.status, StatusCode::NO_CONTENT, "{steps:?}");
    }
    assert_eq!(count(&admin, "/contents").await, 0);
}

#[tokio::test]
async fn a_deleted_contents_snapshots_leave_the_bucket_and_an_interrupted_delete_is_finished() {
    let s = stack();
    let tenant = s.organization("Content deletion snapshots").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let big = |word: &str| word.repeat(12_000);
    let cid =
        id(&create(&admin, &json!({"type": "text", "title": "Handbook", "text": {"text": big("Safety. ")}})).await);
    let path = format!("/contents/{cid}");
    s.patch(&path, &admin, &json!({"text": {"text": big("Care. ")}}), None).await;
    s.patch(&path, &admin, &json!({"title": "Short", "text": {"text": "short"}}), None).await;
    assert_eq!(snapshot_objects(tenant, &cid).await.len(), 2, "versions 1 and 2 are in the bucket");
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(snapshot_objects(tenant, &cid).await, Vec::<String>::new());

    // A deletion that stopped after its first step (the item gone, versions and snapshots left) is
    // invisible, and the next DELETE finishes it.
    let coll = id(&s.post("/collections", &admin, &json!({"name": "Reading"})).await);
    let cid = id(&create(&admin, &json!({"type": "text", "title": "Manual", "text": {"text": big("Lift. ")}})).await);
    let items = format!("/collections/{coll}/items");
    assert_eq!(s.post(&items, &admin, &json!({"contentId": cid})).await.status, StatusCode::CREATED);
    let ctx = s.ctx().await;
    let (t, _) = nudge_core::objects::ObjectKey::parse(&format!("tenants/{tenant}/x")).unwrap();
    let id_ = Uuid::parse_str(&cid).unwrap();
    let current = nudge_content::repo::get(&ctx.store, &t, id_).await.unwrap().unwrap();
    let record = nudge_content::repo::Deletion {
        content_id: id_,
        version: current.version,
        deleted_by_id: Uuid::now_v7(),
        deleted_at: chrono::Utc::now(),
    };
    nudge_content::repo::delete(&ctx.store, &t, &current, &record).await.unwrap();
    let path = format!("/contents/{cid}");
    for gone in [path.clone(), format!("{path}/versions"), format!("{path}/versions/1")] {
        assert_eq!(s.get(&gone, &admin).await.status, StatusCode::NOT_FOUND, "{gone}");
    }
    assert_eq!(snapshot_objects(tenant, &cid).await.len(), 1);
    let stale = s.call(Method::DELETE, &path, Some(&admin), None, &[("if-match", "\"7\"")]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NO_CONTENT, "the retry finishes the job");
    assert_eq!(snapshot_objects(tenant, &cid).await, Vec::<String>::new());
    assert_eq!(count(&admin, &items).await, 0);
    assert_eq!(
        nudge_content::repo::version(&ctx.store, &t, id_, 1).await.unwrap().map(|v| v.version.version_number),
        None
    );
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NOT_FOUND, "then it is gone");
}

#[tokio::test]
async fn edits_racing_a_delete_leave_nothing_behind() {
    let s = stack();
    let tenant = s.organization("Content deletion race").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mut tags = Vec::new();
    for name in ["Red", "Blue"] {
        tags.push(id(&s.post("/tags", &admin, &json!({"name": name})).await));
    }
    let big = "Stack pallets low. ".repeat(4_000);
    let cid = id(&create(&admin, &json!({"type": "text", "title": "Pallets", "text": {"text": big}})).await);
    let path = format!("/contents/{cid}");
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..6 {
        let (path, admin) = (path.clone(), admin.clone());
        let patch =
            json!({"title": format!("Pallets {n}"), "tagIds": [tags[n % 2]], "text": {"text": format!("{n} {big}")}});
        tasks.spawn(async move { stack().patch(&path, &admin, &patch, None).await.status });
    }
    let (path2, admin2) = (path.clone(), admin.clone());
    tasks.spawn(async move { stack().delete(&path2, &admin2).await.status });
    let statuses = tasks.join_all().await;
    assert!(
        statuses.iter().all(|s| [StatusCode::OK, StatusCode::NO_CONTENT, StatusCode::NOT_FOUND].contains(s)),
        "{statuses:?}"
    );
    if !statuses.contains(&StatusCode::NO_CONTENT) {
        assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(s.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("{path}/versions"), &admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(snapshot_objects(tenant, &cid).await, Vec::<String>::new(), "no snapshot is left behind");
    for tag in &tags {
        assert_eq!(count(&admin, &format!("/contents?tag={tag}")).await, 0);
        assert_eq!(s.delete(&format!("/tags/{tag}"), &admin).await.status, StatusCode::NO_CONTENT);
    }
}
