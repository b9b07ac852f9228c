//! Workers' WhatsApp replies to a touchpoint's message (through notifications' [`Replies`] port): a
//! button tapped under it completes the touchpoint, and a reply to a reflection prompt is the worker's
//! reflection. A quiz is answered on its page only (it is scored there). Recording is idempotent, so a
//! webhook batch sent again changes nothing.
//!
//! Each send leaves a small item naming its enrolment and touchpoint under the notification request's
//! id, written in the step's own transaction.

use crate::enrolments::{self, Answer};
use crate::keys;
use chrono::{DateTime, Duration, Utc};
use nudge_core::TenantId;
use nudge_core::clock::Clock;
use nudge_core::store::{Put, Store, StoreError, Write};
use nudge_notifications::send::replies::{Handled, Replies, Reply};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a reply can still complete its touchpoint.
const KEPT: Duration = Duration::days(60);

/// What a touchpoint's send was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendRef {
    pub enrolment_id: Uuid,
    pub touchpoint_id: Uuid,
    pub worker_id: Uuid,
    /// The content's type (`quiz`, `reflection`, …): what a reply may do.
    pub content_type: String,
}

/// The item of a send, for the step's transaction.
pub fn sent(tenant: &TenantId, request: Uuid, send: &SendRef, now: DateTime<Utc>) -> Result<Write, StoreError> {
    let put = Put::new(&keys::journey_send(tenant, request), "JourneySend", send)?.ttl((now + KEPT).timestamp());
    Ok(Write::upsert(put))
}

/// What a reply does to its touchpoint, if anything (pure).
pub fn answer_of(send: &SendRef, reply: &Reply) -> Option<Answer> {
    let text = reply.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match (send.content_type.as_str(), reply.kind.as_str()) {
        ("quiz", _) => None,
        ("reflection", "text") => {
            text.map(|t| Answer { completed: true, feedback: Some(t.to_owned()), ..Answer::default() })
        }
        (_, "button" | "interactive") => Some(Answer { completed: true, ..Answer::default() }),
        _ => None,
    }
}

/// The port's journeys side.
pub struct TouchpointReplies {
    pub store: Store,
    pub clock: Clock,
    /// Told when a reply's completion earns the worker XP.
    pub workers: nudge_workers::WorkerEvents,
}

impl Replies for TouchpointReplies {
    fn replied<'a>(&'a self, tenant: &'a TenantId, reply: &'a Reply) -> Handled<'a> {
        Box::pin(async move {
            let found: Option<SendRef> =
                self.store.get(&keys::journey_send(tenant, reply.request_id)).await.map_err(|e| e.to_string())?;
            let Some(send) = found.filter(|s| s.worker_id == reply.worker_id) else { return Ok(()) };
            let Some(answer) = answer_of(&send, reply) else { return Ok(()) };
            let now = self.clock.now();
            match enrolments::record(&self.store, tenant, send.enrolment_id, send.touchpoint_id, &answer, now).await {
                Ok(p) if enrolments::completed_now(&p, now) => {
                    self.workers.notify(tenant, &[p.worker_id]).await;
                    Ok(())
                }
                Ok(_) | Err(crate::JourneyError::NotFound) => Ok(()),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(kind: &str) -> SendRef {
        SendRef {
            enrolment_id: Uuid::from_u128(1),
            touchpoint_id: Uuid::from_u128(2),
            worker_id: Uuid::from_u128(3),
            content_type: kind.into(),
        }
    }

    fn reply(kind: &str, text: Option<&str>) -> Reply {
        Reply {
            request_id: Uuid::from_u128(4),
            worker_id: Uuid::from_u128(3),
            kind: kind.into(),
            text: text.map(Into::into),
            payload: None,
        }
    }

    #[test]
    fn a_button_completes_a_touchpoint_but_never_a_quiz() {
        assert_eq!(answer_of(&send("text"), &reply("button", Some("Done"))).map(|a| a.completed), Some(true));
        assert_eq!(answer_of(&send("video"), &reply("interactive", Some("Watched"))).map(|a| a.completed), Some(true));
        assert_eq!(answer_of(&send("quiz"), &reply("button", Some("Done"))), None);
        // Plain text answering a text touchpoint is a reply, not a completion.
        assert_eq!(answer_of(&send("text"), &reply("text", Some("ok"))), None);
    }

    #[test]
    fn a_text_reply_to_a_reflection_is_the_reflection() {
        let a = answer_of(&send("reflection"), &reply("text", Some("  I will ask for help sooner. "))).unwrap();
        assert_eq!((a.completed, a.feedback.as_deref()), (true, Some("I will ask for help sooner.")));
        assert_eq!(answer_of(&send("reflection"), &reply("text", Some("   "))), None);
    }
}
