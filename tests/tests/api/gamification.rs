//! Gamification end to end: XP earned by a module completion exactly once (racing completions included),
//! the tenant's amount per source, ranks, manual awards and corrections (never below zero), a worker's
//! balance, the leaderboard, rights and tenant isolation.

use e2e::stack;
use nudge_core::auth::SystemRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

#[tokio::test]
async fn a_completion_earns_xp_once_and_the_ledger_balances_ranks_and_board_agree() {
    let s = stack();
    let tenant = s.organization("Gamification").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let set = s
        .call(Method::PUT, "/xp-settings", Some(&admin), Some(&json!({"amounts": {"MODULE_COMPLETED": 1600}})), &[])
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        (&set.body["amounts"]["MODULE_COMPLETED"], &set.body["amounts"]["QUIZ_HIGH_SCORE"]),
        (&json!(1600), &json!(50))
    );
    let m = id(&s.post("/modules", &admin, &json!({"title": "Ladders"})).await.body);
    let part = id(&s
        .post(&format!("/modules/{m}/sections"), &admin, &json!({"title": "Feet", "content": "<p>Three points</p>"}))
        .await
        .body);
    assert_eq!(s.post(&format!("/modules/{m}/publish"), &admin, &json!({})).await.status, StatusCode::OK);
    let learner = s.member(tenant, "employee").await;
    let me = learner.access.as_str();

    // Six racing completions: one certificate, one award.
    let path = format!("/me/modules/{m}/sections/{part}/complete");
    let empty = json!({});
    let racing = (0..6).map(|_| s.post(&path, me, &empty));
    for reply in futures_util::future::join_all(racing).await {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }
    let certificate = s.get("/me/certificates", me).await.body[0]["id"].clone();
    let mine = s.get("/me/xp", me).await.body;
    let b = &mine["balance"];
    assert_eq!(
        (&b["lifetimeXp"], &b["totalXp"], &b["rank"]),
        (&json!(1600), &json!(1600), &json!("POMOCNIK")),
        "{mine}"
    );
    assert_eq!((&mine["nextRank"], &mine["xpToNextRank"]), (&json!("MOJSTER"), &json!(1900)));
    let ledger = s.get("/me/xp/transactions", me).await.body;
    let entries = ledger["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(
        (&entries[0]["sourceType"], &entries[0]["sourceEntityId"]),
        (&json!("MODULE_COMPLETED"), &json!(certificate.as_str().unwrap()))
    );

    // The learner is told, once, through the notifications path: a new rank is not a digest notice.
    s.drained(&["NotificationsQueue"]).await;
    let inbox = s
        .eventually("/me/notifications", me, "tells of the XP", |b| {
            b["items"].as_array().is_some_and(|items| items.iter().any(|n| n["type"] == "XP_EARNED"))
        })
        .await;
    let told: Vec<&Value> = inbox["items"].as_array().unwrap().iter().filter(|n| n["type"] == "XP_EARNED").collect();
    assert_eq!(told.len(), 1, "{inbox}");
    assert_eq!(
        (&told[0]["title"], &told[0]["priority"]),
        (&json!("You reached the rank of Pomočnik"), &json!("normal")),
        "{inbox}"
    );

    // A correction is a new entry: spendable down, lifetime and rank kept; never below zero.
    let award = |subject_type: &str, subject: &str, amount: i64| json!({"subjectType": subject_type, "subjectId": subject, "amount": amount, "reason": "Correction"});
    let corrected = s.post("/xp/awards", &admin, &award("user", &learner.id.to_string(), -600)).await;
    assert_eq!(
        (corrected.status, &corrected.body["totalXpAfter"]),
        (StatusCode::CREATED, &json!(1000)),
        "{:?}",
        corrected.body
    );
    let b = s.get(&format!("/xp/user/{}", learner.id), &admin).await.body;
    assert_eq!((&b["lifetimeXp"], &b["totalXp"], &b["rank"]), (&json!(1600), &json!(1000), &json!("POMOCNIK")), "{b}");
    let too_much = s.post("/xp/awards", &admin, &award("user", &learner.id.to_string(), -1001)).await;
    assert_eq!((too_much.status, too_much.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/amount".to_owned()]));
    let nobody = s.post("/xp/awards", &admin, &award("user", &uuid::Uuid::now_v7().to_string(), 5)).await;
    assert_eq!((nobody.status, nobody.pointers()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/subjectId".to_owned()]));
    assert_eq!(s.get("/me/xp/transactions", me).await.body["items"].as_array().map(Vec::len), Some(2));

    // A worker's points are the same ledger.
    let worker = id(&s.post("/workers", &admin, &json!({"firstName": "Iva", "lastName": "Crane"})).await.body);
    assert_eq!(s.post("/xp/awards", &admin, &award("worker", &worker, 30)).await.status, StatusCode::CREATED);
    let w = s.get(&format!("/xp/worker/{worker}"), &admin).await.body;
    assert_eq!((&w["subjectType"], &w["totalXp"]), (&json!("worker"), &json!(30)), "{w}");
    // Its document's pointsBalance (what segment rules read) is that balance, written with the award.
    let doc = s.get(&format!("/workers/{worker}"), &admin).await.body;
    assert_eq!(doc["gamification"]["pointsBalance"], 30, "{doc}");

    // The board: the most lifetime XP first, from its index.
    let second = s.member(tenant, "employee").await;
    s.post("/xp/awards", &admin, &award("user", &second.id.to_string(), 100)).await;
    let board = s.get("/leaderboard", me).await.body;
    let places: Vec<(Value, Value, Value)> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["position"].clone(), e["subjectId"].clone(), e["xp"].clone()))
        .collect();
    assert_eq!(places, [(json!(1), json!(learner.id), json!(1600)), (json!(2), json!(second.id), json!(100))]);
    assert_eq!(s.get("/leaderboard?subjectType=worker", me).await.body[0]["subjectId"], json!(worker));
    let standing = s.get(&format!("/xp/worker/{worker}/standing"), &admin).await.body;
    assert_eq!(
        (&standing["period"], &standing["xp"], &standing["position"]),
        (&json!("all_time"), &json!(30), &json!(1))
    );
    let second_place = s.get("/me/xp/standing", &second.access).await.body;
    assert_eq!((&second_place["xp"], &second_place["position"]), (&json!(100), &json!(2)), "{second_place}");
    let bad = s.get("/leaderboard?period=decade&subjectType=robot", me).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errors"].as_array().map(Vec::len), Some(2), "{:?}", bad.body);

    // Rights: a learner sees their own and the board, nobody else's; only xp:manage awards.
    assert_eq!(s.get(&format!("/xp/user/{}", second.id), me).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.post("/xp/awards", me, &award("user", &learner.id.to_string(), 5)).await.status,
        StatusCode::FORBIDDEN
    );

    // Another organization finds none of it.
    let other = s.tenant(s.organization("Gamification outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/xp/user/{}", learner.id), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/xp/worker/{worker}/transactions"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/leaderboard", &other).await.body, json!([]));
    let theirs = s.post("/xp/awards", &other, &award("user", &learner.id.to_string(), 5)).await;
    assert_eq!(theirs.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// `(subjectId, xp)` of each place on a board.
async fn places(s: &e2e::Stack, path: &str, token: &str) -> Vec<(Value, Value)> {
    let board = s.get(path, token).await;
    assert_eq!(board.status, StatusCode::OK, "{path}: {:?}", board.body);
    board.body.as_array().unwrap().iter().map(|e| (e["subjectId"].clone(), e["xp"].clone())).collect()
}

#[tokio::test]
async fn week_month_and_group_boards_count_what_was_earned_in_the_organizations_calendar() {
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Boards").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let (a, b, c) =
        (s.member(tenant, "employee").await, s.member(tenant, "employee").await, s.member(tenant, "employee").await);
    let give = |m: uuid::Uuid, amount: i64| {
        let body = json!({"subjectType": "user", "subjectId": m, "amount": amount, "reason": "Board"});
        let admin = admin.clone();
        async move { assert_eq!(s.post("/xp/awards", &admin, &body).await.status, StatusCode::CREATED) }
    };
    give(a.id, 100).await;
    give(b.id, 50).await;
    let group = id(&s.post("/groups", &admin, &json!({"name": "Night shift"})).await.body);
    let added = s.post(&format!("/groups/{group}/members"), &admin, &json!({"userIds": [a.id, c.id]})).await;
    assert!(added.status.is_success(), "{:?}", added.body);
    let me = a.access.as_str();
    let (ja, jb, jc) = (json!(a.id), json!(b.id), json!(c.id));
    for period in ["week", "month", "all_time"] {
        let board = places(s, &format!("/leaderboard?period={period}"), me).await;
        assert_eq!(board, [(ja.clone(), json!(100)), (jb.clone(), json!(50))], "{period}");
    }
    assert_eq!(places(s, &format!("/leaderboard?period=week&groupId={group}"), me).await, [(ja.clone(), json!(100))]);

    // Eight days on: a new week (and, from the end of November, a new month); all time keeps everything.
    s.public("/_local/clock", &json!({"advanceSeconds": 8 * 86_400})).await;
    give(b.id, 30).await;
    give(c.id, 20).await;
    assert_eq!(places(s, "/leaderboard?period=week", me).await, [(jb.clone(), json!(30)), (jc.clone(), json!(20))]);
    assert_eq!(
        places(s, "/leaderboard", me).await,
        [(ja.clone(), json!(100)), (jb.clone(), json!(80)), (jc.clone(), json!(20))]
    );
    assert_eq!(places(s, &format!("/leaderboard?period=week&groupId={group}"), me).await, [(jc.clone(), json!(20))]);
    assert_eq!(
        places(s, &format!("/leaderboard?groupId={group}"), me).await,
        [(ja.clone(), json!(100)), (jc.clone(), json!(20))]
    );
    // Each one's place, however far down: a new week's board has no place for who earned nothing in it.
    let standing = |token: &str, period: &str| {
        let path = format!("/me/xp/standing?period={period}");
        let token = token.to_owned();
        async move {
            let b = s.get(&path, &token).await.body;
            (b["xp"].clone(), b.get("position").cloned().unwrap_or(Value::Null))
        }
    };
    assert_eq!(standing(&c.access, "all_time").await, (json!(20), json!(3)));
    assert_eq!(standing(&b.access, "week").await, (json!(30), json!(1)));
    assert_eq!(standing(me, "week").await, (json!(0), Value::Null));
    let theirs = s.get(&format!("/xp/user/{}/standing?period=week", c.id), &admin).await.body;
    assert_eq!((&theirs["subjectId"], &theirs["period"], &theirs["position"]), (&jc, &json!("week"), &json!(2)));
    let bad = s.get("/me/xp/standing?period=decade", me).await;
    assert_eq!((bad.status, bad.body["errors"][0]["parameter"].clone()), (StatusCode::BAD_REQUEST, json!("period")));
    // A spend is not earning: the week's board does not move.
    let reward = id(&s.post("/rewards", &admin, &json!({"title": "Mug", "costXp": 10})).await.body);
    assert_eq!(s.post(&format!("/rewards/{reward}/redeem"), &b.access, &json!({})).await.status, StatusCode::CREATED);
    assert_eq!(places(s, "/leaderboard?period=week", me).await[0], (jb.clone(), json!(30)));

    // Another organization's group is not found.
    let other = s.tenant(s.organization("Boards outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/leaderboard?groupId={group}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/xp/user/{}/standing", a.id), &other).await.status, StatusCode::NOT_FOUND);
    let workers = s.get(&format!("/leaderboard?subjectType=worker&groupId={group}"), me).await;
    assert_eq!(workers.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_team_or_department_board_ranks_its_workers_only_and_follows_a_move() {
    // The week and month boards are keyed by the clock another test may move.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Team boards").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let hire = |first: &'static str, department: &'static str, team: &'static str| {
        let admin = admin.clone();
        let body =
            json!({"firstName": first, "lastName": "Crew", "employment": {"department": department, "team": team}});
        async move { id(&s.post("/workers", &admin, &body).await.body) }
    };
    let (ana, ben, cid) = (
        hire("Ana", "Warehouse", "Night A").await,
        hire("Ben", "Warehouse", "Night A").await,
        hire("Cid", "Yard", "Day").await,
    );
    for (worker, amount) in [(&ana, 40), (&ben, 70), (&cid, 90)] {
        let body = json!({"subjectType": "worker", "subjectId": worker, "amount": amount, "reason": "Shift"});
        assert_eq!(s.post("/xp/awards", &admin, &body).await.status, StatusCode::CREATED);
    }
    let (ja, jb, jc) = (json!(ana), json!(ben), json!(cid));
    // Matched like the worker list: any case, spaces folded; every period reads the members by key.
    for period in ["week", "month", "all_time"] {
        let team =
            places(s, &format!("/leaderboard?subjectType=worker&period={period}&team=night%20%20a"), &admin).await;
        assert_eq!(team, [(jb.clone(), json!(70)), (ja.clone(), json!(40))], "{period}");
    }
    let yard = places(s, "/leaderboard?subjectType=worker&department=YARD", &admin).await;
    assert_eq!(yard, [(jc.clone(), json!(90))]);
    assert_eq!(places(s, "/leaderboard?subjectType=worker&team=Nobody", &admin).await, []);

    // A worker moved to another team is on that team's board from then on.
    let path = format!("/workers/{cid}");
    let moved = s.patch(&path, &admin, &json!({"employment": {"team": "Night A"}}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let team = places(s, "/leaderboard?subjectType=worker&team=Night%20A&limit=2", &admin).await;
    assert_eq!(team, [(jc.clone(), json!(90)), (jb.clone(), json!(70))]);

    // One narrowing at a time, of the right kind; another organization's team is empty.
    let both = s.get("/leaderboard?subjectType=worker&team=A&department=B", &admin).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", both.body);
    let blank = s.get("/leaderboard?subjectType=worker&team=%20", &admin).await;
    assert_eq!((blank.status, &blank.body["errors"][0]["parameter"]), (StatusCode::BAD_REQUEST, &json!("team")));
    assert_eq!(s.get("/leaderboard?team=Night%20A", &admin).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = s.tenant(s.organization("Team boards outsider").await, SystemRole::Admin);
    assert_eq!(places(s, "/leaderboard?subjectType=worker&team=Night%20A", &other).await, []);
}

#[tokio::test]
async fn a_batch_gives_opening_balances_once_however_often_it_is_sent() {
    let s = stack();
    let tenant = s.organization("Opening balances").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let worker = |name: &'static str| {
        let admin = admin.clone();
        async move { id(&s.post("/workers", &admin, &json!({"firstName": name, "lastName": "Moved"})).await.body) }
    };
    let (ana, bor) = (worker("Ana").await, worker("Bor").await);
    let learner = s.member(tenant, "employee").await;
    let award = |kind: &str, subject: &str, amount: i64, reference: &str| json!({"subjectType": kind, "subjectId": subject, "amount": amount, "reason": "Opening balance", "reference": reference});
    let first = vec![
        award("worker", &ana, 500, "open:ana"),
        award("worker", &bor, 1200, "open:bor"),
        award("user", &learner.id.to_string(), 40, "open:ana"),
    ];
    let sent = s.post("/xp/awards/batch", &admin, &json!({"awards": first})).await;
    assert_eq!(
        (sent.status, &sent.body["awarded"], &sent.body["alreadyAwarded"]),
        (StatusCode::OK, &json!(3), &json!(0))
    );
    let entries: Vec<(Value, Value)> = sent.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["reference"].clone(), r["entry"]["totalXpAfter"].clone()))
        .collect();
    assert_eq!(
        entries,
        [(json!("open:ana"), json!(500)), (json!("open:bor"), json!(1200)), (json!("open:ana"), json!(40))]
    );

    // Sent again with one more: only the new one is given; balances and ledgers are as they were.
    let mut again = first.clone();
    again.push(award("worker", &ana, 25, "bonus:q4"));
    let resent = s.post("/xp/awards/batch", &admin, &json!({"awards": again})).await;
    assert_eq!((&resent.body["awarded"], &resent.body["alreadyAwarded"]), (&json!(1), &json!(3)), "{:?}", resent.body);
    assert_eq!(resent.body["results"][0].get("entry"), None);
    let balance = s.get(&format!("/xp/worker/{ana}"), &admin).await.body;
    assert_eq!((&balance["lifetimeXp"], &balance["totalXp"]), (&json!(525), &json!(525)), "{balance}");
    let ledger = s.get(&format!("/xp/worker/{ana}/transactions"), &admin).await.body;
    assert_eq!(ledger["items"].as_array().map(Vec::len), Some(2), "{ledger}");
    assert_eq!(s.get(&format!("/workers/{bor}"), &admin).await.body["gamification"]["pointsBalance"], 1200);
    assert_eq!(s.get(&format!("/xp/user/{}", learner.id), &admin).await.body["totalXp"], 40);
    // A full batch of 100, several awards to each person: each given once, in the order sent.
    let people = [("worker", ana.clone()), ("worker", bor.clone()), ("user", learner.id.to_string())];
    let full: Vec<Value> = (0..100)
        .map(|i| {
            let (kind, who) = &people[i % 3];
            award(kind, who, 1 + i as i64 / 3, &format!("bulk:{i}"))
        })
        .collect();
    let sent = s.post("/xp/awards/batch", &admin, &json!({"awards": full})).await;
    assert_eq!((sent.status, &sent.body["awarded"]), (StatusCode::OK, &json!(100)), "{:?}", sent.body);
    // Ana's awards are 1..=34 after 525, given in turn: each entry's balance is the one before it plus it.
    let after: Vec<Value> =
        (0..100).step_by(3).map(|i| sent.body["results"][i]["entry"]["totalXpAfter"].clone()).collect();
    let expected: Vec<Value> = (1..=34)
        .scan(525, |total, n| {
            *total += n;
            Some(json!(*total))
        })
        .collect();
    assert_eq!(after, expected);
    let ana_total = 525 + (1..=34).sum::<i64>();
    assert_eq!(s.get(&format!("/xp/worker/{ana}"), &admin).await.body["totalXp"], ana_total);

    // The single award honours the same reference.
    let repeat = s.post("/xp/awards", &admin, &award("worker", &bor, 1200, "open:bor")).await;
    assert_eq!(repeat.status, StatusCode::CONFLICT, "{:?}", repeat.body);

    // A stranger, or a reference repeated for one person, refuses the whole batch: nothing is given.
    let outsider = s.tenant(s.organization("Opening outsider").await, SystemRole::Admin);
    let theirs = id(&s.post("/workers", &outsider, &json!({"firstName": "Cene", "lastName": "Away"})).await.body);
    let stranger = vec![award("worker", &ana, 5, "late:1"), award("worker", &theirs, 5, "late:2")];
    let refused = s.post("/xp/awards/batch", &admin, &json!({"awards": stranger})).await;
    assert_eq!(
        (refused.status, refused.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/awards/1/subjectId".to_owned()])
    );
    let twice = vec![award("worker", &ana, 5, "late:1"), award("worker", &ana, 6, "late:1")];
    let refused = s.post("/xp/awards/batch", &admin, &json!({"awards": twice})).await;
    assert_eq!(
        (refused.status, refused.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/awards/1/reference".to_owned()])
    );
    assert_eq!(s.get(&format!("/xp/worker/{ana}"), &admin).await.body["totalXp"], ana_total);
    // The other organization sees none of it and may not award ours.
    assert_eq!(s.get(&format!("/xp/worker/{ana}"), &outsider).await.status, StatusCode::NOT_FOUND);
    let across = s.post("/xp/awards/batch", &outsider, &json!({"awards": [award("worker", &ana, 5, "x")]})).await;
    assert_eq!(across.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Only xp:manage sends one; each batch is on record with its totals.
    let denied = s.post("/xp/awards/batch", &learner.access, &json!({"awards": [award("worker", &ana, 5, "y")]})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let log = s.get("/audit-log?entityType=xp&limit=10", &admin).await.body;
    let totals: Vec<(Value, Value, Value)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "xp.batch-awarded")
        .map(|e| {
            (e["metadata"]["awarded"].clone(), e["metadata"]["alreadyAwarded"].clone(), e["metadata"]["xp"].clone())
        })
        .collect();
    let bulk: i64 = (0..100).map(|i| 1 + i / 3).sum();
    assert_eq!(
        totals,
        [(json!(100), json!(0), json!(bulk)), (json!(1), json!(3), json!(25)), (json!(3), json!(0), json!(1740))],
        "{log}"
    );
}
