//! Sessions: one per sign-in (or tenant switch). Access tokens name their session (`sid`); the refresh
//! token is `<sessionId>.<secret>` and only the secret's SHA-256 is stored. Refreshing rotates the secret;
//! presenting the previous one again means the token was copied, and revokes the session.
//!
//! A password change or reset ends every session of the user at once through the user's epoch: sessions
//! opened before it are over (except the one that changed the password), whatever their own item says, so
//! a session opened while the sessions are being revoked one by one cannot survive.
//!
//! | item | pk | sk | gsi1pk / gsi1sk |
//! |---|---|---|---|
//! | session | `P#SESSION#<sid>` | `SESSION` | `P#USER#<uid>#SESSIONS` / `<sid>` |
//! | epoch | `P#SESSIONS#<uid>` | `EPOCH` | — |

use crate::TenantId;
use crate::crypto::digest;
use crate::keys::{Key, platform_partition};
use crate::store::{Index, Put, Query, Store, StoreError, Write};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const ENTITY: &str = "Session";

/// How long a session lives without signing in again.
pub const LIFETIME: Duration = Duration::days(30);
/// How long an access token lives; revocation reaches it sooner through the verifying layer.
pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);
/// Live sessions one user may hold; opening one more ends the oldest.
pub const MAX_LIVE: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    Active,
    Revoked,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The tenant the session acts for; none for a platform admin's session.
    pub tenant_id: Option<Uuid>,
    pub role: String,
    pub status: SessionStatus,
    pub refresh_hash: String,
    /// The hash before the last rotation: seeing it again is refresh-token reuse.
    #[serde(default)]
    pub previous_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub refreshed_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub revoked_reason: Option<String>,
    /// What the session's role grants changed since its token was issued: its holder must refresh.
    #[serde(default)]
    pub stale: bool,
    pub version: u64,
}

/// A refresh token as the client holds it.
pub struct RefreshToken {
    pub session: Uuid,
    pub secret: String,
}

impl RefreshToken {
    pub fn parse(text: &str) -> Option<Self> {
        let (id, secret) = text.split_once('.')?;
        let session = Uuid::parse_str(id).ok()?;
        (!secret.is_empty()).then(|| Self { session, secret: secret.to_owned() })
    }

    pub fn to_text(&self) -> String {
        format!("{}.{}", self.session, self.secret)
    }
}

/// What presenting a refresh token to a session means.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    Current,
    /// The secret of before the last rotation: a copy is in someone else's hands.
    Reused,
    Unknown,
}

impl Session {
    pub fn new(
        user_id: Uuid,
        tenant_id: Option<Uuid>,
        role: &str,
        secret: &str,
        now: DateTime<Utc>,
        client: Client,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            user_id,
            tenant_id,
            role: role.to_owned(),
            status: SessionStatus::Active,
            refresh_hash: digest::token_hash(secret),
            previous_hash: None,
            created_at: now,
            refreshed_at: now,
            expires_at: now + LIFETIME,
            ip: client.ip,
            user_agent: client.user_agent,
            revoked_reason: None,
            stale: false,
            version: 1,
        }
    }

    /// The tenant the session acts for: a session is only ever opened for a tenant its user may act in.
    pub fn tenant(&self) -> Option<TenantId> {
        self.tenant_id.map(TenantId::new)
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status == SessionStatus::Active && self.expires_at > now
    }

    /// Live, and not ended by its user's epoch.
    pub fn is_live_under(&self, epoch: Option<&Epoch>, now: DateTime<Utc>) -> bool {
        self.is_live(now) && !epoch.is_some_and(|e| e.ends(self))
    }

    pub fn presented(&self, secret: &str) -> Presented {
        let hash = digest::token_hash(secret);
        if digest::same(&hash, &self.refresh_hash) {
            Presented::Current
        } else if self.previous_hash.as_deref().is_some_and(|p| digest::same(&hash, p)) {
            Presented::Reused
        } else {
            Presented::Unknown
        }
    }

    /// The session after rotating to `secret` (and possibly a new role, re-read from the membership).
    pub fn rotated(&self, secret: &str, role: &str, now: DateTime<Utc>) -> Self {
        Self {
            refresh_hash: digest::token_hash(secret),
            previous_hash: Some(self.refresh_hash.clone()),
            role: role.to_owned(),
            refreshed_at: now,
            stale: false,
            version: self.version + 1,
            ..self.clone()
        }
    }

    pub fn revoked(&self, reason: &str) -> Self {
        Self {
            status: SessionStatus::Revoked,
            revoked_reason: Some(reason.to_owned()),
            version: self.version + 1,
            ..self.clone()
        }
    }

    pub fn with_role(&self, role: &str) -> Self {
        Self { role: role.to_owned(), version: self.version + 1, ..self.clone() }
    }

    /// The session with its token's permissions out of date.
    pub fn staled(&self) -> Self {
        Self { stale: true, version: self.version + 1, ..self.clone() }
    }
}

/// When all of a user's sessions last ended: those opened at or before `ended_at` are over, but `kept`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Epoch {
    pub ended_at: DateTime<Utc>,
    #[serde(default)]
    pub kept: Option<Uuid>,
}

impl Epoch {
    pub fn ends(&self, session: &Session) -> bool {
        session.created_at <= self.ended_at && self.kept != Some(session.id)
    }
}

fn epoch_key(user: Uuid) -> Key {
    Key::platform(&format!("SESSIONS#{user}"), "EPOCH")
}

/// Ends every session of `user` opened until `now` but `kept`: the write for the transaction that changes
/// the password, so the two happen together.
pub fn end_all(user: Uuid, kept: Option<Uuid>, now: DateTime<Utc>) -> Result<Write, StoreError> {
    Ok(Write::upsert(Put::new(&epoch_key(user), "SessionEpoch", &Epoch { ended_at: now, kept })?))
}

pub async fn epoch(store: &Store, user: Uuid) -> Result<Option<Epoch>, StoreError> {
    store.get(&epoch_key(user)).await
}

/// The session if it is live now, its user's epoch included (strongly consistent reads).
pub async fn load_live(store: &Store, id: Uuid) -> Result<Option<Session>, StoreError> {
    let Some(session) = load(store, id).await? else { return Ok(None) };
    let epoch = epoch(store, session.user_id).await?;
    Ok(session.is_live_under(epoch.as_ref(), Utc::now()).then_some(session))
}

/// Makes room for one more session of `user`: ends the oldest live ones beyond [`MAX_LIVE`] − 1, so
/// whoever holds one access token cannot pile up sessions without bound.
pub async fn make_room(store: &Store, user: Uuid) -> Result<usize, StoreError> {
    let now = Utc::now();
    let epoch = epoch(store, user).await?;
    let mut live: Vec<Session> =
        of_user(store, user).await?.into_iter().filter(|s| s.is_live_under(epoch.as_ref(), now)).collect();
    if live.len() < MAX_LIVE {
        return Ok(0);
    }
    live.sort_by_key(|s| s.created_at);
    let excess = live.len() + 1 - MAX_LIVE;
    let mut ended = 0;
    for oldest in live.into_iter().take(excess) {
        ended += usize::from(update(store, oldest, |s| s.is_live(now).then(|| s.revoked("too many sessions"))).await?);
    }
    Ok(ended)
}

/// Where a request came from, kept on the session for the user's own review.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

fn key(id: Uuid) -> Key {
    Key::platform(&format!("SESSION#{id}"), "SESSION")
}

fn by_user(user: Uuid) -> String {
    platform_partition(&format!("USER#{user}#SESSIONS"))
}

fn put(session: &Session) -> Result<Put, StoreError> {
    // Kept a day past expiry so a late refresh answers "expired", not "unknown".
    Ok(Put::new(&key(session.id), ENTITY, session)?
        .index(Index::Gsi1, by_user(session.user_id), session.id.to_string())
        .ttl((session.expires_at + Duration::days(1)).timestamp()))
}

pub fn create(session: &Session) -> Result<Write, StoreError> {
    Ok(Write::create(put(session)?, "session"))
}

/// Replaces `current` with `next` if nobody changed it meanwhile.
pub fn replace(current: &Session, next: &Session) -> Result<Write, StoreError> {
    Ok(Write::replace(put(next)?, current.version))
}

pub async fn load(store: &Store, id: Uuid) -> Result<Option<Session>, StoreError> {
    store.get(&key(id)).await
}

/// Every session of a user, live or not (a user has few: one per device and tenant).
pub async fn of_user(store: &Store, user: Uuid) -> Result<Vec<Session>, StoreError> {
    let query = Query::partition(by_user(user)).on(Index::Gsi1);
    store.all(&query).await
}

/// Revokes the user's live sessions, in one tenant or (None) everywhere.
pub async fn revoke_all(store: &Store, user: Uuid, tenant: Option<Uuid>, reason: &str) -> Result<usize, StoreError> {
    let now = Utc::now();
    update_each(store, user, tenant, |s| s.is_live(now).then(|| s.revoked(reason))).await
}

/// Revokes every live session of the user but `keep` (the one changing the password stays signed in).
pub async fn revoke_others(store: &Store, user: Uuid, keep: Option<Uuid>, reason: &str) -> Result<usize, StoreError> {
    let now = Utc::now();
    update_each(store, user, None, |s| (s.is_live(now) && Some(s.id) != keep).then(|| s.revoked(reason))).await
}

/// Revokes a session read earlier, whatever rotations happened since.
pub async fn revoke(store: &Store, session: Session, reason: &str) -> Result<(), StoreError> {
    let now = Utc::now();
    update(store, session, |s| s.is_live(now).then(|| s.revoked(reason))).await.map(drop)
}

/// Sets the role on the user's live sessions in `tenant`, so the verifying layer sends their holders to
/// refresh for the new permissions.
pub async fn set_role(store: &Store, user: Uuid, tenant: Uuid, role: &str) -> Result<usize, StoreError> {
    let now = Utc::now();
    update_each(store, user, Some(tenant), |s| (s.is_live(now) && s.role != role).then(|| s.with_role(role))).await
}

/// Marks the user's live sessions in `tenant` stale: what their role grants changed (a custom role's
/// permissions were edited), so the verifying layer sends their holders to refresh for the new ones.
pub async fn mark_stale(store: &Store, user: Uuid, tenant: Uuid) -> Result<usize, StoreError> {
    let now = Utc::now();
    update_each(store, user, Some(tenant), |s| (s.is_live(now) && !s.stale).then(|| s.staled())).await
}

/// Applies `change` to each of the user's sessions (in `tenant`, if given), re-reading on a concurrent
/// rotation so the change is never lost. Returns how many changed.
async fn update_each(
    store: &Store,
    user: Uuid,
    tenant: Option<Uuid>,
    change: impl Fn(&Session) -> Option<Session>,
) -> Result<usize, StoreError> {
    let mut changed = 0;
    for session in of_user(store, user).await? {
        if tenant.is_none() || session.tenant_id == tenant {
            changed += usize::from(update(store, session, &change).await?);
        }
    }
    Ok(changed)
}

/// Applies `change` to one session until it holds or has nothing to do; a concurrent rotation is re-read,
/// not overwritten. Whether it changed.
async fn update(
    store: &Store,
    mut session: Session,
    change: impl Fn(&Session) -> Option<Session>,
) -> Result<bool, StoreError> {
    while let Some(next) = change(&session) {
        match store.write(replace(&session, &next)?).await {
            Ok(()) => return Ok(true),
            Err(e) if e.is_version_conflict() => match load(store, session.id).await? {
                Some(fresh) => session = fresh,
                None => return Ok(false),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod epoch_tests {
    use super::*;

    #[test]
    fn an_epoch_ends_the_sessions_opened_until_it_but_the_one_kept() {
        let now = Utc::now();
        let before = Session::new(Uuid::now_v7(), None, "admin", "s", now - Duration::minutes(1), Client::default());
        let kept = Session::new(before.user_id, None, "admin", "t", now - Duration::minutes(1), Client::default());
        let after = Session::new(before.user_id, None, "admin", "u", now + Duration::seconds(1), Client::default());
        let epoch = Epoch { ended_at: now, kept: Some(kept.id) };
        assert!(!before.is_live_under(Some(&epoch), now));
        assert!(kept.is_live_under(Some(&epoch), now));
        assert!(after.is_live_under(Some(&epoch), now));
        assert!(before.is_live_under(None, now));
        let k = epoch_key(before.user_id);
        assert_eq!((k.pk, k.sk.as_str()), (format!("P#SESSIONS#{}", before.user_id), "EPOCH"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_rotate_and_reuse_is_detected() {
        let now = Utc::now();
        let s = Session::new(Uuid::now_v7(), Some(Uuid::now_v7()), "admin", "first", now, Client::default());
        assert_eq!(s.presented("first"), Presented::Current);
        let r = s.rotated("second", "admin", now);
        assert_eq!(r.presented("second"), Presented::Current);
        assert_eq!(r.presented("first"), Presented::Reused);
        assert_eq!(r.presented("other"), Presented::Unknown);
        assert!(r.is_live(now) && !r.revoked("logout").is_live(now));
        assert!(!s.is_live(now + LIFETIME + Duration::seconds(1)));
    }

    #[test]
    fn refresh_token_text_round_trips() {
        let t = RefreshToken { session: Uuid::now_v7(), secret: "abc".into() };
        let parsed = RefreshToken::parse(&t.to_text()).unwrap();
        assert_eq!((parsed.session, parsed.secret.as_str()), (t.session, "abc"));
        assert!(RefreshToken::parse("nodot").is_none());
        assert!(RefreshToken::parse("not-a-uuid.abc").is_none());
        assert!(RefreshToken::parse(&format!("{}.", Uuid::nil())).is_none());
    }
}
