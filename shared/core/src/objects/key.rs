//! Object keys. Every key of a tenant starts `tenants/<tenantId>/`, built here from a [`TenantId`] only;
//! a background function learns the tenant from the key it parsed, never from the object's content.

use crate::tenancy::TenantId;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey(String);

const TENANTS: &str = "tenants/";

impl ObjectKey {
    /// `tenants/<tenant>/<rest>`; `rest` is made of our own ids and names, never of user input.
    pub fn tenant(tenant: &TenantId, rest: &str) -> Self {
        Self(format!("{TENANTS}{tenant}/{}", rest.trim_start_matches('/')))
    }

    /// The tenant and the rest of a `tenants/<uuid>/<rest>` key; `None` for any other key.
    pub fn parse(key: &str) -> Option<(TenantId, String)> {
        let rest = key.strip_prefix(TENANTS)?;
        let (tenant, rest) = rest.split_once('/')?;
        // Only the canonical hyphenated form: a key must name exactly one tenant.
        if tenant.len() != 36 || rest.is_empty() {
            return None;
        }
        let tenant = Uuid::parse_str(tenant).ok()?;
        Some((TenantId::new(tenant), rest.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_tenant() {
        let tenant = TenantId::new(Uuid::from_u128(7));
        let key = ObjectKey::tenant(&tenant, "imports/abc/rows");
        assert_eq!(key.as_str(), format!("tenants/{tenant}/imports/abc/rows"));
        let (parsed, rest) = ObjectKey::parse(key.as_str()).unwrap();
        assert_eq!((parsed, rest.as_str()), (tenant, "imports/abc/rows"));
    }

    #[test]
    fn foreign_or_malformed_keys_name_no_tenant() {
        for key in [
            "media/x",
            "tenants/",
            "tenants/not-a-uuid/x",
            "tenants/00000000-0000-0000-0000-000000000007/",
            "tenants/00000000000000000000000000000007/x",
        ] {
            assert_eq!(ObjectKey::parse(key), None, "{key}");
        }
    }
}
