//! Nudge core: what every function shares. Tenancy and keys, the one-table store, auth, HTTP plumbing
//! (problem+json, merge patch, ETags, idempotency, pagination), the audit log and telemetry.

pub mod app;
pub mod audit;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod http;
pub mod identity;
pub mod keys;
pub mod media;
pub mod notify;
pub mod objects;
pub mod queue;
pub mod segments;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod validate;
pub mod workers;

pub use config::Ctx;
pub use tenancy::TenantId;
