//! Nudge core: the platform every domain crate and function builds on. Tenancy and keys, the one-table
//! store, auth, HTTP plumbing (problem+json, merge patch, ETags, idempotency, pagination), queues and
//! objects, the audit log and telemetry. Dependencies point here and never back: domains live in their own
//! crates under `shared/` (workers, segments, media, notifications, …).

pub mod app;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod http;
pub mod jobs;
pub mod keys;
pub mod objects;
pub mod outbox;
pub mod queue;
pub mod standing;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod timers;
pub mod validate;
pub mod values;

pub use config::Ctx;
pub use tenancy::{TenantId, TenantRef};

/// What the tests of domain crates need from the core: a tenant of their own making. Enabled by the
/// `testing` feature, which only dev-dependencies turn on, so no deployed function can make a tenant this way.
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use crate::tenancy::TenantId;

    /// The tenant numbered `n` (`00000000-0000-0000-0000-00000000000a` for 10).
    pub fn tenant(n: u128) -> TenantId {
        TenantId::new(uuid::Uuid::from_u128(n))
    }
}
