//! Inviting someone into a tenant: the account is found by email or created without a password, the
//! membership starts as `invited`, and a single-use token goes out by email through the notifications queue.

use crate::email_token::{self, EmailToken, TokenKind};
use crate::membership::{self, Membership, MembershipStatus};
use crate::people::Deps;
use crate::role::Role;
use crate::user::{self, EMAIL_TAKEN, User};
use chrono::Utc;
use nudge_core::TenantId;
use nudge_core::crypto::random;
use nudge_core::http::{ApiError, ApiResult, FieldError};
use nudge_core::store::{Attempt, Store, StoreError, Tx, optimistic};
use nudge_notifications::{Notification, NotificationKind};
use uuid::Uuid;

fn already_member() -> ApiError {
    ApiError::Conflict(
        "this person is already a member of the organization".into(),
        vec![FieldError::body("/email", "is already a member")],
    )
}

fn new_membership(tenant: &TenantId, user: &User, role: &Role, by: Uuid, name: Option<&str>) -> Membership {
    let now = Utc::now();
    Membership {
        tenant_id: tenant.into(),
        user_id: user.id,
        email: user.email.clone(),
        name: name.map(str::to_owned).or_else(|| user.name.clone()),
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
    email: &str,
    name: Option<&str>,
    role: &Role,
    by: Uuid,
) -> ApiResult<Membership> {
    optimistic::retry(|| async {
        let (user, mut tx) = match user::by_email(store, email).await? {
            Some(existing) => {
                if membership::load(store, tenant, existing.id).await?.is_some() {
                    return Err(already_member());
                }
                (existing, Tx::new())
            }
            None => {
                let fresh = User::new(email.to_owned(), name.map(str::to_owned), None, Utc::now());
                let [account, guard] = user::create(&fresh)?;
                (fresh, Tx::new().with(account).with(guard))
            }
        };
        let member = new_membership(tenant, &user, role, by, name);
        tx = tx.with(membership::create(&member)?);
        match store.transact(tx).await {
            Ok(()) => Ok(Attempt::Done(member)),
            Err(StoreError::Condition(EMAIL_TAKEN)) | Err(StoreError::TransactionConflict) => Ok(Attempt::Retry),
            Err(StoreError::Condition(membership::ALREADY_MEMBER)) => Err(already_member()),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Sends (or re-sends) the invitation email for a membership still `invited`.
pub async fn send(store: &Store, deps: &Deps, tenant: &TenantId, member: &Membership, org: &str) -> ApiResult<()> {
    let token = random::token().map_err(ApiError::internal)?;
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
    deps.notifier.send(&note).await.map_err(ApiError::internal)
}

pub async fn invite(
    store: &Store,
    deps: &Deps,
    tenant: &TenantId,
    email: &str,
    name: Option<&str>,
    role: &Role,
    by: Uuid,
) -> ApiResult<Membership> {
    let member = enrol(store, tenant, email, name, role, by).await?;
    let org = nudge_organizations::repo::get(store, tenant)
        .await?
        .map(|o| o.fields.name)
        .unwrap_or_else(|| "your organization".into());
    send(store, deps, tenant, &member, &org).await?;
    Ok(member)
}
