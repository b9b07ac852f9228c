//! Digests of secrets. High-entropy tokens are stored as plain SHA-256 (nothing to brute-force); short
//! human codes (backup codes) are keyed with HMAC under the data key, so a table dump alone cannot test them.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a random token: the form a token is stored and looked up by.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hex HMAC-SHA256 of `value` under `key`.
pub fn keyed(key: &[u8], value: &str) -> String {
    // HMAC takes keys of any length: new_from_slice cannot fail here.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(value.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Compares two digests in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_stable_and_keyed() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(keyed(b"k1", "code"), keyed(b"k2", "code"));
        assert!(same(&keyed(b"k", "x"), &keyed(b"k", "x")));
        assert!(!same("ab", "ac"));
    }
}
