//! Secrets handling: random tokens, their digests, passwords (argon2id) and data sealed at rest
//! (ChaCha20-Poly1305 under the deployment's data key), and signed expiring links for visitors without an
//! account.

pub mod digest;
pub mod link;
pub mod password;
pub mod random;
pub mod sealed;

pub use sealed::DataKey;
