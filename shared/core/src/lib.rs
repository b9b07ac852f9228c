//! Nudge core: the platform every domain crate and function builds on. Tenancy and keys, the one-table
//! store, auth, HTTP plumbing (problem+json, merge patch, ETags, idempotency, pagination), queues and
//! objects, the audit log and telemetry. Dependencies point here and never back: domains live in their own
//! crates under `shared/` (workers, segments, media, notifications, …).

pub mod app;
pub mod audit;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod http;
pub mod jobs;

pub mod keys;
pub mod objects;
pub mod queue;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod validate;

pub use config::Ctx;
pub use tenancy::{TenantId, TenantRef};
