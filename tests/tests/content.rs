//! The content library end to end: every content type created and validated, the workflow with its
//! permissions, versions (one per change, large snapshots in the bucket) and restore, tags and filters,
//! ordered collections, concurrency, and tenant isolation.

use e2e::{Reply, png, stack};
use nudge::auth::SystemRole;
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
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.pointers(), ["/variables/site", "/variables/time"]);

    // Bad input names every field and writes nothing.
    let bad = [
        (
            json!({"type": "quiz", "title": "", "quiz": {"questions": [{"id": "q1", "type": "single_choice", "text": "?",
                  "options": [{"id": "a", "text": "A"}], "correctAnswers": ["z"]}], "passingScore": 9}}),
            vec!["/title", "/quiz/questions/0/correctAnswers/0", "/quiz/questions/0/options"],
        ),
        (
            json!({"type": "quiz", "title": "Q", "quiz": {"questions": [{"id": "q1", "type": "true_false", "text": "?",
                  "correctAnswers": ["true"], "points": 2}], "passingScore": 3, "timeLimit": 0}}),
            vec!["/quiz/passingScore", "/quiz/timeLimit"],
        ),
        (
            json!({"type": "template", "title": "T", "template": {"templateText": "Hi {{name}} {{site}}", "channel": "sms",
                  "variables": [{"name": "name"}]}}),
            vec!["/template/templateText"],
        ),
        (json!({"type": "video", "title": "V", "video": {"mediaAssetId": image["id"]}}), vec!["/video/mediaAssetId"]),
        (
            json!({"type": "text", "title": "T", "text": {"text": "x"}, "quiz": quiz(), "tagIds": [Uuid::now_v7()]}),
            vec!["/quiz"],
        ),
        (json!({"type": "reflection", "title": "R", "reflection": {}}), vec!["/reflection/promptText"]),
    ];
    for (body, pointers) in bad {
        let reply = s.post("/contents", &admin, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["status"], 400);
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
    assert_eq!((unknown.status, unknown.pointers()), (StatusCode::BAD_REQUEST, vec!["/tagIds/0".to_owned()]));
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
    assert_eq!((gone.status, gone.pointers()), (StatusCode::BAD_REQUEST, vec!["/tagIds/1".to_owned()]));
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
    assert_eq!((missing.status, missing.pointers()), (StatusCode::BAD_REQUEST, vec!["/contentId".to_owned()]));
    let far = s.patch(&format!("{items}/{}", ids[0]), &admin, &json!({"order": 9}), None).await;
    assert_eq!((far.status, far.pointers()), (StatusCode::BAD_REQUEST, vec!["/order".to_owned()]));
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
        (StatusCode::BAD_REQUEST, vec!["/contentId".to_owned()])
    );
}
