//! The unread digest (seed 002 EmailPreference `frequency`): a user who chose `daily` or `weekly` gets one
//! email listing their unread low-priority in-app notifications, at 08:00 in their time zone (their
//! preference, else the organization's), every day or on Mondays, instead of nothing.
//!
//! - When a low-priority notification lands in such a user's inbox, a due marker is written for their
//!   next digest time (one item per user and time: more notifications change nothing);
//! - an hourly tick (EventBridge onto the notifications queue; the dev server and the tests send it too)
//!   reads the markers that are due, in 8 shards, and turns each into a `Digest` message;
//! - the digest lists what is still unread and low priority and newer than the last digest's newest item
//!   (at most [`MAX_ITEMS`]), sends it by email, and records that newest item; a user with nothing new, or
//!   who has since turned email or the digest off, gets nothing. A claim per (user, due time) sends each
//!   digest once, whatever the queue redelivers.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | due marker | `P#DIGESTS-DUE#<shard 0..7>` | `<due ms, 13 digits>#<tenant>#<user>` |
//! | sent claim | `T#<t>#DIGEST#<user>` | `<due ms>` (ttl: 30 days) |
//! | last digested | `T#<t>#DIGEST#<user>` | `last` |

use crate::NotificationError;
use crate::channels::{Channel, Content, Outgoing, SendError};
use crate::inbox::model::{InAppNotification, NotificationPriority};
use crate::inbox::repo::{self as inbox_repo, Filter, InboxStatus};
use crate::message::Message;
use crate::send::recipients::{Digest, UserDirectory};
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use nudge_core::keys::{Key, platform_partition};
use nudge_core::queue::Queue;
use nudge_core::store::{Put, Query, Store, StoreError, Write};
use nudge_core::{TenantId, TenantRef};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use uuid::Uuid;

/// Shards of the due markers.
const SHARDS: u32 = 8;
/// The local hour a digest goes out.
const HOUR: u32 = 8;
/// The most notifications one digest lists.
pub const MAX_ITEMS: usize = 20;
/// How long a claim stays: redeliveries come within days.
const KEPT: Duration = Duration::days(30);
const CLAIMED: &str = "digest claimed";

/// When `frequency`'s next digest after `now` is due in `zone`: the next 08:00 local, on a Monday for a
/// weekly one.
pub fn due_after(now: DateTime<Utc>, zone: Tz, frequency: Digest) -> DateTime<Utc> {
    let local = now.with_timezone(&zone).date_naive();
    let at = NaiveTime::from_hms_opt(HOUR, 0, 0).unwrap_or_default();
    (0..=8)
        .map(|d| local + Duration::days(d))
        .filter(|day| frequency == Digest::Daily || day.weekday() == Weekday::Mon)
        .filter_map(|day| zone.from_local_datetime(&day.and_time(at)).earliest())
        .map(|t| t.with_timezone(&Utc))
        .find(|t| *t > now)
        .unwrap_or(now + Duration::days(1))
}

fn shard(user: Uuid) -> u32 {
    (user.as_u128() % u128::from(SHARDS)) as u32
}

fn due_key(tenant: &TenantId, user: Uuid, due: DateTime<Utc>) -> Key {
    Key::platform(&format!("DIGESTS-DUE#{}", shard(user)), format!("{:013}#{tenant}#{user}", due.timestamp_millis()))
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Due {
    tenant_id: TenantRef,
    user_id: Uuid,
    due: DateTime<Utc>,
}

/// The marker of `user`'s digest due at `due` (written again for each notification: the same item).
pub(crate) fn due(tenant: &TenantId, user: Uuid, due: DateTime<Utc>) -> Result<Write, StoreError> {
    let marker = Due { tenant_id: tenant.into(), user_id: user, due };
    Ok(Write::upsert(Put::new(&due_key(tenant, user, due), "DigestDue", &marker)?))
}

/// Turns every marker due by `now` into a `Digest` message, then removes it; answers how many.
pub(crate) async fn tick(store: &Store, queue: &Queue, now: DateTime<Utc>) -> Result<u32, NotificationError> {
    let mut sent = 0;
    for s in 0..SHARDS {
        let query = Query::partition(platform_partition(&format!("DIGESTS-DUE#{s}")))
            .consistent()
            .between("0", format!("{:013}~", now.timestamp_millis()));
        let mut done = Vec::new();
        for marker in store.all::<Due>(&query).await? {
            let tenant = marker.tenant_id.tenant();
            queue.send_for(&tenant, &Message::Digest { user_id: marker.user_id, due: marker.due }).await?;
            done.push(due_key(&tenant, marker.user_id, marker.due));
        }
        // After the sends: a crash between the two sends a digest message twice, which its claim absorbs.
        store.batch_delete(&done).await?;
        sent += done.len() as u32;
    }
    Ok(sent)
}

fn claim_key(tenant: &TenantId, user: Uuid, due: DateTime<Utc>) -> Key {
    Key::tenant(tenant, &format!("DIGEST#{user}"), format!("{:013}", due.timestamp_millis()))
}

fn last_key(tenant: &TenantId, user: Uuid) -> Key {
    Key::tenant(tenant, &format!("DIGEST#{user}"), "last")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Claim {
    due: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_message_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Last {
    newest: Uuid,
}

/// What the digest step needs.
pub(crate) struct Digester<'a> {
    pub(crate) store: &'a Store,
    pub(crate) email: &'a dyn Channel,
    pub(crate) users: &'a dyn UserDirectory,
}

impl Digester<'_> {
    /// Sends `user`'s digest due at `due`, once.
    pub(crate) async fn send(
        &self,
        tenant: &TenantId,
        user: Uuid,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), NotificationError> {
        let found = self.users.members(tenant, &[user]).await.map_err(NotificationError::Port)?;
        let Some(recipient) = found.into_iter().next() else { return Ok(()) };
        if !recipient.active || !recipient.choices.email || recipient.digest.is_none() {
            return Ok(());
        }
        let last: Option<Last> = self.store.get(&last_key(tenant, user)).await?;
        let items = self.unread(tenant, user, last.map(|l| l.newest)).await?;
        let Some(newest) = items.first().map(|n| n.id) else { return Ok(()) };
        let claim = Put::new(&claim_key(tenant, user, due), "DigestClaim", &Claim { due, provider_message_id: None })?
            .ttl((now + KEPT).timestamp());
        match self.store.write(Write::create(claim, CLAIMED)).await {
            Ok(()) => {}
            Err(StoreError::Condition(CLAIMED)) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let (subject, text) = compose(recipient.first_name.as_deref(), &items);
        let out = Outgoing {
            delivery_id: Uuid::now_v7(),
            to: recipient.email.clone(),
            content: Content::Text { subject: Some(subject), text },
        };
        match self.email.send(&out).await {
            Ok(_) => {}
            Err(e @ SendError::Retryable(_)) => {
                // Free the claim so the retry sends it.
                self.store.write(Write::delete(claim_key(tenant, user, due))).await?;
                return Err(NotificationError::Retry(e.to_string()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "a digest the provider refused");
                return Ok(());
            }
        }
        self.store.write(Write::upsert(Put::new(&last_key(tenant, user), "DigestLast", &Last { newest })?)).await?;
        Ok(())
    }

    /// The user's unread low-priority notifications newer than `after`, newest first, at most [`MAX_ITEMS`].
    async fn unread(
        &self,
        tenant: &TenantId,
        user: Uuid,
        after: Option<Uuid>,
    ) -> Result<Vec<InAppNotification>, StoreError> {
        let filter = Filter { status: Some(InboxStatus::Unread), kind: None };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let page = inbox_repo::list(self.store, "digest", tenant, user, &filter, 100, cursor.as_deref()).await?;
            for item in page.items {
                if after.is_some_and(|a| item.id <= a) {
                    return Ok(out);
                }
                if item.priority == NotificationPriority::Low && out.len() < MAX_ITEMS {
                    out.push(item);
                }
            }
            match page.next_cursor {
                Some(next) if out.len() < MAX_ITEMS => cursor = Some(next),
                _ => break,
            }
        }
        Ok(out)
    }
}

/// The digest's subject and text.
fn compose(first_name: Option<&str>, items: &[InAppNotification]) -> (String, String) {
    let subject = match items.len() {
        1 => "You have 1 unread notification".to_owned(),
        n => format!("You have {n} unread notifications"),
    };
    let mut text = format!("Hello {},\n\nWhile you were away:\n\n", first_name.unwrap_or("there"));
    for item in items {
        let _ = writeln!(text, "- {}: {}", item.title, item.message);
        if let Some(link) = &item.link {
            let _ = writeln!(text, "  {}", link.as_str());
        }
    }
    text.push_str("\nYou get this digest because of your email preferences; change them in your profile.\n");
    (subject, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_daily_digest_is_the_next_eight_o_clock_local_and_a_weekly_one_on_monday() {
        let zone: Tz = "Europe/Ljubljana".parse().unwrap();
        // Wednesday 2026-01-14, 06:00 local (05:00 UTC): today at 08:00 local.
        assert_eq!(due_after(at("2026-01-14T05:00:00Z"), zone, Digest::Daily), at("2026-01-14T07:00:00Z"));
        // 09:00 local: tomorrow.
        assert_eq!(due_after(at("2026-01-14T08:00:00Z"), zone, Digest::Daily), at("2026-01-15T07:00:00Z"));
        // Weekly: Monday 19 January.
        assert_eq!(due_after(at("2026-01-14T08:00:00Z"), zone, Digest::Weekly), at("2026-01-19T07:00:00Z"));
        // Monday after 08:00: the next Monday.
        assert_eq!(due_after(at("2026-01-19T07:00:00Z"), zone, Digest::Weekly), at("2026-01-26T07:00:00Z"));
    }

    #[test]
    fn verify_digest_keys_serialize_as_expected() {
        let tenant = nudge_core::testing::tenant(1);
        let user = Uuid::from_u128(10);
        let k = due_key(&tenant, user, at("2026-01-14T07:00:00Z"));
        assert_eq!(k.pk, "P#DIGESTS-DUE#2");
        assert_eq!(k.sk, format!("1768374000000#{}#{user}", Uuid::from_u128(1)));
        assert_eq!(claim_key(&tenant, user, at("2026-01-14T07:00:00Z")).sk, "1768374000000");
        assert_eq!(last_key(&tenant, user).pk, format!("T#{}#DIGEST#{user}", Uuid::from_u128(1)));
    }
}
