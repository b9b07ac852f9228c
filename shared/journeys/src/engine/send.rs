//! What a touchpoint sends: its content's title and a link to the worker's page, as one notification to
//! one worker (`nudge_notifications::send::direct`), under a request id derived from what makes the send
//! happen once.

use crate::model::{Enrolment, Touchpoint, TouchpointChannel};
use chrono::{DateTime, Duration, Utc};
use nudge_content::published::{Body, Published};
use nudge_core::TenantId;
use nudge_core::crypto::DataKey;
use nudge_notifications::channels::ChannelKind;
use nudge_notifications::send::direct::DirectSend;
use nudge_notifications::send::model::{NotificationPriority, NotificationType, Recipient};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the signature of a worker's link is for (so no other signed token passes as one).
pub const LINK_PURPOSE: &str = "touchpoint";
/// How long a worker's link opens the page.
pub const LINK_LIFETIME: Duration = Duration::days(30);
/// The ids a send's request id is derived from live in this namespace.
const NAMESPACE: Uuid = Uuid::from_u128(0x6a0e_5b1c_8f4e_4f7a_9d2b_1c3e_5f70_9a11);

/// The request id of enrolment `e`'s send of `touchpoint` (`reminder`: the reminder of it).
pub fn request_id(enrolment: Uuid, touchpoint: Uuid, reminder: bool) -> Uuid {
    let name = format!("{enrolment}:{touchpoint}:{}", if reminder { "reminder" } else { "send" });
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// The signed payload of a worker's link: enrolment, touchpoint, worker.
pub fn link_payload(enrolment: Uuid, touchpoint: Uuid, worker: Uuid) -> Vec<u8> {
    let mut out = Vec::with_capacity(48);
    out.extend_from_slice(enrolment.as_bytes());
    out.extend_from_slice(touchpoint.as_bytes());
    out.extend_from_slice(worker.as_bytes());
    out
}

/// The ids a verified payload holds.
pub fn read_payload(payload: &[u8]) -> Option<(Uuid, Uuid, Uuid)> {
    if payload.len() != 48 {
        return None;
    }
    let id = |i: usize| Uuid::from_slice(&payload[i * 16..(i + 1) * 16]).ok();
    Some((id(0)?, id(1)?, id(2)?))
}

/// The worker's link to the touchpoint's page.
pub fn link(
    key: &DataKey,
    base: &str,
    tenant: &TenantId,
    e: &Enrolment,
    touchpoint: Uuid,
    now: DateTime<Utc>,
) -> String {
    let payload = link_payload(e.id, touchpoint, e.worker_id);
    let token = nudge_core::crypto::link::sign(key, LINK_PURPOSE, tenant, &payload, now + LINK_LIFETIME);
    format!("{}/t/{token}", base.trim_end_matches('/'))
}

fn channel(c: TouchpointChannel) -> ChannelKind {
    match c {
        TouchpointChannel::Whatsapp => ChannelKind::Whatsapp,
        TouchpointChannel::Sms => ChannelKind::Sms,
        TouchpointChannel::Email => ChannelKind::Email,
    }
}

/// The send of `tp` (its content `content`) to `e`'s worker, with `link`.
pub fn compose(
    e: &Enrolment,
    tp: &Touchpoint,
    content: &Published,
    link: &str,
    program: &str,
    reminder: bool,
) -> DirectSend {
    let mut variables = BTreeMap::new();
    variables.insert("link".to_owned(), link.to_owned());
    variables.insert("title".to_owned(), content.title.clone());
    variables.insert("program".to_owned(), program.to_owned());
    // A template content item is itself the message; otherwise a named template carries the link, or
    // plain text does (WhatsApp only within the worker's 24-hour window).
    let template_id = match &content.body {
        Body::Template(_) => Some(content.id),
        _ => tp.template_id,
    };
    let lead = if reminder { "Reminder: " } else { "" };
    let message = template_id.is_none().then(|| format!("{lead}{}\n{link}", content.title));
    DirectSend {
        request_id: request_id(e.id, tp.id, reminder),
        to: Recipient::worker(e.worker_id),
        channel: channel(tp.channel),
        kind: NotificationType::NewModule,
        priority: NotificationPriority::Normal,
        template_id,
        title: (tp.channel == TouchpointChannel::Email).then(|| format!("{lead}{}", content.title)),
        message,
        variables,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_has_one_request_id_per_enrolment_touchpoint_and_kind() {
        let (e, t) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(request_id(e, t, false), request_id(e, t, false));
        assert_ne!(request_id(e, t, false), request_id(e, t, true));
        assert_ne!(request_id(e, t, false), request_id(Uuid::from_u128(3), t, false));
    }

    #[test]
    fn a_link_payload_reads_back() {
        let (e, t, w) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(read_payload(&link_payload(e, t, w)), Some((e, t, w)));
        assert_eq!(read_payload(&[0; 47]), None);
    }
}
