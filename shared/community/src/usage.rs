//! Usage sessions (seed 002 UserSession: `startedAt`, `lastPingAt`, `durationSeconds`), recorded cheaply:
//! a start is one transaction (the session and its day's count), a ping one read and one transaction
//! (the session on its version, and the seconds it adds to its day's total). The organization's usage by
//! day is read by key, one item a day, never by scanning sessions.
//!
//! A client pings while the member is active; a ping more than [`IDLE`] after the last one finds the
//! session ended (the gap is not counted) and the client starts a new one.

use crate::keys;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use nudge_core::TenantId;
use nudge_core::http::Page;
use nudge_core::store::{Changes, Put, Query, Store, StoreError, Tx, Write, decode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// How long after its last ping a session ends.
pub const IDLE: Duration = Duration::minutes(30);
/// The most days one usage read spans.
pub const MAX_DAYS: i64 = 92;

/// Seed 002 UserSession.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub last_ping_at: DateTime<Utc>,
    /// From the start to the last ping.
    pub duration_seconds: u64,
    #[serde(default)]
    pub version: u64,
}

/// The organization's usage on one day (its time zone).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageDay {
    /// `YYYY-MM-DD` (the item's sort key: its counters are all it stores).
    #[serde(default)]
    pub date: String,
    /// Sessions started that day.
    #[serde(default)]
    pub sessions: u64,
    /// Seconds of use pinged that day.
    #[serde(default)]
    pub seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("no such session")]
    NotFound,
    #[error("the session ended after {} minutes without a ping; start a new one", IDLE.num_minutes())]
    Ended,
    #[error("the session kept changing; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UsageSession {
    pub fn start(id: Uuid, user: Uuid, now: DateTime<Utc>) -> Self {
        Self { id, user_id: user, started_at: now, last_ping_at: now, duration_seconds: 0, version: 1 }
    }

    /// The session after a ping at `now`, and the seconds it adds; [`UsageError::Ended`] past [`IDLE`]. A
    /// ping older than the last one changes nothing.
    pub fn ping(&self, now: DateTime<Utc>) -> Result<(Self, u64), UsageError> {
        if now - self.last_ping_at > IDLE {
            return Err(UsageError::Ended);
        }
        let last = now.max(self.last_ping_at);
        let duration = u64::try_from((last - self.started_at).num_seconds()).unwrap_or(0);
        let added = duration.saturating_sub(self.duration_seconds);
        let next = Self { last_ping_at: last, duration_seconds: duration, version: self.version + 1, ..self.clone() };
        Ok((next, added))
    }
}

/// The local date of `at` in `zone`.
pub fn day_of(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

fn put(tenant: &TenantId, s: &UsageSession) -> Result<Put, StoreError> {
    Put::new(&keys::usage_session(tenant, s.user_id, s.id), "UserSession", s)
}

pub struct Usage<'a> {
    pub store: &'a Store,
    /// The organization's time zone: its days.
    pub zone: Tz,
}

impl Usage<'_> {
    pub async fn start(&self, tenant: &TenantId, user: Uuid, now: DateTime<Utc>) -> Result<UsageSession, UsageError> {
        let s = UsageSession::start(Uuid::now_v7(), user, now);
        let day = keys::usage_day(tenant, day_of(now, self.zone));
        let tx = Tx::new()
            .with(Write::create(put(tenant, &s)?, "session exists"))
            .with(Write::upsert_changes(day, Changes::new().add("sessions", 1)));
        self.store.transact(tx).await?;
        Ok(s)
    }

    /// A ping of `user`'s session `id` (another's is not found).
    pub async fn ping(
        &self,
        tenant: &TenantId,
        user: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<UsageSession, UsageError> {
        for _ in 0..5 {
            let read: UsageSession =
                self.store.get(&keys::usage_session(tenant, user, id)).await?.ok_or(UsageError::NotFound)?;
            let (next, added) = read.ping(now)?;
            if next.last_ping_at == read.last_ping_at {
                return Ok(read);
            }
            let mut tx = Tx::new().with(Write::replace(put(tenant, &next)?, read.version));
            if added > 0 {
                let day = keys::usage_day(tenant, day_of(now, self.zone));
                tx.push(Write::upsert_changes(day, Changes::new().add("seconds", added as i64)));
            }
            match self.store.transact(tx).await {
                Ok(()) => return Ok(next),
                Err(e) if e.is_contended() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(UsageError::Conflict)
    }

    /// `user`'s sessions, newest first.
    pub async fn sessions(
        &self,
        scope: &str,
        tenant: &TenantId,
        user: Uuid,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Page<UsageSession>, UsageError> {
        let query = Query::partition(keys::usage_sessions(tenant, user)).newest_first();
        Ok(self.store.page(scope, &query, limit, cursor).await?)
    }

    /// Each day from `from` to `to` (inclusive, at most [`MAX_DAYS`]), a day without use as zeros.
    pub async fn days(&self, tenant: &TenantId, from: NaiveDate, to: NaiveDate) -> Result<Vec<UsageDay>, UsageError> {
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).take(MAX_DAYS as usize).collect();
        let keys: Vec<_> = dates.iter().map(|d| keys::usage_day(tenant, *d)).collect();
        let mut found = std::collections::HashMap::new();
        for item in self.store.batch_get(&keys).await? {
            let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            let day: UsageDay = decode(item)?;
            found.insert(sk, day);
        }
        Ok(dates
            .into_iter()
            .map(|d| {
                let date = d.format("%Y-%m-%d").to_string();
                let day = found.remove(&date).unwrap_or_default();
                UsageDay { date, ..day }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn pings_extend_a_session_until_it_idles_out() {
        let s = UsageSession::start(Uuid::from_u128(1), Uuid::from_u128(2), at("2026-11-30T08:00:00Z"));
        let (s, added) = s.ping(at("2026-11-30T08:10:00Z")).unwrap();
        assert_eq!((s.duration_seconds, added, s.version), (600, 600, 2));
        let (s, added) = s.ping(at("2026-11-30T08:39:00Z")).unwrap();
        assert_eq!((s.duration_seconds, added), (2340, 1740));
        // An old ping, redelivered, adds nothing.
        let (same, added) = s.ping(at("2026-11-30T08:20:00Z")).unwrap();
        assert_eq!((same.last_ping_at, added), (s.last_ping_at, 0));
        assert!(matches!(s.ping(at("2026-11-30T09:09:01Z")), Err(UsageError::Ended)));
    }

    #[test]
    fn days_are_the_organizations() {
        let late = at("2026-11-30T23:30:00Z");
        assert_eq!(day_of(late, Tz::UTC).to_string(), "2026-11-30");
        assert_eq!(day_of(late, "Europe/Ljubljana".parse().unwrap()).to_string(), "2026-12-01");
    }
}
