//! What the API shows of people.

use crate::membership::{Membership, MembershipStatus, ScopedGrant};
use crate::user::{User, UserStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A member of the caller's organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Member {
    /// The user's id.
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    pub status: MembershipStatus,
    pub grants: Vec<ScopedGrant>,
    pub invited_by: Option<Uuid>,
    pub invited_at: Option<DateTime<Utc>>,
    pub joined_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// From the account (single reads only), once the invitation is accepted: before, an account that
    /// exists elsewhere on the platform shows nothing of itself to this tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_status: Option<UserStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_login_at: Option<DateTime<Utc>>,
}

impl Member {
    pub(crate) fn of(m: Membership, user: Option<&User>) -> Self {
        let user = user.filter(|_| m.status != MembershipStatus::Invited);
        Self {
            id: m.user_id,
            email: m.email.into(),
            name: m.name,
            role: m.role,
            status: m.status,
            grants: m.grants,
            invited_by: m.invited_by,
            invited_at: m.invited_at,
            joined_at: m.joined_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            account_status: user.map(|u| u.status),
            last_login_at: user.and_then(|u| u.last_login_at),
        }
    }
}

/// A tenant the caller belongs to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MembershipSummary {
    pub tenant_id: Uuid,
    pub role: String,
    pub status: MembershipStatus,
}

/// The caller's own account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: UserStatus,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub mfa_enabled: bool,
    pub tenant_id: Uuid,
    pub role: String,
    pub permissions: Vec<String>,
    pub memberships: Vec<MembershipSummary>,
}
