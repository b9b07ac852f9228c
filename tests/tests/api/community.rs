//! The community end to end: knowledge suggestions (racing votes counted exactly, once per member;
//! unvotes; threaded comments; a review that tells the author and every voter once, pays the author's
//! TOP_SUGGESTION XP once and cannot happen twice; the reviewers told once of a popular one) and the
//! mentor radar (moderation with the author's notices, the feed's pinned order, seen marks, saves); chat
//! (the organization's channel and a module's, newest first; racing confirmations by a mentor paying the
//! author's MENTOR_CONFIRMATION XP once); threaded module comments (COMMENT_REPLY to the parent's author,
//! on suggestions' comments too; resolving by right); rights and another organization's 404s on every
//! route.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// The in-app notifications of `kind` in the holder of `token`'s inbox.
async fn notices(token: &str, kind: &str) -> Vec<Value> {
    let listed = stack().get(&format!("/me/notifications?type={kind}&limit=100"), token).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    listed.body["items"].as_array().cloned().unwrap_or_default()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().map(|a| a.iter().map(id).collect()).unwrap_or_default()
}

#[tokio::test]
async fn suggestions_count_votes_exactly_thread_comments_and_tell_everyone_of_a_review_once() {
    let s = stack();
    let tenant = s.organization("Community suggestions").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (reviewer, author) = tokio::join!(s.member(tenant, "manager"), s.member(tenant, "employee"));
    let voters = futures_util::future::join_all((0..12).map(|_| s.member(tenant, "employee"))).await;
    let me = author.access.as_str();

    // Every bad field named.
    let bad = s.post("/suggestions", me, &json!({"title": " ", "description": "x".repeat(5001)})).await;
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!((bad.status, pointers), (StatusCode::BAD_REQUEST, vec!["/description".to_owned(), "/title".to_owned()]));

    let created =
        s.post("/suggestions", me, &json!({"title": "Ladder safety", "description": "Three points of contact"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!((&created.body["status"], &created.body["voteCount"]), (&json!("OPEN"), &json!(0)));
    let sid = id(&created.body);
    let path = format!("/suggestions/{sid}");

    // Twelve members vote at once, each twice: twelve votes, counted exactly.
    let vote_path = format!("{path}/vote");
    let empty = json!({});
    let racing =
        voters.iter().flat_map(|v| [s.post(&vote_path, &v.access, &empty), s.post(&vote_path, &v.access, &empty)]);
    for reply in futures_util::future::join_all(racing).await {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["votedByMe"], json!(true));
    }
    let read = s.get(&path, &voters[3].access).await;
    assert_eq!((&read.body["voteCount"], &read.body["votedByMe"]), (&json!(12), &json!(true)), "{:?}", read.body);
    assert_eq!(s.get(&path, me).await.body["votedByMe"], json!(false));
    let again = s.post(&vote_path, &voters[3].access, &empty).await;
    assert_eq!((again.status, &again.body["voteCount"]), (StatusCode::OK, &json!(12)));

    // An unvote, twice: one less, once.
    for _ in 0..2 {
        let gone = s.delete(&vote_path, &voters[0].access).await;
        assert_eq!(
            (gone.status, &gone.body["voteCount"], &gone.body["votedByMe"]),
            (StatusCode::OK, &json!(11), &json!(false)),
            "{:?}",
            gone.body
        );
    }

    // Popular (5 votes and more): the reviewer is told once, nobody else.
    s.drained(&["NotificationsQueue"]).await;
    let popular = notices(&reviewer.access, "SUGGESTION_POPULAR").await;
    assert_eq!(popular.len(), 1, "{popular:?}");
    assert!(popular[0]["title"].as_str().unwrap_or_default().contains("Ladder safety"), "{popular:?}");
    assert!(notices(me, "SUGGESTION_POPULAR").await.is_empty());

    // A second suggestion with one vote: the lists by votes and newest.
    let other =
        id(&s.post("/suggestions", me, &json!({"title": "Forklift", "description": "Daily checks"})).await.body);
    s.post(&format!("/suggestions/{other}/vote"), &voters[1].access, &empty).await;
    let by_votes = s.get("/suggestions?sort=votes", &voters[1].access).await;
    assert_eq!(by_votes.status, StatusCode::OK, "{:?}", by_votes.body);
    assert_eq!(ids(&by_votes.body), vec![sid.clone(), other.clone()]);
    assert_eq!(by_votes.body["items"][0]["voteCount"], json!(11));
    assert_eq!(
        (&by_votes.body["items"][0]["votedByMe"], &by_votes.body["items"][1]["votedByMe"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(ids(&s.get("/suggestions", &voters[0].access).await.body), vec![other.clone(), sid.clone()]);
    let open = s.get("/suggestions?status=OPEN&limit=1", &voters[0].access).await.body;
    assert_eq!((ids(&open), open["nextCursor"].is_string()), (vec![other.clone()], true));
    assert_eq!(s.get("/suggestions?sort=best", me).await.status, StatusCode::BAD_REQUEST);

    // Threaded comments; a parent of another suggestion (or none) is refused.
    let comments = format!("{path}/comments");
    let top = s.post(&comments, me, &json!({"body": "Who checks the ladders?"})).await;
    assert_eq!(top.status, StatusCode::CREATED, "{:?}", top.body);
    let reply =
        s.post(&comments, &voters[2].access, &json!({"body": "The site lead", "parentId": id(&top.body)})).await;
    assert_eq!((reply.status, &reply.body["parentId"]), (StatusCode::CREATED, &top.body["id"]));
    let elsewhere =
        id(&s.post(&format!("/suggestions/{other}/comments"), me, &json!({"body": "Elsewhere"})).await.body);
    for parent in [elsewhere, uuid::Uuid::now_v7().to_string()] {
        let refused = s.post(&comments, me, &json!({"body": "Reply", "parentId": parent})).await;
        assert_eq!(
            (refused.status, refused.pointers()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["/parentId".to_owned()])
        );
    }
    let thread = s.get(&comments, &voters[5].access).await.body;
    assert_eq!(ids(&thread), vec![id(&top.body), id(&reply.body)]);
    assert_eq!(s.get(&path, me).await.body["commentCount"], json!(2));

    // The review: suggestions:manage only, a module of the organization for a conversion, then once.
    let status = format!("{path}/status");
    assert_eq!(s.post(&status, me, &json!({"status": "APPROVED"})).await.status, StatusCode::FORBIDDEN);
    let unnamed = s.post(&status, &reviewer.access, &json!({"status": "CONVERTED"})).await;
    assert_eq!((unnamed.status, unnamed.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/moduleId".to_owned()]));
    let stranger =
        s.post(&status, &reviewer.access, &json!({"status": "CONVERTED", "moduleId": uuid::Uuid::now_v7()})).await;
    assert_eq!(
        (stranger.status, stranger.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/moduleId".to_owned()])
    );
    let approved = s.post(&status, &reviewer.access, &json!({"status": "APPROVED", "reason": "Good one"})).await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    assert_eq!(
        (&approved.body["status"], &approved.body["reviewedById"], approved.body["reviewedAt"].is_string()),
        (&json!("APPROVED"), &json!(reviewer.id), true)
    );
    let twice = s.post(&status, &reviewer.access, &json!({"status": "REJECTED"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    assert_eq!(s.post(&vote_path, &voters[0].access, &empty).await.status, StatusCode::CONFLICT);

    // Converted into a real module: the second suggestion.
    let module = id(&s.post("/modules", &admin, &json!({"title": "Forklift basics"})).await.body);
    let converted = s
        .post(
            &format!("/suggestions/{other}/status"),
            &reviewer.access,
            &json!({"status": "CONVERTED", "moduleId": module}),
        )
        .await;
    assert_eq!(
        (converted.status, &converted.body["moduleId"]),
        (StatusCode::OK, &json!(module)),
        "{:?}",
        converted.body
    );

    // Told once each: the author of both, every voter still voting, not the one who withdrew.
    s.drained(&["NotificationsQueue"]).await;
    let told = notices(me, "SUGGESTION_STATUS_CHANGED").await;
    assert_eq!(told.len(), 2, "{told:?}");
    for v in &voters[2..] {
        let theirs = notices(&v.access, "SUGGESTION_STATUS_CHANGED").await;
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        assert!(theirs[0]["message"].as_str().unwrap_or_default().contains("was approved. Good one"), "{theirs:?}");
    }
    assert_eq!(notices(&voters[1].access, "SUGGESTION_STATUS_CHANGED").await.len(), 2, "voted for both");
    assert!(notices(&voters[0].access, "SUGGESTION_STATUS_CHANGED").await.is_empty());
    assert_eq!(notices(&reviewer.access, "SUGGESTION_POPULAR").await.len(), 1);

    // TOP_SUGGESTION XP: once per reviewed suggestion.
    let per = s.get("/xp-settings", &admin).await.body["amounts"]["TOP_SUGGESTION"].as_u64().unwrap_or_default();
    assert!(per > 0);
    let xp = s.get("/me/xp", me).await.body;
    assert_eq!(xp["balance"]["lifetimeXp"], json!(2 * per), "{xp}");
    let ledger = s.get("/me/xp/transactions", me).await.body;
    let mut sources: Vec<(Value, Value)> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["sourceType"].clone(), e["sourceEntityId"].clone()))
        .collect();
    sources.sort_by_key(|(_, e)| e.to_string());
    let mut expected = vec![(json!("TOP_SUGGESTION"), json!(sid)), (json!("TOP_SUGGESTION"), json!(other))];
    expected.sort_by_key(|(_, e)| e.to_string());
    assert_eq!(sources, expected);

    // Another organization finds none of it.
    let outsider = s.tenant(s.organization("Community outsider").await, SystemRole::Admin);
    for (method, route) in [
        (Method::GET, path.clone()),
        (Method::POST, vote_path.clone()),
        (Method::DELETE, vote_path.clone()),
        (Method::GET, comments.clone()),
        (Method::POST, comments.clone()),
        (Method::POST, status.clone()),
    ] {
        let body = match route.rsplit('/').next() {
            Some("comments") => json!({"body": "Hi"}),
            Some("status") => json!({"status": "REJECTED"}),
            _ => json!({}),
        };
        let reply = s.call(method.clone(), &route, Some(&outsider), Some(&body), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {route}: {:?}", reply.body);
    }
    assert_eq!(s.get("/suggestions", &outsider).await.body["items"], json!([]));
    assert_eq!(s.get("/suggestions?sort=votes&status=APPROVED", &outsider).await.body["items"], json!([]));
}

#[tokio::test]
async fn the_radar_is_moderated_into_a_feed_with_pins_seen_marks_and_saves() {
    let s = stack();
    let tenant = s.organization("Community radar").await;
    let (moderator, author, reader) =
        tokio::join!(s.member(tenant, "manager"), s.member(tenant, "employee"), s.member(tenant, "employee"));
    let (me, mod_token, r) = (author.access.as_str(), moderator.access.as_str(), reader.access.as_str());

    let bad =
        s.post("/radar/posts", me, &json!({"url": "ftp://files.example/x", "description": "x".repeat(1001)})).await;
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!((bad.status, pointers), (StatusCode::BAD_REQUEST, vec!["/description".to_owned(), "/url".to_owned()]));

    let mut posts = Vec::new();
    for n in 0..4 {
        let p = s
            .post(
                "/radar/posts",
                me,
                &json!({"url": format!("https://read.example/{n}"), "description": format!("Read {n}")}),
            )
            .await;
        assert_eq!((p.status, &p.body["status"]), (StatusCode::CREATED, &json!("PENDING")), "{:?}", p.body);
        posts.push(id(&p.body));
    }
    let (a, b, c, d) = (&posts[0], &posts[1], &posts[2], &posts[3]);
    assert_eq!(s.get("/radar/posts", r).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.post(&format!("/radar/posts/{a}/approve"), r, &json!({})).await.status, StatusCode::FORBIDDEN);
    let pending = s.get("/radar/posts?status=PENDING", mod_token).await.body;
    assert_eq!(ids(&pending), vec![d.clone(), c.clone(), b.clone(), a.clone()]);

    // Reviewed once: approved a and c, rejected b; again is a 409.
    let approve = |p: &str| format!("/radar/posts/{p}/approve");
    assert_eq!(s.post(&approve(a), mod_token, &json!({})).await.status, StatusCode::OK);
    assert_eq!(s.post(&approve(a), mod_token, &json!({})).await.status, StatusCode::CONFLICT);
    let rejected = s.post(&format!("/radar/posts/{b}/reject"), mod_token, &json!({"reason": "Paywalled"})).await;
    assert_eq!(
        (rejected.status, &rejected.body["status"]),
        (StatusCode::OK, &json!("REJECTED")),
        "{:?}",
        rejected.body
    );
    assert_eq!(s.post(&approve(b), mod_token, &json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(s.post(&approve(c), mod_token, &json!({})).await.status, StatusCode::OK);
    assert_eq!(ids(&s.get("/radar/posts?status=APPROVED", mod_token).await.body), vec![c.clone(), a.clone()]);

    // The feed: newest approved first; a pinned post leads; only approved posts pin.
    let feed = s.get("/radar/feed", r).await.body;
    assert_eq!((ids(&feed), &feed["unseenCount"]), (vec![c.clone(), a.clone()], &json!(2)), "{feed}");
    assert_eq!((&feed["items"][0]["seen"], &feed["items"][0]["saved"]), (&json!(false), &json!(false)));
    let pinned = s.post(&format!("/radar/posts/{a}/pin"), mod_token, &json!({})).await;
    assert_eq!((pinned.status, &pinned.body["pinned"]), (StatusCode::OK, &json!(true)));
    assert_eq!(s.post(&format!("/radar/posts/{a}/pin"), mod_token, &json!({})).await.status, StatusCode::OK);
    assert_eq!(s.post(&format!("/radar/posts/{b}/pin"), mod_token, &json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(ids(&s.get("/radar/feed", r).await.body), vec![a.clone(), c.clone()]);
    let paged = s.all_pages("/radar/feed", r, 1).await;
    assert_eq!(paged.iter().map(id).collect::<Vec<_>>(), vec![a.clone(), c.clone()]);

    // Seen: everything up to now; a mark never moves back; a newer approval is unseen.
    let marked = s.post("/radar/seen", r, &json!({})).await;
    assert_eq!((marked.status, &marked.body["unseenCount"]), (StatusCode::OK, &json!(0)), "{:?}", marked.body);
    let back = s.post("/radar/seen", r, &json!({"upTo": "2020-01-01T00:00:00Z"})).await;
    assert_eq!((&back.body["seenUpTo"], &back.body["unseenCount"]), (&marked.body["seenUpTo"], &json!(0)));
    assert_eq!(s.post(&approve(d), mod_token, &json!({})).await.status, StatusCode::OK);
    let feed = s.get("/radar/feed", r).await.body;
    assert_eq!((ids(&feed), &feed["unseenCount"]), (vec![a.clone(), d.clone(), c.clone()], &json!(1)), "{feed}");
    let seen: Vec<&Value> = feed["items"].as_array().unwrap().iter().map(|i| &i["seen"]).collect();
    assert_eq!(seen, [&json!(true), &json!(false), &json!(true)]);
    assert_eq!(s.get("/radar/feed", me).await.body["unseenCount"], json!(3), "the author marked nothing");

    // Saves: once, listed, forgotten; a post not in the feed cannot be saved.
    let save = format!("/radar/posts/{c}/save");
    for _ in 0..2 {
        let saved = s.call(Method::PUT, &save, Some(r), None, &[]).await;
        assert_eq!((saved.status, &saved.body["saved"]), (StatusCode::OK, &json!(true)), "{:?}", saved.body);
    }
    assert_eq!(ids(&s.get("/me/radar/saved", r).await.body), vec![c.clone()]);
    assert!(s.get("/me/radar/saved", me).await.body["items"].as_array().unwrap().is_empty());
    let feed = s.get("/radar/feed", r).await.body;
    assert_eq!(feed["items"][2]["saved"], json!(true), "{feed}");
    let rejected_save = s.call(Method::PUT, &format!("/radar/posts/{b}/save"), Some(r), None, &[]).await;
    assert_eq!(rejected_save.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&save, r).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.delete(&save, r).await.status, StatusCode::NO_CONTENT);
    assert!(s.get("/me/radar/saved", r).await.body["items"].as_array().unwrap().is_empty());

    // Archived: out of the feed, once.
    let archived = s.post(&format!("/radar/posts/{c}/archive"), mod_token, &json!({})).await;
    assert_eq!((archived.status, &archived.body["status"]), (StatusCode::OK, &json!("ARCHIVED")));
    assert_eq!(s.post(&format!("/radar/posts/{c}/archive"), mod_token, &json!({})).await.status, StatusCode::CONFLICT);
    let unpinned = s.post(&format!("/radar/posts/{a}/unpin"), mod_token, &json!({})).await;
    assert_eq!((unpinned.status, &unpinned.body["pinned"]), (StatusCode::OK, &json!(false)));
    assert_eq!(ids(&s.get("/radar/feed", r).await.body), vec![d.clone(), a.clone()]);

    // The author was told of each review once.
    s.drained(&["NotificationsQueue"]).await;
    assert_eq!(notices(me, "RADAR_APPROVED").await.len(), 3);
    let no = notices(me, "RADAR_REJECTED").await;
    assert_eq!(no.len(), 1, "{no:?}");
    assert!(no[0]["message"].as_str().unwrap_or_default().ends_with("Paywalled"), "{no:?}");
    assert!(notices(r, "RADAR_APPROVED").await.is_empty());

    // Another organization finds none of it.
    let outsider = s.tenant(s.organization("Radar outsider").await, SystemRole::Admin);
    for (method, route) in [
        (Method::POST, format!("/radar/posts/{a}/approve")),
        (Method::POST, format!("/radar/posts/{d}/reject")),
        (Method::POST, format!("/radar/posts/{a}/pin")),
        (Method::POST, format!("/radar/posts/{a}/unpin")),
        (Method::POST, format!("/radar/posts/{a}/archive")),
        (Method::PUT, format!("/radar/posts/{a}/save")),
        (Method::DELETE, format!("/radar/posts/{a}/save")),
    ] {
        let reply = s.call(method.clone(), &route, Some(&outsider), Some(&json!({})), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {route}: {:?}", reply.body);
    }
    let theirs = s.get("/radar/feed", &outsider).await.body;
    assert_eq!((&theirs["items"], &theirs["unseenCount"]), (&json!([]), &json!(0)));
    assert_eq!(s.get("/radar/posts", &outsider).await.body["items"], json!([]));
    assert_eq!(s.get("/me/radar/saved", &outsider).await.body["items"], json!([]));
}

/// A published module with `mentor` as its mentor, made by `admin`.
async fn mentored_module(admin: &str, title: &str, mentor: uuid::Uuid) -> String {
    let s = stack();
    let created = s.post("/modules", admin, &json!({"title": title, "mentorIds": [mentor]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let m = id(&created.body);
    let section =
        s.post(&format!("/modules/{m}/sections"), admin, &json!({"title": "One", "content": "<p>One</p>"})).await;
    assert_eq!(section.status, StatusCode::CREATED, "{:?}", section.body);
    let published = s.post(&format!("/modules/{m}/publish"), admin, &json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
    m
}

/// Posts `body` to the chat as the holder of `token`.
async fn say(token: &str, body: Value) -> e2e::Reply {
    stack().post("/chat/messages", token, &body).await
}

#[tokio::test]
async fn chat_channels_list_newest_first_and_a_mentor_confirms_an_answer_for_xp_once() {
    let s = stack();
    let tenant = s.organization("Community chat").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (mentor, author, other, moderator) = tokio::join!(
        s.member(tenant, "employee"),
        s.member(tenant, "employee"),
        s.member(tenant, "employee"),
        s.member(tenant, "manager")
    );
    let (me, m_token) = (author.access.as_str(), mentor.access.as_str());
    let module = mentored_module(&admin, "Forklift chat", mentor.id).await;

    // Every bad field named; rules broken by well-formed fields are 422s.
    let bad = say(me, json!({"body": " ", "moduleId": "nope", "type": "SHOUT"})).await;
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!(
        (bad.status, pointers),
        (StatusCode::BAD_REQUEST, vec!["/body".to_owned(), "/moduleId".to_owned(), "/type".to_owned()])
    );
    let stranger = say(me, json!({"body": "Hi", "moduleId": uuid::Uuid::now_v7()})).await;
    assert_eq!(
        (stranger.status, stranger.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/moduleId".to_owned()])
    );
    let system = say(me, json!({"body": "Maintenance tonight", "type": "SYSTEM"})).await;
    assert_eq!((system.status, system.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/type".to_owned()]));
    let system = say(&moderator.access, json!({"body": "Maintenance tonight", "type": "SYSTEM"})).await;
    assert_eq!((system.status, &system.body["type"]), (StatusCode::CREATED, &json!("SYSTEM")), "{:?}", system.body);

    // The organization's channel and a module's, each newest first, page by page.
    let mut tenant_channel = vec![id(&system.body)];
    for n in 0..3 {
        let m = say(me, json!({"body": format!("Tenant {n}")})).await;
        assert_eq!((m.status, &m.body["type"]), (StatusCode::CREATED, &json!("MESSAGE")), "{:?}", m.body);
        assert_eq!(m.header("location"), Some(format!("/chat/messages/{}", id(&m.body)).as_str()));
        tenant_channel.push(id(&m.body));
    }
    let mut module_channel = Vec::new();
    for n in 0..3 {
        let m = say(me, json!({"body": format!("How do I check the forks? {n}"), "moduleId": module})).await;
        assert_eq!((m.status, &m.body["moduleId"]), (StatusCode::CREATED, &json!(module)), "{:?}", m.body);
        module_channel.push(id(&m.body));
    }
    tenant_channel.reverse();
    module_channel.reverse();
    let first = s.get("/chat/messages?limit=2", &other.access).await.body;
    assert_eq!((ids(&first), first["nextCursor"].is_string()), (tenant_channel[..2].to_vec(), true), "{first}");
    let paged: Vec<String> = s.all_pages("/chat/messages", &other.access, 3).await.iter().map(id).collect();
    assert_eq!(paged, tenant_channel);
    let in_module: Vec<String> =
        s.all_pages(&format!("/chat/messages?moduleId={module}"), &other.access, 2).await.iter().map(id).collect();
    assert_eq!(in_module, module_channel);
    let missing = s.get(&format!("/chat/messages?moduleId={}", uuid::Uuid::now_v7()), me).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/chat/messages?moduleId=nope", me).await.status, StatusCode::BAD_REQUEST);
    let question = module_channel[0].clone();
    let one = s.get(&format!("/chat/messages/{question}"), &other.access).await;
    assert_eq!(
        (one.status, &one.body["isConfirmedAnswer"], &one.body["authorId"]),
        (StatusCode::OK, &json!(false), &json!(author.id))
    );

    // Only a mentor of the module (or a moderator) confirms; nobody their own; only a MESSAGE.
    let confirm = |m: &str| format!("/chat/messages/{m}/confirm");
    let empty = json!({});
    assert_eq!(s.post(&confirm(&question), &other.access, &empty).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.post(&confirm(&question), me, &empty).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.delete(&confirm(&question), &other.access).await.status, StatusCode::FORBIDDEN);
    let own = id(&say(m_token, json!({"body": "Ask me", "moduleId": module})).await.body);
    assert_eq!(s.post(&confirm(&own), m_token, &empty).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let joined = id(&say(me, json!({"body": "joined", "moduleId": module, "type": "JOIN"})).await.body);
    assert_eq!(s.post(&confirm(&joined), m_token, &empty).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.post(&confirm(&tenant_channel[0]), m_token, &empty).await.status, StatusCode::FORBIDDEN);

    // Six racing confirmations: one confirmed answer, one award.
    let confirming = confirm(&question);
    let racing = (0..6).map(|_| s.post(&confirming, m_token, &empty));
    for reply in futures_util::future::join_all(racing).await {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(
            (&reply.body["isConfirmedAnswer"], &reply.body["confirmedById"]),
            (&json!(true), &json!(mentor.id)),
            "{:?}",
            reply.body
        );
    }
    let confirmed_at = s.get(&format!("/chat/messages/{question}"), me).await.body["confirmedAt"].clone();
    assert!(confirmed_at.is_string());
    // Unconfirmed (twice: as it is), confirmed again: the XP stays and is not paid twice.
    for _ in 0..2 {
        let undone = s.delete(&confirm(&question), m_token).await;
        assert_eq!((undone.status, &undone.body["isConfirmedAnswer"]), (StatusCode::OK, &json!(false)));
        assert!(undone.body.get("confirmedById").is_none(), "{:?}", undone.body);
    }
    let again = s.post(&confirm(&question), &moderator.access, &empty).await;
    assert_eq!((again.status, &again.body["confirmedById"]), (StatusCode::OK, &json!(moderator.id)));

    let per = s.get("/xp-settings", &admin).await.body["amounts"]["MENTOR_CONFIRMATION"].as_u64().unwrap_or_default();
    assert!(per > 0);
    let ledger = s.get("/me/xp/transactions", me).await.body;
    let entries = ledger["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(
        (&entries[0]["sourceType"], &entries[0]["sourceEntityId"], &entries[0]["amount"]),
        (&json!("MENTOR_CONFIRMATION"), &json!(question), &json!(per))
    );
    assert_eq!(s.get("/me/xp", me).await.body["balance"]["lifetimeXp"], json!(per));
    s.drained(&["NotificationsQueue"]).await;
    let earned = notices(me, "XP_EARNED").await;
    assert_eq!(earned.len(), 1, "{earned:?}");
    assert!(notices(m_token, "XP_EARNED").await.is_empty());

    // A moderator confirms in the organization's channel too.
    let theirs = id(&say(&other.access, json!({"body": "Where is the key?"})).await.body);
    let by_moderator = s.post(&confirm(&theirs), &moderator.access, &empty).await;
    assert_eq!((by_moderator.status, &by_moderator.body["isConfirmedAnswer"]), (StatusCode::OK, &json!(true)));

    // Another organization finds none of it.
    let outsider = s.tenant(s.organization("Chat outsider").await, SystemRole::Admin);
    for (method, route) in [
        (Method::GET, format!("/chat/messages/{question}")),
        (Method::POST, confirm(&question)),
        (Method::DELETE, confirm(&question)),
        (Method::POST, confirm(&theirs)),
        (Method::GET, format!("/chat/messages?moduleId={module}")),
    ] {
        let reply = s.call(method.clone(), &route, Some(&outsider), Some(&empty), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {route}: {:?}", reply.body);
    }
    assert_eq!(s.get("/chat/messages", &outsider).await.body["items"], json!([]));
    let elsewhere = say(&outsider, json!({"body": "Hi", "moduleId": module})).await;
    assert_eq!(
        (elsewhere.status, elsewhere.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/moduleId".to_owned()])
    );
    assert_eq!(s.get("/me/xp/transactions", me).await.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn module_comments_thread_tell_the_parents_author_and_resolve_by_right() {
    let s = stack();
    let tenant = s.organization("Community comments").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (mentor, asker, answerer, other, moderator) = tokio::join!(
        s.member(tenant, "employee"),
        s.member(tenant, "employee"),
        s.member(tenant, "employee"),
        s.member(tenant, "employee"),
        s.member(tenant, "manager")
    );
    let (me, them) = (asker.access.as_str(), answerer.access.as_str());
    let module = mentored_module(&admin, "Ladder comments", mentor.id).await;
    let second = mentored_module(&admin, "Second module", mentor.id).await;
    let draft = id(&s.post("/modules", &admin, &json!({"title": "Draft"})).await.body);
    let comments = format!("/modules/{module}/comments");

    // Only a published module of the organization has comments.
    for m in [draft.clone(), uuid::Uuid::now_v7().to_string()] {
        let path = format!("/modules/{m}/comments");
        assert_eq!(s.get(&path, me).await.status, StatusCode::NOT_FOUND);
        assert_eq!(s.post(&path, me, &json!({"body": "Hi"})).await.status, StatusCode::NOT_FOUND);
    }
    let bad = s.post(&comments, me, &json!({"body": " ", "parentId": 5})).await;
    let mut pointers = bad.pointers();
    pointers.sort();
    assert_eq!((bad.status, pointers), (StatusCode::BAD_REQUEST, vec!["/body".to_owned(), "/parentId".to_owned()]));

    // A thread: a question, an answer, the asker's thanks to it and a note to themselves.
    let root = s.post(&comments, me, &json!({"body": "Which ladder for the racks?"})).await;
    assert_eq!(root.status, StatusCode::CREATED, "{:?}", root.body);
    assert_eq!((&root.body["isResolved"], &root.body["rootId"]), (&json!(false), &root.body["id"]));
    let root_id = id(&root.body);
    let answer = s.post(&comments, them, &json!({"body": "The A-frame", "parentId": root_id})).await;
    assert_eq!((answer.status, &answer.body["parentId"]), (StatusCode::CREATED, &json!(root_id)), "{:?}", answer.body);
    let answer_id = id(&answer.body);
    let thanks = s.post(&comments, me, &json!({"body": "Thanks!", "parentId": answer_id})).await;
    assert_eq!((thanks.status, &thanks.body["rootId"]), (StatusCode::CREATED, &json!(root_id)));
    let note = s.post(&comments, me, &json!({"body": "Note to self", "parentId": root_id})).await;
    assert_eq!(note.status, StatusCode::CREATED);
    let elsewhere = id(&s.post(&format!("/modules/{second}/comments"), me, &json!({"body": "Other"})).await.body);
    for parent in [elsewhere, uuid::Uuid::now_v7().to_string()] {
        let refused = s.post(&comments, them, &json!({"body": "Reply", "parentId": parent})).await;
        assert_eq!(
            (refused.status, refused.pointers()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["/parentId".to_owned()])
        );
    }
    let expected = vec![root_id.clone(), answer_id.clone(), id(&thanks.body), id(&note.body)];
    assert_eq!(ids(&s.get(&comments, &other.access).await.body), expected);
    let paged: Vec<String> = s.all_pages(&comments, &other.access, 1).await.iter().map(id).collect();
    assert_eq!(paged, expected);

    // Each reply told its parent's author once; nobody is told of their own.
    s.drained(&["NotificationsQueue"]).await;
    let told = notices(me, "COMMENT_REPLY").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0]["title"].as_str().unwrap_or_default().contains("Ladder comments"), "{told:?}");
    assert!(told[0]["message"].as_str().unwrap_or_default().contains("The A-frame"), "{told:?}");
    let theirs = notices(them, "COMMENT_REPLY").await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(notices(&other.access, "COMMENT_REPLY").await.is_empty());

    // Resolving: the thread's first author, a mentor of the module, a moderator; nobody else.
    let resolve = |c: &str| format!("{comments}/{c}/resolve");
    let unresolve = |c: &str| format!("{comments}/{c}/unresolve");
    let empty = json!({});
    assert_eq!(s.post(&resolve(&root_id), &other.access, &empty).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.post(&resolve(&answer_id), them, &empty).await.status, StatusCode::FORBIDDEN, "not the thread's");
    for _ in 0..2 {
        let done = s.post(&resolve(&root_id), me, &empty).await;
        assert_eq!(
            (done.status, &done.body["isResolved"], &done.body["resolvedById"], &done.body["version"]),
            (StatusCode::OK, &json!(true), &json!(asker.id), &json!(2)),
            "{:?}",
            done.body
        );
        assert!(done.body["resolvedAt"].is_string());
    }
    let reopened = s.post(&unresolve(&root_id), &mentor.access, &empty).await;
    assert_eq!((reopened.status, &reopened.body["isResolved"]), (StatusCode::OK, &json!(false)));
    assert!(reopened.body.get("resolvedById").is_none(), "{:?}", reopened.body);
    assert_eq!(s.post(&unresolve(&root_id), &mentor.access, &empty).await.status, StatusCode::OK);
    let by_mentor = s.post(&resolve(&answer_id), &mentor.access, &empty).await;
    assert_eq!((by_mentor.status, &by_mentor.body["resolvedById"]), (StatusCode::OK, &json!(mentor.id)));
    let by_asker = s.post(&unresolve(&answer_id), me, &empty).await;
    assert_eq!(
        (by_asker.status, &by_asker.body["isResolved"]),
        (StatusCode::OK, &json!(false)),
        "the thread is theirs"
    );
    let by_moderator = s.post(&resolve(&id(&note.body)), &moderator.access, &empty).await;
    assert_eq!(by_moderator.status, StatusCode::OK);
    assert_eq!(
        s.post(&resolve(&uuid::Uuid::now_v7().to_string()), &moderator.access, &empty).await.status,
        StatusCode::NOT_FOUND
    );

    // A reply to a suggestion's comment tells its author too (and a self-reply does not).
    let suggestion =
        id(&s.post("/suggestions", me, &json!({"title": "Rack ladders", "description": "One per aisle"})).await.body);
    let on = format!("/suggestions/{suggestion}/comments");
    let asked = id(&s.post(&on, me, &json!({"body": "Agree?"})).await.body);
    let replied = s.post(&on, them, &json!({"body": "Yes", "parentId": asked})).await;
    assert_eq!(replied.status, StatusCode::CREATED, "{:?}", replied.body);
    assert_eq!(s.post(&on, me, &json!({"body": "Good", "parentId": asked})).await.status, StatusCode::CREATED);
    s.drained(&["NotificationsQueue"]).await;
    let told = notices(me, "COMMENT_REPLY").await;
    assert_eq!(told.len(), 2, "{told:?}");
    let on_suggestion: Vec<&Value> =
        told.iter().filter(|n| n["title"].as_str().unwrap_or_default().contains("Rack ladders")).collect();
    assert_eq!(on_suggestion.len(), 1, "{told:?}");
    assert_eq!(notices(them, "COMMENT_REPLY").await.len(), 1);

    // Another organization finds none of it.
    let outsider = s.tenant(s.organization("Comments outsider").await, SystemRole::Admin);
    for (method, route) in [
        (Method::GET, comments.clone()),
        (Method::POST, comments.clone()),
        (Method::POST, resolve(&root_id)),
        (Method::POST, unresolve(&root_id)),
    ] {
        let body = json!({"body": "Hi"});
        let reply = s.call(method.clone(), &route, Some(&outsider), Some(&body), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {route}: {:?}", reply.body);
    }
}

#[tokio::test]
async fn usage_sessions_add_up_by_day_and_the_changelog_knows_what_is_new() {
    // Pings are measured on the shared clock: no other test may move it meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Usage").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let member = s.member(tenant, "employee").await;
    let me = member.access.as_str();
    let advance = |seconds: i64| async move {
        assert_eq!(s.public("/_local/clock", &json!({"advanceSeconds": seconds})).await.status, StatusCode::OK);
    };

    // A session: ten minutes of pings, a redelivered ping changes nothing, half an hour of silence ends it.
    let started = s.post("/me/usage-sessions", me, &json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{:?}", started.body);
    let session = id(&started.body);
    let ping = format!("/me/usage-sessions/{session}/ping");
    advance(600).await;
    let pinged = s.post(&ping, me, &json!({})).await;
    assert_eq!((pinged.status, &pinged.body["durationSeconds"]), (StatusCode::OK, &json!(600)), "{:?}", pinged.body);
    // Real time passes on the shared clock too: another ping moments later adds only those moments.
    let again = s.post(&ping, me, &json!({})).await.body["durationSeconds"].as_u64().unwrap();
    assert!((600..660).contains(&again), "{again}");
    let other = s.member(tenant, "employee").await;
    assert_eq!(s.post(&ping, &other.access, &json!({})).await.status, StatusCode::NOT_FOUND);
    advance(31 * 60).await;
    assert_eq!(s.post(&ping, me, &json!({})).await.status, StatusCode::CONFLICT);
    let mine = s.get("/me/usage-sessions", me).await.body;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");

    // The organization's usage by day: one session, its ten minutes (whatever days the moved clock spans).
    let days = s.get("/usage", &admin).await;
    assert_eq!(days.status, StatusCode::OK, "{:?}", days.body);
    let days = days.body.as_array().unwrap().clone();
    assert_eq!(days.len(), 30);
    let total = |field: &str| days.iter().map(|d| d[field].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total("sessions"), 1, "{days:?}");
    assert!((600..660).contains(&total("seconds")), "{days:?}");
    assert_eq!(s.get("/usage", me).await.status, StatusCode::FORBIDDEN);
    let bad = s.get("/usage?from=yesterday&to=2026-13-01", &admin).await;
    assert_eq!((bad.status, bad.body["errors"].as_array().map(Vec::len)), (StatusCode::BAD_REQUEST, Some(2)));
    let long = s.get("/usage?from=2026-01-01&to=2026-12-31", &admin).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let outsider = s.tenant(s.organization("Usage outsider").await, SystemRole::Admin);
    let theirs = s.get("/usage", &outsider).await.body;
    assert!(theirs.as_array().unwrap().iter().all(|d| d["sessions"] == 0), "{theirs}");

    // The changelog: the platform publishes; a reader's visit makes what came before it not new.
    let platform = s.platform();
    let entry = |title: &str| json!({"version": "2026.11", "title": title, "summary": "What changed."});
    assert_eq!(s.post("/changelog", me, &entry("Sneaky")).await.status, StatusCode::FORBIDDEN);
    let bad = s.post("/changelog", &platform, &json!({"title": " ", "summary": ""})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let mut at = bad.pointers();
    at.sort();
    assert_eq!(at, ["/summary", "/title", "/version"]);
    assert_eq!(s.post("/changelog/seen", me, &json!({})).await.status, StatusCode::OK);
    advance(1).await;
    for title in ["Rewards", "Radar"] {
        assert_eq!(s.post("/changelog", &platform, &entry(title)).await.status, StatusCode::CREATED);
    }
    let read = s.get("/changelog?limit=100", me).await.body;
    assert_eq!(read["newCount"], 2, "{read}");
    let items = read["items"].as_array().unwrap();
    assert_eq!((&items[0]["title"], &items[0]["isNew"]), (&json!("Radar"), &json!(true)), "{read}");
    assert_eq!((&items[1]["title"], &items[1]["isNew"]), (&json!("Rewards"), &json!(true)), "{read}");
    advance(1).await;
    assert_eq!(s.post("/changelog/seen", me, &json!({})).await.status, StatusCode::OK);
    let read = s.get("/changelog?limit=100", me).await.body;
    assert_eq!((&read["newCount"], &read["items"][0]["isNew"]), (&json!(0), &json!(false)), "{read}");
    // A mark never moves back.
    let back = s.post("/changelog/seen", me, &json!({"upTo": "2020-01-01T00:00:00Z"})).await;
    assert_eq!(back.body["lastVisitAt"], read["lastVisitAt"], "{:?}", back.body);
    advance(1).await;
    assert_eq!(s.post("/changelog", &platform, &entry("Chat")).await.status, StatusCode::CREATED);
    let read = s.get("/changelog?limit=100", me).await.body;
    assert_eq!((&read["newCount"], &read["items"][0]["title"]), (&json!(1), &json!("Chat")), "{read}");
    // Every user reads it, in any organization (a newcomer: everything is new).
    let newcomer = s.get("/changelog", &outsider).await;
    assert_eq!(newcomer.status, StatusCode::OK);
    assert!(newcomer.body["newCount"].as_u64().unwrap() >= 3, "{:?}", newcomer.body);
}
