//! The session gate: a verified access token is still refused once its session is revoked (logout, password
//! reset, suspension, removal) or its role changed, and any token acting in a tenant is refused while the
//! tenant is suspended or deleted ([`crate::standing`]). Session state and standing are read from the
//! table and trusted for a short while (`SESSION_CACHE_SECONDS`, default 30 s), so revocation reaches every
//! function within a minute at the cost of one GetItem per session and per tenant per warm instance and
//! interval.

use super::principal::Principal;
use super::session;
use crate::TenantId;
use crate::http::problem::ApiError;
use crate::standing::{self, Standing};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Most sessions one warm instance remembers; past that the cache starts over.
const CAPACITY: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    Live { user: Uuid, tenant: Option<Uuid>, role: String, stale: bool },
    Gone,
}

#[derive(Clone)]
pub struct SessionGate {
    store: Store,
    ttl: Duration,
    cache: Arc<Cache<Verdict>>,
    standings: Arc<Cache<Standing>>,
}

impl std::fmt::Debug for SessionGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionGate").field("ttl", &self.ttl).finish()
    }
}

impl SessionGate {
    pub fn new(store: Store, ttl: Duration) -> Self {
        Self { store, ttl, cache: Arc::default(), standings: Arc::default() }
    }

    /// Admits the principal if its tenant (when it acts in one) is served and its session (when the token
    /// names one) is live for the same user, tenant and role. Tokens without a session are operator tokens
    /// minted with the signing key (`make token`).
    pub async fn admit(&self, principal: &Principal) -> Result<(), ApiError> {
        if let Some(tenant) = principal.tenant_opt() {
            let standing = self.standing(&tenant).await?;
            if !standing.is_served() {
                return Err(ApiError::Forbidden(standing.refusal().into()));
            }
        }
        let Some(sid) = principal.session else { return Ok(()) };
        let verdict = match self.cached(sid) {
            Some(v) => v,
            None => {
                let verdict = match session::load_live(&self.store, sid).await.map_err(ApiError::internal)? {
                    Some(s) => Verdict::Live { user: s.user_id, tenant: s.tenant_id, role: s.role, stale: s.stale },
                    None => Verdict::Gone,
                };
                self.remember(sid, verdict.clone());
                verdict
            }
        };
        judge(&verdict, principal)
    }

    async fn standing(&self, tenant: &TenantId) -> Result<Standing, ApiError> {
        let id = tenant.as_uuid();
        if let Some(standing) = fresh(&self.standings, id, self.ttl) {
            return Ok(standing);
        }
        let standing = standing::load(&self.store, tenant).await.map_err(ApiError::internal)?;
        keep(&self.standings, id, standing, self.ttl);
        Ok(standing)
    }

    fn cached(&self, sid: Uuid) -> Option<Verdict> {
        fresh(&self.cache, sid, self.ttl)
    }

    fn remember(&self, sid: Uuid, verdict: Verdict) {
        keep(&self.cache, sid, verdict, self.ttl);
    }
}

type Cache<V> = Mutex<HashMap<Uuid, (Instant, V)>>;

fn fresh<V: Clone>(cache: &Cache<V>, id: Uuid, ttl: Duration) -> Option<V> {
    let cache = cache.lock().ok()?;
    cache.get(&id).filter(|(at, _)| at.elapsed() < ttl).map(|(_, v)| v.clone())
}

fn keep<V>(cache: &Cache<V>, id: Uuid, value: V, ttl: Duration) {
    if ttl.is_zero() {
        return;
    }
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(id, (Instant::now(), value));
    }
}

fn judge(verdict: &Verdict, principal: &Principal) -> Result<(), ApiError> {
    match verdict {
        Verdict::Live { user, tenant, role, stale }
            if *user == principal.user_id && *tenant == principal.tenant_opt().map(|t| t.as_uuid()) =>
        {
            if *role != principal.role {
                Err(ApiError::Unauthorized("your role changed; refresh the session for a new token"))
            } else if *stale {
                Err(ApiError::Unauthorized("your role's permissions changed; refresh the session for a new token"))
            } else {
                Ok(())
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
            mfa_enrol: false,
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
        let live = Verdict::Live { user, tenant: Some(tenant), role: "admin".into(), stale: false };
        assert!(judge(&live, &principal(user, tenant, "admin")).is_ok());
        let stale = Verdict::Live { user, tenant: Some(tenant), role: "admin".into(), stale: true };
        assert!(judge(&stale, &principal(user, tenant, "admin")).is_err(), "permissions changed");
        assert!(judge(&live, &principal(user, tenant, "viewer")).is_err(), "role changed");
        assert!(judge(&live, &principal(Uuid::now_v7(), tenant, "admin")).is_err(), "other user");
        assert!(judge(&live, &principal(user, Uuid::now_v7(), "admin")).is_err(), "other tenant");
        assert!(judge(&Verdict::Gone, &principal(user, tenant, "admin")).is_err());
    }
}
