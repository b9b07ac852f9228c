//! What a handler attaches to its response to describe a mutation precisely, when the derived entry (route,
//! method, request body) would say too little or the wrong thing: a sign-in names the user who signed in, a
//! failed one is recorded with its 401, a sub-resource change names the entity it changed.

use crate::tenancy::TenantId;
use axum::response::{IntoResponseParts, Response, ResponseParts};
use serde_json::Value;
use std::convert::Infallible;
use uuid::Uuid;

/// A handler's description of its mutation, carried to the audit middleware in the response extensions.
#[derive(Clone, Debug)]
pub struct AuditNote {
    pub(crate) action: String,
    pub(crate) entity_type: String,
    pub(crate) entity_id: Option<String>,
    pub(crate) metadata: Value,
    pub(crate) actor: Option<Uuid>,
    pub(crate) tenant: Option<TenantId>,
}

impl AuditNote {
    /// `action` is `<entityType>.<verb>` by convention (`user.invited`, `auth.sign_in_failed`).
    pub fn new(action: impl Into<String>, entity_type: impl Into<String>, entity_id: Option<String>) -> Self {
        Self {
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id,
            metadata: Value::Null,
            actor: None,
            tenant: None,
        }
    }

    /// What changed. Secrets are redacted again by the middleware, so a forgotten one never reaches the log.
    pub fn metadata(mut self, value: Value) -> Self {
        self.metadata = value;
        self
    }

    /// Who acted, for routes without a `Principal` (sign-in). A principal, when there is one, wins.
    pub fn actor(mut self, user: Uuid) -> Self {
        self.actor = Some(user);
        self
    }

    /// Whose log, for routes without a tenant principal (sign-in, a platform admin acting for a tenant). A
    /// tenant principal's own tenant wins, so a handler cannot write into another tenant's log.
    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// Puts the note in the response's extensions, where the audit middleware takes it from.
    pub fn attach(self, response: &mut Response) {
        response.extensions_mut().insert(self);
    }

    pub fn action(&self) -> &str {
        &self.action
    }

    pub fn entity_type(&self) -> &str {
        &self.entity_type
    }

    pub fn entity_id(&self) -> Option<&str> {
        self.entity_id.as_deref()
    }
}

/// Lets a handler return `(note, response)`.
impl IntoResponseParts for AuditNote {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Infallible> {
        res.extensions_mut().insert(self);
        Ok(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use http::StatusCode;
    use serde_json::json;

    #[test]
    fn a_note_travels_in_the_response_extensions() {
        let note = AuditNote::new("auth.sign_in_failed", "user", None).metadata(json!({"email": "a@b.c"}));
        let response = (note, (StatusCode::UNAUTHORIZED, "no")).into_response();
        let carried = response.extensions().get::<AuditNote>().cloned();
        assert_eq!(carried.as_ref().map(AuditNote::action), Some("auth.sign_in_failed"));
        assert_eq!(carried.as_ref().and_then(|n| n.metadata.get("email").cloned()), Some(json!("a@b.c")));

        let mut other = StatusCode::OK.into_response();
        AuditNote::new("user.updated", "user", Some("u1".into())).actor(Uuid::nil()).attach(&mut other);
        let carried = other.extensions().get::<AuditNote>().cloned();
        assert_eq!(carried.as_ref().and_then(AuditNote::entity_id), Some("u1"));
        assert_eq!(carried.and_then(|n| n.actor), Some(Uuid::nil()));
    }
}
