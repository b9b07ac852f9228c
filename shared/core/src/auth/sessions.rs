//! The session gate: a verified access token is still refused once its session is revoked (logout, password
//! reset, suspension, removal) or its role changed. Session state is read from the table and trusted for a
//! short while (`SESSION_CACHE_SECONDS`, default 30 s), so revocation reaches every function within a
//! minute at the cost of one GetItem per session per warm instance and interval.

use super::principal::Principal;
use super::session;
use crate::http::problem::ApiError;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Most sessions one warm instance remembers; past that the cache starts over.
const CAPACITY: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    Live { user: Uuid, tenant: Option<Uuid>, role: String },
    Gone,
}

#[derive(Clone)]
pub struct SessionGate {
    store: Store,
    ttl: Duration,
    cache: Arc<Mutex<HashMap<Uuid, (Instant, Verdict)>>>,
}

impl std::fmt::Debug for SessionGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionGate").field("ttl", &self.ttl).finish()
    }
}

impl SessionGate {
    pub fn new(store: Store, ttl: Duration) -> Self {
        Self { store, ttl, cache: Arc::default() }
    }

    /// Admits the principal if its session (when the token names one) is live for the same user, tenant and
    /// role. Tokens without a session are operator tokens minted with the signing key (`make token`).
    pub async fn admit(&self, principal: &Principal) -> Result<(), ApiError> {
        let Some(sid) = principal.session else { return Ok(()) };
        let verdict = match self.cached(sid) {
            Some(v) => v,
            None => {
                let verdict = match session::load(&self.store, sid).await.map_err(ApiError::internal)? {
                    Some(s) if s.is_live(chrono::Utc::now()) => {
                        Verdict::Live { user: s.user_id, tenant: s.tenant_id, role: s.role }
                    }
                    _ => Verdict::Gone,
                };
                self.remember(sid, verdict.clone());
                verdict
            }
        };
        judge(&verdict, principal)
    }

    fn cached(&self, sid: Uuid) -> Option<Verdict> {
        let cache = self.cache.lock().ok()?;
        cache.get(&sid).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    fn remember(&self, sid: Uuid, verdict: Verdict) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CAPACITY {
                cache.clear();
            }
            cache.insert(sid, (Instant::now(), verdict));
        }
    }
}

fn judge(verdict: &Verdict, principal: &Principal) -> Result<(), ApiError> {
    match verdict {
        Verdict::Live { user, tenant, role }
            if *user == principal.user_id && *tenant == principal.tenant_opt().map(|t| t.as_uuid()) =>
        {
            if *role == principal.role {
                Ok(())
            } else {
                Err(ApiError::Unauthorized("your role changed; refresh the session for a new token"))
            }
        }
        _ => Err(ApiError::Unauthorized("the session has ended; sign in again")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::claims::Claims;

    fn principal(user: Uuid, tenant: Uuid, role: &str) -> Principal {
        Principal::from_claims(Claims {
            sub: user.to_string(),
            tid: Some(tenant),
            role: role.into(),
            perms: vec![],
            sid: Some(Uuid::now_v7()),
            iss: "i".into(),
            aud: "a".into(),
            exp: 0,
            iat: 0,
            jti: "j".into(),
        })
        .unwrap()
    }

    #[test]
    fn a_live_session_admits_only_its_own_user_tenant_and_role() {
        let (user, tenant) = (Uuid::now_v7(), Uuid::now_v7());
        let live = Verdict::Live { user, tenant: Some(tenant), role: "admin".into() };
        assert!(judge(&live, &principal(user, tenant, "admin")).is_ok());
        assert!(judge(&live, &principal(user, tenant, "viewer")).is_err(), "role changed");
        assert!(judge(&live, &principal(Uuid::now_v7(), tenant, "admin")).is_err(), "other user");
        assert!(judge(&live, &principal(user, Uuid::now_v7(), "admin")).is_err(), "other tenant");
        assert!(judge(&Verdict::Gone, &principal(user, tenant, "admin")).is_err());
    }
}
