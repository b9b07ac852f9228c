//! Values sealed at rest (integration secrets, TOTP secrets) with ChaCha20-Poly1305 under the deployment's
//! 256-bit data key. The associated data binds a sealed value to where it belongs (tenant, item, field), so
//! a ciphertext copied to another item or tenant does not open.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const PREFIX: &str = "v1.";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the data key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("the sealed value is malformed or was not sealed here")]
    Open,
    #[error("sealing failed: {0}")]
    Seal(String),
}

#[derive(Clone)]
pub struct DataKey {
    cipher: ChaCha20Poly1305,
    raw: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn from_bytes(raw: [u8; 32]) -> Self {
        Self { cipher: ChaCha20Poly1305::new(&Key::from(raw)), raw }
    }

    /// Parses the base64 form used in settings (`DATA_KEY`).
    pub fn from_base64(text: &str) -> Result<Self, SealError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| SealError::BadKey)?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self::from_bytes(raw))
    }

    /// A fresh random key (local cloud, tests).
    pub fn generate() -> Result<Self, SealError> {
        super::random::bytes::<32>().map(Self::from_bytes).map_err(|e| SealError::Seal(e.to_string()))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.raw)
    }

    /// Key material for keyed digests (HMAC), derived so it never equals the encryption key.
    pub fn digest_key(&self) -> Vec<u8> {
        super::digest::keyed(&self.raw, "nudge/digest-key/v1").into_bytes()
    }

    /// Seals `plaintext` for the place `aad` names: `v1.<base64url(nonce ‖ ciphertext)>`.
    pub fn seal(&self, plaintext: &str, aad: &str) -> Result<String, SealError> {
        let nonce_bytes = super::random::bytes::<12>().map_err(|e| SealError::Seal(e.to_string()))?;
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce_bytes), Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() })
            .map_err(|e| SealError::Seal(e.to_string()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend(ct);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens a value sealed for the same `aad`.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<String, SealError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(SealError::Open)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Open)?;
        let (nonce, ct) = bytes.split_at_checked(12).ok_or(SealError::Open)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Open)?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad: aad.as_bytes() })
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_place_and_under_their_key() {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal("s3cret", "T#a#INTEGRATION#1/apiKey").unwrap();
        assert!(sealed.starts_with("v1.") && !sealed.contains("s3cret"));
        assert_eq!(key.open(&sealed, "T#a#INTEGRATION#1/apiKey").unwrap(), "s3cret");
        assert!(key.open(&sealed, "T#b#INTEGRATION#1/apiKey").is_err(), "other tenant");
        assert!(DataKey::generate().unwrap().open(&sealed, "T#a#INTEGRATION#1/apiKey").is_err(), "other key");
        assert!(key.open("v1.garbage", "x").is_err());
        let round = DataKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(round.open(&sealed, "T#a#INTEGRATION#1/apiKey").unwrap(), "s3cret");
        assert!(DataKey::from_base64("c2hvcnQ=").is_err());
    }
}
