//! The local signing key: an Ed25519 key made once under `.local/` and shared by `make dev` and
//! `make token`, so printed tokens verify against the running dev server. Never used outside development.

use crate::LocalError;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};
use nudge_core::auth::{TokenIssuer, TokenVerifier};
use std::path::Path;

pub const ISSUER: &str = "nudge-local";
pub const AUDIENCE: &str = "nudge-api";

#[derive(Clone)]
pub struct DevKeys {
    pub private_pem: String,
    pub public_pem: String,
}

impl DevKeys {
    /// A fresh key pair (tests make their own).
    pub fn generate() -> Result<Self, LocalError> {
        Self::from_key(&SigningKey::generate(&mut rand_core::OsRng))
    }

    fn from_key(key: &SigningKey) -> Result<Self, LocalError> {
        let private_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| LocalError::Setup(e.to_string()))?.to_string();
        let public_pem =
            key.verifying_key().to_public_key_pem(LineEnding::LF).map_err(|e| LocalError::Setup(e.to_string()))?;
        Ok(Self { private_pem, public_pem })
    }

    /// Loads `dir/jwt-ed25519.pem`, making it first if absent, and writes its public half beside it
    /// (`jwt-ed25519.pub.pem`): functions run by cargo-lambda verify with it (`JWT_PUBLIC_KEY`), and the
    /// machines' OpenSSL 3.0 cannot derive it from the private key ("unsupported").
    pub fn load_or_create(dir: &Path) -> Result<Self, LocalError> {
        let path = dir.join("jwt-ed25519.pem");
        let keys = match std::fs::read_to_string(&path) {
            Ok(pem) => {
                let key = SigningKey::from_pkcs8_pem(&pem)
                    .map_err(|e| LocalError::Setup(format!("{}: {e}", path.display())))?;
                Self::from_key(&key)?
            }
            Err(_) => {
                std::fs::create_dir_all(dir).map_err(LocalError::io(format!("creating {}", dir.display())))?;
                let keys = Self::generate()?;
                std::fs::write(&path, &keys.private_pem)
                    .map_err(LocalError::io(format!("writing {}", path.display())))?;
                keys
            }
        };
        let public = dir.join("jwt-ed25519.pub.pem");
        if std::fs::read_to_string(&public).ok().as_deref() != Some(keys.public_pem.as_str()) {
            std::fs::write(&public, &keys.public_pem)
                .map_err(LocalError::io(format!("writing {}", public.display())))?;
        }
        Ok(keys)
    }

    pub fn issuer(&self) -> Result<TokenIssuer, LocalError> {
        TokenIssuer::from_private_pem(&self.private_pem, ISSUER, AUDIENCE).map_err(|e| LocalError::Setup(e.to_string()))
    }

    pub fn verifier(&self) -> Result<TokenVerifier, LocalError> {
        TokenVerifier::from_public_pem(&self.public_pem, ISSUER, AUDIENCE).map_err(|e| LocalError::Setup(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_key_is_written_beside_the_private_one_and_verifies_its_tokens() {
        let dir = std::env::temp_dir().join(format!("nudge-devkeys-{}", uuid::Uuid::new_v4()));
        let made = DevKeys::load_or_create(&dir).unwrap();
        let public = std::fs::read_to_string(dir.join("jwt-ed25519.pub.pem")).unwrap();
        assert_eq!(public, made.public_pem);
        let again = DevKeys::load_or_create(&dir).unwrap();
        assert_eq!(again.private_pem, made.private_pem, "the key is made once");
        let token = made
            .issuer()
            .unwrap()
            .issue(
                uuid::Uuid::now_v7(),
                None,
                nudge_core::auth::SystemRole::PlatformAdmin,
                chrono::Duration::minutes(1),
            )
            .unwrap();
        let verifier = nudge_core::auth::TokenVerifier::from_public_pem(&public, ISSUER, AUDIENCE).unwrap();
        assert!(verifier.verify(&token).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
