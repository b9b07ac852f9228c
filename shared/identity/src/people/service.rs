//! What the users function does, below HTTP: the caller's own account (profile, password, MFA), the
//! tenant's members (invitations, role and status changes, removal) and its roles. Handlers pass what they
//! read and resolved (the caller as a [`Principal`], its tenant); errors are [`IdentityError`].

use crate::error::{Broken, Conflict, IdentityError, Refusal};
use crate::membership::{self, Membership, MembershipStatus, ScopedGrant};
use crate::mfa::{self, MfaSetting};
use crate::people::rules::{self, RoleFields};
use crate::people::{Deps, invite};
use crate::repo;
use crate::role::{self, FALLBACK_DEFAULT, Role};
use crate::signin::lockout;
use crate::user::{self, User};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::auth::{Principal, SystemRole, session};
use nudge_core::crypto::{DataKey, password};
use nudge_core::http::Page;
use nudge_core::store::optimistic::VersionConflict as _;
use nudge_core::store::{Attempt, Store, Tx, Write, optimistic};
use nudge_core::values::Email;
use uuid::Uuid;

// The caller's own account.

pub(crate) async fn account(store: &Store, id: Uuid) -> Result<User, IdentityError> {
    user::load(store, id).await?.ok_or(IdentityError::NotFound)
}

/// What `/me` shows beyond the account: whether MFA is on, and every membership.
pub(crate) async fn profile(store: &Store, user: &User) -> Result<(bool, Vec<Membership>), IdentityError> {
    let mfa_enabled = mfa::load(store, user.id).await?.enabled;
    Ok((mfa_enabled, membership::of_user(store, user.id).await?))
}

/// A user's names: the display name, first and last.
pub(crate) struct Names {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Writes the names over `current` with the version read (done at once when nothing changes).
pub(crate) async fn rename(store: &Store, current: User, names: Names) -> Result<Attempt<User>, IdentityError> {
    let Names { name, first_name, last_name } = names;
    if (&name, &first_name, &last_name) == (&current.name, &current.first_name, &current.last_name) {
        return Ok(Attempt::Done(current));
    }
    let next = current.revised(Utc::now(), |u| {
        u.name = name;
        u.first_name = first_name;
        u.last_name = last_name;
    });
    optimistic::settle(repo::write(store, user::replace(&current, &next)?).await, next, true)
}

/// Memberships carry a copy of the name for member lists; bring each up to date.
pub(crate) async fn sync_member_names(store: &Store, user: &User) -> Result<(), IdentityError> {
    let name = Some(user.display_name());
    for m in membership::of_user(store, user.id).await? {
        if m.name == name {
            continue;
        }
        let tenant = m.tenant();
        optimistic::retry(|| async {
            let Some(current) = membership::load(store, &tenant, user.id).await? else {
                return Ok::<_, IdentityError>(Attempt::Done(()));
            };
            let next = current.revised(Utc::now(), |m| m.name = name.clone());
            optimistic::settle(repo::write(store, membership::replace(&current, &next)?).await, (), true)
        })
        .await?;
    }
    Ok(())
}

/// Changes the caller's password (the current one proves it is them) and ends their other sessions; how
/// many ended.
pub(crate) async fn change_password(
    store: &Store,
    user: Uuid,
    keep: Option<Uuid>,
    current_password: String,
    new_password: String,
) -> Result<usize, IdentityError> {
    let current = account(store, user).await?;
    lockout::attempt(store, &lockout::SIGN_IN, &current.email).await?;
    if !password::verify_off_thread(current_password, current.password_hash.clone()).await? {
        return Err(IdentityError::Broken(Broken::WrongCurrentPassword));
    }
    lockout::clear(store, &lockout::SIGN_IN, &current.email).await?;
    current.check_new_password(&new_password).map_err(|why| IdentityError::Broken(Broken::NewPassword(why)))?;
    let hash = password::hash_off_thread(new_password).await?;
    let now = Utc::now();
    let tx = Tx::new().with(user::set_password(current.id, &hash, now)?).with(session::end_all(current.id, keep, now)?);
    repo::transact(store, tx).await?;
    // The epoch already ended them; marking each one revoked shows it in the session list.
    Ok(session::revoke_others(store, current.id, keep, "password changed").await?)
}

// MFA.

pub(crate) async fn mfa_setting(store: &Store, user: Uuid) -> Result<MfaSetting, IdentityError> {
    mfa::load(store, user).await
}

/// Writes `next` over `current`; a setting that moved meanwhile is a conflict (no retry: a code was spent
/// on the version read).
async fn save_mfa(store: &Store, user: Uuid, current: &MfaSetting, next: &MfaSetting) -> Result<(), IdentityError> {
    repo::write(store, mfa::save(user, current, next)?)
        .await
        .map_err(|e| if e.is_version_conflict() { IdentityError::Conflict(Conflict::MfaChanged) } else { e })
}

/// Starts an enrolment: a new pending secret; its base32 text and `otpauth://` URI for the app.
pub(crate) async fn enrol(store: &Store, key: &DataKey, user: Uuid) -> Result<(String, String), IdentityError> {
    let account = account(store, user).await?;
    let current = mfa::load(store, account.id).await?;
    if current.enabled {
        return Err(IdentityError::Conflict(Conflict::MfaOn));
    }
    let (sealed, secret) = mfa::new_secret(key, account.id)?;
    let next = MfaSetting {
        pending_secret: Some(sealed),
        updated_at: Some(Utc::now()),
        version: current.version + 1,
        ..current.clone()
    };
    save_mfa(store, user, &current, &next).await?;
    let uri = mfa::otpauth_uri("Nudge", &account.email, &secret);
    Ok((secret, uri))
}

/// Turns MFA on with the first code of the pending secret; the backup codes, shown once.
pub(crate) async fn activate(
    store: &Store,
    key: &DataKey,
    user: Uuid,
    code: &str,
) -> Result<Vec<String>, IdentityError> {
    let current = mfa::load(store, user).await?;
    let Some(secret) = current.open_pending(key, user)? else {
        return Err(IdentityError::Conflict(Conflict::NoEnrolment));
    };
    let now = Utc::now();
    let step = mfa::totp_step(&secret, code, now.timestamp() as u64, None)?;
    let Some(step) = step else { return Err(IdentityError::Broken(Broken::NotCurrentCode)) };
    let (plain, hashes) = mfa::new_backup_codes(key)?;
    let next = MfaSetting {
        enabled: true,
        secret: current.pending_secret.clone(),
        pending_secret: None,
        backup_codes: hashes,
        last_used_step: Some(step),
        enabled_at: Some(now),
        updated_at: Some(now),
        version: current.version + 1,
    };
    save_mfa(store, user, &current, &next).await?;
    Ok(plain)
}

/// The setting with `code` spent, if MFA is on and the code is good (written by the caller, once, together
/// with what the code authorised).
fn spent(key: &DataKey, user: Uuid, current: &MfaSetting, code: &str) -> Result<MfaSetting, IdentityError> {
    if !current.enabled {
        return Err(IdentityError::Conflict(Conflict::MfaOff));
    }
    current.spend(key, user, code, Utc::now())?.ok_or(IdentityError::Broken(Broken::WrongCode))
}

/// New backup codes for a good code; the old ones stop working.
pub(crate) async fn regenerate(
    store: &Store,
    key: &DataKey,
    user: Uuid,
    code: &str,
) -> Result<Vec<String>, IdentityError> {
    let email = account(store, user).await?.email;
    lockout::attempt(store, &lockout::SIGN_IN, &email).await?;
    let current = mfa::load(store, user).await?;
    let spent = spent(key, user, &current, code)?;
    lockout::clear(store, &lockout::SIGN_IN, &email).await?;
    let (plain, hashes) = mfa::new_backup_codes(key)?;
    save_mfa(store, user, &current, &MfaSetting { backup_codes: hashes, ..spent }).await?;
    Ok(plain)
}

/// Turns MFA off, with the password and a code.
pub(crate) async fn disable(
    store: &Store,
    key: &DataKey,
    user: Uuid,
    password: String,
    code: &str,
) -> Result<(), IdentityError> {
    let account = account(store, user).await?;
    lockout::attempt(store, &lockout::SIGN_IN, &account.email).await?;
    if !password::verify_off_thread(password, account.password_hash.clone()).await? {
        return Err(IdentityError::Broken(Broken::WrongPassword));
    }
    let current = mfa::load(store, account.id).await?;
    let spent = spent(key, user, &current, code)?;
    lockout::clear(store, &lockout::SIGN_IN, &account.email).await?;
    let off = MfaSetting { version: spent.version, updated_at: spent.updated_at, ..MfaSetting::default() };
    save_mfa(store, user, &current, &off).await
}

// Members.

/// A role name of the tenant as a role; one that names none breaks a rule.
async fn resolve_role(store: &Store, tenant: &TenantId, name: &str) -> Result<Role, IdentityError> {
    role::resolve(store, tenant, name).await?.ok_or_else(|| IdentityError::Broken(Broken::UnknownRole(name.into())))
}

/// Invites `email` as `role_name` (the tenant's default role when none): a role whose permissions the caller
/// holds.
pub(crate) async fn invite(
    store: &Store,
    deps: &Deps,
    tenant: &TenantId,
    by: &Principal,
    email: &Email,
    role_name: Option<String>,
    name: Option<&str>,
) -> Result<Membership, IdentityError> {
    let role_name = match role_name {
        Some(r) => r,
        None => role::default_name(store, tenant).await?,
    };
    let role = resolve_role(store, tenant, &role_name).await?;
    rules::may_give(&by.role, &role.name, owners_if(store, tenant, &role.name).await?)?;
    rules::may_assign(by.permissions(), &role)?;
    invite::invite(store, deps, tenant, email, name, &role, by.user_id).await
}

pub(crate) async fn members(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Membership>, IdentityError> {
    membership::page(store, scope, tenant, limit, cursor).await
}

pub(crate) async fn member(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Membership, IdentityError> {
    membership::load(store, tenant, id).await?.ok_or(IdentityError::NotFound)
}

/// A member and their account (for its status and last sign-in).
pub(crate) async fn member_and_account(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
) -> Result<(Membership, Option<User>), IdentityError> {
    let member = member(store, tenant, id).await?;
    let account = user::load(store, member.user_id).await?;
    Ok((member, account))
}

async fn active_owners(store: &Store, tenant: &TenantId) -> Result<Vec<Membership>, IdentityError> {
    let owners = membership::with_role(store, tenant, SystemRole::Owner.name()).await?;
    Ok(owners.into_iter().filter(|m| m.status == MembershipStatus::Active).collect())
}

/// The active owners, counted only when giving `role` depends on them (the first owner of a tenant).
async fn owners_if(store: &Store, tenant: &TenantId, role: &str) -> Result<usize, IdentityError> {
    if role == SystemRole::Owner.name() { Ok(active_owners(store, tenant).await?.len()) } else { Ok(1) }
}

/// The write that keeps an owner when `current` (an active owner) stops being one: another active owner
/// must still be one when the change commits ([`membership::owner_remains`]); none left is the last-owner
/// conflict.
async fn keep_an_owner(
    store: &Store,
    tenant: &TenantId,
    current: &Membership,
    next: Option<&Membership>,
) -> Result<Option<Write>, IdentityError> {
    if !rules::stops_owning(current, next) {
        return Ok(None);
    }
    let owners = active_owners(store, tenant).await?;
    match owners.iter().find(|m| m.user_id != current.user_id) {
        Some(other) => Ok(Some(membership::owner_remains(other)?)),
        None => Err(IdentityError::Conflict(Conflict::LastOwner)),
    }
}

/// What a membership change sets.
pub(crate) struct MemberChange {
    pub role: String,
    pub status: MembershipStatus,
    pub grants: Vec<ScopedGrant>,
}

/// Writes `change` over `current` with the version read: the membership before and after (the same when
/// nothing changes), or [`Attempt::Retry`] when another writer got there first.
pub(crate) async fn revise_member(
    store: &Store,
    tenant: &TenantId,
    by: &Principal,
    current: Membership,
    change: MemberChange,
) -> Result<Attempt<(Membership, Membership)>, IdentityError> {
    let MemberChange { role: role_name, status, grants } = change;
    if status == MembershipStatus::Invited && current.status != MembershipStatus::Invited {
        return Err(IdentityError::Broken(Broken::InvitationReopened));
    }
    if current.status == MembershipStatus::Invited && status != MembershipStatus::Invited {
        return Err(IdentityError::Broken(Broken::InvitationOpen));
    }
    // Role, status and grants alike: only a caller who outranks the member's role changes them.
    rules::may_act_on(&by.role, &current.role)?;
    let role = resolve_role(store, tenant, &role_name).await?;
    if role.name != current.role {
        rules::may_give(&by.role, &role.name, owners_if(store, tenant, &role.name).await?)?;
        rules::may_assign(by.permissions(), &role)?;
        // Taking a role away is also handing out less than the caller holds: check the old one too.
        if let Some(old) = role::resolve(store, tenant, &current.role).await? {
            rules::may_assign(by.permissions(), &old)?;
        }
    }
    let next = current.revised(Utc::now(), |m| {
        m.role = role.name.clone();
        m.status = status;
        m.grants = grants;
    });
    if (&next.role, next.status, &next.grants) == (&current.role, current.status, &current.grants) {
        return Ok(Attempt::Done((current.clone(), current)));
    }
    let mut tx = Tx::new().with(membership::replace(&current, &next)?);
    if let Some(check) = keep_an_owner(store, tenant, &current, Some(&next)).await? {
        tx = tx.with(check);
    }
    optimistic::settle(repo::transact(store, tx).await, (current, next), true)
}

/// What a membership change means for the member's sessions: a suspension ends them, a new role reaches
/// them.
pub(crate) async fn member_changed(
    store: &Store,
    tenant: &TenantId,
    before: &Membership,
    after: &Membership,
) -> Result<(), IdentityError> {
    if after.status == MembershipStatus::Suspended && before.status != MembershipStatus::Suspended {
        session::revoke_all(store, after.user_id, Some(tenant.as_uuid()), "membership suspended").await?;
    } else if after.role != before.role {
        session::set_role(store, after.user_id, tenant.as_uuid(), &after.role).await?;
    }
    Ok(())
}

/// Removes a membership (the account stays) and ends its sessions.
pub(crate) async fn remove_member(
    store: &Store,
    tenant: &TenantId,
    by: &Principal,
    id: Uuid,
) -> Result<(), IdentityError> {
    let current = member(store, tenant, id).await?;
    rules::not_self(by.user_id, id)?;
    rules::may_act_on(&by.role, &current.role)?;
    let mut tx = Tx::new().with(membership::delete(&current).if_version(current.version));
    if let Some(check) = keep_an_owner(store, tenant, &current, None).await? {
        tx = tx.with(check);
    }
    repo::transact(store, tx).await?;
    session::revoke_all(store, id, Some(tenant.as_uuid()), "membership removed").await?;
    Ok(())
}

// Roles.

/// The system roles, then the custom ones, the default marked.
pub(crate) async fn roles(store: &Store, tenant: &TenantId) -> Result<Vec<Role>, IdentityError> {
    let default = role::default_name(store, tenant).await?;
    let mut items: Vec<Role> = role::system_roles().map(|r| Role::system(r, r.name() == default)).collect();
    items.extend(role::custom(store, tenant).await?.into_iter().map(|mut r| {
        r.is_default = r.name == default;
        r
    }));
    Ok(items)
}

pub(crate) async fn role(store: &Store, tenant: &TenantId, name: &str) -> Result<Role, IdentityError> {
    role::resolve(store, tenant, name).await?.ok_or(IdentityError::NotFound)
}

/// Creates a custom role of permissions the caller holds.
pub(crate) async fn create_role(
    store: &Store,
    tenant: &TenantId,
    by: &Principal,
    name: String,
    fields: RoleFields,
) -> Result<Role, IdentityError> {
    let now = Utc::now();
    let role = Role {
        name,
        display_name: fields.display_name,
        description: fields.description,
        is_default: fields.is_default,
        is_system: false,
        permissions: fields.permissions,
        created_at: Some(now),
        updated_at: Some(now),
        version: 1,
    };
    rules::may_assign(by.permissions(), &role)?;
    let mut tx = Tx::new().with(role::create(tenant, &role)?);
    if role.is_default {
        tx = tx.with(role::set_default(tenant, &role.name)?);
    }
    repo::transact(store, tx).await?;
    Ok(role)
}

/// Makes a system role the default, or stops it being one (the fallback default takes over).
pub(crate) async fn set_system_default(
    store: &Store,
    tenant: &TenantId,
    role: &Role,
    is_default: bool,
) -> Result<Role, IdentityError> {
    if is_default != role.is_default {
        let name = if is_default { role.name.clone() } else { FALLBACK_DEFAULT.name().to_owned() };
        repo::write(store, role::set_default(tenant, &name)?).await?;
    }
    Ok(Role { is_default, ..role.clone() })
}

/// Writes a custom role's new fields over `current` with the version read, or [`Attempt::Retry`] when
/// another writer got there first.
pub(crate) async fn revise_role(
    store: &Store,
    tenant: &TenantId,
    by: &Principal,
    current: Role,
    fields: RoleFields,
) -> Result<Attempt<Role>, IdentityError> {
    let next = Role {
        display_name: fields.display_name,
        description: fields.description,
        permissions: fields.permissions,
        is_default: fields.is_default,
        updated_at: Some(Utc::now()),
        version: current.version + 1,
        ..current.clone()
    };
    rules::may_assign(by.permissions(), &next)?;
    let mut tx = Tx::new().with(role::replace(tenant, &current, &next)?);
    if next.is_default != current.is_default {
        let default = if next.is_default { next.name.clone() } else { FALLBACK_DEFAULT.name().to_owned() };
        tx = tx.with(role::set_default(tenant, &default)?);
    }
    optimistic::settle(repo::transact(store, tx).await, next, true)
}

/// What a custom role's new permissions mean for live sessions: each member holding it must refresh for
/// them, within the gate's revocation interval.
pub(crate) async fn role_revised(store: &Store, tenant: &TenantId, role: &Role) -> Result<(), IdentityError> {
    if role.is_system {
        return Ok(());
    }
    for member in membership::with_role(store, tenant, &role.name).await? {
        session::mark_stale(store, member.user_id, tenant.as_uuid()).await?;
    }
    Ok(())
}

/// Deletes a custom role no member holds (the default falls back to employee).
pub(crate) async fn remove_role(store: &Store, tenant: &TenantId, name: &str) -> Result<(), IdentityError> {
    let current = role(store, tenant, name).await?;
    if current.is_system {
        return Err(IdentityError::Refused(Refusal::SystemRole));
    }
    let holders = membership::with_role(store, tenant, &current.name).await?;
    if !holders.is_empty() {
        return Err(IdentityError::Conflict(Conflict::RoleHeld(holders.len())));
    }
    let mut tx = Tx::new().with(role::delete(tenant, &current.name).if_version(current.version));
    if current.is_default {
        tx = tx.with(role::set_default(tenant, FALLBACK_DEFAULT.name())?);
    }
    repo::transact(store, tx).await
}
