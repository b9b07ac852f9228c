//! Tenant identity. A [`TenantId`] can only be produced by the auth layer (from a verified token) or by a
//! verified platform admin, so no handler can build a key for a tenant it was not given.

use std::fmt;
use uuid::Uuid;

/// The tenant a request acts for. Not constructible outside this crate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TenantId(Uuid);

impl TenantId {
    pub(crate) fn new(id: Uuid) -> Self {
        Self(id)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}
