//! Organizations end to end: lifecycle, validation, uniqueness, concurrency, pagination, permissions, and
//! tenant isolation.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

#[tokio::test]
async fn lifecycle_create_read_update_delete() {
    let s = stack();
    let admin = s.platform();
    let slug = format!("acme-{}", Uuid::new_v4().simple());
    let created = s
        .post(
            "/organizations",
            &admin,
            &json!({"name": "Acme Retail", "type": "client", "slug": slug, "website": "https://acme.example",
                    "settings": {"shifts": {"start": "08:00"}}, "customTerminology": {"worker": "associate"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.header("location"), Some(format!("/organizations/{id}").as_str()));
    assert_eq!(created.body["subscriptionTier"], "free");
    assert_eq!(created.body["locale"], "en");
    assert_eq!(created.body["theme"], "default");

    let by_id = s.get(&format!("/organizations/{id}"), &admin).await;
    assert_eq!(by_id.status, StatusCode::OK);
    assert_eq!(by_id.body, created.body);

    // The tenant admin sees and edits its own organization.
    let tenant = s.tenant(Uuid::parse_str(&id).unwrap(), SystemRole::Admin);
    let own = s.get("/organization", &tenant).await;
    assert_eq!(own.body["slug"], slug.as_str());
    let patched = s
        .patch(
            "/organization",
            &tenant,
            &json!({"description": "Stores", "settings": {"shifts": null, "tz": "UTC"}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.header("etag"), Some("\"2\""));
    assert_eq!(patched.body["settings"], json!({"tz": "UTC"}));
    assert_eq!(patched.body["description"], "Stores");

    // A stale If-Match changes nothing.
    let stale = s.patch("/organization", &tenant, &json!({"name": "Old"}), Some("\"1\"")).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(s.get("/organization", &tenant).await.body["name"], "Acme Retail");

    // Slug, type and tier are the platform admin's.
    let locked = s.patch("/organization", &tenant, &json!({"type": "expert", "subscriptionTier": "pro"}), None).await;
    assert_eq!(locked.status, StatusCode::FORBIDDEN, "{:?}", locked.body);
    let new_slug = format!("acme-new-{}", Uuid::new_v4().simple());
    let moved =
        s.patch(&format!("/organizations/{id}"), &admin, &json!({"slug": new_slug, "type": "expert"}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["type"], "expert");
    // The old slug is free again, the new one taken.
    let reuse = s.post("/organizations", &admin, &json!({"name": "Reuse", "type": "client", "slug": slug})).await;
    assert_eq!(reuse.status, StatusCode::CREATED, "{:?}", reuse.body);
    let taken = s.post("/organizations", &admin, &json!({"name": "Taken", "type": "client", "slug": new_slug})).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    // Soft delete: gone for the tenant, listed as deleted for the platform.
    assert_eq!(s.delete(&format!("/organizations/{id}"), &admin).await.status, StatusCode::NO_CONTENT);
    let refused = s.get("/organization", &tenant).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.body["detail"], "the organization was deleted");
    assert_eq!(s.delete(&format!("/organizations/{id}"), &admin).await.status, StatusCode::NOT_FOUND);
    let gone = s.get(&format!("/organizations/{id}"), &admin).await;
    assert!(gone.body["deletedAt"].is_string());
    assert_eq!(gone.body["status"], "deleted");
    let deleted = s.get("/organizations?status=deleted&limit=100", &admin).await;
    assert!(deleted.body["items"].as_array().unwrap().iter().any(|o| o["id"] == id.as_str()));
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let s = stack();
    let admin = s.platform();
    let slug = format!("bad-{}", Uuid::new_v4().simple());
    let bad = s
        .post(
            "/organizations",
            &admin,
            &json!({"name": "", "type": "partner", "slug": slug, "website": "not a url", "locale": "x_y!",
                    "logoUrl": "http://plain.example/logo.png", "theme": 3, "unknown": 1}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/locale", "/logoUrl", "/name", "/theme", "/type", "/unknown", "/website"]);
    // Nothing was written: the slug in the rejected body is still free.
    let ok = s.post("/organizations", &admin, &json!({"name": "Fine", "type": "client", "slug": slug})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);

    let missing = s.post("/organizations", &admin, &json!({})).await;
    assert_eq!(missing.pointers(), ["/name", "/type"]);
    let not_json = s.call(Method::POST, "/organizations", Some(&admin), None, &[("content-type", "text/plain")]).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken =
        s.call(Method::POST, "/organizations", Some(&admin), None, &[("content-type", "application/json")]).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let array = s.post("/organizations", &admin, &json!([1, 2])).await;
    assert_eq!(array.status, StatusCode::BAD_REQUEST);

    // A patch is validated as a whole too, and a bad patch changes nothing.
    let id = s.organization("Patchable").await;
    let path = format!("/organizations/{id}");
    let bad_patch = s.patch(&path, &admin, &json!({"name": null, "website": "ftp://x", "id": "new"}), None).await;
    assert_eq!(bad_patch.status, StatusCode::BAD_REQUEST);
    let mut pointers = bad_patch.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/id", "/name", "/website"]);
    let after = s.get(&path, &admin).await;
    assert_eq!((after.body["name"].as_str(), after.body["version"].as_u64()), (Some("Patchable"), Some(1)));
    let bad_etag = s.patch(&path, &admin, &json!({"name": "X"}), Some("v1")).await;
    assert_eq!(bad_etag.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn duplicate_slug_is_409_naming_the_field() {
    let s = stack();
    let admin = s.platform();
    let slug = format!("dup-{}", Uuid::new_v4().simple());
    let body = json!({"name": "One", "type": "client", "slug": slug});
    assert_eq!(s.post("/organizations", &admin, &body).await.status, StatusCode::CREATED);
    let dup = s.post("/organizations", &admin, &json!({"name": "Two", "type": "expert", "slug": slug})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.pointers(), ["/slug"]);
    let other = s.organization("Other").await;
    let steal = s.patch(&format!("/organizations/{other}"), &admin, &json!({"slug": slug}), None).await;
    assert_eq!(steal.status, StatusCode::CONFLICT);
    let kept = s.get(&format!("/organizations/{other}"), &admin).await;
    assert_eq!(kept.body["version"], 1, "a failed slug move writes nothing");
}

#[tokio::test]
async fn concurrent_patches_lose_no_update() {
    let s = stack();
    let id = s.organization("Busy").await;
    let token = s.tenant(id, SystemRole::Admin);
    let writers = 8;
    let tasks: Vec<_> = (0..writers)
        .map(|i| {
            let token = token.clone();
            tokio::spawn(async move {
                stack().patch("/organization", &token, &json!({"settings": {format!("k{i}"): i}}), None).await.status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let org = s.get("/organization", &token).await;
    let settings = org.body["settings"].as_object().unwrap();
    assert_eq!(settings.len(), writers, "{settings:?}");
    assert_eq!(org.body["version"], 1 + writers as u64);
}

#[tokio::test]
async fn list_pages_through_everything_once_with_signed_cursors() {
    let s = stack();
    let admin = s.platform();
    let mut created = HashSet::new();
    for i in 0..5 {
        created.insert(s.organization(&format!("Paged {i}")).await.to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/organizations?limit=2&cursor={c}"),
            None => "/organizations?limit=2".to_owned(),
        };
        let page = s.get(&path, &admin).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        if let Some(c) = &cursor {
            // Another caller, or a tampered cursor, gets 400 instead of someone else's page.
            let other = s.get(&format!("/organizations?limit=2&cursor={c}"), &s.platform()).await;
            assert_eq!(other.status, StatusCode::BAD_REQUEST);
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no item twice");
    assert!(created.is_subset(&unique));
    // Newest first.
    let first = s.get("/organizations?limit=1", &admin).await;
    let newest = created.iter().max().unwrap();
    assert!(first.body["items"][0]["id"].as_str().unwrap() >= newest.as_str());

    for bad in ["limit=0", "limit=101", "limit=x", "cursor=forged.cursor", "status=archived", "sort=name"] {
        let r = s.get(&format!("/organizations?{bad}"), &admin).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body["errors"][0]["parameter"].is_string(), "{bad}: {:?}", r.body);
    }
}

#[tokio::test]
async fn permissions_by_role() {
    let s = stack();
    let id = s.organization("Roles").await;
    for role in SystemRole::ALL.into_iter().filter(|r| *r != SystemRole::PlatformAdmin) {
        let token = s.tenant(id, role);
        let read = s.get("/organization", &token).await;
        let write = s.patch("/organization", &token, &json!({"description": format!("by {role}")}), None).await;
        let may_read = role.permissions().contains(&"organization:read");
        let may_write = role.permissions().contains(&"organization:write");
        assert_eq!(read.status, if may_read { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role} read");
        assert_eq!(write.status, if may_write { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role} write");
        // Platform endpoints are the platform admin's alone.
        assert_eq!(s.get("/organizations", &token).await.status, StatusCode::FORBIDDEN, "{role} list");
        let create = s.post("/organizations", &token, &json!({"name": "X", "type": "client"})).await;
        assert_eq!(create.status, StatusCode::FORBIDDEN, "{role} create");
        let delete = s.delete(&format!("/organizations/{id}"), &token).await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN, "{role} delete own");
    }
    // A platform token has no tenant of its own.
    assert_eq!(s.get("/organization", &s.platform()).await.status, StatusCode::FORBIDDEN);
}

/// Tenant B's token against tenant A's organization: every endpoint answers 404, like a missing id, and
/// nothing of A changes.
#[tokio::test]
async fn cross_tenant_matrix_is_404() {
    let s = stack();
    let a = s.organization("Tenant A").await;
    let b = s.organization("Tenant B").await;
    let b_admin = s.tenant(b, SystemRole::Owner);
    let a_path = format!("/organizations/{a}");
    let missing = format!("/organizations/{}", Uuid::now_v7());
    for path in [&a_path, &missing, &"/organizations/not-a-uuid".to_owned()] {
        assert_eq!(s.get(path, &b_admin).await.status, StatusCode::NOT_FOUND, "GET {path}");
        let patch = s.patch(path, &b_admin, &json!({"name": "Hijacked"}), None).await;
        assert_eq!(patch.status, StatusCode::NOT_FOUND, "PATCH {path}");
        assert_eq!(s.delete(path, &b_admin).await.status, StatusCode::NOT_FOUND, "DELETE {path}");
    }
    let a_now = s.get(&a_path, &s.platform()).await;
    assert_eq!((a_now.body["name"].as_str(), a_now.body["version"].as_u64()), (Some("Tenant A"), Some(1)));
    let own = s.get("/organization", &b_admin).await;
    assert_eq!(own.body["id"], b.to_string());
    // B reaches its own organization by id too.
    assert_eq!(s.get(&format!("/organizations/{b}"), &b_admin).await.status, StatusCode::OK);
}

/// Sends a platform admin's standing change (no body) and answers the organization as it now is.
async fn standing(id: Uuid, change: &str) -> serde_json::Value {
    let s = stack();
    let path = format!("/organizations/{id}/{change}");
    let reply = s.call(Method::POST, &path, Some(&s.platform()), None, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{change}: {:?}", reply.body);
    reply.body
}

/// A suspended or deleted organization serves nobody: every tenant endpoint refuses every token (a
/// session's or an operator's), refresh ends the session, sign-in and invitations are refused with the
/// reason. Restoring it lets its people sign in again; the sessions it ended stay ended.
#[tokio::test]
async fn a_suspended_or_deleted_organization_serves_nobody_until_restored() {
    let s = stack();
    let id = s.organization("Standing").await;
    let member = s.member(id, "admin").await;
    let operator = s.tenant(id, SystemRole::Owner);
    let worker = json!({"firstName": "Ana", "lastName": "Silva"});
    assert_eq!(s.get("/workers", &member.access).await.status, StatusCode::OK);
    let later = format!("later-{}@example.com", Uuid::new_v4().simple());
    let invite = s.post("/users", &operator, &json!({"email": later, "role": "viewer"})).await;
    assert_eq!(invite.status, StatusCode::CREATED, "{:?}", invite.body);
    let invited = s.mail(&later, nudge_notifications::NotificationKind::Invite).await;

    let suspended = standing(id, "suspend").await;
    assert_eq!(suspended["status"], "suspended");
    assert!(suspended["suspendedAt"].is_string());
    assert_eq!(standing(id, "suspend").await["version"], suspended["version"], "suspending again changes nothing");
    for token in [&member.access, &operator] {
        for reply in [
            s.get("/workers", token).await,
            s.post("/workers", token, &worker).await,
            s.get("/organization", token).await,
        ] {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
            assert_eq!(reply.body["detail"], "the organization is suspended");
        }
    }
    let login = s.login(&member.email, &member.password).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN, "{:?}", login.body);
    assert_eq!(login.body["detail"], "the organization is suspended");
    let asked =
        s.public("/auth/login", &json!({"email": member.email, "password": member.password, "tenantId": id})).await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN, "{:?}", asked.body);
    let refresh = s.public("/auth/refresh", &json!({"refreshToken": member.refresh})).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "{:?}", refresh.body);
    let accept =
        s.public("/auth/invites/accept", &json!({"token": invited.token, "password": "a-long-password-1"})).await;
    assert_eq!(accept.status, StatusCode::FORBIDDEN, "{:?}", accept.body);
    // The platform still sees it, listed with the live ones.
    let listed = s.get("/organizations?limit=100", &s.platform()).await;
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.to_string() && o["status"] == "suspended")
    );

    let restored = standing(id, "restore").await;
    assert_eq!(restored["status"], "active");
    assert!(restored.get("suspendedAt").is_none());
    let ended = s.public("/auth/refresh", &json!({"refreshToken": member.refresh})).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED, "the suspension ended the session for good");
    let again = s.login(&member.email, &member.password).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let token = again.body["accessToken"].as_str().unwrap().to_owned();
    let created = s.post("/workers", &token, &worker).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(s.get("/workers", &operator).await.status, StatusCode::OK);

    assert_eq!(s.delete(&format!("/organizations/{id}"), &s.platform()).await.status, StatusCode::NO_CONTENT);
    for reply in [s.get("/workers", &token).await, s.get("/workers", &operator).await] {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
        assert_eq!(reply.body["detail"], "the organization was deleted");
    }
    let login = s.login(&member.email, &member.password).await;
    assert_eq!(
        (login.status, login.body["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("the organization was deleted"))
    );
    let refresh = again.body["refreshToken"].as_str().unwrap();
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": refresh})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(standing(id, "restore").await["status"], "active");
    assert!(standing(id, "restore").await.get("deletedAt").is_none());
    assert_eq!(s.login(&member.email, &member.password).await.status, StatusCode::OK);
    assert_eq!(
        s.get(&format!("/organizations/{id}/suspend"), &s.platform()).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let by_tenant = s.call(Method::POST, &format!("/organizations/{id}/suspend"), Some(&operator), None, &[]).await;
    assert_eq!(by_tenant.status, StatusCode::FORBIDDEN, "only platform admins change standing");
    // An id that is no id, or names no organization, is a 404 problem, as on every route; a stale If-Match
    // is a 412.
    let platform = s.platform();
    let bad = s.call(Method::POST, "/organizations/not-an-id/restore", Some(&platform), None, &[]).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND, "{:?}", bad.body);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));
    let nobody = format!("/organizations/{}/suspend", Uuid::now_v7());
    assert_eq!(s.call(Method::POST, &nobody, Some(&platform), None, &[]).await.status, StatusCode::NOT_FOUND);
    let stale = s
        .call(Method::POST, &format!("/organizations/{id}/suspend"), Some(&platform), None, &[("if-match", "\"1\"")])
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{:?}", stale.body);
}
