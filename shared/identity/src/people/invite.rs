//! Inviting someone into a tenant: the account is found by email or created without a password, the
//! membership starts as `invited`, and a single-use token goes out by email: the token and the email's outbox
//! entry are written in the membership's own transaction, and the notifications function sends it.

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
use nudge_core::outbox::Posted;
use nudge_core::store::{Attempt, Store, StoreError, Tx, optimistic};
use nudge_core::values::Email;
use nudge_notifications::message::LINK;
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

/// Creates the invited membership (and the account, if the address has none) atomically with what `mail`
/// writes for it (its token and email); a concurrent invitation of the same new address is retried
/// against the account it created.
async fn enrol(
    store: &Store,
    tenant: &TenantId,
    email: &Email,
    name: Option<&str>,
    role: &Role,
    by: Uuid,
    mail: impl Fn(&Membership) -> Result<(Tx, Posted), IdentityError>,
) -> Result<(Membership, Posted), IdentityError> {
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
        let (mail_tx, posted) = mail(&member)?;
        tx.extend(mail_tx);
        match repo::transact(store, tx).await {
            Ok(()) => Ok(Attempt::Done((member, posted))),
            Err(IdentityError::Conflict(Conflict::EmailTaken))
            | Err(IdentityError::Store(StoreError::TransactionConflict)) => Ok(Attempt::Retry),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The invitation's single-use token and its email (an outbox entry), for the membership's transaction:
/// no crash leaves an invitation without its email.
fn invitation(deps: &Deps, tenant: &TenantId, member: &Membership, org: &str) -> Result<(Tx, Posted), IdentityError> {
    let token = random::token()?;
    let now = Utc::now();
    let record = EmailToken::new(TokenKind::Invite, member.user_id, &member.email, Some(tenant), now);
    let link = format!("{}/accept-invite?token={token}", deps.app_url);
    let text =
        format!("You are invited to join {org} on Nudge as {role}. Accept within 7 days: {LINK}", role = member.role);
    let note = Notification::email(
        deps.notifier.key(),
        Uuid::now_v7(),
        NotificationKind::Invite,
        &member.email,
        Some(tenant.as_uuid()),
        format!("You are invited to {org} on Nudge"),
        text,
        &link,
        record.expires_at,
    )?;
    let (post, posted) = deps.notifier.post(note, now)?;
    Ok((Tx::new().with(email_token::create(&token, &record)?).with(post), posted))
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
    let org = nudge_organizations::service::find(store, tenant)
        .await?
        .map(|o| o.fields.name)
        .unwrap_or_else(|| "your organization".into());
    let (member, posted) =
        enrol(store, tenant, email, name, role, by, |member| invitation(deps, tenant, member, &org)).await?;
    posted.deliver(store).await;
    Ok(member)
}
