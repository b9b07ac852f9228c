//! Memberships: a user's place in a tenant, with a role (system or custom) and optional scoped grants. A
//! user may belong to several tenants (an expert organization's coach serves several clients).
//!
//! | item | pk | sk | gsi1pk / gsi1sk |
//! |---|---|---|---|
//! | membership | `T#<tid>#MEMBERS` | `USER#<uid>` | `P#USER#<uid>#TENANTS` / `<tid>` |

use crate::error::{Conflict, IdentityError};
use crate::permission::Permission;
use chrono::{DateTime, Utc};
use nudge_core::auth::SystemRole;
use nudge_core::http::update::Patchable;
use nudge_core::http::{ApiResult, Page};
use nudge_core::keys::{Key, platform_partition, tenant_partition};
use nudge_core::store::{Index, Put, Query, Store, StoreError, Write};
use nudge_core::values::Email;
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MembershipStatus {
    /// Invited and not yet accepted.
    Invited,
    Active,
    Suspended,
}

/// A fine-grained permission limited to a scope (seed 002 UserPermission), e.g. `workers:read` on some
/// segments only: `{"permission": "workers:read", "scope": {"segments": ["…"]}}`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopedGrant {
    #[schema(value_type = String)]
    pub permission: Permission,
    #[schema(value_type = Object)]
    pub scope: Value,
}

/// Reads stored grants, dropping those of a permission the catalogue no longer has (it grants nothing).
fn known_grants<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<ScopedGrant>, D::Error> {
    #[derive(Deserialize)]
    struct Stored {
        permission: String,
        scope: Value,
    }
    let stored: Vec<Stored> = Vec::deserialize(deserializer)?;
    Ok(stored
        .into_iter()
        .filter_map(|g| Some(ScopedGrant { permission: Permission::of(&g.permission)?, scope: g.scope }))
        .collect())
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Membership {
    pub tenant_id: TenantRef,
    pub user_id: Uuid,
    /// Copied from the account so a tenant's member list is one Query.
    pub email: Email,
    #[serde(default)]
    pub name: Option<String>,
    pub role: String,
    pub status: MembershipStatus,
    #[serde(default, deserialize_with = "known_grants")]
    pub grants: Vec<ScopedGrant>,
    #[serde(default)]
    pub invited_by: Option<Uuid>,
    #[serde(default)]
    pub invited_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub joined_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// `PATCH /users/{id}` edits the role, the status and the scoped grants.
impl Patchable for Membership {
    fn version(&self) -> u64 {
        self.version
    }
    fn document(&self) -> ApiResult<Value> {
        Ok(serde_json::json!({"role": self.role, "status": self.status, "grants": self.grants}))
    }
}

impl Membership {
    /// The tenant this membership is of: a user who proved who they are acts for the tenants they belong to.
    pub(crate) fn tenant(&self) -> TenantId {
        self.tenant_id.tenant()
    }

    pub(crate) fn revised(&self, now: DateTime<Utc>, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.updated_at = now;
        next.version = self.version + 1;
        next
    }
}

fn key(tenant: &TenantId, user: Uuid) -> Key {
    Key::tenant(tenant, "MEMBERS", format!("USER#{user}"))
}

fn of_user_partition(user: Uuid) -> String {
    platform_partition(&format!("USER#{user}#TENANTS"))
}

fn put(m: &Membership) -> Result<Put, StoreError> {
    Ok(Put::new(&key(&m.tenant(), m.user_id), "Membership", m)?.index(
        Index::Gsi1,
        of_user_partition(m.user_id),
        m.tenant_id.to_string(),
    ))
}

/// Label of a membership that already exists.
const ALREADY_MEMBER: &str = "membership";

/// What a failed condition labelled here means.
/// The label of the check that another owner is still an active owner.
const OWNER_REMAINS: &str = "another owner";

pub(crate) fn failed(label: &str) -> Option<IdentityError> {
    match label {
        ALREADY_MEMBER => Some(IdentityError::Conflict(Conflict::AlreadyMember)),
        OWNER_REMAINS => Some(IdentityError::Conflict(Conflict::LastOwner)),
        _ => None,
    }
}

/// For the transaction that makes an active owner something else: `other` must still be an active owner
/// when it commits. Transactions are serializable, so the last of any number of concurrent demotions finds
/// the owner it checked still there: the tenant never ends without one.
pub(crate) fn owner_remains(other: &Membership) -> Result<Write, IdentityError> {
    Ok(Write::check(key(&other.tenant(), other.user_id), OWNER_REMAINS)
        .and_equals("role", &SystemRole::Owner.name(), OWNER_REMAINS)?
        .and_equals("status", &MembershipStatus::Active, OWNER_REMAINS)?)
}

pub(crate) fn create(m: &Membership) -> Result<Write, IdentityError> {
    Ok(Write::create(put(m)?, ALREADY_MEMBER))
}

pub(crate) fn replace(current: &Membership, next: &Membership) -> Result<Write, IdentityError> {
    Ok(Write::replace(put(next)?, current.version))
}

pub(crate) fn delete(m: &Membership) -> Write {
    Write::delete(key(&m.tenant(), m.user_id))
}

pub(crate) async fn load(store: &Store, tenant: &TenantId, user: Uuid) -> Result<Option<Membership>, IdentityError> {
    Ok(store.get(&key(tenant, user)).await?)
}

/// Which of `users` belong to the tenant (active, invited or suspended): what another domain checks a
/// reference to a person with (a module's mentors).
pub async fn members_among(
    store: &Store,
    tenant: &TenantId,
    users: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    let keys: Vec<Key> = users.iter().map(|u| key(tenant, *u)).collect();
    let found: std::collections::HashSet<String> = store
        .batch_get(&keys)
        .await?
        .iter()
        .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
        .collect();
    Ok(users.iter().copied().filter(|u| found.contains(&format!("USER#{u}"))).collect())
}

/// The active members of a tenant whose role grants `permission` (who to tell of something waiting for
/// them: a popular suggestion to review). One read of the members, one of each custom role they hold.
pub async fn holders_of(store: &Store, tenant: &TenantId, permission: &str) -> Result<Vec<Uuid>, StoreError> {
    let wanted = Permission::of(permission);
    let members: Vec<Membership> = store.all(&Query::partition(tenant_partition(tenant, "MEMBERS"))).await?;
    let mut grants: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in members.into_iter().filter(|m| m.status == MembershipStatus::Active) {
        let holds = match grants.get(&m.role) {
            Some(holds) => *holds,
            None => {
                let granted = crate::role::permissions(store, tenant, &m.role).await.map_err(|e| match e {
                    IdentityError::Store(e) => e,
                    other => StoreError::Decode(other.to_string()),
                })?;
                let holds = wanted.is_some_and(|p| granted.contains(&p));
                grants.insert(m.role.clone(), holds);
                holds
            }
        };
        if holds {
            out.push(m.user_id);
        }
    }
    Ok(out)
}

/// Every tenant a user belongs to.
pub(crate) async fn of_user(store: &Store, user: Uuid) -> Result<Vec<Membership>, IdentityError> {
    Ok(store.all(&Query::partition(of_user_partition(user)).on(Index::Gsi1)).await?)
}

/// One page of a tenant's members, in join order of their ids.
pub(crate) async fn page(
    store: &Store,
    scope: &str,
    tenant: &TenantId,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Membership>, IdentityError> {
    Ok(store.page(scope, &Query::partition(tenant_partition(tenant, "MEMBERS")), limit, cursor).await?)
}

/// Every member of a tenant holding `role` (the last-owner rule reads this; tenants have few owners).
pub(crate) async fn with_role(store: &Store, tenant: &TenantId, role: &str) -> Result<Vec<Membership>, IdentityError> {
    let all: Vec<Membership> = store.all(&Query::partition(tenant_partition(tenant, "MEMBERS"))).await?;
    Ok(all.into_iter().filter(|m| m.role == role).collect())
}

/// The table at the top of this module, checked.
/// The workers' port to user accounts (`nudge_workers::Accounts`), answered by [`members_among`]: one
/// implementation for every function that writes workers (the API, the importer).
pub struct WorkerAccounts(pub Store);

impl nudge_workers::Accounts for WorkerAccounts {
    fn is_member<'a>(
        &'a self,
        tenant: &'a TenantId,
        user: Uuid,
    ) -> futures_util::future::BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { Ok(members_among(&self.0, tenant, &[user]).await?.contains(&user)) })
    }
}

#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn keys_are_as_documented() {
        let t = nudge_core::testing::tenant(0xA);
        let user = Uuid::from_u128(7);
        let k = key(&t, user);
        assert_eq!((k.pk, k.sk), (format!("T#{t}#MEMBERS"), format!("USER#{user}")));
        assert_eq!(of_user_partition(user), format!("P#USER#{user}#TENANTS"));
    }

    #[test]
    fn grants_keep_their_text_and_stored_ones_of_retired_permissions_drop() {
        let grant = ScopedGrant { permission: Permission::WorkersRead, scope: serde_json::json!({"segments": []}) };
        let text = serde_json::json!([{"permission": "workers:read", "scope": {"segments": []}}]);
        assert_eq!(serde_json::to_value([&grant]).unwrap(), text);
        let stored = serde_json::json!([{"permission": "retired:thing", "scope": {}}, text[0]]);
        let read = known_grants(stored).unwrap();
        assert_eq!(read, [grant]);
    }
}
