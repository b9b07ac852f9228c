//! The in-app inbox end to end: notifications put in through `inbox::deliver` (as the send pipeline does),
//! then listed unread first across pages, marked, counted exactly (repeats, redeliveries and races
//! included), read all in bounded calls, filtered, and kept to their owner.

use e2e::{Member, Reply, stack};
use futures_util::future::join_all;
use nudge_core::TenantId;
use nudge_core::auth::SystemRole;
use nudge_core::store::Store;
use nudge_notifications::inbox::{self, NewInApp, NotificationPriority, NotificationType};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

fn tenant_of(token: &str) -> TenantId {
    stack().keys.verifier().unwrap().verify(token).unwrap().tenant().unwrap()
}

fn new(kind: NotificationType, title: &str) -> NewInApp {
    NewInApp {
        id: Uuid::now_v7(),
        kind,
        title: title.to_owned(),
        message: format!("{title}, in full"),
        link: None,
        priority: NotificationPriority::Normal,
        request_id: None,
    }
}

/// The table, as the send pipeline reaches it (one per test: each test has its own runtime).
async fn store() -> Store {
    stack().ctx().await.store
}

/// Puts a notification in `member`'s inbox as the pipeline does; whether it was new.
async fn put_in(store: &Store, member: &Member, n: NewInApp) -> bool {
    inbox::deliver(store, &tenant_of(&member.access), member.id, n).await.unwrap()
}

async fn deliver(member: &Member, n: NewInApp) -> bool {
    put_in(&store().await, member, n).await
}

/// Delivers one notification per title, oldest first; their ids.
async fn deliver_all(member: &Member, titles: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for title in titles {
        let n = new(NotificationType::System, title);
        ids.push(n.id.to_string());
        assert!(deliver(member, n).await);
    }
    ids
}

async fn unread(token: &str) -> u64 {
    let reply = stack().get("/me/notifications/unread-count", token).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["unread"].as_u64().unwrap()
}

async fn mark(token: &str, id: &str, what: &str) -> Reply {
    stack().call(Method::POST, &format!("/me/notifications/{id}/{what}"), Some(token), None, &[]).await
}

async fn marked(token: &str, id: &str, what: &str) -> Value {
    let reply = mark(token, id, what).await;
    assert_eq!(reply.status, StatusCode::OK, "{what} {id}: {:?}", reply.body);
    let version = reply.body["version"].as_u64().unwrap();
    assert_eq!(reply.header("etag"), Some(format!("\"{version}\"").as_str()));
    reply.body
}

async fn read_all(token: &str) -> Value {
    let reply = stack().call(Method::POST, "/me/notifications/read-all", Some(token), None, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

fn pick(all: &[String], at: &[usize]) -> Vec<String> {
    at.iter().map(|i| all[*i].clone()).collect()
}

/// The query parameters a problem names.
fn parameters(reply: &Reply) -> Vec<String> {
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    let mut names: Vec<String> = errors.iter().filter_map(|e| e["parameter"].as_str().map(str::to_owned)).collect();
    names.sort();
    names
}

#[tokio::test]
async fn unread_come_first_across_pages_and_the_count_stays_exact() {
    let s = stack();
    let tenant = s.organization("Inbox order").await;
    let m = s.member(tenant, "employee").await;
    let t = &m.access;
    assert_eq!(unread(t).await, 0, "an inbox nobody wrote to");
    assert!(s.get("/me/notifications", t).await.body["items"].as_array().unwrap().is_empty());

    let n: Vec<String> = deliver_all(&m, &["n0", "n1", "n2", "n3", "n4", "n5", "n6"]).await;
    assert_eq!(unread(t).await, 7);

    // A redelivered notification creates nothing and counts nothing.
    let again = NewInApp { id: Uuid::parse_str(&n[0]).unwrap(), ..new(NotificationType::System, "twice") };
    assert!(!deliver(&m, again.clone()).await);
    assert_eq!(unread(t).await, 7);

    for i in [1, 3, 5] {
        let item = marked(t, &n[i], "read").await;
        assert_eq!((item["isRead"].as_bool(), item["version"].as_u64()), (Some(true), Some(2)));
        assert!(item["readAt"].is_string() && item["seenAt"].is_string());
    }
    assert_eq!(unread(t).await, 4);
    // Reading again changes nothing: same version, same count.
    let repeat = marked(t, &n[1], "read").await;
    assert_eq!(repeat["version"], 2);
    assert_eq!(unread(t).await, 4);

    // Unread newest first, then read newest first, two a page.
    let listed = s.all_pages("/me/notifications", t, 2).await;
    assert_eq!(ids(&listed), pick(&n, &[6, 4, 2, 0, 5, 3, 1]));
    let first = &listed[0];
    assert_eq!((first["type"].as_str(), first["title"].as_str()), (Some("SYSTEM"), Some("n6")));
    assert_eq!((first["priority"].as_str(), first["isRead"].as_bool()), (Some("normal"), Some(false)));
    assert_eq!(first["userId"], m.id.to_string());
    assert_eq!(first["tenantId"], tenant.to_string());
    assert_eq!(ids(&s.all_pages("/me/notifications?status=unread", t, 3).await), pick(&n, &[6, 4, 2, 0]));
    assert_eq!(ids(&s.all_pages("/me/notifications?status=read", t, 3).await), pick(&n, &[5, 3, 1]));

    // Unread moves it back, once.
    assert_eq!(marked(t, &n[3], "unread").await["isRead"], false);
    assert_eq!(marked(t, &n[3], "unread").await["version"], 3);
    assert_eq!(unread(t).await, 5);

    // Archiving an unread one reads it and takes it out of the inbox.
    let archived = marked(t, &n[6], "archive").await;
    assert_eq!((archived["isRead"].as_bool(), archived["archivedAt"].is_string()), (Some(true), true));
    marked(t, &n[6], "archive").await;
    assert_eq!(unread(t).await, 4);
    assert_eq!(ids(&s.all_pages("/me/notifications", t, 4).await), pick(&n, &[4, 3, 2, 0, 5, 1]));
    assert_eq!(ids(&s.all_pages("/me/notifications?status=archived", t, 4).await), pick(&n, &[6]));
    assert_eq!(ids(&s.all_pages("/me/notifications?status=all", t, 4).await), pick(&n, &[4, 3, 2, 0, 5, 1, 6]));

    // Seen leaves it unread.
    let seen = marked(t, &n[0], "seen").await;
    assert_eq!((seen["seenAt"].is_string(), seen["isRead"].as_bool()), (true, Some(false)));
    assert_eq!(marked(t, &n[0], "seen").await["seenAt"], seen["seenAt"]);
    assert_eq!(unread(t).await, 4);

    // Read all: every unread one, counted down to zero; then nothing left to do.
    let all = read_all(t).await;
    assert_eq!((all["updated"].as_u64(), all["remaining"].as_bool()), (Some(4), Some(false)));
    assert_eq!(unread(t).await, 0);
    assert_eq!(read_all(t).await["updated"], 0);
    assert!(s.get("/me/notifications?status=unread", t).await.body["items"].as_array().unwrap().is_empty());

    // Unread on an archived one brings it back to the inbox.
    marked(t, &n[6], "unread").await;
    assert_eq!(unread(t).await, 1);
    assert_eq!(ids(&s.all_pages("/me/notifications?status=unread", t, 4).await), pick(&n, &[6]));
    assert!(!deliver(&m, again).await, "a redelivery after all that still counts nothing");
    assert_eq!(unread(t).await, 1);
}

#[tokio::test]
async fn filters_by_type_and_state() {
    let s = stack();
    let tenant = s.organization("Inbox filters").await;
    let m = s.member(tenant, "employee").await;
    let t = &m.access;
    let xp = [new(NotificationType::XpEarned, "xp1"), new(NotificationType::XpEarned, "xp2")];
    let quiz = new(NotificationType::QuizResult, "quiz");
    let with_link = NewInApp {
        link: Some(nudge_core::values::Parse::parse("/modules/42").unwrap()),
        priority: NotificationPriority::High,
        request_id: Some(Uuid::now_v7()),
        ..new(NotificationType::NewModule, "module")
    };
    for n in xp.iter().chain([&quiz, &with_link]) {
        assert!(deliver(&m, n.clone()).await);
    }
    marked(t, &xp[0].id.to_string(), "read").await;

    let of = |q: &'static str| async move { ids(&s.all_pages(&format!("/me/notifications?{q}"), t, 10).await) };
    assert_eq!(of("type=XP_EARNED").await, [xp[1].id.to_string(), xp[0].id.to_string()]);
    assert_eq!(of("type=XP_EARNED&status=unread").await, [xp[1].id.to_string()]);
    assert_eq!(of("type=XP_EARNED&status=read").await, [xp[0].id.to_string()]);
    assert!(of("type=MODULE_EXPIRED&status=all").await.is_empty());
    let module = s.get("/me/notifications?type=NEW_MODULE", t).await.body["items"][0].clone();
    assert_eq!((module["link"].as_str(), module["priority"].as_str()), (Some("/modules/42"), Some("high")));
    assert_eq!(module["requestId"], with_link.request_id.unwrap().to_string());
}

#[tokio::test]
async fn nobody_else_sees_or_touches_a_notification() {
    let s = stack();
    let tenant = s.organization("Inbox owner").await;
    let (owner, colleague) = (s.member(tenant, "employee").await, s.member(tenant, "admin").await);
    let elsewhere = s.member(s.organization("Inbox stranger").await, "owner").await;
    let n = new(NotificationType::System, "mine");
    let id = n.id.to_string();
    assert!(deliver(&owner, n).await);
    marked(&owner.access, &id, "seen").await;
    deliver_all(&owner, &["a", "b"]).await;

    // Another user of the tenant, a user of another tenant, and an operator token of the same tenant (no
    // such user): 404 on every mark, nothing listed, nothing counted.
    let operator = s.tenant(tenant, SystemRole::Owner);
    for token in [&colleague.access, &elsewhere.access, &operator] {
        for what in ["read", "unread", "seen", "archive"] {
            assert_eq!(mark(token, &id, what).await.status, StatusCode::NOT_FOUND, "{what}");
        }
        let listed = s.get("/me/notifications?status=all", token).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert!(!listed.body.to_string().contains(&id), "{:?}", listed.body);
        assert_eq!(unread(token).await, 0);
        assert_eq!(read_all(token).await["updated"], 0);
    }
    // Their attempts changed nothing of the owner's.
    assert_eq!(unread(&owner.access).await, 3);
    assert_eq!(marked(&owner.access, &id, "seen").await["version"], 2);

    // The owner's cursor is theirs: another user cannot page with it.
    let page = s.get("/me/notifications?limit=1", &owner.access).await;
    let cursor = page.body["nextCursor"].as_str().unwrap().to_owned();
    let stolen = s.get(&format!("/me/notifications?limit=1&cursor={cursor}"), &colleague.access).await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{:?}", stolen.body);

    // A platform admin acts in no tenant; an unknown or malformed id is a plain 404.
    assert_eq!(s.get("/me/notifications", &s.platform()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(mark(&owner.access, &Uuid::now_v7().to_string(), "read").await.status, StatusCode::NOT_FOUND);
    assert_eq!(mark(&owner.access, "not-an-id", "read").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_query_parameters_are_named() {
    let s = stack();
    let token = s.tenant(s.organization("Inbox params").await, SystemRole::Employee);
    for (query, named) in [
        ("status=new", vec!["status"]),
        ("type=system", vec!["type"]),
        ("status=gone&type=NOPE&limit=0", vec!["limit", "status", "type"]),
        ("limit=101&type=", vec!["limit", "type"]),
        ("state=unread", vec!["state"]),
    ] {
        let reply = s.get(&format!("/me/notifications?{query}"), &token).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {:?}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/problem+json"));
        assert_eq!(parameters(&reply), named, "{query}");
    }
    let count = s.get("/me/notifications/unread-count?status=unread", &token).await;
    assert_eq!((count.status, parameters(&count)), (StatusCode::BAD_REQUEST, vec!["status".to_owned()]));
}

#[tokio::test]
async fn a_viewer_reads_its_own_inbox() {
    let s = stack();
    let m = s.member(s.organization("Inbox viewer").await, "viewer").await;
    let n = deliver_all(&m, &["hello", "again"]).await;
    assert_eq!(ids(&s.all_pages("/me/notifications", &m.access, 1).await), pick(&n, &[1, 0]));
    marked(&m.access, &n[0], "read").await;
    marked(&m.access, &n[1], "archive").await;
    assert_eq!(unread(&m.access).await, 0);
    assert_eq!(read_all(&m.access).await["updated"], 0);
}

#[tokio::test]
async fn racing_writers_count_every_change_once() {
    let s = stack();
    let m = s.member(s.organization("Inbox races").await, "employee").await;
    let t = &m.access;
    // Twenty deliveries at once, each sent twice (a redelivery racing its original).
    let store = store().await;
    let batch: Vec<NewInApp> = (0..20).map(|i| new(NotificationType::System, &format!("r{i}"))).collect();
    let created = join_all(batch.iter().chain(batch.iter()).map(|n| put_in(&store, &m, n.clone()))).await;
    assert_eq!(created.iter().filter(|c| **c).count(), 20);
    assert_eq!(unread(t).await, 20);

    // Ten read by three racing calls each, five read and unread at once, and a read-all among them.
    let ids: Vec<String> = batch.iter().map(|n| n.id.to_string()).collect();
    let mut calls = Vec::new();
    for id in &ids[..10] {
        for _ in 0..3 {
            calls.push(mark(t, id, "read"));
        }
    }
    join_all(calls).await.iter().for_each(|r| assert_eq!(r.status, StatusCode::OK, "{:?}", r.body));
    assert_eq!(unread(t).await, 10);
    let flips = join_all(ids[10..15].iter().flat_map(|id| [mark(t, id, "read"), mark(t, id, "unread")])).await;
    flips.iter().for_each(|r| assert_eq!(r.status, StatusCode::OK, "{:?}", r.body));
    // Whatever order they landed in, the count is the number of unread ones.
    let items = s.all_pages("/me/notifications?status=all", t, 100).await;
    let still_unread = items.iter().filter(|i| i["isRead"] == false).count() as u64;
    assert_eq!(unread(t).await, still_unread);

    let (all, one) = tokio::join!(read_all(t), mark(t, &ids[19], "read"));
    assert_eq!(one.status, StatusCode::OK);
    let left = if all["remaining"] == true { read_all(t).await } else { all };
    assert_eq!(left["remaining"], false);
    assert_eq!(unread(t).await, 0);
}

#[tokio::test]
async fn read_all_is_bounded_per_call() {
    let s = stack();
    let m = s.member(s.organization("Inbox bulk").await, "employee").await;
    let t = &m.access;
    let store = store().await;
    let batch: Vec<NewInApp> = (0..505).map(|i| new(NotificationType::XpEarned, &format!("b{i}"))).collect();
    for chunk in batch.chunks(25) {
        let created = join_all(chunk.iter().map(|n| put_in(&store, &m, n.clone()))).await;
        assert!(created.iter().all(|c| *c));
    }
    assert_eq!(unread(t).await, 505);
    let first = read_all(t).await;
    assert_eq!((first["updated"].as_u64(), first["remaining"].as_bool()), (Some(500), Some(true)));
    assert_eq!(unread(t).await, 5);
    // The newest went first: what is left are the oldest.
    let left = ids(&s.all_pages("/me/notifications?status=unread", t, 100).await);
    let oldest: Vec<String> = batch[..5].iter().rev().map(|n| n.id.to_string()).collect();
    assert_eq!(left, oldest);
    let second = read_all(t).await;
    assert_eq!((second["updated"].as_u64(), second["remaining"].as_bool()), (Some(5), Some(false)));
    assert_eq!(unread(t).await, 0);
}
