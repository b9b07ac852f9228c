//! Signing and verifying access tokens. Tokens are EdDSA (Ed25519) JWTs: functions verify with the public key
//! alone (a plain setting, no secret to fetch at cold start); only the issuer holds the private key.

use super::claims::Claims;
use super::permissions::SystemRole;
use super::principal::Principal;
use crate::http::problem::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
#[error("invalid key: {0}")]
pub struct KeyError(String);

/// Verifies bearer tokens: signature, algorithm (EdDSA only), `exp`, `iss` and `aud`.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenVerifier(..)")
    }
}

impl TokenVerifier {
    pub fn from_public_pem(pem: &str, issuer: &str, audience: &str) -> Result<Self, KeyError> {
        let key = DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| KeyError(e.to_string()))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Ok(Self { key, validation })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| {
            ApiError::Unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::InvalidIssuer => "the token has the wrong issuer",
                ErrorKind::InvalidAudience => "the token has the wrong audience",
                ErrorKind::InvalidAlgorithm => "the token uses a disallowed algorithm",
                ErrorKind::InvalidSignature => "the token signature is invalid",
                _ => "the token is malformed",
            })
        })?;
        Principal::from_claims(data.claims)
    }
}

/// What an access token says: who, in which tenant, with which role, permissions and session.
pub struct Grant<'a> {
    pub user: Uuid,
    pub tenant: Option<Uuid>,
    pub role: &'a str,
    pub permissions: Vec<String>,
    pub session: Option<Uuid>,
    pub ttl: chrono::Duration,
    /// The session may only enrol MFA ([`Claims::mfa_enrol`]).
    pub mfa_enrol: bool,
}

/// Issues tokens: the auth function, the dev token command and tests.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
    issuer: String,
    audience: String,
}

impl TokenIssuer {
    pub fn from_private_pem(pem: &str, issuer: &str, audience: &str) -> Result<Self, KeyError> {
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self { key, issuer: issuer.into(), audience: audience.into() })
    }

    /// Signs an operator token for `user` in `tenant` (none for a platform admin) with a system role's
    /// permissions and no session (dev tools and tests).
    pub fn issue(
        &self,
        user: Uuid,
        tenant: Option<Uuid>,
        role: SystemRole,
        ttl: chrono::Duration,
    ) -> Result<String, KeyError> {
        let permissions = role.permissions().into_iter().map(str::to_owned).collect();
        self.grant(Grant { user, tenant, role: role.name(), permissions, session: None, ttl, mfa_enrol: false })
    }

    /// Signs an access token for what a session grants.
    pub fn grant(&self, grant: Grant<'_>) -> Result<String, KeyError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: grant.user.to_string(),
            tid: grant.tenant,
            role: grant.role.to_owned(),
            perms: grant.permissions,
            sid: grant.session,
            mfa_enrol: grant.mfa_enrol,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + grant.ttl.num_seconds(),
            iat: now,
            jti: Uuid::new_v4().to_string(),
        };
        self.sign(&claims)
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, KeyError> {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.key).map_err(|e| KeyError(e.to_string()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};

    pub fn keypair() -> (String, String) {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        let private = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        let public = key.verifying_key().to_public_key_pem(LineEnding::LF).unwrap();
        (private, public)
    }

    fn pair() -> (TokenIssuer, TokenVerifier) {
        let (private, public) = keypair();
        (
            TokenIssuer::from_private_pem(&private, "iss", "aud").unwrap(),
            TokenVerifier::from_public_pem(&public, "iss", "aud").unwrap(),
        )
    }

    #[test]
    fn a_signed_token_verifies_with_its_tenant_and_permissions() {
        let (issuer, verifier) = pair();
        let tenant = Uuid::now_v7();
        let token =
            issuer.issue(Uuid::now_v7(), Some(tenant), SystemRole::Admin, chrono::Duration::minutes(5)).unwrap();
        let p = verifier.verify(&token).unwrap();
        assert_eq!(p.tenant().unwrap().as_uuid(), tenant);
        assert!(p.has(super::super::permissions::ORGANIZATION_WRITE));
        assert!(p.platform_admin().is_none());
    }

    #[test]
    fn bad_signature_expiry_issuer_audience_and_algorithm_are_401() {
        let (issuer, verifier) = pair();
        let (other, _) = pair();
        let user = Uuid::now_v7();
        let good =
            |i: &TokenIssuer| i.issue(user, Some(Uuid::now_v7()), SystemRole::Admin, chrono::Duration::minutes(5));
        assert!(verifier.verify(&good(&other).unwrap()).is_err(), "foreign key");
        let expired =
            issuer.issue(user, Some(Uuid::now_v7()), SystemRole::Admin, chrono::Duration::minutes(-5)).unwrap();
        assert!(verifier.verify(&expired).is_err(), "expired");
        let (private, _) = keypair();
        let wrong_iss = TokenIssuer::from_private_pem(&private, "evil", "aud").unwrap();
        let v2 = TokenVerifier::from_public_pem(&keypair().1, "iss", "aud").unwrap();
        assert!(v2.verify(&good(&wrong_iss).unwrap()).is_err(), "issuer");
        // An HS256 token (the classic alg-confusion attack) is refused.
        let mut claims: Claims = jsonwebtoken::dangerous::insecure_decode(good(&issuer).unwrap()).unwrap().claims;
        claims.aud = "aud".into();
        let hs = jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(b"k")).unwrap();
        assert!(matches!(verifier.verify(&hs), Err(ApiError::Unauthorized(_))), "algorithm");
        assert!(verifier.verify("not.a.token").is_err());
    }

    #[test]
    fn platform_admin_tokens_carry_no_tenant() {
        let (issuer, verifier) = pair();
        let token =
            issuer.issue(Uuid::now_v7(), None, SystemRole::PlatformAdmin, chrono::Duration::minutes(5)).unwrap();
        let p = verifier.verify(&token).unwrap();
        assert!(p.platform_admin().is_some());
        assert!(p.tenant().is_err());
        let bad = issuer.issue(Uuid::now_v7(), None, SystemRole::Admin, chrono::Duration::minutes(5)).unwrap();
        assert!(verifier.verify(&bad).is_err(), "a tenant role without a tenant");
    }

    #[test]
    fn only_an_enrolment_token_carries_the_mfa_enrol_claim() {
        let (issuer, verifier) = pair();
        let grant = |mfa_enrol| Grant {
            user: Uuid::now_v7(),
            tenant: None,
            role: SystemRole::PlatformAdmin.name(),
            permissions: vec![],
            session: Some(Uuid::now_v7()),
            ttl: chrono::Duration::minutes(5),
            mfa_enrol,
        };
        let enrolling = issuer.grant(grant(true)).unwrap();
        assert!(verifier.verify(&enrolling).unwrap().must_enrol_mfa());
        let normal = issuer.grant(grant(false)).unwrap();
        assert!(!verifier.verify(&normal).unwrap().must_enrol_mfa());
        // Tokens issued before the claim existed (and every normal one) lack it: they are not restricted.
        let claims: Claims = jsonwebtoken::dangerous::insecure_decode(normal).unwrap().claims;
        assert!(!serde_json::to_string(&claims).unwrap().contains("mfa_enrol"));
    }
}
