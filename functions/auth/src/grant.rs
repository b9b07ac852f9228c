//! Opening and renewing sessions: what a session acts as (a tenant membership, the platform, or a platform
//! admin's support access to a tenant), the permissions that grants, and the token pair the client gets.

use chrono::Utc;
use nudge::auth::{Grant, TokenIssuer};
use nudge::http::{ApiError, ApiResult, ClientInfo};
use nudge::identity::membership::{self, Membership, MembershipStatus};
use nudge::identity::role;
use nudge::identity::session::{self, ACCESS_TOKEN_TTL, RefreshToken, Session};
use nudge::identity::user::{self, User};
use nudge::store::{Attempt, Store, optimistic};
use nudge::{TenantId, crypto};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The role a platform admin's support session holds inside a tenant.
pub const SUPPORT_ROLE: &str = "super_admin";

/// What a session acts as.
pub enum Target {
    Member(Membership),
    Platform,
    /// A platform admin inside a tenant (onboarding, support); audited like any session.
    Support(TenantId),
}

impl Target {
    fn tenant(&self) -> Option<TenantId> {
        match self {
            Self::Member(m) => Some(m.tenant()),
            Self::Platform => None,
            Self::Support(t) => Some(*t),
        }
    }

    fn role(&self) -> &str {
        match self {
            Self::Member(m) => &m.role,
            Self::Platform => "platform_admin",
            Self::Support(_) => SUPPORT_ROLE,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantChoice {
    pub tenant_id: Uuid,
    pub role: String,
}

/// A signed-in session: a short-lived bearer token and the rotating refresh token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    pub refresh_token: String,
    pub session_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub role: String,
    pub permissions: Vec<String>,
    pub user: UserSummary,
    /// Every tenant the user can switch to.
    pub memberships: Vec<TenantChoice>,
}

async fn permissions(store: &Store, target: &Target) -> Result<Vec<String>, ApiError> {
    match target {
        Target::Platform => Ok(vec![]),
        _ => match target.tenant() {
            Some(tenant) => Ok(role::permissions(store, &tenant, target.role()).await?),
            None => Ok(vec![]),
        },
    }
}

async fn tokens(
    store: &Store,
    issuer: &TokenIssuer,
    user: &User,
    session: &Session,
    secret: String,
    target: &Target,
) -> ApiResult<Tokens> {
    let permissions = permissions(store, target).await?;
    let access_token = issuer
        .grant(Grant {
            user: user.id,
            tenant: session.tenant_id,
            role: &session.role,
            permissions: permissions.clone(),
            session: Some(session.id),
            ttl: ACCESS_TOKEN_TTL,
        })
        .map_err(ApiError::internal)?;
    let memberships = membership::of_user(store, user.id)
        .await?
        .into_iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| TenantChoice { tenant_id: m.tenant_id, role: m.role })
        .collect();
    Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_TTL.num_seconds(),
        refresh_token: RefreshToken { session: session.id, secret }.to_text(),
        session_id: session.id,
        tenant_id: session.tenant_id,
        role: session.role.clone(),
        permissions,
        user: UserSummary { id: user.id, email: user.email.clone(), name: user.display_name() },
        memberships,
    })
}

/// Opens a session for `user` acting as `target`, and records the sign-in on the account.
pub async fn open(
    store: &Store,
    issuer: &TokenIssuer,
    user: &User,
    target: Target,
    client: ClientInfo,
) -> ApiResult<(Session, Tokens)> {
    let secret = crypto::random::token().map_err(ApiError::internal)?;
    let tenant = target.tenant().map(|t| t.as_uuid());
    let now = Utc::now();
    let client = session::Client { ip: client.ip, user_agent: client.user_agent };
    let session = Session::new(user.id, tenant, target.role(), &secret, now, client);
    store.write(session::create(&session)?).await?;
    let signed_in = optimistic::retry(|| async {
        let Some(current) = user::load(store, user.id).await? else { return Err(ApiError::NotFound) };
        let next = current.revised(now, |u| {
            u.last_login_at = Some(now);
            if tenant.is_some() {
                u.last_tenant_id = tenant;
            }
        });
        match store.write(user::replace(&current, &next)?).await {
            Ok(()) => Ok(Attempt::Done(next)),
            Err(e) if e.is_version_conflict() => Ok(Attempt::Retry),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    let tokens = tokens(store, issuer, &signed_in, &session, secret, &target).await?;
    Ok((session, tokens))
}

/// Why a refresh was refused; each is a 401 to the client.
const ENDED: &str = "the session has ended; sign in again";

/// Renews a session from its refresh token: rotates the secret and re-reads the role, so a changed role
/// or suspension takes effect here at the latest.
pub async fn refresh(store: &Store, issuer: &TokenIssuer, text: &str) -> ApiResult<(Session, Tokens)> {
    let presented = RefreshToken::parse(text).ok_or(ApiError::Unauthorized(ENDED))?;
    let current = session::load(store, presented.session).await?.ok_or(ApiError::Unauthorized(ENDED))?;
    let now = Utc::now();
    match current.presented(&presented.secret) {
        session::Presented::Current if current.is_live(now) => {}
        session::Presented::Reused if current.is_live(now) => {
            // A rotated-out token came back: someone holds a copy. End the session for both holders.
            store.write(session::replace(&current, &current.revoked("refresh token reuse"))?).await?;
            tracing::warn!(session_id = %current.id, user_id = %current.user_id, "refresh token reuse; session revoked");
            return Err(ApiError::Unauthorized(ENDED));
        }
        _ => return Err(ApiError::Unauthorized(ENDED)),
    }
    let user = user::load(store, current.user_id).await?.filter(User::can_sign_in);
    let Some(user) = user else {
        store.write(session::replace(&current, &current.revoked("account inactive"))?).await?;
        return Err(ApiError::Unauthorized(ENDED));
    };
    let target = match current.tenant() {
        None if user.platform_admin => Target::Platform,
        Some(tenant) if user.platform_admin && current.role == SUPPORT_ROLE => Target::Support(tenant),
        Some(tenant) => match membership::load(store, &tenant, user.id).await? {
            Some(m) if m.status == MembershipStatus::Active => Target::Member(m),
            _ => {
                store.write(session::replace(&current, &current.revoked("membership ended"))?).await?;
                return Err(ApiError::Unauthorized(ENDED));
            }
        },
        None => return Err(ApiError::Unauthorized(ENDED)),
    };
    let secret = crypto::random::token().map_err(ApiError::internal)?;
    let next = current.rotated(&secret, target.role(), now);
    match store.write(session::replace(&current, &next)?).await {
        Ok(()) => {}
        // A concurrent refresh with the same token won; this copy is now the previous one.
        Err(e) if e.is_version_conflict() => return Err(ApiError::Unauthorized(ENDED)),
        Err(e) => return Err(e.into()),
    }
    let tokens = tokens(store, issuer, &user, &next, secret, &target).await?;
    Ok((next, tokens))
}
