//! Tenant identity. A [`TenantId`] can only be produced by the core: by the auth layer (from a verified
//! token), for a verified platform admin, or from what this system wrote itself: a queue message's envelope
//! (`queue::open`), an S3 key (`objects::ObjectKey::parse`), or a [`TenantRef`] read back from a stored item.
//! So no handler or domain crate can build a key for a tenant it was not given.

use serde::{Deserialize, Serialize};
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

/// A tenant as a stored item names it (a platform registry's entry, a session, a membership): written from
/// a [`TenantId`] and turned back into one when the item is read. Only items this system wrote hold one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantRef(Uuid);

impl TenantRef {
    pub fn tenant(self) -> TenantId {
        TenantId(self.0)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl From<&TenantId> for TenantRef {
    fn from(tenant: &TenantId) -> Self {
        Self(tenant.0)
    }
}

impl From<TenantId> for TenantRef {
    fn from(tenant: TenantId) -> Self {
        Self(tenant.0)
    }
}

impl fmt::Display for TenantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}
