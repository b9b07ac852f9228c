//! Identity, the domain: global user accounts, their memberships of tenants, roles, MFA and the single-use
//! email tokens; the routes of the `auth` function ([`signin`]: sign-in, refresh, logout, tenant switch,
//! password reset, invitation acceptance) and of the `users` function ([`people`]: /me, /users, /roles).
//! Sessions and the gate that checks them on every request are the core's (`nudge_core::auth`).

pub mod email_token;
pub mod fields;
pub mod membership;
pub mod mfa;
pub mod people;
pub mod role;
pub mod signin;
pub mod user;

#[cfg(test)]
mod contract;
