//! Inviting someone into a tenant: the account is found by email or created without a password, the
//! membership starts as `invited`, and a single-use token goes out by email through the notifications queue.

use crate::email_token::{self, EmailToken, TokenKind};
use crate::error::{Conflict, IdentityError};
use crate::membership::{self, Membership, MembershipStatus};
use crate::people::Deps;
use crate::repo;
use crate::role::Role;
use crate::user::{self, User};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::crypto::random;
use nudge_core::store::{Attempt, Store, StoreError, Tx, optimistic};
use nudge_core::values::Email;
use nudge_notifications::{Notification, NotificationKind};
use uuid::Uuid;

fn new_membership(tenant: &TenantId, user: &User, role: &Role, by: Uuid, name: Option<&str>) -> Membership {
    let now = Utc::now();
    Membership {
        tenant_id: tenant.into(),
        user_id: user.id,
        email: user.email.clone(),
        // Only what the inviter wrote: the account's own name is shown once the invitation is accepted.
        name: name.map(str::to_owned),
        role: role.name.clone(),
        status: MembershipStatus::Invited,
        grants: vec![],
        invited_by: Some(by),
        invited_at: Some(now),
        joined_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// Creates the invited membership (and the account, if the address has none) atomically; a concurrent
/// invitation of the same new address is retried against the account it created.
async fn enrol(
    store: &Store,
    tenant: &TenantId,
    email: &Email,
    name: Option<&str>,
    role: &Role,
    by: Uuid,
) -> Result<Membership, IdentityError> {
    optimistic::retry(|| async {
        let (user, mut tx) = match user::by_email(store, email).await? {
            Some(existing) => {
                if membership::load(store, tenant, existing.id).await?.is_some() {
                    return Err(IdentityError::Conflict(Conflict::AlreadyMember));
                }
                (existing, Tx::new())
            }
            None => {
                let fresh = User::new(email.clone(), name.map(str::to_owned), None, Utc::now());
                let [account, guard] = user::create(&fresh)?;
                (fresh, Tx::new().with(account).with(guard))
            }
        };
        let member = new_membership(tenant, &user, role, by, name);
        tx = tx.with(membership::create(&member)?);
        match repo::transact(store, tx).await {
            Ok(()) => Ok(Attempt::Done(member)),
            Err(IdentityError::Conflict(Conflict::EmailTaken))
            | Err(IdentityError::Store(StoreError::TransactionConflict)) => Ok(Attempt::Retry),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Sends (or re-sends) the invitation email for a membership still `invited`.
async fn send(
    store: &Store,
    deps: &Deps,
    tenant: &TenantId,
    member: &Membership,
    org: &str,
) -> Result<(), IdentityError> {
    let token = random::token()?;
    let record = EmailToken::new(TokenKind::Invite, member.user_id, &member.email, Some(tenant), Utc::now());
    store.write(email_token::create(&token, &record)?).await?;
    let link = format!("{}/accept-invite?token={token}", deps.app_url);
    let text =
        format!("You are invited to join {org} on Nudge as {role}. Accept within 7 days: {link}", role = member.role);
    let note = Notification::email(
        NotificationKind::Invite,
        &member.email,
        Some(tenant.as_uuid()),
        format!("You are invited to {org} on Nudge"),
        text,
        link,
        &token,
        record.expires_at,
    );
    Ok(deps.notifier.send(&note).await?)
}

pub(crate) async fn invite(
    store: &Store,
    deps: &Deps,
    tenant: &TenantId,
    email: &Email,
    name: Option<&str>,
    role: &Role,
    by: Uuid,
) -> Result<Membership, IdentityError> {
    let member = enrol(store, tenant, email, name, role, by).await?;
    let org = nudge_organizations::service::find(store, tenant)
        .await?
        .map(|o| o.fields.name)
        .unwrap_or_else(|| "your organization".into());
    send(store, deps, tenant, &member, &org).await?;
    Ok(member)
}
