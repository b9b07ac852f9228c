//! Identity and access end to end: sign-in, sessions, invitations, password reset, MFA, lockout, roles,
//! suspension, the permission matrix, tenant isolation and the audit trail, all through the HTTP API, the
//! notifications queue and the emulator's table.

use e2e::{Member, Reply, stack};
use nudge_core::auth::SystemRole;
use nudge_notifications::NotificationKind;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

fn pointers(reply: &Reply) -> Vec<String> {
    reply.pointers()
}

fn token(reply: &Reply, field: &str) -> String {
    reply.body[field].as_str().unwrap_or_else(|| panic!("no {field} in {:?}", reply.body)).to_owned()
}

/// The TOTP code an authenticator app shows for `secret` at `unix` seconds.
fn totp(secret: &str, unix: u64) -> String {
    let raw = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, raw).unwrap().generate(unix)
}

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

/// Turns MFA on for the holder of `access` (enrol, then activate with this step's code); the secret.
async fn enrol_mfa(s: &e2e::Stack, access: &str) -> String {
    let enrol = s.call(Method::POST, "/me/mfa/enrol", Some(access), None, &[]).await;
    assert_eq!(enrol.status, StatusCode::OK, "{:?}", enrol.body);
    let secret = token(&enrol, "secret");
    let on = s.post("/me/mfa/activate", access, &json!({"code": totp(&secret, now())})).await;
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    secret
}

#[tokio::test]
async fn sign_in_refresh_and_logout() {
    let s = stack();
    let tenant = s.organization("Sessions").await;
    let m = s.member(tenant, "admin").await;

    // Email addresses are case-insensitive.
    let login = s.login(&m.email.to_uppercase(), &m.password).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    assert_eq!(login.body["tenantId"], json!(tenant));
    assert_eq!(login.body["role"], "admin");
    assert_eq!(login.body["tokenType"], "Bearer");
    assert!(login.body["permissions"].as_array().unwrap().contains(&json!("users:write")));
    assert_eq!(login.header("cache-control"), Some("no-store"));
    assert!(login.body.get("passwordHash").is_none() && !login.body.to_string().contains("argon2"));
    let (access, refresh) = (token(&login, "accessToken"), token(&login, "refreshToken"));

    let me = s.get("/me", &access).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["email"], json!(m.email));
    assert_eq!(me.body["role"], "admin");
    assert!(me.body["lastLoginAt"].is_string());

    // Refresh rotates: the new pair works, the spent refresh token is refused, and presenting it again
    // (a copy in someone else's hands) ends the session for everyone.
    let renewed = s.public("/auth/refresh", &json!({"refreshToken": refresh})).await;
    assert_eq!(renewed.status, StatusCode::OK, "{:?}", renewed.body);
    let (access2, refresh2) = (token(&renewed, "accessToken"), token(&renewed, "refreshToken"));
    assert_ne!(refresh2, refresh);
    assert_eq!(s.get("/me", &access2).await.status, StatusCode::OK);
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": refresh})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": refresh2})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/me", &access2).await.status, StatusCode::UNAUTHORIZED, "reuse revoked the session");

    // Logout with the bearer token ends that session at once (and its refresh token).
    let again = s.login(&m.email, &m.password).await;
    let (access3, refresh3) = (token(&again, "accessToken"), token(&again, "refreshToken"));
    let out = s.call(Method::POST, "/auth/logout", Some(&access3), None, &[]).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    assert_eq!(s.get("/me", &access3).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": refresh3})).await.status, StatusCode::UNAUTHORIZED);

    // Logout with a refresh token alone; an unknown one is ignored (RFC 7009).
    let fourth = s.login(&m.email, &m.password).await;
    let body = json!({"refreshToken": token(&fourth, "refreshToken")});
    assert_eq!(s.public("/auth/logout", &body).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/me", &token(&fourth, "accessToken")).await.status, StatusCode::UNAUTHORIZED);
    let unknown = json!({"refreshToken": format!("{}.nope", Uuid::now_v7())});
    assert_eq!(s.public("/auth/logout", &unknown).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.public("/auth/logout", &json!({})).await.status, StatusCode::UNAUTHORIZED, "nothing to end");
    assert_eq!(s.public("/auth/logout", &Value::Null).await.status, StatusCode::UNAUTHORIZED, "null is no body");

    // Bad input is named; a wrong password and an unknown email answer alike.
    let bad = s.public("/auth/login", &json!({"email": "nope", "extra": 1})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(pointers(&bad), ["/email", "/password", "/extra"]);
    let wrong = s.login(&m.email, "not-the-password").await;
    let unknown = s.login(&format!("ghost-{}@example.com", Uuid::new_v4().simple()), "not-the-password").await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[tokio::test]
async fn invite_accept_and_sign_in_as_the_new_member() {
    let s = stack();
    let tenant = s.organization("Invites").await;
    let admin = s.member(tenant, "admin").await;
    let email = format!("new-{}@example.com", Uuid::new_v4().simple());

    let invited =
        s.post("/users", &admin.access, &json!({"email": email.to_uppercase(), "role": "hr", "name": "Nina"})).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    assert_eq!(invited.body["status"], "invited");
    assert_eq!(invited.body["email"], json!(email));
    assert_eq!(invited.body["invitedBy"], json!(admin.id));
    let id = token(&invited, "id");
    assert_eq!(invited.header("location"), Some(format!("/users/{id}").as_str()));

    // Sent by the notifications function through SES, from the stack's address.
    let mail = s.mail(&email, NotificationKind::Invite).await;
    assert_eq!(mail.from, nudge_local::server::EMAIL_FROM);
    assert!(mail.link.contains(&mail.token) && mail.subject.contains("Invites"), "{mail:?}");

    // The invited account cannot sign in before accepting (it has no password).
    assert_eq!(s.login(&email, "anything-at-all").await.status, StatusCode::UNAUTHORIZED);
    // A password the schema allows but this account needs is a rule (422); one of bad form is a 400.
    let no_pw = s.public("/auth/invites/accept", &json!({"token": mail.token})).await;
    assert_eq!((no_pw.status, pointers(&no_pw)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/password".to_owned()]));
    let weak = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": "short"})).await;
    assert_eq!((weak.status, pointers(&weak)), (StatusCode::BAD_REQUEST, vec!["/password".to_owned()]));
    let own = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": email.to_uppercase()})).await;
    assert_eq!((own.status, pointers(&own)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/password".to_owned()]));
    let forged = s.public("/auth/invites/accept", &json!({"token": "forged", "password": "long enough pw"})).await;
    assert_eq!((forged.status, pointers(&forged)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/token".to_owned()]));

    let accepted =
        s.public("/auth/invites/accept", &json!({"token": mail.token, "password": "a fine passphrase"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    assert_eq!((accepted.body["role"].as_str(), accepted.body["tenantId"].clone()), (Some("hr"), json!(tenant)));
    let again = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": "a fine passphrase"})).await;
    assert_eq!((again.status, pointers(&again)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/token".to_owned()]));

    let login = s.login(&email, "a fine passphrase").await;
    assert_eq!(login.status, StatusCode::OK);
    let member = s.get(&format!("/users/{id}"), &admin.access).await;
    assert_eq!((member.body["status"].as_str(), member.body["name"].as_str()), (Some("active"), Some("Nina")));
    assert!(member.body["lastLoginAt"].is_string());

    // Already a member; bad fields; unknown role; a role beyond the inviter's own.
    let dup = s.post("/users", &admin.access, &json!({"email": email})).await;
    assert_eq!((dup.status, pointers(&dup)), (StatusCode::CONFLICT, vec!["/email".to_owned()]));
    let bad = s.post("/users", &admin.access, &json!({"email": "nope", "name": "", "extra": true})).await;
    assert_eq!(pointers(&bad), ["/email", "/name", "/extra"]);
    let role = s.post("/users", &admin.access, &json!({"email": "x@example.com", "role": "wizard"})).await;
    assert_eq!((role.status, pointers(&role)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/role".to_owned()]));
    let hr = token(&login, "accessToken");
    let escalate = s.post("/users", &hr, &json!({"email": "y@example.com", "role": "admin"})).await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN, "hr cannot make admins");
    let list = s.get("/users?limit=100", &admin.access).await;
    let emails: Vec<&str> = list.body["items"].as_array().unwrap().iter().filter_map(|m| m["email"].as_str()).collect();
    assert!(!emails.contains(&"x@example.com") && !emails.contains(&"y@example.com"), "nothing written");
    assert!(emails.contains(&email.as_str()) && emails.contains(&admin.email.as_str()));
}

#[tokio::test]
async fn password_reset_signs_out_everywhere() {
    let s = stack();
    let tenant = s.organization("Reset").await;
    let m = s.member(tenant, "viewer").await;

    let asked = s.public("/auth/password-reset", &json!({"email": m.email.to_uppercase()})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    let ghost = s.public("/auth/password-reset", &json!({"email": "ghost@example.com"})).await;
    assert_eq!(ghost.status, StatusCode::ACCEPTED, "no account enumeration");
    let mail = s.mail(&m.email, NotificationKind::PasswordReset).await;

    let weak = s.public("/auth/password-reset/confirm", &json!({"token": mail.token, "password": "short"})).await;
    assert_eq!((weak.status, pointers(&weak)), (StatusCode::BAD_REQUEST, vec!["/password".to_owned()]));
    let done =
        s.public("/auth/password-reset/confirm", &json!({"token": mail.token, "password": "brand new secret"})).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    let twice =
        s.public("/auth/password-reset/confirm", &json!({"token": mail.token, "password": "other new secret"})).await;
    assert_eq!((twice.status, pointers(&twice)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/token".to_owned()]));

    assert_eq!(s.login(&m.email, &m.password).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.login(&m.email, "brand new secret").await.status, StatusCode::OK);
    assert_eq!(s.get("/me", &m.access).await.status, StatusCode::UNAUTHORIZED, "old sessions end");
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": m.refresh})).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn mfa_with_totp_and_backup_codes() {
    let s = stack();
    let tenant = s.organization("Mfa").await;
    let m = s.member(tenant, "employee").await;

    let enrol = s.call(Method::POST, "/me/mfa/enrol", Some(&m.access), None, &[]).await;
    assert_eq!(enrol.status, StatusCode::OK, "{:?}", enrol.body);
    let secret = token(&enrol, "secret");
    assert!(token(&enrol, "otpauthUri").starts_with("otpauth://totp/Nudge:"));
    let wrong = s.post("/me/mfa/activate", &m.access, &json!({"code": "000000"})).await;
    if totp(&secret, now()) != "000000" {
        assert_eq!((wrong.status, pointers(&wrong)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/code".to_owned()]));
    }
    let activated = s.post("/me/mfa/activate", &m.access, &json!({"code": totp(&secret, now())})).await;
    assert_eq!(activated.status, StatusCode::OK, "{:?}", activated.body);
    let codes: Vec<String> =
        activated.body["backupCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    let status = s.get("/me/mfa", &m.access).await;
    assert_eq!(
        (status.body["enabled"].as_bool(), status.body["backupCodesRemaining"].as_u64()),
        (Some(true), Some(10))
    );

    let bare = s.login(&m.email, &m.password).await;
    assert_eq!(bare.status, StatusCode::UNAUTHORIZED);
    assert!(bare.body["detail"].as_str().unwrap().starts_with("mfa-required"));

    // The activation used this step's code; the next step's is within the allowed skew.
    let code = totp(&secret, now() + 30);
    let with = |code: &str| json!({"email": m.email, "password": m.password, "mfaCode": code});
    let signed = s.public("/auth/login", &with(&code)).await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);
    assert_eq!(s.public("/auth/login", &with(&code)).await.status, StatusCode::UNAUTHORIZED, "no replay");

    let backup = s.public("/auth/login", &with(&codes[0])).await;
    assert_eq!(backup.status, StatusCode::OK, "{:?}", backup.body);
    assert_eq!(s.public("/auth/login", &with(&codes[0])).await.status, StatusCode::UNAUTHORIZED, "single use");

    let access = token(&backup, "accessToken");
    let bad_pw = s.post("/me/mfa/disable", &access, &json!({"password": "wrong", "code": codes[1]})).await;
    assert_eq!((bad_pw.status, pointers(&bad_pw)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/password".to_owned()]));
    let off = s.post("/me/mfa/disable", &access, &json!({"password": m.password, "code": codes[1]})).await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{:?}", off.body);
    assert_eq!(s.login(&m.email, &m.password).await.status, StatusCode::OK);
}

#[tokio::test]
async fn ten_failures_lock_the_address() {
    let s = stack();
    let tenant = s.organization("Lockout").await;
    let m = s.member(tenant, "viewer").await;
    for _ in 0..10 {
        assert_eq!(s.login(&m.email, "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    }
    let locked = s.login(&m.email, &m.password).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: u64 = locked.header("retry-after").and_then(|v| v.parse().ok()).unwrap();
    assert!((1..=900).contains(&retry));

    // An address without an account locks the same way.
    let ghost = format!("ghost-{}@example.com", Uuid::new_v4().simple());
    for _ in 0..10 {
        assert_eq!(s.login(&ghost, "guess guess guess").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(s.login(&ghost, "guess guess guess").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn suspension_role_change_and_removal_reach_live_sessions() {
    let s = stack();
    let tenant = s.organization("Suspend").await;
    let admin = s.member(tenant, "admin").await;
    let v = s.member(tenant, "viewer").await;
    let path = format!("/users/{}", v.id);
    assert_eq!(s.get("/organization", &v.access).await.status, StatusCode::OK);

    let suspended = s.patch(&path, &admin.access, &json!({"status": "suspended"}), None).await;
    assert_eq!(suspended.status, StatusCode::OK, "{:?}", suspended.body);
    assert_eq!(s.get("/organization", &v.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": v.refresh})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.login(&v.email, &v.password).await.status, StatusCode::FORBIDDEN, "no active membership");

    let back = s.patch(&path, &admin.access, &json!({"status": "active"}), None).await;
    assert_eq!(back.status, StatusCode::OK);
    let login = s.login(&v.email, &v.password).await;
    assert_eq!(login.status, StatusCode::OK);
    let (access, refresh) = (token(&login, "accessToken"), token(&login, "refreshToken"));

    // A role change sends the holder to refresh for the new permissions.
    let etag = back.header("etag").unwrap().to_owned();
    let stale = s.patch(&path, &admin.access, &json!({"role": "hr"}), Some("\"999\"")).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let promoted = s.patch(&path, &admin.access, &json!({"role": "hr"}), Some(&etag)).await;
    assert_eq!(promoted.status, StatusCode::OK, "{:?}", promoted.body);
    assert_eq!(s.get("/organization", &access).await.status, StatusCode::UNAUTHORIZED);
    let renewed = s.public("/auth/refresh", &json!({"refreshToken": refresh})).await;
    assert_eq!(renewed.body["role"], "hr");
    assert_eq!(s.get("/users", &token(&renewed, "accessToken")).await.status, StatusCode::OK);

    let bad = s.patch(&path, &admin.access, &json!({"status": "invited", "role": "wizard", "extra": 1}), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Well-formed, but no such role here, and no going back to an open invitation: rules (422).
    let wizard = s.patch(&path, &admin.access, &json!({"role": "wizard"}), None).await;
    assert_eq!((wizard.status, pointers(&wizard)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/role".to_owned()]));
    let reinvite = s.patch(&path, &admin.access, &json!({"status": "invited"}), None).await;
    assert_eq!((reinvite.status, pointers(&reinvite)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/status".to_owned()]));
    assert_eq!(
        s.patch(&format!("/users/{}", admin.id), &admin.access, &json!({"role": "viewer"}), None).await.status,
        StatusCode::FORBIDDEN,
        "not your own"
    );

    assert_eq!(s.delete(&path, &admin.access).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&path, &admin.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/me", &token(&renewed, "accessToken")).await.status, StatusCode::UNAUTHORIZED);

    // The last active owner stays; only owners make or unmake owners.
    let o = s.member(tenant, "owner").await;
    let op = format!("/users/{}", o.id);
    assert_eq!(s.patch(&op, &admin.access, &json!({"role": "viewer"}), None).await.status, StatusCode::FORBIDDEN);
    let operator = s.tenant(tenant, SystemRole::Owner);
    let last = s.patch(&op, &operator, &json!({"role": "admin"}), None).await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{:?}", last.body);
    assert_eq!(s.delete(&op, &operator).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn switching_between_organizations() {
    let s = stack();
    let (a, b) = (s.organization("Coach A").await, s.organization("Coach B").await);
    let coach = s.member(a, "manager").await;
    let owner_b = s.tenant(b, SystemRole::Owner);
    assert_eq!(
        s.post("/users", &owner_b, &json!({"email": coach.email, "role": "viewer"})).await.status,
        StatusCode::CREATED
    );
    // Until the invitation is accepted, the other organization sees nothing of the account itself.
    let pending = s.get(&format!("/users/{}", coach.id), &owner_b).await;
    assert_eq!(pending.status, StatusCode::OK, "{:?}", pending.body);
    for hidden in ["accountStatus", "lastLoginAt"] {
        assert!(pending.body.get(hidden).is_none(), "{hidden} shown: {:?}", pending.body);
    }
    assert_eq!(pending.body["name"], Value::Null);
    let mail = s.mail(&coach.email, NotificationKind::Invite).await;
    // The account has a password already: accepting takes it, which proves the account is the caller's.
    let joined = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": coach.password})).await;
    assert_eq!((joined.status, joined.body["tenantId"].clone()), (StatusCode::OK, json!(b)));

    let login = s.login(&coach.email, &coach.password).await;
    assert_eq!(login.body["tenantId"], json!(b), "lands where they last were");
    assert_eq!(login.body["memberships"].as_array().unwrap().len(), 2);
    let pick = s.public("/auth/login", &json!({"email": coach.email, "password": coach.password, "tenantId": a})).await;
    assert_eq!((pick.body["tenantId"].clone(), pick.body["role"].as_str()), (json!(a), Some("manager")));

    let switched = s.post("/auth/switch-tenant", &token(&pick, "accessToken"), &json!({"tenantId": b})).await;
    assert_eq!(switched.status, StatusCode::OK, "{:?}", switched.body);
    assert_eq!((switched.body["tenantId"].clone(), switched.body["role"].as_str()), (json!(b), Some("viewer")));
    let org = s.get("/organization", &token(&switched, "accessToken")).await;
    assert_eq!(org.body["id"], json!(b));
    let stranger = s.organization("Not theirs").await;
    let nope = s.post("/auth/switch-tenant", &token(&pick, "accessToken"), &json!({"tenantId": stranger})).await;
    assert_eq!(nope.status, StatusCode::NOT_FOUND);
    let me = s.get("/me", &token(&switched, "accessToken")).await;
    assert_eq!(me.body["memberships"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn custom_roles_and_the_default_role() {
    let s = stack();
    let tenant = s.organization("Roles").await;
    let admin = s.member(tenant, "admin").await;
    let body = json!({"name": "Shift-Lead", "displayName": "Shift lead", "permissions": ["workers:read", "segments:read"], "isDefault": true});
    let created = s.post("/roles", &admin.access, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!((created.body["name"].as_str(), created.body["isSystem"].as_bool()), (Some("shift-lead"), Some(false)));
    assert_eq!(s.post("/roles", &admin.access, &body).await.status, StatusCode::CONFLICT);
    let bad = s
        .post(
            "/roles",
            &admin.access,
            &json!({"name": "admin", "displayName": "", "permissions": ["workers:read", "root:all"]}),
        )
        .await;
    // Schema errors first, then the rule a system role's name breaks; all of them a 400 together.
    assert_eq!(
        (bad.status, pointers(&bad)),
        (StatusCode::BAD_REQUEST, vec!["/displayName".to_owned(), "/permissions/1".to_owned(), "/name".to_owned()])
    );
    let system =
        s.post("/roles", &admin.access, &json!({"name": "Super-Admin", "displayName": "S", "permissions": []})).await;
    assert_eq!((system.status, pointers(&system)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/name".to_owned()]));

    let roles = s.get("/roles", &admin.access).await;
    let items = roles.body["items"].as_array().unwrap();
    let default: Vec<&str> =
        items.iter().filter(|r| r["isDefault"] == true).filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(default, ["shift-lead"]);
    assert!(items.iter().any(|r| r["name"] == "organizer" && r["isSystem"] == true));

    // An invitation without a role gets the default; the member's token carries the custom permissions.
    let email = format!("lead-{}@example.com", Uuid::new_v4().simple());
    let invited = s.post("/users", &admin.access, &json!({"email": email})).await;
    assert_eq!(invited.body["role"], "shift-lead");
    let mail = s.mail(&email, NotificationKind::Invite).await;
    let lead = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": "lead passphrase"})).await;
    let perms = lead.body["permissions"].as_array().unwrap();
    assert!(perms.contains(&json!("workers:read")) && !perms.contains(&json!("users:read")));
    assert_eq!(s.get("/users", &token(&lead, "accessToken")).await.status, StatusCode::FORBIDDEN);

    let patched = s
        .patch("/roles/shift-lead", &admin.access, &json!({"permissions": ["workers:read", "users:read"]}), None)
        .await;
    assert_eq!((patched.status, patched.body["version"].as_u64()), (StatusCode::OK, Some(2)));
    assert_eq!(
        s.patch("/roles/admin", &admin.access, &json!({"displayName": "Boss"}), None).await.status,
        StatusCode::FORBIDDEN
    );
    let system_default = s.patch("/roles/viewer", &admin.access, &json!({"isDefault": true}), None).await;
    assert_eq!(system_default.body["isDefault"], true);
    assert_eq!(s.get("/roles/shift-lead", &admin.access).await.body["isDefault"], false);

    assert_eq!(s.delete("/roles/shift-lead", &admin.access).await.status, StatusCode::CONFLICT, "still held");
    assert_eq!(s.delete("/roles/admin", &admin.access).await.status, StatusCode::FORBIDDEN);
    let unused =
        s.post("/roles", &admin.access, &json!({"name": "temp", "displayName": "Temp", "permissions": []})).await;
    assert_eq!(unused.status, StatusCode::CREATED);
    assert_eq!(s.delete("/roles/temp", &admin.access).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/roles/temp", &admin.access).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_system_role_against_every_endpoint_family() {
    let s = stack();
    let tenant = s.organization("Matrix").await;
    // (method, path, body, permission): a body that is allowed answers anything but 403.
    let families: [(Method, &str, Option<Value>, &str); 13] = [
        (Method::GET, "/organization", None, "organization:read"),
        (Method::PATCH, "/organization", Some(json!({})), "organization:write"),
        (Method::GET, "/users", None, "users:read"),
        (Method::POST, "/users", Some(json!({})), "users:write"),
        (Method::GET, "/roles", None, "roles:read"),
        (Method::POST, "/roles", Some(json!({})), "roles:write"),
        (Method::GET, "/audit-log", None, "audit:read"),
        (Method::GET, "/integrations", None, "integrations:read"),
        (Method::POST, "/integrations", Some(json!({})), "integrations:write"),
        (Method::GET, "/me/preferences", None, "profile:read"),
        (Method::PUT, "/me/preferences", Some(json!({})), "profile:write"),
        (Method::GET, "/me/mfa", None, "profile:read"),
        (Method::PATCH, "/users/00000000-0000-0000-0000-000000000000", Some(json!({})), "users:write"),
    ];
    for role in SystemRole::ALL.into_iter().filter(|r| *r != SystemRole::PlatformAdmin) {
        let token = s.tenant(tenant, role);
        for (method, path, body, permission) in &families {
            let reply = s.call(method.clone(), path, Some(&token), body.as_ref(), &[]).await;
            let allowed = role.permissions().contains(permission);
            assert_eq!(reply.status == StatusCode::FORBIDDEN, !allowed, "{role} {method} {path}: {:?}", reply.body);
        }
    }
    // A platform-admin token is not a tenant token.
    assert_eq!(s.get("/users", &s.platform()).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_tenants_people_and_roles_are_404() {
    let s = stack();
    let (a, b) = (s.organization("Tenant A").await, s.organization("Tenant B").await);
    let admin_a = s.member(a, "admin").await;
    let x = s.member(a, "viewer").await;
    let role = json!({"name": "a-only", "displayName": "A only", "permissions": ["workers:read"]});
    assert_eq!(s.post("/roles", &admin_a.access, &role).await.status, StatusCode::CREATED);
    let admin_b: Member = s.member(b, "admin").await;

    let xp = format!("/users/{}", x.id);
    assert_eq!(s.get(&xp, &admin_b.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.patch(&xp, &admin_b.access, &json!({"status": "suspended"}), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&xp, &admin_b.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/users/not-a-uuid", &admin_b.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/roles/a-only", &admin_b.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.patch("/roles/a-only", &admin_b.access, &json!({"displayName": "B"}), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete("/roles/a-only", &admin_b.access).await.status, StatusCode::NOT_FOUND);
    let listed = s.get("/users?limit=100", &admin_b.access).await;
    let ids: BTreeSet<&str> =
        listed.body["items"].as_array().unwrap().iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(ids, BTreeSet::from([admin_b.id.to_string().as_str()]));
    let roles = s.get("/roles", &admin_b.access).await;
    assert!(!roles.body.to_string().contains("a-only"));
    let switch = s.post("/auth/switch-tenant", &admin_b.access, &json!({"tenantId": a})).await;
    assert_eq!(switch.status, StatusCode::NOT_FOUND);
    // Nothing of A changed.
    assert_eq!(s.get(&xp, &admin_a.access).await.body["status"], "active");
}

#[tokio::test]
async fn every_mutation_leaves_an_audit_entry() {
    let s = stack();
    let tenant = s.organization("Audited").await;
    let admin = s.member(tenant, "admin").await;
    let login = s.login(&admin.email, &admin.password).await;
    let access = token(&login, "accessToken");
    let ok = |r: &Reply| assert!(r.status.is_success(), "{:?}", r.body);
    ok(&s.patch("/me", &access, &json!({"firstName": "Ada"}), None).await);
    ok(&s.call(Method::PUT, "/me/preferences", Some(&access), Some(&json!({"theme": "dark"})), &[]).await);
    ok(&s
        .post("/roles", &access, &json!({"name": "auditor", "displayName": "Auditor", "permissions": ["audit:read"]}))
        .await);
    ok(&s.patch("/roles/auditor", &access, &json!({"description": "reads the log"}), None).await);
    let email = format!("audited-{}@example.com", Uuid::new_v4().simple());
    let invited = s.post("/users", &access, &json!({"email": email, "role": "viewer"})).await;
    ok(&invited);
    let id = token(&invited, "id");
    ok(&s.patch(&format!("/users/{id}"), &access, &json!({"role": "auditor"}), None).await);
    ok(&s.delete(&format!("/users/{id}"), &access).await);
    ok(&s.delete("/roles/auditor", &access).await);
    ok(&s.public("/auth/refresh", &json!({"refreshToken": token(&login, "refreshToken")})).await);
    let _ = s.login(&admin.email, "wrong password!").await;

    let log = s.get("/audit-log?limit=100", &admin.access).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    let entries = log.body["items"].as_array().unwrap();
    let actions: BTreeSet<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "invite.accepted",
        "auth.login",
        "me.updated",
        "me.preferences.updated",
        "role.created",
        "role.updated",
        "user.created",
        "user.updated",
        "user.deleted",
        "role.deleted",
        "auth.refresh",
    ] {
        assert!(actions.contains(expected), "{expected} missing from {actions:?}");
    }
    let invite = entries.iter().find(|e| e["action"] == "user.created").unwrap();
    assert_eq!((invite["actorId"].clone(), invite["entityId"].clone()), (json!(admin.id), json!(id)));
    assert!(!log.body.to_string().contains(&admin.password), "no secret in the log");
}

#[tokio::test]
async fn a_platform_admin_signs_in_and_enters_an_organization_to_onboard_it() {
    let s = stack();
    let ctx = s.ctx().await;
    let email = format!("ops-{}@example.com", Uuid::new_v4().simple());
    nudge_local::bootstrap::platform_admin(&ctx.store, &email, "platform passphrase").await.unwrap();

    let first = s.login(&email, "platform passphrase").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!((first.body["tenantId"].clone(), first.body["role"].as_str()), (Value::Null, Some("platform_admin")));
    // A platform admin guards every organization: the stack requires their MFA, enrolled with this first
    // session, and from then on they sign in with a code.
    let secret = enrol_mfa(s, &token(&first, "accessToken")).await;
    let bare = s.login(&email, "platform passphrase").await;
    assert_eq!(bare.status, StatusCode::UNAUTHORIZED, "the platform admin now signs in with a code");
    let code = json!({"email": email, "password": "platform passphrase", "mfaCode": totp(&secret, now() + 30)});
    let login = s.public("/auth/login", &code).await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let platform = token(&login, "accessToken");
    let org = s.post("/organizations", &platform, &json!({"name": "Onboarded", "type": "client"})).await;
    assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
    let tenant = org.body["id"].clone();
    assert_eq!(s.get("/users", &platform).await.status, StatusCode::FORBIDDEN, "not a tenant token");

    // Enter the new organization (audited) and invite its first owner.
    let support = s.post("/auth/switch-tenant", &platform, &json!({"tenantId": tenant})).await;
    assert_eq!(
        (support.status, support.body["role"].as_str()),
        (StatusCode::OK, Some("super_admin")),
        "{:?}",
        support.body
    );
    let inside = token(&support, "accessToken");
    let owner = format!("owner-{}@example.com", Uuid::new_v4().simple());
    let invited = s.post("/users", &inside, &json!({"email": owner, "role": "owner"})).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    let renewed = s.public("/auth/refresh", &json!({"refreshToken": token(&support, "refreshToken")})).await;
    assert_eq!(renewed.body["role"], "super_admin");
    let log = s.get("/audit-log?limit=100", &inside).await;
    let actions: Vec<&str> =
        log.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"auth.switch_tenant") && actions.contains(&"user.created"), "{actions:?}");

    // A tenant member cannot enter an organization they do not belong to.
    let member = s.member(s.organization("Elsewhere").await, "owner").await;
    let refused = s.post("/auth/switch-tenant", &member.access, &json!({"tenantId": tenant})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

/// One access token cannot mint sessions: a switch to the caller's own tenant is refused, a switch needs
/// a session that is live now (logout ends it at once), and a user holds a bounded number of live
/// sessions. A password reset ends every session through the user's epoch, even one whose own item still
/// says active (as one opened while the sessions were being revoked would); a password change keeps only
/// the session that made it, and is not refused because a sign-in wrote the account meanwhile.
#[tokio::test]
async fn recovery_evicts_every_session_and_one_token_mints_none() {
    let s = stack();
    let tenant = s.organization("Recovery").await;
    let m = s.member(tenant, "viewer").await;

    let same = s.post("/auth/switch-tenant", &m.access, &json!({"tenantId": tenant})).await;
    assert_eq!((same.status, pointers(&same)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/tenantId".to_owned()]));
    let other = s.organization("Recovery elsewhere").await;
    let owner_b = s.tenant(other, SystemRole::Owner);
    let invited = s.post("/users", &owner_b, &json!({"email": m.email, "role": "viewer"})).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    let mail = s.mail(&m.email, NotificationKind::Invite).await;
    let without = s.public("/auth/invites/accept", &json!({"token": mail.token})).await;
    assert_eq!((without.status, pointers(&without)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["/password".to_owned()]));
    let wrong = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": "not the password"})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "an existing account joins with its own password");
    let joined = s.public("/auth/invites/accept", &json!({"token": mail.token, "password": m.password})).await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.body);
    let login = s.login(&m.email, &m.password).await;
    let access = token(&login, "accessToken");
    assert_eq!(
        s.public("/auth/logout", &json!({"refreshToken": token(&login, "refreshToken")})).await.status,
        StatusCode::NO_CONTENT
    );
    let after_logout = s.post("/auth/switch-tenant", &access, &json!({"tenantId": other})).await;
    assert_eq!(after_logout.status, StatusCode::UNAUTHORIZED, "{:?}", after_logout.body);

    // Sign-ins beyond the cap end the oldest sessions.
    let mut refreshes = Vec::new();
    for _ in 0..nudge_core::auth::session::MAX_LIVE + 2 {
        let r = s.login(&m.email, &m.password).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        refreshes.push(token(&r, "refreshToken"));
    }
    let ctx = s.ctx().await;
    let now = chrono::Utc::now();
    let sessions = nudge_core::auth::session::of_user(&ctx.store, m.id).await.unwrap();
    let live = sessions.iter().filter(|x| x.is_live(now)).count();
    assert!(live <= nudge_core::auth::session::MAX_LIVE, "{live} live sessions");
    assert_eq!(
        s.public("/auth/refresh", &json!({"refreshToken": m.refresh})).await.status,
        StatusCode::UNAUTHORIZED,
        "the oldest ended"
    );

    // A password change while signing in keeps working, and keeps only the session that made it.
    let keeper = s.login(&m.email, &m.password).await;
    let keeper_token = token(&keeper, "accessToken");
    let change = json!({"currentPassword": m.password, "newPassword": "a brand new passphrase"});
    let (changed, _, _) = tokio::join!(
        s.post("/me/password", &keeper_token, &change),
        s.login(&m.email, &m.password),
        s.login(&m.email, &m.password),
    );
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_eq!(s.get("/me", &keeper_token).await.status, StatusCode::OK, "the changing session stays");
    let last = refreshes.last().unwrap();
    assert_eq!(s.public("/auth/refresh", &json!({"refreshToken": last})).await.status, StatusCode::UNAUTHORIZED);

    // A reset ends every session, even one the revocation missed (its item rewritten as active).
    let fresh = s.login(&m.email, "a brand new passphrase").await;
    let fresh_access = token(&fresh, "accessToken");
    let fresh_id = uuid::Uuid::parse_str(fresh.body["sessionId"].as_str().unwrap()).unwrap();
    assert_eq!(s.public("/auth/password-reset", &json!({"email": m.email})).await.status, StatusCode::ACCEPTED);
    let reset = s.mail(&m.email, NotificationKind::PasswordReset).await;
    let done = s
        .public("/auth/password-reset/confirm", &json!({"token": reset.token, "password": "the newest passphrase"}))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    let revoked = nudge_core::auth::session::load(&ctx.store, fresh_id).await.unwrap().unwrap();
    let mut survivor = revoked.clone();
    survivor.status = nudge_core::auth::session::SessionStatus::Active;
    survivor.version += 1;
    ctx.store.write(nudge_core::auth::session::replace(&revoked, &survivor).unwrap()).await.unwrap();
    assert_eq!(s.get("/me", &fresh_access).await.status, StatusCode::UNAUTHORIZED, "the epoch ends it");
    let refresh = s.public("/auth/refresh", &json!({"refreshToken": token(&fresh, "refreshToken")})).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.login(&m.email, "the newest passphrase").await.status, StatusCode::OK);
}

/// Ranks: owner > super admin > admin > HR > the working roles. A caller acts on a member (role, status,
/// grants, removal) only when outranking the member's role, and gives only roles their rank reaches; two
/// owners demoting each other at once leave one owner.
#[tokio::test]
async fn ranks_keep_a_tenant_with_its_owners() {
    let s = stack();
    let tenant = s.organization("Ranks").await;
    let a = s.member(tenant, "owner").await;
    let b = s.member(tenant, "owner").await;
    let admin = s.member(tenant, "admin").await;
    let hr = s.member(tenant, "hr").await;
    let other_admin = s.member(tenant, "admin").await;
    let mailbox = |who: &str| format!("{who}-{}@example.com", Uuid::new_v4().simple());

    let up = s.post("/users", &admin.access, &json!({"email": mailbox("up"), "role": "super_admin"})).await;
    assert_eq!(up.status, StatusCode::FORBIDDEN, "an admin makes no super admin: {:?}", up.body);
    assert_eq!(up.body["detail"], "you cannot give a role that ranks above yours");
    let peer =
        s.patch(&format!("/users/{}", other_admin.id), &admin.access, &json!({"status": "suspended"}), None).await;
    assert_eq!(peer.status, StatusCode::FORBIDDEN, "admins do not act on admins: {:?}", peer.body);
    let by_hr = s.patch(&format!("/users/{}", admin.id), &hr.access, &json!({"status": "suspended"}), None).await;
    assert_eq!(by_hr.status, StatusCode::FORBIDDEN, "{:?}", by_hr.body);
    assert_eq!(by_hr.body["detail"], "the member's role ranks as high as yours or higher");
    let grants = json!({"grants": [{"permission": "workers:read", "scope": {"segments": ["a"]}}]});
    let rewrite = s.patch(&format!("/users/{}", admin.id), &hr.access, &grants, None).await;
    assert_eq!(rewrite.status, StatusCode::FORBIDDEN, "HR rewrites no admin's grants: {:?}", rewrite.body);
    let employee = s.member(tenant, "employee").await;
    let fine = s.patch(&format!("/users/{}", employee.id), &hr.access, &json!({"status": "suspended"}), None).await;
    assert_eq!(fine.status, StatusCode::OK, "HR acts on employees: {:?}", fine.body);

    let super_admin = s.member(tenant, "super_admin").await;
    let owner = s.post("/users", &super_admin.access, &json!({"email": mailbox("own"), "role": "owner"})).await;
    assert_eq!(owner.status, StatusCode::FORBIDDEN, "a super admin makes no owner: {:?}", owner.body);
    let on_owner =
        s.patch(&format!("/users/{}", a.id), &super_admin.access, &json!({"status": "suspended"}), None).await;
    assert_eq!(on_owner.status, StatusCode::FORBIDDEN, "{:?}", on_owner.body);
    let promote = s.patch(&format!("/users/{}", admin.id), &super_admin.access, &json!({"role": "owner"}), None).await;
    assert_eq!(promote.status, StatusCode::FORBIDDEN, "{:?}", promote.body);

    // Two owners demote each other at once: one change lands, one owner remains.
    let demote = json!({"role": "admin"});
    let (path_a, path_b) = (format!("/users/{}", a.id), format!("/users/{}", b.id));
    let (ab, ba) = tokio::join!(s.patch(&path_b, &a.access, &demote, None), s.patch(&path_a, &b.access, &demote, None));
    let statuses = [ab.status, ba.status];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?} {:?} {:?}", ab.body, ba.body);
    let members = s.all_pages("/users", &s.tenant(tenant, SystemRole::Owner), 100).await;
    let owners = members.iter().filter(|m| m["role"] == "owner" && m["status"] == "active").count();
    assert_eq!(owners, 1, "{statuses:?}");
}

/// Attempts are counted before the password is checked: a parallel burst gets no more guesses evaluated
/// than the limit, and the checks of `/me` (password change, MFA off, new backup codes) share the counter.
#[tokio::test]
async fn a_burst_of_guesses_is_counted_before_any_is_checked() {
    let s = stack();
    let tenant = s.organization("Burst").await;
    let m = s.member(tenant, "viewer").await;
    let words: Vec<String> = (0..24).map(|i| format!("wrong guess {i}")).collect();
    let guesses: Vec<_> = words.iter().map(|w| s.login(&m.email, w)).collect();
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let refused = answers.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 10, "{checked} guesses were checked");
    assert_eq!(checked + refused, answers.len());

    let other = s.member(tenant, "viewer").await;
    for _ in 0..10 {
        let wrong = json!({"currentPassword": "not my password", "newPassword": "a brand new passphrase"});
        assert_eq!(s.post("/me/password", &other.access, &wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right = json!({"currentPassword": other.password, "newPassword": "a brand new passphrase"});
    let locked = s.post("/me/password", &other.access, &right).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", locked.body);
    assert_eq!(s.login(&other.email, &other.password).await.status, StatusCode::TOO_MANY_REQUESTS, "one counter");
}

/// Editing a custom role's permissions reaches the live tokens of its members within the revocation
/// interval: they must refresh, and the new token carries the new permissions.
#[tokio::test]
async fn a_custom_roles_new_permissions_reach_live_tokens() {
    let s = stack();
    let tenant = s.organization("Role edits").await;
    let owner = s.tenant(tenant, SystemRole::Owner);
    let role = json!({"name": "dispatcher", "displayName": "Dispatcher", "permissions": ["workers:read"]});
    assert_eq!(s.post("/roles", &owner, &role).await.status, StatusCode::CREATED);
    let m = s.member(tenant, "dispatcher").await;
    assert_eq!(s.get("/workers", &m.access).await.status, StatusCode::OK);

    let narrowed = s.patch("/roles/dispatcher", &owner, &json!({"permissions": ["segments:read"]}), None).await;
    assert_eq!(narrowed.status, StatusCode::OK, "{:?}", narrowed.body);
    let old = s.get("/workers", &m.access).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{:?}", old.body);
    assert_eq!(old.body["detail"], "your role's permissions changed; refresh the session for a new token");
    let renewed = s.public("/auth/refresh", &json!({"refreshToken": m.refresh})).await;
    assert_eq!(renewed.status, StatusCode::OK, "{:?}", renewed.body);
    assert_eq!(renewed.body["permissions"], json!(["segments:read"]));
    let new = token(&renewed, "accessToken");
    assert_eq!(s.get("/workers", &new).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get("/segments", &new).await.status, StatusCode::OK);
}

/// With `RequirePlatformAdminMfa` on (the template's default, which the test stack runs), a platform admin
/// without MFA signs in to a session that can only read itself, enrol and log out; once MFA is on, a
/// refresh or a sign-in with a code is a normal session.
#[tokio::test]
async fn a_platform_admin_without_mfa_may_only_enrol_it() {
    let s = stack();
    let ctx = s.ctx().await;
    let email = format!("ops-{}@example.com", Uuid::new_v4().simple());
    nudge_local::bootstrap::platform_admin(&ctx.store, &email, "platform passphrase").await.unwrap();
    let elsewhere = s.organization("Not yet").await;

    let login = s.login(&email, "platform passphrase").await;
    assert_eq!((login.status, login.body["role"].as_str()), (StatusCode::OK, Some("platform_admin")));
    let (access, refresh) = (token(&login, "accessToken"), token(&login, "refreshToken"));
    let refused = s.get("/organizations", &access).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.header("content-type"), Some("application/problem+json"));
    assert!(
        refused.body["detail"].as_str().unwrap().starts_with("platform admins must enrol MFA"),
        "{:?}",
        refused.body
    );
    let create = s.post("/organizations", &access, &json!({"name": "Sneaky", "type": "client"})).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let switch = s.post("/auth/switch-tenant", &access, &json!({"tenantId": elsewhere})).await;
    assert_eq!(switch.status, StatusCode::FORBIDDEN, "no support session either: {:?}", switch.body);
    let password = json!({"currentPassword": "platform passphrase", "newPassword": "another passphrase"});
    assert_eq!(s.post("/me/password", &access, &password).await.status, StatusCode::FORBIDDEN);
    // `GET /me` passes the gate too, but serves tenant sessions only: a platform session gets its own 403.
    let me = s.get("/me", &access).await;
    assert_ne!(me.body["detail"], refused.body["detail"], "{:?}", me.body);
    assert_eq!(s.get("/me/mfa", &access).await.body["enabled"], json!(false));
    // Refreshing before enrolment renews the restriction, and such a session can log out.
    let still = s.public("/auth/refresh", &json!({"refreshToken": refresh})).await;
    assert_eq!(still.status, StatusCode::OK, "{:?}", still.body);
    assert_eq!(s.get("/organizations", &token(&still, "accessToken")).await.status, StatusCode::FORBIDDEN);
    let other = s.login(&email, "platform passphrase").await;
    let out = s.call(Method::POST, "/auth/logout", Some(&token(&other, "accessToken")), None, &[]).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);

    let secret = enrol_mfa(s, &access).await;
    let renewed = s.public("/auth/refresh", &json!({"refreshToken": token(&still, "refreshToken")})).await;
    assert_eq!(renewed.status, StatusCode::OK, "{:?}", renewed.body);
    assert_eq!(s.get("/organizations", &token(&renewed, "accessToken")).await.status, StatusCode::OK);
    assert_eq!(s.get("/organizations", &access).await.status, StatusCode::FORBIDDEN, "the old token stays as issued");

    assert_eq!(s.login(&email, "platform passphrase").await.status, StatusCode::UNAUTHORIZED, "a code is needed");
    let with_code = json!({"email": email, "password": "platform passphrase", "mfaCode": totp(&secret, now() + 30)});
    let signed = s.public("/auth/login", &with_code).await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);
    let platform = token(&signed, "accessToken");
    assert_eq!(s.get("/organizations", &platform).await.status, StatusCode::OK);
    let entered = s.post("/auth/switch-tenant", &platform, &json!({"tenantId": elsewhere})).await;
    assert_eq!(entered.status, StatusCode::OK, "{:?}", entered.body);
}

/// A client of its own: requests from `ip` (any 127.x.y.z reaches the stack on Linux), so its per-IP counts
/// are its own and not those of the suite, which all comes from 127.0.0.1.
fn client_from(ip: std::net::IpAddr) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip).pool_max_idle_per_host(0).build().unwrap()
}

/// A loopback address no other test uses.
fn fresh_loopback() -> std::net::IpAddr {
    let b = Uuid::new_v4().into_bytes();
    std::net::IpAddr::from([127, b[0], b[1], 2 + b[2] % 250])
}

async fn post_from(
    client: &reqwest::Client,
    path: &str,
    body: &Value,
    forwarded: &str,
) -> (StatusCode, Option<String>, Value) {
    let response = client
        .post(format!("{}{path}", stack().base))
        .header("x-forwarded-for", forwarded)
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status();
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, retry, response.json().await.unwrap_or(Value::Null))
}

/// One client spraying many addresses (each new, so no address lock applies) is stopped by its source IP
/// after a hundred sign-ins, or twenty reset requests, however it sets `X-Forwarded-For`; other clients are
/// not, and a good password from the throttled source waits too.
#[tokio::test]
async fn one_source_spraying_many_addresses_is_throttled() {
    let s = stack();
    let sprayer = client_from(fresh_loopback());
    for i in 0..100 {
        let ghost =
            json!({"email": format!("spray-{}@example.com", Uuid::new_v4().simple()), "password": "password123!"});
        let (status, _, body) = post_from(&sprayer, "/auth/login", &ghost, &format!("198.51.100.{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    let ghost = json!({"email": format!("spray-{}@example.com", Uuid::new_v4().simple()), "password": "password123!"});
    let (status, retry, body) = post_from(&sprayer, "/auth/login", &ghost, "203.0.113.99").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["status"], 429);
    let retry: u64 = retry.and_then(|r| r.parse().ok()).unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let tenant = s.organization("Sprayed").await;
    let m = s.member(tenant, "viewer").await;
    let right = json!({"email": m.email, "password": m.password});
    assert_eq!(post_from(&sprayer, "/auth/login", &right, "10.0.0.1").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(s.login(&m.email, &m.password).await.status, StatusCode::OK, "another source signs in");

    let mailer = client_from(fresh_loopback());
    for i in 0..20 {
        let ghost = json!({"email": format!("reset-{}@example.com", Uuid::new_v4().simple())});
        let (status, _, body) = post_from(&mailer, "/auth/password-reset", &ghost, &format!("198.51.100.{i}")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "request {i}: {body}");
    }
    let ghost = json!({"email": format!("reset-{}@example.com", Uuid::new_v4().simple())});
    let (status, retry, body) = post_from(&mailer, "/auth/password-reset", &ghost, "203.0.113.98").await;
    assert_eq!((status, body["status"].clone()), (StatusCode::TOO_MANY_REQUESTS, json!(429)), "{body}");
    assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|r| (1..=3600).contains(&r)));
}
