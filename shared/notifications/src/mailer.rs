//! The notifications function's job: each email is sent at most once, however often its message comes.
//!
//! Before the send, a delivery record is claimed (a conditional put): `sending` with a lease. A duplicate
//! or redelivered message finds it: `sent` changes nothing; `sending` within the lease comes back later
//! (another run is at it); `sending` past the lease means that run died before it could say, and this one
//! takes over. A send that fails releases the claim, so the retry sends. After the send the record says
//! `sent` with the provider's message id, for the record's time to live.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | delivery record | `P#EMAIL#<notificationId>` | `DELIVERY` |

use crate::NotificationError;
use crate::channels::EmailChannel;
use crate::message::Notification;
use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use nudge_core::crypto::DataKey;
use nudge_core::keys::Key;
use nudge_core::store::{Put, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// How long a run may take to send before another may take its claim over.
const LEASE: Duration = Duration::minutes(2);
/// How long a delivery record is kept (longer than any redelivery: SQS keeps a message 4 days by default).
const KEPT: Duration = Duration::days(14);

/// Identity's side of a reset request: the email to send, if an active account has the address (and the
/// reset token it holds, written before this answers).
/// The email is to have the request's id (`request`), which makes it once only.
pub trait ResetMails: Send + Sync {
    fn reset_mail<'a>(&'a self, request: Uuid, email: &'a str) -> BoxFuture<'a, Result<Option<Notification>, String>>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    Sending,
    Sent,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    notification_id: Uuid,
    state: State,
    lease_until: DateTime<Utc>,
    #[serde(default)]
    provider_message_id: Option<String>,
    #[serde(default)]
    sent_at: Option<DateTime<Utc>>,
    version: u64,
}

fn key(id: Uuid) -> Key {
    Key::platform(&format!("EMAIL#{id}"), "DELIVERY")
}

fn put(d: &Delivery, now: DateTime<Utc>) -> Result<Put, StoreError> {
    Ok(Put::new(&key(d.notification_id), "EmailDelivery", d)?.ttl((now + KEPT).timestamp()))
}

/// What a claim found.
#[derive(Debug, PartialEq, Eq)]
enum Claim {
    /// Ours: send.
    Mine(u64),
    /// Sent before: nothing to do.
    Sent,
    /// Another run holds a live lease.
    Busy,
}

/// Pure: what an existing record means for a run at `now`.
fn decide(existing: &Delivery, now: DateTime<Utc>) -> Claim {
    match existing.state {
        State::Sent => Claim::Sent,
        State::Sending if existing.lease_until > now => Claim::Busy,
        State::Sending => Claim::Mine(existing.version),
    }
}

pub struct Mailer {
    store: Store,
    email: EmailChannel,
    key: DataKey,
    resets: Arc<dyn ResetMails>,
}

impl Mailer {
    pub fn new(store: Store, email: EmailChannel, key: DataKey, resets: Arc<dyn ResetMails>) -> Self {
        Self { store, email, key, resets }
    }

    /// A reset request: the email identity makes for it, if an account has the address, sent once.
    pub(crate) async fn reset(&self, request_id: Uuid, email: &str) -> Result<(), NotificationError> {
        match self.resets.reset_mail(request_id, email).await.map_err(NotificationError::Port)? {
            Some(note) => self.deliver(&note).await,
            None => Ok(()),
        }
    }

    async fn claim(&self, id: Uuid, now: DateTime<Utc>) -> Result<Claim, NotificationError> {
        let fresh = Delivery {
            notification_id: id,
            state: State::Sending,
            lease_until: now + LEASE,
            provider_message_id: None,
            sent_at: None,
            version: 1,
        };
        match self.store.write(Write::create(put(&fresh, now)?, "delivery claimed")).await {
            Ok(()) => return Ok(Claim::Mine(1)),
            Err(StoreError::Condition(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = self.store.get::<Delivery>(&key(id)).await? else { return Ok(Claim::Busy) };
        match decide(&existing, now) {
            Claim::Mine(version) => {
                let taken = Delivery { lease_until: now + LEASE, version: version + 1, ..existing };
                match self.store.write(Write::replace(put(&taken, now)?, version)).await {
                    Ok(()) => Ok(Claim::Mine(version + 1)),
                    Err(e) if e.is_version_conflict() => Ok(Claim::Busy),
                    Err(e) => Err(e.into()),
                }
            }
            other => Ok(other),
        }
    }

    /// Sends `note` unless it was sent before.
    pub(crate) async fn deliver(&self, note: &Notification) -> Result<(), NotificationError> {
        let now = Utc::now();
        let version = match self.claim(note.id, now).await? {
            Claim::Mine(version) => version,
            Claim::Sent => {
                tracing::info!(notification_id = %note.id, "already sent; nothing to do");
                return Ok(());
            }
            Claim::Busy => return Err(NotificationError::InFlight(note.id)),
        };
        if note.expires_at <= now {
            // Its link no longer works: sending it would only confuse.
            tracing::warn!(notification_id = %note.id, "expired before it could be sent; dropped");
            return self.mark_sent(note.id, version, None, now).await;
        }
        let text = note.render(&self.key)?;
        match self.email.send(&note.to, &note.subject, &text, &note.id.to_string()).await {
            Ok(message_id) => {
                tracing::info!(notification_id = %note.id, kind = ?note.kind, "email sent");
                self.mark_sent(note.id, version, Some(message_id), Utc::now()).await
            }
            Err(e) => {
                // Released, so the retry sends it.
                let release = Write::delete(key(note.id)).if_version(version);
                if let Err(r) = self.store.write(release).await {
                    tracing::warn!(notification_id = %note.id, error = %r, "could not release the claim; its lease will lapse");
                }
                Err(e)
            }
        }
    }

    async fn mark_sent(
        &self,
        id: Uuid,
        version: u64,
        provider_message_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), NotificationError> {
        let sent = Delivery {
            notification_id: id,
            state: State::Sent,
            lease_until: now,
            provider_message_id,
            sent_at: Some(now),
            version: version + 1,
        };
        match self.store.write(Write::replace(put(&sent, now)?, version)).await {
            // Taken over after our lease lapsed: the other run records its own send.
            Err(e) if e.is_version_conflict() => Ok(()),
            other => Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: State, lease_until: DateTime<Utc>) -> Delivery {
        Delivery {
            notification_id: Uuid::now_v7(),
            state,
            lease_until,
            provider_message_id: None,
            sent_at: None,
            version: 3,
        }
    }

    #[test]
    fn a_claim_sends_once_and_takes_over_only_a_lapsed_lease() {
        let now = Utc::now();
        assert_eq!(decide(&record(State::Sent, now + LEASE), now), Claim::Sent);
        assert_eq!(decide(&record(State::Sent, now - LEASE), now), Claim::Sent);
        assert_eq!(decide(&record(State::Sending, now + Duration::seconds(5)), now), Claim::Busy);
        assert_eq!(decide(&record(State::Sending, now - Duration::seconds(1)), now), Claim::Mine(3));
    }

    #[test]
    fn the_record_is_keyed_by_its_notification() {
        let id = Uuid::now_v7();
        assert_eq!((key(id).pk, key(id).sk), (format!("P#EMAIL#{id}"), "DELIVERY".to_owned()));
    }
}
