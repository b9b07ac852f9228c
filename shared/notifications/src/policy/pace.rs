//! Sends per second on one channel, shared by every run sending at once (many Lambda instances): one
//! counter item per second, `ADD`ed by one per send under the limit. A send that finds its second full
//! waits for the next. Real time, not the movable clock: throughput is about the provider's wall clock.
//!
//! | scope | pk | sk |
//! |---|---|---|
//! | a tenant's WhatsApp number | `T#<t>#SEND-RATE#whatsapp` | `<unix second>` (ttl: a minute) |
//! | the platform's SES or SNS account | `P#SEND-RATE#<email\|sms>` | `<unix second>` (ttl: a minute) |

use crate::NotificationError;
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::keys::Key;
use nudge_core::store::{Changes, Store, StoreError, Write};
use std::time::Duration;

/// The condition label of a full second.
const FULL: &str = "send rate reached";
/// How many full seconds a send waits through before its message is retried later instead.
const MAX_WAITS: u32 = 20;

/// Whose throughput a limit is.
#[derive(Clone, Debug)]
pub enum Scope<'a> {
    /// A tenant's own provider account (its WhatsApp number).
    Tenant(&'a TenantId, &'static str),
    /// The platform's account for the channel (SES, SNS), every tenant together.
    Platform(&'static str),
}

impl Scope<'_> {
    fn key(&self, second: i64) -> Key {
        match self {
            Self::Tenant(tenant, channel) => Key::tenant(tenant, &format!("SEND-RATE#{channel}"), second.to_string()),
            Self::Platform(channel) => Key::platform(&format!("SEND-RATE#{channel}"), second.to_string()),
        }
    }
}

/// Takes one send of `scope`'s `per_second`, waiting for a second with room; an error when the limit
/// stays full for [`MAX_WAITS`] seconds (the caller retries the message later).
pub async fn take(store: &Store, scope: &Scope<'_>, per_second: u32) -> Result<(), NotificationError> {
    for _ in 0..MAX_WAITS {
        let now = Utc::now();
        let second = now.timestamp();
        let changes = Changes::new().add("count", 1).set("ttl", &(second + 60))?;
        let write = Write::upsert_changes(scope.key(second), changes).if_below("count", i64::from(per_second), FULL);
        match store.write(write).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Condition(FULL)) => tokio::time::sleep(until_next_second(now)).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(NotificationError::Retry(format!("the send rate of {per_second} a second stayed full")))
}

/// How long from `now` to the start of the next whole second.
fn until_next_second(now: DateTime<Utc>) -> Duration {
    let into = u64::from(now.timestamp_subsec_millis().min(999));
    Duration::from_millis(1000 - into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_second_waits_for_the_next() {
        let at = |ms: i64| DateTime::from_timestamp_millis(1_780_000_000_000 + ms).unwrap();
        assert_eq!(until_next_second(at(0)), Duration::from_millis(1000));
        assert_eq!(until_next_second(at(250)), Duration::from_millis(750));
        assert_eq!(until_next_second(at(999)), Duration::from_millis(1));
    }

    #[test]
    fn verify_rate_keys_serialize_as_expected() {
        let tenant = nudge_core::testing::tenant(1);
        let k = Scope::Tenant(&tenant, "whatsapp").key(1_780_000_000);
        assert_eq!(
            (k.pk.as_str(), k.sk.as_str()),
            (format!("T#{}#SEND-RATE#whatsapp", uuid::Uuid::from_u128(1)).as_str(), "1780000000")
        );
        let k = Scope::Platform("email").key(5);
        assert_eq!((k.pk.as_str(), k.sk.as_str()), ("P#SEND-RATE#email", "5"));
    }
}
