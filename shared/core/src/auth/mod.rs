//! Authentication and authorization: verified tokens become a [`Principal`]; handlers ask it for the tenant
//! and for permissions.

pub mod claims;
pub mod layer;
pub mod permissions;
pub mod principal;
pub mod session;
pub mod sessions;
pub mod tokens;

pub use permissions::SystemRole;
pub use principal::{PlatformAdmin, Principal};
pub use sessions::SessionGate;
pub use tokens::{Grant, TokenIssuer, TokenVerifier};
