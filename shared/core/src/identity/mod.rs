//! Identity: global user accounts, their memberships of tenants, roles, sessions, MFA and the single-use
//! email tokens. Shared by the auth function (sign-in) and the users function (people and roles).

pub mod email_token;
pub mod membership;
pub mod mfa;
pub mod role;
pub mod session;
pub mod user;
