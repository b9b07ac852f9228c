//! Opening and renewing sessions: what a session acts as (a tenant membership, the platform, or a platform
//! admin's support access to a tenant), the permissions that grants, and the token pair the client gets.

use super::Deps;
use crate::error::{IdentityError, Refusal, Unauthenticated};
use crate::membership::{self, Membership, MembershipStatus};
use crate::permission::Permission;
use crate::user::{self, User};
use crate::{mfa, role};
use chrono::Utc;
use nudge_core::auth::session::{self, ACCESS_TOKEN_TTL, Client, RefreshToken, Session};
use nudge_core::auth::{Grant, SystemRole};
use nudge_core::standing::{self, Standing};
use nudge_core::store::{Store, Tx};
use nudge_core::{TenantId, crypto};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The role a platform admin's support session holds inside a tenant.
const SUPPORT_ROLE: &str = "super_admin";

/// What a session acts as.
pub(crate) enum Target {
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
            Self::Platform => SystemRole::PlatformAdmin.name(),
            Self::Support(_) => SUPPORT_ROLE,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantChoice {
    pub tenant_id: Uuid,
    pub role: String,
}

/// A signed-in session: a short-lived bearer token and the rotating refresh token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tokens {
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
    /// The access token may only enrol MFA (for the audit note; the client learns it from the 403s).
    #[serde(skip)]
    pub mfa_enrol: bool,
}

/// Whether a session of `user` may only enrol MFA: a platform admin's account guards every organization, so
/// where the stack requires it, every session of one without MFA on (whatever it acts as) is an enrolment
/// session until MFA is on and the session is refreshed or opened again.
fn must_enrol_mfa(required: bool, user: &User, mfa_on: bool) -> bool {
    required && user.platform_admin && !mfa_on
}

/// What the target's role grants in its tenant; a platform session holds no tenant permissions.
async fn permissions(store: &Store, target: &Target) -> Result<Vec<String>, IdentityError> {
    let granted = match target.tenant() {
        Some(tenant) => role::permissions(store, &tenant, target.role()).await?,
        None => vec![],
    };
    Ok(granted.into_iter().map(|p| Permission::as_str(p).to_owned()).collect())
}

/// A user's active memberships, split by whether the platform serves their tenant now.
pub(crate) struct Reach {
    /// The tenants the user can act in now.
    pub served: Vec<Membership>,
    /// The tenants the user is an active member of that are suspended or deleted.
    pub unserved: Vec<(Uuid, Standing)>,
}

impl Reach {
    /// Why the user cannot act in `tenant`, when its organization is the reason.
    pub(crate) fn refusal(&self, tenant: Option<Uuid>) -> Option<IdentityError> {
        let standing = match tenant {
            Some(asked) => self.unserved.iter().find(|(t, _)| *t == asked).map(|(_, s)| *s),
            None if self.served.is_empty() => self.unserved.first().map(|(_, s)| *s),
            None => None,
        };
        standing.map(|s| IdentityError::Refused(Refusal::NotServed(s)))
    }
}

pub(crate) async fn reach(store: &Store, user: Uuid) -> Result<Reach, IdentityError> {
    let all = membership::of_user(store, user).await?;
    let mut reach = Reach { served: vec![], unserved: vec![] };
    for m in all.into_iter().filter(|m| m.status == MembershipStatus::Active) {
        match standing::load(store, &m.tenant()).await? {
            s if s.is_served() => reach.served.push(m),
            s => reach.unserved.push((m.tenant_id.as_uuid(), s)),
        }
    }
    Ok(reach)
}

/// The tenants a user can act in now: active memberships of organizations the platform serves.
pub(crate) async fn active_memberships(store: &Store, user: Uuid) -> Result<Vec<Membership>, IdentityError> {
    Ok(reach(store, user).await?.served)
}

/// Refuses a tenant the platform does not serve now (suspended or deleted).
pub(crate) async fn served(store: &Store, tenant: &TenantId) -> Result<(), IdentityError> {
    match standing::load(store, tenant).await? {
        s if s.is_served() => Ok(()),
        s => Err(IdentityError::Refused(Refusal::NotServed(s))),
    }
}

async fn tokens(
    store: &Store,
    deps: &Deps,
    user: &User,
    session: &Session,
    secret: String,
    target: &Target,
    memberships: &[Membership],
) -> Result<Tokens, IdentityError> {
    let permissions = permissions(store, target).await?;
    // Read for platform admins alone (the others are never restricted), fresh at each grant: enrolling
    // lifts the restriction at the next refresh, turning MFA off brings it back.
    let mfa_on = deps.require_platform_admin_mfa && user.platform_admin && mfa::load(store, user.id).await?.enabled;
    let mfa_enrol = must_enrol_mfa(deps.require_platform_admin_mfa, user, mfa_on);
    let access_token = deps.issuer.grant(Grant {
        user: user.id,
        tenant: session.tenant_id,
        role: &session.role,
        permissions: permissions.clone(),
        session: Some(session.id),
        ttl: ACCESS_TOKEN_TTL,
        mfa_enrol,
    })?;
    let memberships =
        memberships.iter().map(|m| TenantChoice { tenant_id: m.tenant_id.as_uuid(), role: m.role.clone() }).collect();
    Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_TTL.num_seconds(),
        refresh_token: RefreshToken { session: session.id, secret }.to_text(),
        session_id: session.id,
        tenant_id: session.tenant_id,
        role: session.role.clone(),
        permissions,
        user: UserSummary { id: user.id, email: user.email.to_string(), name: user.display_name() },
        memberships,
        mfa_enrol,
    })
}

/// Opens a session for `user` acting as `target`, and records the sign-in on the account. `memberships` are
/// the user's active ones (the caller has read them to choose the target).
pub(crate) async fn open(
    store: &Store,
    deps: &Deps,
    user: &User,
    target: Target,
    memberships: &[Membership],
    client: Client,
) -> Result<(Session, Tokens), IdentityError> {
    let secret = crypto::random::token()?;
    let tenant = target.tenant().map(|t| t.as_uuid());
    let now = Utc::now();
    let session = Session::new(user.id, tenant, target.role(), &secret, now, client);
    session::make_room(store, user.id).await?;
    let tx = Tx::new().with(session::create(&session)?).with(user::signed_in(user.id, tenant, now)?);
    store.transact(tx).await?;
    let tokens = tokens(store, deps, user, &session, secret, &target, memberships).await?;
    Ok((session, tokens))
}

/// Why a refresh was refused; each is a 401 to the client.
const ENDED: IdentityError = IdentityError::Unauthenticated(Unauthenticated::SessionEnded);

/// Renews a session from its refresh token: rotates the secret and re-reads the role, so a changed role
/// or suspension takes effect here at the latest.
pub(crate) async fn refresh(store: &Store, deps: &Deps, text: &str) -> Result<(Session, Tokens), IdentityError> {
    let presented = RefreshToken::parse(text).ok_or(ENDED)?;
    let current = session::load(store, presented.session).await?.ok_or(ENDED)?;
    let now = Utc::now();
    let epoch = session::epoch(store, current.user_id).await?;
    match current.presented(&presented.secret) {
        session::Presented::Current if current.is_live_under(epoch.as_ref(), now) => {}
        // Ended by a password change or reset: mark it so.
        session::Presented::Current if current.is_live(now) => {
            session::revoke(store, current.clone(), "password changed").await?;
            return Err(ENDED);
        }
        session::Presented::Reused if current.is_live(now) => {
            // A rotated-out token came back: someone holds a copy. End the session for both holders.
            session::revoke(store, current.clone(), "refresh token reuse").await?;
            tracing::warn!(session_id = %current.id, user_id = %current.user_id, "refresh token reuse; session revoked");
            return Err(ENDED);
        }
        _ => return Err(ENDED),
    }
    let user = user::load(store, current.user_id).await?.filter(User::can_sign_in);
    let Some(user) = user else {
        session::revoke(store, current.clone(), "account inactive").await?;
        return Err(ENDED);
    };
    if let Some(tenant) = current.tenant()
        && !standing::load(store, &tenant).await?.is_served()
    {
        // The organization was suspended or deleted: its sessions end, and restoring it does not revive them.
        session::revoke(store, current.clone(), "organization not served").await?;
        return Err(ENDED);
    }
    let target = match current.tenant() {
        None if user.platform_admin => Target::Platform,
        Some(tenant) if user.platform_admin && current.role == SUPPORT_ROLE => Target::Support(tenant),
        Some(tenant) => match membership::load(store, &tenant, user.id).await? {
            Some(m) if m.status == MembershipStatus::Active => Target::Member(m),
            _ => {
                session::revoke(store, current.clone(), "membership ended").await?;
                return Err(ENDED);
            }
        },
        None => return Err(ENDED),
    };
    let secret = crypto::random::token()?;
    let next = current.rotated(&secret, target.role(), now);
    match store.write(session::replace(&current, &next)?).await {
        Ok(()) => {}
        // A concurrent refresh with the same token won; this copy is now the previous one.
        Err(e) if e.is_version_conflict() => return Err(ENDED),
        Err(e) => return Err(e.into()),
    }
    let memberships = active_memberships(store, user.id).await?;
    let tokens = tokens(store, deps, &user, &next, secret, &target, &memberships).await?;
    Ok((next, tokens))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nudge_core::values::{Email, Parse};

    #[test]
    fn only_a_platform_admin_without_mfa_on_must_enrol_and_only_when_required() {
        let mut admin = User::new(Email::parse("ops@example.com").unwrap(), None, None, Utc::now());
        admin.platform_admin = true;
        assert!(must_enrol_mfa(true, &admin, false));
        assert!(!must_enrol_mfa(true, &admin, true), "enrolled");
        assert!(!must_enrol_mfa(false, &admin, false), "the stack does not require it");
        admin.platform_admin = false;
        assert!(!must_enrol_mfa(true, &admin, false), "not a platform admin");
    }
}
