//! Identity, the domain: global user accounts, their memberships of tenants, roles, MFA and the single-use
//! email tokens; the routes of the `auth` function ([`signin`]: sign-in, refresh, logout, tenant switch,
//! password reset, invitation acceptance) and of the `users` function ([`people`]: /me, /users, /roles).
//! Sessions and the gate that checks them on every request are the core's (`nudge_core::auth`).
//!
//! Where things live, layered http → service → repo → store:
//! - Entities, each with its keys and table access (the repo level): [`user`], `membership`, `role`, `mfa`,
//!   `email_token`; `signin::lockout` keeps failed sign-ins. Each labels its own write conditions and says
//!   what a failed one means; `repo` runs writes and turns those labels into typed errors.
//! - Values: `permission` ([`Permission`](permission::Permission), the catalogue as an enum); emails are the
//!   core's `Email`.
//! - Services: `signin::service` and `signin::grant` (sessions, tokens), `people::service` and
//!   `people::invite`; pure rules in `people::rules`.
//! - Edge: the handlers with their request schemas and readers (`signin::routes`, `signin::input`, the
//!   `people` handler modules, `fields`), and `http`, the one place an error becomes a problem.
//! - Errors: [`error`], [`IdentityError`](error::IdentityError) with its reasons; nothing below the handlers
//!   returns a problem.

mod email_token;
pub mod error;
mod fields;
mod http;
mod membership;
pub use membership::{WorkerAccounts, holders_of, members_among};
mod mfa;
pub mod people;
pub mod permission;
mod repo;
mod role;
pub mod signin;
pub mod user;

#[cfg(test)]
mod contract;
