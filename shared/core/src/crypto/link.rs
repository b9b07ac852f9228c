//! Signed, expiring links for people who have no account (a frontline worker opening a journey's page from
//! a message). The link is the credential: it names the tenant, and the core hands a [`TenantId`] back only
//! once the link's MAC has been checked, so a domain crate gets a tenant from a link exactly as it does from
//! a verified token, never from what the visitor typed. The `purpose` is part of what is signed, so a link
//! made for one use (a touchpoint's page) opens nothing else (an unsubscribe link, say), even under the same
//! key and with the same payload.
//!
//! The token is compact enough for an SMS: base64url without padding of
//! `tenant (16 bytes) ‖ expiry (unix seconds, u32 big-endian) ‖ payload ‖ MAC (16 bytes)`, where the MAC is
//! HMAC-SHA256, truncated to its first 16 bytes, under the data key's digest key, over
//! `purpose ‖ 0x00 ‖ everything before the MAC`. A 48-byte payload makes a 112-character token.

use crate::TenantId;
use crate::crypto::DataKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The most payload a link carries: links travel in text messages.
pub const MAX_PAYLOAD: usize = 128;

const TENANT: usize = 16;
const EXPIRY: usize = 4;
const TAG: usize = 16;
const HEAD: usize = TENANT + EXPIRY;
/// Base64 characters of the longest token: longer input is not decoded at all.
const MAX_TOKEN_CHARS: usize = (HEAD + MAX_PAYLOAD + TAG).div_ceil(3) * 4;

/// Why a link does not open. Only `Expired` is worth telling the visitor apart: the link was genuine.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LinkError {
    #[error("the link is not a link this system makes")]
    Malformed,
    #[error("the link was not signed here, or not for this use")]
    Forged,
    #[error("the link has expired")]
    Expired,
}

/// The token for `payload` of `tenant`, for the use `purpose` names (a fixed name such as
/// `"journeys/page"`), valid until `expires_at` (to the second).
///
/// # Panics
/// When `payload` is longer than [`MAX_PAYLOAD`]: callers sign fixed-size identifiers, so a longer payload
/// is a bug, not input.
pub fn sign(key: &DataKey, purpose: &str, tenant: &TenantId, payload: &[u8], expires_at: DateTime<Utc>) -> String {
    assert!(payload.len() <= MAX_PAYLOAD, "a link's payload is at most {MAX_PAYLOAD} bytes, not {}", payload.len());
    // Before 1970 is already expired; after 2106 is as late as the format says.
    let expiry = u32::try_from(expires_at.timestamp().max(0)).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(HEAD + payload.len() + TAG);
    bytes.extend_from_slice(tenant.as_uuid().as_bytes());
    bytes.extend_from_slice(&expiry.to_be_bytes());
    bytes.extend_from_slice(payload);
    let tag = mac(key, purpose, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag[..TAG]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The tenant and payload of a link signed under `key` for `purpose`, if it has not expired at `now`.
/// The MAC is checked (in constant time) before anything in the link is believed, the expiry included.
pub fn verify(key: &DataKey, purpose: &str, token: &str, now: DateTime<Utc>) -> Result<(TenantId, Vec<u8>), LinkError> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(LinkError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| LinkError::Malformed)?;
    let Some(signed_len) = bytes.len().checked_sub(TAG).filter(|n| *n >= HEAD) else {
        return Err(LinkError::Malformed);
    };
    let (signed, tag) = bytes.split_at(signed_len);
    mac(key, purpose, signed).verify_truncated_left(tag).map_err(|_| LinkError::Forged)?;
    let (head, payload) = signed.split_at(HEAD);
    let (tenant, expiry) = head.split_at(TENANT);
    let tenant: [u8; TENANT] = tenant.try_into().map_err(|_| LinkError::Malformed)?;
    let expiry: [u8; EXPIRY] = expiry.try_into().map_err(|_| LinkError::Malformed)?;
    if now.timestamp() >= i64::from(u32::from_be_bytes(expiry)) {
        return Err(LinkError::Expired);
    }
    Ok((TenantId::new(Uuid::from_bytes(tenant)), payload.to_vec()))
}

/// The MAC so far over `purpose ‖ 0x00 ‖ signed`: the separator keeps a purpose from running into the
/// tenant's bytes.
fn mac(key: &DataKey, purpose: &str, signed: &[u8]) -> Hmac<Sha256> {
    debug_assert!(!purpose.contains('\0'), "a link's purpose is a plain name");
    // HMAC takes keys of any length: new_from_slice cannot fail here.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key.digest_key()).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(signed);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    const PAGE: &str = "journeys/page";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap()
    }

    fn tenant() -> TenantId {
        TenantId::new(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef))
    }

    fn key() -> DataKey {
        DataKey::from_bytes([7; 32])
    }

    #[test]
    fn a_signed_link_gives_back_its_tenant_and_payload() {
        let payload = [0xAB; 48];
        let token = sign(&key(), PAGE, &tenant(), &payload, now() + Duration::days(7));
        assert_eq!(token.len(), 112, "{token}");
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        assert_eq!(verify(&key(), PAGE, &token, now()), Ok((tenant(), payload.to_vec())));
        let empty = sign(&key(), PAGE, &tenant(), b"", now() + Duration::hours(1));
        assert_eq!(verify(&key(), PAGE, &empty, now()), Ok((tenant(), Vec::new())));
        let longest = sign(&key(), PAGE, &tenant(), &[1; MAX_PAYLOAD], now() + Duration::hours(1));
        assert_eq!(longest.len(), MAX_TOKEN_CHARS - 1);
        assert_eq!(verify(&key(), PAGE, &longest, now()), Ok((tenant(), vec![1; MAX_PAYLOAD])));
    }

    #[test]
    fn a_link_opens_only_for_its_purpose_and_under_its_key() {
        let token = sign(&key(), PAGE, &tenant(), b"enrolment", now() + Duration::days(1));
        assert_eq!(verify(&key(), "notifications/unsubscribe", &token, now()), Err(LinkError::Forged));
        assert_eq!(verify(&DataKey::from_bytes([8; 32]), PAGE, &token, now()), Err(LinkError::Forged));
        // The separator: moving a byte between the purpose and the signed bytes changes the MAC.
        assert_eq!(verify(&key(), "journeys/pag", &token, now()), Err(LinkError::Forged));
    }

    #[test]
    fn changing_any_byte_or_character_of_a_link_breaks_it() {
        let token = sign(&key(), PAGE, &tenant(), b"enrolment-and-touchpoint", now() + Duration::days(1));
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            let forged = URL_SAFE_NO_PAD.encode(&changed);
            assert_eq!(verify(&key(), PAGE, &forged, now()), Err(LinkError::Forged), "byte {i}");
        }
        for i in 0..token.len() {
            let mut chars: Vec<char> = token.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let changed: String = chars.into_iter().collect();
            assert!(verify(&key(), PAGE, &changed, now()).is_err(), "character {i}");
        }
        let shorter = &token[..token.len() - 4];
        assert!(verify(&key(), PAGE, shorter, now()).is_err());
        assert!(verify(&key(), PAGE, &format!("{token}AAAA"), now()).is_err());
    }

    #[test]
    fn a_link_expires_at_its_second() {
        let at = now() + Duration::minutes(10);
        let token = sign(&key(), PAGE, &tenant(), b"x", at);
        assert!(verify(&key(), PAGE, &token, at - Duration::seconds(1)).is_ok());
        assert_eq!(verify(&key(), PAGE, &token, at), Err(LinkError::Expired));
        assert_eq!(verify(&key(), PAGE, &token, at + Duration::days(400)), Err(LinkError::Expired));
        let long_ago = sign(&key(), PAGE, &tenant(), b"x", Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(verify(&key(), PAGE, &long_ago, now()), Err(LinkError::Expired));
    }

    #[test]
    fn a_forged_link_is_reported_as_forged_before_it_is_seen_as_expired() {
        let token = sign(&key(), PAGE, &tenant(), b"x", now() - Duration::days(1));
        assert_eq!(verify(&DataKey::from_bytes([9; 32]), PAGE, &token, now()), Err(LinkError::Forged));
    }

    #[test]
    fn garbage_is_malformed() {
        for token in ["", "A", "not a token!", "====", "AAAA", "a+b/", &"A".repeat(MAX_TOKEN_CHARS + 1)] {
            assert_eq!(verify(&key(), PAGE, token, now()), Err(LinkError::Malformed), "{token:?}");
        }
        let padded = format!("{}==", sign(&key(), PAGE, &tenant(), b"x", now() + Duration::days(1)));
        assert_eq!(verify(&key(), PAGE, &padded, now()), Err(LinkError::Malformed));
        // Long enough to be a link: then only the MAC can tell.
        assert_eq!(verify(&key(), PAGE, &"A".repeat(48), now()), Err(LinkError::Forged));
    }

    #[test]
    #[should_panic(expected = "at most 128 bytes")]
    fn a_payload_over_the_limit_is_a_bug() {
        sign(&key(), PAGE, &tenant(), &[0; MAX_PAYLOAD + 1], now());
    }
}
