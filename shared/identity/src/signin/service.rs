//! What the auth function does, below HTTP: sign-in (with its lockout and MFA), logout, tenant switching,
//! password reset and invitation acceptance. Sessions and tokens are [`super::grant`]'s. Errors are
//! [`IdentityError`]; a refused sign-in is an outcome ([`Outcome::Refused`]), since the edge records it.

use super::Deps;
use super::grant::{self, Target, Tokens};
use super::input::{Login, NewPassword};
use super::{lockout, throttle};
use crate::email_token::{self, EmailToken, TokenKind};
use crate::error::{Broken, Conflict, IdentityError, Refusal, Unauthenticated};
use crate::membership::{self, Membership, MembershipStatus};
use crate::user::{self, User, UserStatus};
use crate::{mfa, repo};
use chrono::Utc;
use nudge_core::auth::Principal;
use nudge_core::auth::session::{self, Client, RefreshToken, Session};
use nudge_core::crypto::{self, DataKey, password};
use nudge_core::http::SourceIp;
use nudge_core::store::{Store, Tx};
use nudge_core::values::Email;
use nudge_notifications::message::LINK;
use nudge_notifications::{Notification, NotificationKind};
use uuid::Uuid;

/// A sign-in's session: whose, its tokens, and whether an MFA code was part of it.
pub(crate) struct SignedIn {
    pub user: Uuid,
    pub session: Session,
    pub tokens: Tokens,
    pub mfa: bool,
}

/// How a sign-in ended.
pub(crate) enum Outcome {
    SignedIn(Box<SignedIn>),
    /// Refused: why, and the account when the credentials named one (the audit note names it).
    Refused {
        user: Option<Uuid>,
        why: IdentityError,
    },
}

/// Where a sign-in lands: the tenant asked for, else the last one used, else the first active membership;
/// a platform admin without memberships acts for the platform.
fn choose_target(user: &User, active: &[Membership], asked: Option<Uuid>) -> Result<Target, IdentityError> {
    let chosen = match asked {
        Some(tenant) => active
            .iter()
            .find(|m| m.tenant_id.as_uuid() == tenant)
            .ok_or(IdentityError::Refused(Refusal::NotMemberOf))?,
        None => match user
            .last_tenant_id
            .and_then(|t| active.iter().find(|m| m.tenant_id.as_uuid() == t))
            .or(active.first())
        {
            Some(m) => m,
            None if user.platform_admin => return Ok(Target::Platform),
            None => return Err(IdentityError::Refused(Refusal::NoMembership)),
        },
    };
    Ok(Target::Member(chosen.clone()))
}

/// Signs in with email, password and (when the account has MFA on) a code. Each attempt is counted per
/// source address, then per email address, before anything is checked, found account or not; once the
/// credentials pass, the address's count is forgotten and the source's attempt given back. The tenth within
/// the window locks the address; a source gets a hundred checks per window ([`throttle`]).
pub(crate) async fn login(
    store: &Store,
    deps: &Deps,
    input: Login,
    client: Client,
    ip: SourceIp,
) -> Result<Outcome, IdentityError> {
    let refused = |user: Option<Uuid>, why| Ok(Outcome::Refused { user, why });
    // The source first: a throttled client gets no guess checked, and spends no address's attempts either
    // (so it cannot go on locking addresses out).
    let counted = match throttle::attempt(store, &throttle::SIGN_IN_PER_IP, ip).await {
        Ok(counted) => counted,
        Err(throttled @ IdentityError::Throttled { .. }) => return refused(None, throttled),
        Err(e) => return Err(e),
    };
    match lockout::attempt(store, &lockout::SIGN_IN, &input.email).await {
        Ok(()) => {}
        Err(locked @ IdentityError::Locked { .. }) => return refused(None, locked),
        Err(e) => return Err(e),
    }
    let account = user::by_email(store, &input.email).await?;
    let hash = account.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify_off_thread(input.password, hash).await?;
    let (Some(user), true) = (account, matches) else {
        return refused(None, IdentityError::Unauthenticated(Unauthenticated::BadCredentials));
    };
    let me = Some(user.id);
    if user.status != UserStatus::Active || user.deleted_at.is_some() {
        return refused(me, IdentityError::Refused(Refusal::Suspended));
    }
    let setting = mfa::load(store, user.id).await?;
    if setting.enabled {
        let Some(code) = input.mfa_code.as_deref() else {
            return refused(me, IdentityError::Unauthenticated(Unauthenticated::MfaRequired));
        };
        let wrong = || IdentityError::Unauthenticated(Unauthenticated::WrongMfaCode);
        let Some(after) = setting.spend(&deps.key, user.id, code, Utc::now())? else {
            return refused(me, wrong());
        };
        // The write is conditional: the same code racing in twice signs in once.
        match store.write(mfa::save(user.id, &setting, &after)?).await {
            Ok(()) => {}
            Err(e) if e.is_version_conflict() => return refused(me, wrong()),
            Err(e) => return Err(e.into()),
        }
    }
    passed(store, &input.email, counted).await?;
    let reach = grant::reach(store, user.id).await?;
    let active = reach.served.clone();
    let target = match choose_target(&user, &active, input.tenant_id) {
        Ok(t) => t,
        Err(why) => return refused(me, reach.refusal(input.tenant_id).unwrap_or(why)),
    };
    let (session, tokens) = grant::open(store, deps, &user, target, &active, client).await?;
    Ok(Outcome::SignedIn(Box::new(SignedIn { user: user.id, session, tokens, mfa: setting.enabled })))
}

/// A password (and code) check passed: the address's failures are forgotten, the source's attempt given back.
async fn passed(store: &Store, email: &Email, counted: throttle::Counted) -> Result<(), IdentityError> {
    tokio::try_join!(lockout::clear(store, &lockout::SIGN_IN, email), throttle::refund(store, counted))?;
    Ok(())
}

/// The session a logout names.
pub(crate) enum Ending {
    /// By its refresh token (an unknown or rotated-out one names none).
    RefreshToken(String),
    /// The bearer token's own.
    Session(Uuid),
}

/// Ends the session named, if it is live; the session ended, if any.
pub(crate) async fn logout(store: &Store, ending: Ending) -> Result<Option<Session>, IdentityError> {
    let session = match ending {
        Ending::RefreshToken(text) => match RefreshToken::parse(&text) {
            Some(presented) => session::load(store, presented.session)
                .await?
                .filter(|s| s.presented(&presented.secret) == session::Presented::Current),
            None => None,
        },
        Ending::Session(id) => session::load(store, id).await?,
    };
    let Some(current) = session.filter(|s| s.is_live(Utc::now())) else { return Ok(None) };
    session::revoke(store, current.clone(), "logout").await?;
    Ok(Some(current))
}

/// A new session of the caller in `tenant_id`: one of their tenants, or, for a platform admin, any existing
/// organization (to onboard its first admin, or support it). Returns the user's id with it.
pub(crate) async fn switch_tenant(
    store: &Store,
    deps: &Deps,
    principal: &Principal,
    tenant_id: Uuid,
    client: Client,
) -> Result<(Uuid, Session, Tokens), IdentityError> {
    // A switch opens a session from an access token alone: the token's own session must be live now (read
    // again, not trusted from the gate's cache), and a switch to where it already acts is refused.
    let live = match principal.session {
        Some(sid) => session::load_live(store, sid).await?,
        None => None,
    };
    if live.is_none() {
        return Err(IdentityError::Unauthenticated(Unauthenticated::SessionEnded));
    }
    // An enrolment session would only open another like it: refused as the gate refuses other routes.
    if principal.must_enrol_mfa() {
        return Err(IdentityError::Refused(Refusal::MfaEnrolmentRequired));
    }
    if principal.tenant_opt().is_some_and(|t| t.as_uuid() == tenant_id) {
        return Err(IdentityError::Broken(Broken::SameTenant));
    }
    let user = user::load(store, principal.user_id).await?.filter(User::can_sign_in);
    let Some(user) = user else { return Err(IdentityError::Unauthenticated(Unauthenticated::CannotSignIn)) };
    let reach = grant::reach(store, user.id).await?;
    if let Some(refusal) = reach.refusal(Some(tenant_id)) {
        return Err(refusal);
    }
    let active = reach.served;
    let member = active.iter().find(|m| m.tenant_id.as_uuid() == tenant_id);
    let target = match (member, principal.platform_admin()) {
        (Some(m), _) => Target::Member(m.clone()),
        (None, Some(admin)) if user.platform_admin => {
            let tenant = admin.tenant(tenant_id);
            nudge_organizations::service::find(store, &tenant)
                .await?
                .filter(|o| !o.is_deleted())
                .ok_or(IdentityError::NotFound)?;
            grant::served(store, &tenant).await?;
            Target::Support(tenant)
        }
        _ => return Err(IdentityError::NotFound),
    };
    let (session, tokens) = grant::open(store, deps, &user, target, &active, client).await?;
    Ok((user.id, session, tokens))
}

/// Asks for a reset email to `email` (sent if an active account has it, see [`reset_mail`]), at most five
/// an hour per address (counted whether an account has it or not; past that nothing is asked). Past twenty
/// an hour from one source address, [`IdentityError::Throttled`]: that says nothing about any account.
pub(crate) async fn request_reset(
    store: &Store,
    deps: &Deps,
    email: &Email,
    ip: SourceIp,
) -> Result<(), IdentityError> {
    throttle::attempt(store, &throttle::RESET_PER_IP, ip).await?;
    match lockout::attempt(store, &lockout::RESET, email).await {
        Ok(()) => {}
        Err(IdentityError::Locked { .. }) => return Ok(()),
        Err(e) => return Err(e),
    }
    // Whether an account has the address is decided in the background: this answer costs the same either way.
    Ok(deps.notifier.request_reset(email).await?)
}

/// The password-reset email for `email`, if an active account has it: its token is written here, and the
/// email (its link sealed) is for the notifications function to send. Runs in that function, through
/// the notifications' [`nudge_notifications::ResetMails`] port.
pub(crate) async fn reset_mail(
    store: &Store,
    key: &DataKey,
    app_url: &str,
    request: Uuid,
    email: &Email,
) -> Result<Option<Notification>, IdentityError> {
    let Some(user) = user::by_email(store, email).await?.filter(|u| u.status == UserStatus::Active) else {
        return Ok(None);
    };
    let token = crypto::random::token()?;
    let record = EmailToken::new(TokenKind::PasswordReset, user.id, &user.email, None, Utc::now());
    store.write(email_token::create(&token, &record)?).await?;
    let text = format!(
        "Someone asked to reset the password of your Nudge account. If it was you, open {LINK} within the hour. \
         If not, ignore this email: your password stays as it is."
    );
    let link = format!("{app_url}/reset-password?token={token}");
    let note = Notification::email(
        key,
        request,
        NotificationKind::PasswordReset,
        &user.email,
        None,
        "Reset your Nudge password".into(),
        text,
        &link,
        record.expires_at,
    )?;
    tracing::info!(user_id = %user.id, "password reset email made");
    Ok(Some(note))
}

const BAD_TOKEN: IdentityError = IdentityError::Broken(Broken::BadToken);

/// Sets the password of the reset token's account and ends every session of it; the account's id and how
/// many sessions ended.
pub(crate) async fn confirm_reset(
    store: &Store,
    token: &str,
    password: String,
) -> Result<(Uuid, usize), IdentityError> {
    let record = email_token::load(store, token).await?.filter(|t| t.is_valid(TokenKind::PasswordReset, Utc::now()));
    let Some(record) = record else { return Err(BAD_TOKEN) };
    let Some(current) = user::load(store, record.user_id).await? else { return Err(BAD_TOKEN) };
    current.check_new_password(&password).map_err(|why| IdentityError::Broken(Broken::Password(why)))?;
    let hash = password::hash_off_thread(password).await?;
    let now = Utc::now();
    let tx = Tx::new()
        .with(email_token::spend(token, &record))
        .with(user::set_password(current.id, &hash, now)?)
        .with(session::end_all(current.id, None, now)?);
    repo::transact(store, tx).await?;
    // The epoch already ended them all; marking each one revoked shows it in the session list.
    let ended = session::revoke_all(store, current.id, None, "password reset").await?;
    lockout::clear(store, &lockout::SIGN_IN, &current.email).await?;
    Ok((current.id, ended))
}

/// Accepts an invitation: the membership becomes active (the account gets its password, if it has none) and
/// a session in that tenant opens. Returns the account's id with it.
pub(crate) async fn accept_invite(
    store: &Store,
    deps: &Deps,
    input: NewPassword,
    client: Client,
    ip: SourceIp,
) -> Result<(Uuid, Session, Tokens), IdentityError> {
    let now = Utc::now();
    let record = email_token::load(store, &input.token).await?.filter(|t| t.is_valid(TokenKind::Invite, now));
    let Some((record, tenant)) = record.and_then(|r| r.tenant().map(|t| (r, t))) else { return Err(BAD_TOKEN) };
    let Some(member) = membership::load(store, &tenant, record.user_id).await? else { return Err(BAD_TOKEN) };
    if member.status != MembershipStatus::Invited {
        return Err(IdentityError::Conflict(Conflict::InvitationAccepted));
    }
    grant::served(store, &tenant).await?;
    let Some(current) = user::load(store, record.user_id).await? else { return Err(BAD_TOKEN) };
    let hash = match (&current.password_hash, input.password) {
        // An existing account joins only with its own password (and code): the invitation's link alone
        // proves nothing about who holds the account.
        (Some(existing), Some(given)) => {
            let counted = throttle::attempt(store, &throttle::SIGN_IN_PER_IP, ip).await?;
            lockout::attempt(store, &lockout::SIGN_IN, &current.email).await?;
            if !password::verify_off_thread(given, Some(existing.clone())).await? {
                return Err(IdentityError::Broken(Broken::WrongPassword));
            }
            let setting = mfa::load(store, current.id).await?;
            if setting.enabled {
                let code = input.mfa_code.as_deref();
                let code = code.ok_or(IdentityError::Unauthenticated(Unauthenticated::MfaRequired))?;
                let wrong = IdentityError::Unauthenticated(Unauthenticated::WrongMfaCode);
                let after = setting.spend(&deps.key, current.id, code, now)?.ok_or(wrong)?;
                repo::write(store, mfa::save(current.id, &setting, &after)?).await?;
            }
            passed(store, &current.email, counted).await?;
            None
        }
        (Some(_), None) => return Err(IdentityError::Broken(Broken::CurrentPasswordRequired)),
        (None, Some(password)) => {
            current.check_new_password(&password).map_err(|why| IdentityError::Broken(Broken::Password(why)))?;
            Some(password::hash_off_thread(password).await?)
        }
        (None, None) => return Err(IdentityError::Broken(Broken::PasswordRequired)),
    };
    let name = input.name;
    let next_user = current.revised(now, |u| {
        if let Some(h) = hash {
            u.password_hash = Some(h);
        }
        if let Some(n) = name {
            u.name = Some(n);
        }
    });
    let joined = member.revised(now, |m| {
        m.status = MembershipStatus::Active;
        m.joined_at = Some(now);
        m.name = Some(next_user.display_name());
    });
    let tx = Tx::new()
        .with(email_token::spend(&input.token, &record))
        .with(membership::replace(&member, &joined)?)
        .with(user::replace(&current, &next_user)?);
    repo::transact(store, tx).await?;
    // The user's tenants index is eventually consistent on AWS: make sure the one just joined is listed.
    let mut active = grant::active_memberships(store, next_user.id).await?;
    if !active.iter().any(|m| m.tenant_id == joined.tenant_id) {
        active.push(joined.clone());
    }
    let (session, tokens) = grant::open(store, deps, &next_user, Target::Member(joined), &active, client).await?;
    Ok((current.id, session, tokens))
}
