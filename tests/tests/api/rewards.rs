//! Rewards end to end: a hundred racing redemptions against a stock of 10 and a monthly limit of 2 never
//! oversell or pass the limit; a rejected or cancelled redemption is refunded and restocked exactly once;
//! reviews notify; rights and tenant isolation. And a property test: random interleavings of redemptions,
//! rejections, cancellations and approvals always leave stock, limits, balances and ledgers agreeing.

use e2e::{Member, Stack, stack};
use futures_util::future::join_all;
use nudge_core::auth::SystemRole;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// `n` members of `tenant` with `xp` spendable XP each.
async fn funded(s: &Stack, tenant: uuid::Uuid, admin: &str, n: usize, xp: i64) -> Vec<Member> {
    let mut people = Vec::new();
    for _ in 0..n {
        let m = s.member(tenant, "employee").await;
        let award = json!({"subjectType": "user", "subjectId": m.id, "amount": xp, "reason": "Starting balance"});
        assert_eq!(s.post("/xp/awards", admin, &award).await.status, StatusCode::CREATED);
        people.push(m);
    }
    people
}

async fn spendable(s: &Stack, m: &Member) -> i64 {
    s.get("/me/xp", &m.access).await.body["balance"]["totalXp"].as_i64().unwrap()
}

#[tokio::test]
async fn racing_redemptions_never_oversell_and_refunds_restore_exactly_once() {
    // Monthly limits count in calendar months: the clock must not cross one meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Rewards").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let reward = s
        .post(
            "/rewards",
            &admin,
            &json!({"title": "Cinema tickets", "costXp": 100, "quantityAvailable": 10, "monthlyLimit": 2,
                    "approvalRequired": true, "imageUrl": "https://example.com/cinema.png"}),
        )
        .await;
    assert_eq!(reward.status, StatusCode::CREATED, "{:?}", reward.body);
    let reward = id(&reward.body);
    let people = funded(s, tenant, &admin, 20, 1000).await;

    // 100 redemptions at once: five from each of twenty people.
    let path = format!("/rewards/{reward}/redeem");
    let empty = json!({});
    let racing = people.iter().flat_map(|m| (0..5).map(|_| s.post(&path, &m.access, &empty)));
    let replies = join_all(racing).await;
    let mut won: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, r) in replies.iter().enumerate() {
        match r.status {
            StatusCode::CREATED => won.entry(people[i / 5].access.clone()).or_default().push(id(&r.body)),
            StatusCode::CONFLICT => {}
            other => panic!("{other}: {:?}", r.body),
        }
    }
    assert_eq!(won.values().map(Vec::len).sum::<usize>(), 10, "the stock is 10");
    assert!(won.values().all(|w| w.len() <= 2), "the monthly limit is 2: {won:?}");
    let left = s.get(&format!("/rewards/{reward}"), &admin).await.body;
    assert_eq!(left["quantityAvailable"], 0, "{left}");
    for m in &people {
        let spent = won.get(&m.access).map_or(0, Vec::len) as i64 * 100;
        assert_eq!(spendable(s, m).await, 1000 - spent);
        let me = s.get("/me/xp", &m.access).await.body;
        assert_eq!(me["balance"]["lifetimeXp"], 1000, "spending never lowers lifetime XP");
    }
    let out = s.post(&path, &people[0].access, &empty).await;
    assert_eq!(out.status, StatusCode::CONFLICT);

    // The review queue holds the ten.
    let pending = s.get("/redemptions?status=PENDING&limit=100", &admin).await.body;
    assert_eq!(pending["items"].as_array().unwrap().len(), 10, "{pending}");

    // Rejected twice at once: refunded and restocked once; the second is a 409.
    let (holder, theirs) = won.iter().next().unwrap();
    let holder = people.iter().find(|m| &m.access == holder).unwrap();
    let before = spendable(s, holder).await;
    let reject = format!("/redemptions/{}/reject", theirs[0]);
    let note = json!({"note": "Sold out at the venue"});
    let twice = join_all([s.post(&reject, &admin, &note), s.post(&reject, &admin, &note)]).await;
    let mut statuses: Vec<StatusCode> = twice.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{:?}",
        twice.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(spendable(s, holder).await, before + 100);
    assert_eq!(s.get(&format!("/rewards/{reward}"), &admin).await.body["quantityAvailable"], 1);
    let ledger = s.get("/me/xp/transactions", &holder.access).await.body;
    let refunds = ledger["items"].as_array().unwrap().iter().filter(|e| e["sourceType"] == "REWARD_REFUND").count();
    assert_eq!(refunds, 1, "{ledger}");
    // It stops counting in the month: the holder may redeem again.
    let again = s.post(&path, &holder.access, &empty).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
    assert_eq!(s.get(&format!("/rewards/{reward}"), &admin).await.body["quantityAvailable"], 0);

    // The redeemer cancels their own pending one; approving another tells its redeemer.
    let cancel = s.post(&format!("/redemptions/{}/cancel", id(&again.body)), &holder.access, &empty).await;
    assert_eq!((cancel.status, &cancel.body["status"]), (StatusCode::OK, &json!("CANCELLED")), "{:?}", cancel.body);
    assert_eq!(spendable(s, holder).await, before + 100);
    let (other, others) = won.iter().nth(1).unwrap();
    let other = people.iter().find(|m| &m.access == other).unwrap();
    let approved = s.post(&format!("/redemptions/{}/approve", others[0]), &admin, &empty).await;
    assert_eq!((approved.status, &approved.body["status"]), (StatusCode::OK, &json!("APPROVED")));
    assert!(approved.body["reviewedById"].is_string(), "the reviewer is recorded");
    assert_eq!(
        s.post(&format!("/redemptions/{}/cancel", others[0]), &other.access, &empty).await.status,
        StatusCode::CONFLICT
    );
    s.drained(&["NotificationsQueue"]).await;
    let told = |m: &Member, kind: &'static str| {
        let token = m.access.clone();
        async move {
            s.eventually("/me/notifications", &token, kind, |b| {
                b["items"].as_array().is_some_and(|items| items.iter().any(|n| n["type"] == kind))
            })
            .await
        }
    };
    told(holder, "REWARD_REJECTED").await;
    told(other, "REWARD_APPROVED").await;
    let inbox = s.get("/me/notifications", &holder.access).await.body;
    let rejected = inbox["items"].as_array().unwrap().iter().filter(|n| n["type"] == "REWARD_REJECTED").count();
    assert_eq!(rejected, 1, "{inbox}");

    // Members see the active catalogue and their own redemptions; reviewing needs rewards:manage.
    let mine = s.get("/me/redemptions", &holder.access).await.body;
    assert!(mine["items"].as_array().unwrap().iter().all(|r| r["subjectId"] == json!(holder.id)));
    assert_eq!(s.get(&format!("/redemptions/{}", others[0]), &holder.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.post(&format!("/redemptions/{}/approve", others[1 % others.len()]), &holder.access, &empty).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.post("/rewards", &holder.access, &json!({"title": "X", "costXp": 1})).await.status,
        StatusCode::FORBIDDEN
    );
    let hidden = s.patch(&format!("/rewards/{reward}"), &admin, &json!({"active": false}), None).await;
    assert_eq!(hidden.status, StatusCode::OK, "{:?}", hidden.body);
    assert_eq!(s.get(&format!("/rewards/{reward}"), &holder.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/rewards", &holder.access).await.body, json!([]));

    // Bad input names every bad field.
    let bad = s.post("/rewards", &admin, &json!({"title": " ", "costXp": 0, "monthlyLimit": 0})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let mut at = bad.pointers();
    at.sort();
    assert_eq!(at, ["/costXp", "/monthlyLimit", "/title"]);

    // Another organization finds none of it.
    let outsider = s.tenant(s.organization("Rewards outsider").await, SystemRole::Admin);
    assert_eq!(s.get(&format!("/rewards/{reward}"), &outsider).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.post(&path, &outsider, &empty).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&format!("/redemptions/{}", others[0]), &outsider).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.post(&format!("/redemptions/{}/reject", others[0]), &outsider, &empty).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.patch(&format!("/rewards/{reward}"), &outsider, &json!({"costXp": 1}), None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_monthly_limit_holds_under_a_race_and_spendable_xp_bounds_every_redemption() {
    // Monthly limits count in calendar months: the clock must not cross one meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Rewards limit").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let reward =
        id(&s.post("/rewards", &admin, &json!({"title": "Coffee", "costXp": 40, "monthlyLimit": 2})).await.body);
    let people = funded(s, tenant, &admin, 2, 100).await;
    let path = format!("/rewards/{reward}/redeem");
    let empty = json!({});
    let replies = join_all((0..6).map(|_| s.post(&path, &people[0].access, &empty))).await;
    let won: Vec<&Value> = replies.iter().filter(|r| r.status == StatusCode::CREATED).map(|r| &r.body).collect();
    assert_eq!(won.len(), 2, "{:?}", replies.iter().map(|r| (r.status, &r.body)).collect::<Vec<_>>());
    assert!(won.iter().all(|r| r["status"] == "APPROVED"), "no approval needed: approved at once");
    assert_eq!(spendable(s, &people[0]).await, 20);
    // 100 XP buys two at 40, not three, whatever the limit.
    let dear = id(&s.post("/rewards", &admin, &json!({"title": "Lunch", "costXp": 60})).await.body);
    let first = s.post(&format!("/rewards/{dear}/redeem"), &people[1].access, &empty).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let broke = s.post(&format!("/rewards/{dear}/redeem"), &people[1].access, &empty).await;
    assert_eq!(broke.status, StatusCode::CONFLICT, "{:?}", broke.body);
    assert_eq!(spendable(s, &people[1]).await, 40);
}

/// One step of an interleaving: who redeems, or which earlier redemption is decided how.
#[derive(Clone, Debug)]
enum Op {
    Redeem(usize),
    Reject(usize),
    Cancel(usize),
    Approve(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize).prop_map(Op::Redeem),
        1 => any::<usize>().prop_map(Op::Reject),
        1 => any::<usize>().prop_map(Op::Cancel),
        1 => any::<usize>().prop_map(Op::Approve),
    ]
}

/// A case: the stock, the monthly limit, and the steps in batches that run at once.
fn case() -> impl Strategy<Value = (u32, u32, Vec<Vec<Op>>)> {
    (1..5u32, 1..3u32, prop::collection::vec(prop::collection::vec(op(), 1..6), 2..5))
}

#[tokio::test]
async fn any_interleaving_keeps_stock_limits_and_balances_exact() {
    // Monthly limits count in calendar months: the clock must not cross one meanwhile.
    let _clock = e2e::clock_lock().lock().await;
    let s = stack();
    let tenant = s.organization("Rewards interleavings").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let people = funded(s, tenant, &admin, 3, 100_000).await;
    let mut runner = TestRunner::deterministic();
    let empty = json!({});
    for _ in 0..6 {
        let (stock, limit, batches) = case().new_tree(&mut runner).unwrap().current();
        let reward = id(&s
            .post(
                "/rewards",
                &admin,
                &json!({"title": "Prop", "costXp": 7, "quantityAvailable": stock, "monthlyLimit": limit, "approvalRequired": true}),
            )
            .await
            .body);
        let before: Vec<i64> = join_all(people.iter().map(|m| spendable(s, m))).await;
        // Every redemption made: (its id, whose).
        let mut made: Vec<(String, usize)> = Vec::new();
        for batch in &batches {
            let calls = batch.iter().map(|step| {
                let pick = |i: usize| made.get(i % made.len().max(1)).cloned();
                let (path, token, who) = match step {
                    Op::Redeem(p) => (format!("/rewards/{reward}/redeem"), people[*p].access.clone(), Some(*p)),
                    Op::Reject(i) | Op::Cancel(i) | Op::Approve(i) => {
                        let (r, owner) = pick(*i)?;
                        let verb = match step {
                            Op::Reject(_) => "reject",
                            Op::Cancel(_) => "cancel",
                            _ => "approve",
                        };
                        let token = if verb == "cancel" { people[owner].access.clone() } else { admin.clone() };
                        (format!("/redemptions/{r}/{verb}"), token, None)
                    }
                };
                Some((path, token, who))
            });
            let calls: Vec<(String, String, Option<usize>)> = calls.flatten().collect();
            let replies = join_all(calls.iter().map(|(path, token, _)| s.post(path, token, &empty))).await;
            for ((_, _, who), r) in calls.iter().zip(&replies) {
                assert!(
                    matches!(r.status, StatusCode::OK | StatusCode::CREATED | StatusCode::CONFLICT),
                    "{}: {:?}",
                    r.status,
                    r.body
                );
                if let (Some(p), StatusCode::CREATED) = (who, r.status) {
                    made.push((id(&r.body), *p));
                }
            }
        }
        // Live redemptions (pending or approved) per person, from the records.
        let mut live = [0i64; 3];
        for (r, owner) in &made {
            let status = s.get(&format!("/redemptions/{r}"), &admin).await.body["status"].clone();
            if status == "PENDING" || status == "APPROVED" {
                live[*owner] += 1;
            }
        }
        let left = s.get(&format!("/rewards/{reward}"), &admin).await.body["quantityAvailable"].as_i64().unwrap();
        assert_eq!(left, i64::from(stock) - live.iter().sum::<i64>(), "stock {stock}, steps {batches:?}");
        for (p, m) in people.iter().enumerate() {
            assert!(live[p] <= i64::from(limit), "limit {limit}, steps {batches:?}");
            assert_eq!(spendable(s, m).await, before[p] - 7 * live[p], "steps {batches:?}");
        }
    }
}
