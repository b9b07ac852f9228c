//! Integrations end to end: lifecycle with secrets sealed at rest and redacted on every read, secret
//! keep/replace/remove through merge patches, validation, If-Match, concurrency, filters and pagination,
//! permissions, and tenant isolation.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{Reply, stack};
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const PLACEHOLDER: &str = "********";

type Item = HashMap<String, AttributeValue>;

async fn ddb() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&nudge_local::emulator::sdk_config(&stack().endpoint).await)
}

/// The stored item, read around the API.
async fn raw_item(tenant: Uuid, id: &str) -> Option<Item> {
    let out = ddb()
        .await
        .get_item()
        .table_name(&stack().resources.table)
        .key("pk", AttributeValue::S(format!("T#{tenant}#INTEGRATIONS")))
        .key("sk", AttributeValue::S(id.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item
}

/// Every item of one partition (the tenant's audit log, an idempotency record).
async fn partition(pk: String) -> Vec<Item> {
    let out = ddb()
        .await
        .query()
        .table_name(&stack().resources.table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(pk))
        .send()
        .await
        .unwrap();
    out.items.unwrap_or_default()
}

/// The ciphertext stored for the config field at `path`.
fn sealed_at(item: &Item, path: &[&str]) -> Option<String> {
    let mut value = item.get("config")?;
    for name in path {
        value = value.as_m().ok()?.get(*name)?;
    }
    value.as_m().ok()?.get("$sealed")?.as_s().ok().cloned()
}

/// Opens a stored secret with the deployment's data key, for the place it must be bound to.
fn open(tenant: Uuid, id: &str, path: &[&str], item: &Item) -> String {
    let sealed = sealed_at(item, path).unwrap_or_else(|| panic!("no sealed value at {path:?}: {item:?}"));
    let pointer: String = path.iter().map(|p| format!("/{p}")).collect();
    let key = stack().settings.data_key().unwrap();
    key.open(&sealed, &format!("T#{tenant}#INTEGRATION#{id}{pointer}")).unwrap()
}

fn secret(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

async fn create(token: &str, body: &Value) -> Reply {
    let reply = stack().post("/integrations", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lifecycle_seals_secrets_and_never_serves_them() {
    let s = stack();
    let tenant = s.organization("Integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (access, verify) = (secret("EAAG"), secret("verify"));
    let idem = Uuid::new_v4().to_string();
    let body = json!({"type": "whatsapp",
                      "config": {"phoneNumberId": "123", "accessToken": access, "webhook": {"verifyToken": verify}}});
    let created = s.call(Method::POST, "/integrations", Some(&admin), Some(&body), &[("idempotency-key", &idem)]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.header("location"), Some(format!("/integrations/{id}").as_str()));
    assert_eq!(
        created.body["config"],
        json!({"phoneNumberId": "123", "accessToken": PLACEHOLDER, "webhook": {"verifyToken": PLACEHOLDER}})
    );
    assert_eq!((created.body["status"].as_str(), created.body["version"].as_u64()), (Some("inactive"), Some(1)));
    assert!(created.body.get("name").is_none());

    let path = format!("/integrations/{id}");
    let read = s.get(&path, &admin).await;
    assert_eq!((read.status, &read.body), (StatusCode::OK, &created.body));
    assert_eq!(read.header("etag"), Some("\"1\""));
    let listed = s.get("/integrations", &admin).await;
    assert_eq!(listed.body["items"], json!([created.body.clone()]));
    for filtered in ["/integrations?type=whatsapp", "/integrations?status=inactive&type=whatsapp"] {
        assert_eq!(s.get(filtered, &admin).await.body["items"], json!([created.body.clone()]), "{filtered}");
    }

    // At rest: no plaintext anywhere in the item, and each secret opens only with the data key, for its place.
    let item = raw_item(tenant, &id).await.unwrap();
    let text = format!("{item:?}");
    assert!(!text.contains(&access) && !text.contains(&verify), "{text}");
    assert_eq!(open(tenant, &id, &["accessToken"], &item), access);
    assert_eq!(open(tenant, &id, &["webhook", "verifyToken"], &item), verify);
    let key = s.settings.data_key().unwrap();
    let sealed = sealed_at(&item, &["accessToken"]).unwrap();
    assert!(key.open(&sealed, &format!("T#{tenant}#INTEGRATION#{id}/webhook/verifyToken")).is_err(), "moved");
    assert!(key.open(&sealed, &format!("T#{}#INTEGRATION#{id}/accessToken", Uuid::now_v7())).is_err(), "tenant");

    // Nor in the idempotency record (the replayed response) or the audit log (the request body).
    let kept = [partition(format!("T#{tenant}#IDEM#{idem}")).await, partition(format!("T#{tenant}#AUDIT")).await];
    assert!(!kept[0].is_empty() && !kept[1].is_empty());
    let text = format!("{kept:?}");
    assert!(!text.contains(&access) && !text.contains(&verify), "{text}");

    // PATCH without the secrets keeps them, byte for byte.
    let renamed = s.patch(&path, &admin, &json!({"name": "Store line", "status": "active"}), Some("\"1\"")).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.header("etag"), Some("\"2\""));
    assert_eq!(renamed.body["config"], created.body["config"]);
    let after = raw_item(tenant, &id).await.unwrap();
    assert_eq!(sealed_at(&after, &["accessToken"]), sealed_at(&item, &["accessToken"]));

    // The placeholder sent back keeps; a new string re-seals; null removes.
    let (new_access, new_verify) = (secret("EAAH"), secret("verify2"));
    let replaced = s
        .patch(
            &path,
            &admin,
            &json!({"config": {"accessToken": PLACEHOLDER, "webhook": {"verifyToken": new_verify}}}),
            None,
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{:?}", replaced.body);
    assert_eq!(replaced.body["config"]["webhook"]["verifyToken"], PLACEHOLDER);
    let after = raw_item(tenant, &id).await.unwrap();
    assert_eq!(sealed_at(&after, &["accessToken"]), sealed_at(&item, &["accessToken"]));
    assert_eq!(open(tenant, &id, &["webhook", "verifyToken"], &after), new_verify);
    let swapped = s
        .patch(&path, &admin, &json!({"config": {"accessToken": new_access, "webhook": {"verifyToken": null}}}), None)
        .await;
    assert_eq!(swapped.status, StatusCode::OK, "{:?}", swapped.body);
    assert_eq!(swapped.body["config"], json!({"phoneNumberId": "123", "accessToken": PLACEHOLDER, "webhook": {}}));
    assert_eq!(swapped.body["version"], 4);
    let after = raw_item(tenant, &id).await.unwrap();
    assert_eq!(open(tenant, &id, &["accessToken"], &after), new_access);
    assert!(sealed_at(&after, &["webhook", "verifyToken"]).is_none());
    let text = format!("{:?} {:?}", after, partition(format!("T#{tenant}#AUDIT")).await);
    assert!(!text.contains(&new_access) && !text.contains(&new_verify), "{text}");

    // A patch that changes nothing writes nothing.
    let same = s.patch(&path, &admin, &json!({"config": {"accessToken": PLACEHOLDER}}), None).await;
    assert_eq!((same.status, same.body["version"].as_u64()), (StatusCode::OK, Some(4)));

    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.patch(&path, &admin, &json!({"name": "x"}), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&path, &admin).await.status, StatusCode::NOT_FOUND);
    assert!(raw_item(tenant, &id).await.is_none());
    assert_eq!(s.get("/integrations", &admin).await.body["items"], json!([]));
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let s = stack();
    let tenant = s.organization("Bad integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let bad = s
        .post(
            "/integrations",
            &admin,
            &json!({"type": "Whats App", "name": "", "status": "broken", "lastError": "x".repeat(1001),
                    "config": {"apiKey": 42, "nested": {"password": {"a": 1}}, "token": PLACEHOLDER},
                    "organizationId": "o"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/config/apiKey",
            "/config/nested/password",
            "/config/token",
            "/lastError",
            "/name",
            "/organizationId",
            "/status",
            "/type"
        ]
    );
    assert_eq!(s.post("/integrations", &admin, &json!({})).await.pointers(), ["/type", "/config"]);
    let big = s.post("/integrations", &admin, &json!({"type": "hris", "config": {"b": "x".repeat(17 * 1024)}})).await;
    assert_eq!((big.status, big.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/config".to_owned()]));
    let number = s.post("/integrations", &admin, &json!({"type": "hris", "config": {"apiKey": 1}})).await;
    assert_eq!(number.status, StatusCode::UNPROCESSABLE_ENTITY, "a secret that is not a string breaks a rule");
    // The table stores config as a map: an empty key, however deep, names no attribute.
    let empty_key = s.post("/integrations", &admin, &json!({"type": "hris", "config": {"a": [{"": 1}]}})).await;
    assert_eq!(
        (empty_key.status, empty_key.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/config".to_owned()])
    );
    let not_json = s.call(Method::POST, "/integrations", Some(&admin), None, &[("content-type", "text/plain")]).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(s.get("/integrations", &admin).await.body["items"], json!([]), "nothing was written");

    // A patch is validated as a whole, and a bad one changes nothing.
    let token = secret("tok");
    let created = create(&admin, &json!({"type": "slack", "config": {"botToken": token}})).await;
    let path = format!("/integrations/{}", created.body["id"].as_str().unwrap());
    let bad_patch = s
        .patch(
            &path,
            &admin,
            &json!({"type": null, "config": {"botToken": {"nested": 1}, "newToken": PLACEHOLDER}, "id": "x"}),
            None,
        )
        .await;
    assert_eq!(bad_patch.status, StatusCode::BAD_REQUEST);
    let mut pointers = bad_patch.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/config/botToken", "/config/newToken", "/id", "/type"]);
    assert_eq!(s.patch(&path, &admin, &json!({"config": null}), None).await.pointers(), ["/config"]);
    assert_eq!(s.patch(&path, &admin, &json!([1]), None).await.status, StatusCode::BAD_REQUEST);
    let after = s.get(&path, &admin).await;
    assert_eq!(after.body, created.body);
    assert_eq!(after.body["version"], 1);
}

#[tokio::test]
async fn if_match_guards_patch_and_delete() {
    let s = stack();
    let tenant = s.organization("Guarded integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let created = create(&admin, &json!({"type": "webhook", "config": {"url": "https://hook.example"}})).await;
    let path = format!("/integrations/{}", created.body["id"].as_str().unwrap());
    let moved = s.patch(&path, &admin, &json!({"name": "Hook"}), Some("\"1\"")).await;
    assert_eq!(moved.header("etag"), Some("\"2\""));

    let stale = s.patch(&path, &admin, &json!({"name": "Stale"}), Some("\"1\"")).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(s.get(&path, &admin).await.body["name"], "Hook");
    let malformed = s.patch(&path, &admin, &json!({"name": "X"}), Some("v2")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);

    let stale_delete = s.call(Method::DELETE, &path, Some(&admin), None, &[("if-match", "\"1\"")]).await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(s.get(&path, &admin).await.status, StatusCode::OK);
    let delete = s.call(Method::DELETE, &path, Some(&admin), None, &[("if-match", "\"2\"")]).await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn concurrent_patches_lose_no_update() {
    let s = stack();
    let tenant = s.organization("Busy integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let token = secret("tok");
    let created = create(&admin, &json!({"type": "hris", "config": {"apiToken": token}})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/integrations/{id}");
    let writers = 8;
    let tasks: Vec<_> = (0..writers)
        .map(|i| {
            let (admin, path) = (admin.clone(), path.clone());
            tokio::spawn(async move {
                stack().patch(&path, &admin, &json!({"config": {format!("k{i}"): i}}), None).await.status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let now = s.get(&path, &admin).await;
    let config = now.body["config"].as_object().unwrap();
    assert_eq!(config.len(), writers + 1, "{config:?}");
    assert_eq!(now.body["version"], 1 + writers as u64);
    let item = raw_item(tenant, &id).await.unwrap();
    assert_eq!(open(tenant, &id, &["apiToken"], &item), token, "the secret survived every merge");
}

#[tokio::test]
async fn lists_filter_by_key_and_page_with_signed_cursors() {
    let s = stack();
    let tenant = s.organization("Listed integrations").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let mut made: Vec<(String, &str, &str)> = Vec::new();
    for (kind, status) in
        [("slack", "active"), ("whatsapp", "active"), ("slack", "inactive"), ("hris", "error"), ("slack", "active")]
    {
        let r = create(&admin, &json!({"type": kind, "status": status, "config": {}})).await;
        made.push((r.body["id"].as_str().unwrap().to_owned(), kind, status));
    }
    let want = |f: &dyn Fn(&str, &str) -> bool| -> Vec<String> {
        made.iter().filter(|(_, k, st)| f(k, st)).map(|(id, ..)| id.clone()).collect()
    };
    // Oldest first (UUIDv7 order), by type first when listed by status alone.
    assert_eq!(ids(&s.get("/integrations", &admin).await), want(&|_, _| true));
    assert_eq!(ids(&s.get("/integrations?type=slack", &admin).await), want(&|k, _| k == "slack"));
    assert_eq!(
        ids(&s.get("/integrations?status=active&type=slack", &admin).await),
        want(&|k, st| k == "slack" && st == "active")
    );
    let mut by_status = want(&|k, st| st == "active" && k == "slack");
    by_status.extend(want(&|k, st| st == "active" && k == "whatsapp"));
    assert_eq!(ids(&s.get("/integrations?status=active", &admin).await), by_status);
    assert_eq!(ids(&s.get("/integrations?status=error", &admin).await), want(&|_, st| st == "error"));
    assert_eq!(ids(&s.get("/integrations?type=webhook", &admin).await), Vec::<String>::new());

    // A status change moves it between the status lists.
    let moved = &made[2].0;
    let r =
        s.patch(&format!("/integrations/{moved}"), &admin, &json!({"status": "error", "lastError": "401"}), None).await;
    assert_eq!((r.status, r.body["lastError"].as_str()), (StatusCode::OK, Some("401")));
    assert!(!ids(&s.get("/integrations?status=inactive", &admin).await).contains(moved));
    assert!(ids(&s.get("/integrations?status=error&type=slack", &admin).await).contains(moved));

    let other = s.tenant(s.organization("Cursor thief").await, SystemRole::Admin);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/integrations?limit=2&cursor={c}"),
            None => "/integrations?limit=2".to_owned(),
        };
        let page = s.get(&path, &admin).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        seen.extend(ids(&page));
        let Some(c) = page.body["nextCursor"].as_str() else { break };
        // Bound to the query and the tenant: another filter or another tenant's token gets 400.
        let other_filter = s.get(&format!("/integrations?limit=2&status=active&cursor={c}"), &admin).await;
        assert_eq!(other_filter.status, StatusCode::BAD_REQUEST);
        assert_eq!(s.get(&format!("/integrations?limit=2&cursor={c}"), &other).await.status, StatusCode::BAD_REQUEST);
        cursor = Some(c.to_owned());
    }
    assert_eq!(seen, want(&|_, _| true), "every item once, in order");

    for bad in ["limit=0", "limit=101", "cursor=forged.cursor", "status=archived", "type=Slack", "sort=name"] {
        let r = s.get(&format!("/integrations?{bad}"), &admin).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body["errors"][0]["parameter"].is_string(), "{bad}: {:?}", r.body);
    }
}

#[tokio::test]
async fn permissions_by_role() {
    let s = stack();
    let tenant = s.organization("Integration roles").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let created = create(&admin, &json!({"type": "slack", "config": {"botToken": secret("t")}})).await;
    let path = format!("/integrations/{}", created.body["id"].as_str().unwrap());
    for role in SystemRole::ALL.into_iter().filter(|r| *r != SystemRole::PlatformAdmin) {
        let token = s.tenant(tenant, role);
        let may_read = role.permissions().contains(&"integrations:read");
        let may_write = role.permissions().contains(&"integrations:write");
        let read_status = if may_read { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(s.get("/integrations", &token).await.status, read_status, "{role} list");
        let read = s.get(&path, &token).await;
        assert_eq!(read.status, read_status, "{role} read");
        if may_read {
            assert_eq!(read.body["config"]["botToken"], PLACEHOLDER, "{role} sees no secret");
        }
        let write = s.patch(&path, &token, &json!({"name": format!("by {role}")}), None).await;
        assert_eq!(write.status, if may_write { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role} write");
        if !may_write {
            let post = s.post("/integrations", &token, &json!({"type": "x", "config": {}})).await;
            assert_eq!(post.status, StatusCode::FORBIDDEN, "{role} create");
            assert_eq!(s.delete(&path, &token).await.status, StatusCode::FORBIDDEN, "{role} delete");
        }
    }
    // The brief's roles, spelled out: viewers read, employees do neither, admins write.
    assert!(SystemRole::Viewer.permissions().contains(&"integrations:read"));
    assert!(!SystemRole::Employee.permissions().contains(&"integrations:read"));
    // A platform token acts in no tenant.
    assert_eq!(s.get("/integrations", &s.platform()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get("/integrations", "").await.status, StatusCode::UNAUTHORIZED);
}

/// Tenant B's token against tenant A's integration: every endpoint answers 404, like a missing or malformed
/// id; B's lists never show A's items; A's integration is unchanged.
#[tokio::test]
async fn cross_tenant_matrix_is_404() {
    let s = stack();
    let a = s.tenant(s.organization("Integrations A").await, SystemRole::Admin);
    let b = s.tenant(s.organization("Integrations B").await, SystemRole::Owner);
    let created =
        create(&a, &json!({"type": "whatsapp", "status": "active", "config": {"accessToken": secret("a")}})).await;
    let a_path = format!("/integrations/{}", created.body["id"].as_str().unwrap());
    let missing = format!("/integrations/{}", Uuid::now_v7());
    for path in [&a_path, &missing, &"/integrations/not-a-uuid".to_owned()] {
        assert_eq!(s.get(path, &b).await.status, StatusCode::NOT_FOUND, "GET {path}");
        let patch = s.patch(path, &b, &json!({"name": "Hijacked"}), None).await;
        assert_eq!(patch.status, StatusCode::NOT_FOUND, "PATCH {path}");
        assert_eq!(s.delete(path, &b).await.status, StatusCode::NOT_FOUND, "DELETE {path}");
        let guarded = s.call(Method::DELETE, path, Some(&b), None, &[("if-match", "\"1\"")]).await;
        assert_eq!(guarded.status, StatusCode::NOT_FOUND, "DELETE If-Match {path}");
    }
    for list in [
        "/integrations",
        "/integrations?status=active",
        "/integrations?type=whatsapp",
        "/integrations?status=active&type=whatsapp",
    ] {
        let page = s.get(list, &b).await;
        assert_eq!((page.status, &page.body["items"]), (StatusCode::OK, &json!([])), "{list}");
    }
    let a_now = s.get(&a_path, &a).await;
    assert_eq!(a_now.body, created.body);
    let seen: HashSet<String> = ids(&s.get("/integrations", &a).await).into_iter().collect();
    assert!(seen.contains(created.body["id"].as_str().unwrap()));
}
