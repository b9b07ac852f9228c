//! Learning end to end (authoring so far): a module with a cover, categories, tags and a mentor; sections
//! added, sanitised, reordered and removed with a dense order; an attachment through the media pipeline;
//! prerequisites that refuse a cycle by name; publication with its changelog; own-module rights; tenant
//! isolation.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

async fn module(token: &str, body: Value) -> Value {
    let created = stack().post("/modules", token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

async fn section(token: &str, module: &str, body: Value) -> Value {
    let created = stack().post(&format!("/modules/{module}/sections"), token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

fn orders(sections: &Value) -> Vec<(String, u64)> {
    sections
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["title"].as_str().unwrap().to_owned(), s["sortOrder"].as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_module_is_authored_with_ordered_clean_sections_and_published_with_its_changelog() {
    let s = stack();
    let tenant = s.organization("Learning authoring").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mentor = s.member(tenant, "manager").await;
    let cover = s.upload(&admin, "image", "image/png", "cover.png", e2e::png(8, 8)).await;
    let pdf = s.upload(&admin, "document", "application/pdf", "guide.pdf", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
    let category = s.post("/module-categories", &admin, &json!({"name": "Safety"})).await.body;
    let tag = s.post("/tags", &admin, &json!({"name": "Forklift"})).await.body;

    // Every bad reference named at once.
    let stranger = uuid::Uuid::now_v7();
    let bad = s
        .post(
            "/modules",
            &admin,
            &json!({"title": "Lifting", "coverImage": id(&pdf), "categoryId": stranger,
                "tagIds": [id(&tag), stranger], "mentorIds": [stranger], "prerequisiteIds": [stranger]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", bad.body);
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/categoryId", "/coverImage", "/mentorIds/0", "/prerequisiteIds/0", "/tagIds/1"]);

    let m = module(
        &admin,
        json!({"title": "Safe lifting", "description": "Backs last a lifetime", "difficulty": "BEGINNER",
            "coverImage": id(&cover), "categoryId": id(&category), "tagIds": [id(&tag)],
            "mentorIds": [mentor.id], "validityMonths": 12}),
    )
    .await;
    let mid = id(&m);
    assert_eq!((m["status"].as_str(), m["publishedVersion"].as_u64()), (Some("DRAFT"), Some(0)));

    // Sections: HTML kept to the allow-list, placed where asked, renumbered densely.
    let intro = section(
        &admin,
        &mid,
        json!({"title": "Intro", "content": "<p onclick=\"x()\">Bend <b>knees</b><script>alert(1)</script></p>"}),
    )
    .await;
    assert_eq!(intro["content"], "<p>Bend <b>knees</b></p>");
    let guide = section(
        &admin,
        &mid,
        json!({"title": "Guide", "type": "ATTACHMENT",
            "attachments": [{"fileName": "guide.pdf", "assetId": id(&pdf), "fileType": "PDF"}]}),
    )
    .await;
    section(&admin, &mid, json!({"title": "Warm-up", "position": 0})).await;
    let listed = s.get(&format!("/modules/{mid}/sections"), &admin).await.body;
    assert_eq!(orders(&listed), [("Warm-up".into(), 1), ("Intro".into(), 2), ("Guide".into(), 3)]);
    let ids: Vec<String> = listed.as_array().unwrap().iter().map(id).collect();
    let reordered = s
        .call(
            Method::PUT,
            &format!("/modules/{mid}/section-order"),
            Some(&admin),
            Some(&json!({"sectionIds": [ids[2], ids[0], ids[1]]})),
            &[],
        )
        .await;
    assert_eq!(reordered.status, StatusCode::OK, "{:?}", reordered.body);
    assert_eq!(orders(&reordered.body), [("Guide".into(), 1), ("Warm-up".into(), 2), ("Intro".into(), 3)]);
    let missing = s
        .call(
            Method::PUT,
            &format!("/modules/{mid}/section-order"),
            Some(&admin),
            Some(&json!({"sectionIds": [ids[0]]})),
            &[],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", missing.body);
    assert_eq!(s.delete(&format!("/modules/{mid}/sections/{}", ids[0]), &admin).await.status, StatusCode::NO_CONTENT);
    let body = s.get(&format!("/modules/{mid}"), &admin).await.body;
    assert_eq!(orders(&body["sections"]), [("Guide".into(), 1), ("Intro".into(), 2)]);
    assert_eq!(body["sections"][0]["attachments"][0]["assetId"], guide["attachments"][0]["assetId"]);
    // An asset a section shows cannot be deleted.
    let gone = s.delete(&format!("/media-assets/{}", id(&pdf)), &admin).await;
    assert!(gone.status.is_client_error(), "{:?}", gone.body);

    // Publication: version 1, then a change asks for a summary, version 2 records it.
    let first = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["module"]["publishedVersion"], 1);
    let edited = s.patch(&format!("/modules/{mid}"), &admin, &json!({"title": "Safe lifting, revised"}), None).await;
    assert_eq!(edited.body["draftChanged"], true, "{:?}", edited.body);
    let silent = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({})).await;
    assert_eq!(
        (silent.status, silent.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/changeSummary".to_owned()])
    );
    let second = s.post(&format!("/modules/{mid}/publish"), &admin, &json!({"changeSummary": "A new title"})).await;
    assert_eq!(second.body["module"]["publishedVersion"], 2, "{:?}", second.body);
    let log = s.get(&format!("/modules/{mid}/changelog"), &admin).await.body;
    let summaries: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["changeSummary"].as_str().unwrap()).collect();
    assert_eq!(summaries, ["A new title", "First publication"]);

    // Another organization sees none of it.
    let other = s.tenant(s.organization("Learning outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/modules/{mid}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/modules/{mid}/sections"), &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn prerequisites_never_close_a_cycle_and_contributors_change_only_their_own_modules() {
    let s = stack();
    let tenant = s.organization("Learning graph").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let a = id(&module(&admin, json!({"title": "A"})).await);
    let b = id(&module(&admin, json!({"title": "B", "prerequisiteIds": [a]})).await);
    let c = id(&module(&admin, json!({"title": "C", "prerequisiteIds": [b]})).await);
    let cycle = s.patch(&format!("/modules/{a}"), &admin, &json!({"prerequisiteIds": [c]}), None).await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", cycle.body);
    assert_eq!(cycle.pointers(), ["/prerequisiteIds/0"]);
    assert!(cycle.body.to_string().contains("A → C → B → A"), "{:?}", cycle.body);
    let itself = s.patch(&format!("/modules/{a}"), &admin, &json!({"prerequisiteIds": [a]}), None).await;
    assert_eq!(itself.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A contributor writes the modules they created, not the others.
    let contributor = s.member(tenant, "contributor").await;
    let own = module(&contributor.access, json!({"title": "Mine"})).await;
    let renamed =
        s.patch(&format!("/modules/{}", id(&own)), &contributor.access, &json!({"title": "Still mine"}), None).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let theirs = s.patch(&format!("/modules/{a}"), &contributor.access, &json!({"title": "Not mine"}), None).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{:?}", theirs.body);
    let viewer = s.member(tenant, "viewer").await;
    assert_eq!(s.get(&format!("/modules/{a}"), &viewer.access).await.status, StatusCode::OK);
    let refused = s.post("/modules", &viewer.access, &json!({"title": "No"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
