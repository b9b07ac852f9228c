//! The JWT claims Nudge issues and accepts.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The tenant the token acts for; absent on platform-admin tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<Uuid>,
    pub role: String,
    #[serde(default)]
    pub perms: Vec<String>,
    /// The session the token belongs to; operator tokens (`make token`) have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// The session may only enrol MFA (a platform admin without it, where the stack requires it): the
    /// verifying layer refuses every other route. Absent, and false, on every other token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_enrol: bool,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
}
