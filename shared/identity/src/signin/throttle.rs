//! Throttling per source address, beside the per-address [`super::lockout`]: one client spraying many email
//! addresses (each new, so no address lock applies) is stopped by where it comes from.
//!
//! The source is [`SourceIp`]: API Gateway's `sourceIp`, never a header a client writes; an IPv6 client
//! counts by its /64, the block one subscriber usually holds. [`SIGN_IN_PER_IP`] counts sign-ins and the
//! password an existing account accepts an invitation with: at most a hundred checks within fifteen minutes.
//! [`RESET_PER_IP`] counts reset requests: twenty an hour. Past either, 429 with Retry-After (when the oldest
//! counted attempt leaves the window); that says nothing about any account. A check that passes gives its
//! attempt back ([`refund`]), so an office behind one address is limited by its failures alone, and a
//! client holding one good account cannot wipe its failures with it. Reset confirmation checks a 256-bit
//! token only, so it has no count. The values are a guess at "far above one office's typos, far below a
//! spray"; API Gateway's per-route rates stay the first line.
//!
//! Every attempt is an item of its own, written before it is counted, rather than a counter read and
//! written back: a source's partition is hot (an office, a spray, the tests' 127.0.0.1), and blind writes
//! never lose a race, where an optimistic counter makes concurrent sign-ins retry and, past a few, fail.
//! The count reads the window strongly consistent after the write, so of any number of racing attempts
//! each sees all those written before its read, and no more than the limit are admitted. A refused attempt
//! deletes its item (it checked nothing); every item expires (TTL) after its window.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | sign-in attempt | `P#LOGIN-IP#<ip or /64>` | `AT#<unix ms, 15 digits>#<id>` |
//! | reset request | `P#RESET-IP#<ip or /64>` | `AT#<unix ms, 15 digits>#<id>` |

use crate::error::IdentityError;
use chrono::{DateTime, Duration, Utc};
use nudge_core::http::SourceIp;
use nudge_core::keys::{Key, platform_partition};
use nudge_core::store::{Put, Query, Store, Write};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use uuid::Uuid;

/// At most `max` attempts from one source are checked within any `window`.
pub(crate) struct SourceLimit {
    partition: &'static str,
    max: usize,
    window: Duration,
}

pub(crate) const SIGN_IN_PER_IP: SourceLimit =
    SourceLimit { partition: "LOGIN-IP", max: 100, window: Duration::minutes(15) };
pub(crate) const RESET_PER_IP: SourceLimit = SourceLimit { partition: "RESET-IP", max: 20, window: Duration::hours(1) };

/// One attempt's item.
#[derive(Serialize, Deserialize)]
struct Hit {
    at: DateTime<Utc>,
}

/// An attempt counted for a source, to [`refund`] when its check passes.
pub(crate) struct Counted(Key);

/// What a source address is counted as: an IPv4 address itself, an IPv6 one by its /64 (counting single
/// addresses of it would give a client 2^64 fresh counts). Requests whose source is unknown (a server
/// started without connect info) share one count rather than escaping it.
fn source(ip: SourceIp) -> String {
    match ip.0.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".into(),
    }
}

fn partition(limit: &SourceLimit, ip: SourceIp) -> String {
    format!("{}#{}", limit.partition, source(ip))
}

/// Sort keys in time order: zero-padded milliseconds (a lower bound alone, without the id, sorts first).
fn sort_key(at: DateTime<Utc>) -> String {
    format!("AT#{:015}", at.timestamp_millis().max(0))
}

/// Retry-After, in seconds, when the attempts within the window (oldest first, this one's included) are
/// more than the limit: a place frees when the oldest leaves the window.
fn over(limit: &SourceLimit, hits: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    let counted: Vec<DateTime<Utc>> = hits.iter().copied().filter(|t| now - *t < limit.window).collect();
    let oldest = counted.first().filter(|_| counted.len() > limit.max)?;
    Some((*oldest + limit.window - now).num_seconds().max(1) as u64)
}

/// Counts one attempt from `ip` before anything is checked; [`IdentityError::Throttled`] (nothing may be
/// checked) when the source has had its share of the window.
pub(crate) async fn attempt(store: &Store, limit: &SourceLimit, ip: SourceIp) -> Result<Counted, IdentityError> {
    let now = Utc::now();
    let partition = partition(limit, ip);
    let key = Key::platform(&partition, format!("{}#{}", sort_key(now), Uuid::new_v4().simple()));
    let expires = (now + limit.window + Duration::minutes(1)).timestamp();
    store.write(Write::upsert(Put::new(&key, "SourceAttempt", &Hit { at: now })?.ttl(expires))).await?;
    // One more than the limit is enough to tell "over"; the upper bound takes in clocks a little ahead.
    let window = Query::partition(platform_partition(&partition))
        .between(sort_key(now - limit.window), sort_key(now + Duration::minutes(1)) + "~")
        .consistent();
    let hits: Vec<Hit> = store.page("platform", &window, limit.max as u32 + 1, None).await?.items;
    let times: Vec<DateTime<Utc>> = hits.into_iter().map(|h| h.at).collect();
    match over(limit, &times, now) {
        None => Ok(Counted(key)),
        Some(retry_after_secs) => {
            store.write(Write::delete(key)).await?;
            Err(IdentityError::Throttled { retry_after_secs })
        }
    }
}

/// Gives back the attempt of a check that passed.
pub(crate) async fn refund(store: &Store, counted: Counted) -> Result<(), IdentityError> {
    Ok(store.write(Write::delete(counted.0)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hundred_and_first_attempt_in_the_window_waits_for_the_oldest_to_leave_it() {
        let start = Utc::now();
        let hits: Vec<DateTime<Utc>> = (0..100).map(|i| start + Duration::seconds(i)).collect();
        assert_eq!(over(&SIGN_IN_PER_IP, &hits, start + Duration::seconds(99)), None, "a hundred pass");
        let mut more = hits.clone();
        more.push(start + Duration::seconds(120));
        assert_eq!(over(&SIGN_IN_PER_IP, &more, start + Duration::seconds(120)), Some(15 * 60 - 120));
        let later = start + SIGN_IN_PER_IP.window + Duration::seconds(1);
        assert_eq!(over(&SIGN_IN_PER_IP, &more, later), None, "the oldest left the window");
        let resets: Vec<DateTime<Utc>> = (0..21).map(|_| start).collect();
        assert_eq!(over(&RESET_PER_IP, &resets, start), Some(3600));
        assert_eq!(over(&RESET_PER_IP, &resets[..20], start), None);
    }

    #[test]
    fn a_source_counts_as_its_ipv4_address_or_its_ipv6_64() {
        let ip = |text: &str| SourceIp(Some(text.parse().unwrap()));
        assert_eq!(source(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(source(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(source(ip("2001:db8:1:2:bbbb::9")), source(ip("2001:db8:1:2:aaaa::1")), "one /64, one count");
        assert_eq!(source(ip("::ffff:203.0.113.7")), "203.0.113.7", "an IPv4 client seen over IPv6");
        assert_eq!(source(SourceIp(None)), "unknown");
        assert_eq!(platform_partition(&partition(&SIGN_IN_PER_IP, ip("203.0.113.7"))), "P#LOGIN-IP#203.0.113.7");
    }

    #[test]
    fn sort_keys_order_by_time_and_a_bare_bound_sorts_before_its_attempts() {
        let t = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        assert_eq!(sort_key(t), "AT#001700000000123");
        let attempt = format!("{}#{}", sort_key(t), Uuid::nil().simple());
        assert!(sort_key(t) < attempt && attempt < sort_key(t + Duration::milliseconds(1)));
        assert!(attempt < sort_key(t) + "~", "the upper bound takes in its own millisecond");
    }
}
