//! Who is calling: built only from verified claims.

use super::claims::Claims;
use super::permissions::SystemRole;
use crate::http::problem::ApiError;
use crate::tenancy::TenantId;
use axum::extract::FromRequestParts;
use http::request::Parts;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: Uuid,
    tenant: Option<TenantId>,
    pub role: String,
    pub session: Option<Uuid>,
    permissions: Vec<String>,
    platform_admin: bool,
    /// Only MFA enrolment is open to this caller (see [`Claims::mfa_enrol`]).
    mfa_enrol: bool,
}

impl Principal {
    pub(crate) fn from_claims(claims: Claims) -> Result<Self, ApiError> {
        let user_id = Uuid::parse_str(&claims.sub).map_err(|_| ApiError::Unauthorized("invalid token subject"))?;
        let platform_admin = claims.role.parse() == Ok(SystemRole::PlatformAdmin);
        match (claims.tid, platform_admin) {
            (Some(_), true) => Err(ApiError::Unauthorized("a platform-admin token carries no tenant")),
            (None, false) => Err(ApiError::Unauthorized("the token names no tenant")),
            (tid, _) => Ok(Self {
                user_id,
                tenant: tid.map(TenantId::new),
                role: claims.role,
                session: claims.sid,
                permissions: claims.perms,
                platform_admin,
                mfa_enrol: claims.mfa_enrol,
            }),
        }
    }

    /// The caller's tenant; a platform-admin token has none and gets 403 on tenant endpoints.
    pub fn tenant(&self) -> Result<TenantId, ApiError> {
        self.tenant.ok_or_else(|| ApiError::Forbidden("this endpoint acts within a tenant; use a tenant token".into()))
    }

    pub fn tenant_opt(&self) -> Option<TenantId> {
        self.tenant
    }

    /// The caller's tenant, after checking it holds `permission` there (403 if not).
    pub fn require(&self, permission: &str) -> Result<TenantId, ApiError> {
        let tenant = self.tenant()?;
        if self.permissions.iter().any(|p| p == permission) {
            Ok(tenant)
        } else {
            Err(ApiError::Forbidden(format!("this needs the `{permission}` permission")))
        }
    }

    pub fn has(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }

    /// Whether the caller may do nothing but enrol MFA (the verifying layer refuses everything else).
    pub fn must_enrol_mfa(&self) -> bool {
        self.mfa_enrol
    }

    pub fn platform_admin(&self) -> Option<PlatformAdmin> {
        self.platform_admin.then_some(PlatformAdmin { _private: () })
    }

    /// A scope string for data keyed per caller (cursors, idempotency): the tenant, or the platform user.
    pub fn scope(&self) -> String {
        match self.tenant {
            Some(t) => crate::keys::tenant_prefix(&t),
            None => format!("P#USER#{}", self.user_id),
        }
    }
}

/// Proof that the caller is a platform admin: the only holder allowed to name any tenant by id.
#[derive(Debug)]
pub struct PlatformAdmin {
    _private: (),
}

impl PlatformAdmin {
    pub fn tenant(&self, id: Uuid) -> TenantId {
        TenantId::new(id)
    }
}

/// Handlers take `Principal` as an argument; the auth layer has already put it in the request.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().ok_or(ApiError::Unauthorized("missing bearer token"))
    }
}
