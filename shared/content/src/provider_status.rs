//! A WhatsApp template's approval as the provider reports it. Meta's `message_template_status_update`
//! webhook names a template by its provider name (our content item's title) and language, and says what
//! happened to it; [`provider_status`] writes that onto every WhatsApp template item of the tenant with
//! that title, as a version of its own like any change, by no user.
//!
//! Template items carry no language, so the report's language selects nothing: every item with the name
//! takes the status (one content item stands for all the languages of a provider name).

use crate::body::APPROVAL_REASON_MAX;
use crate::error::ContentError;
use crate::model::{ApprovalStatus, Body, Channel, Content};
use crate::{repo, snapshots};
use chrono::{DateTime, Utc};
use nudge_core::TenantId;
use nudge_core::store::{Attempt, Store, optimistic};
use uuid::Uuid;

/// Template items read a page (before the title filter drops the others, so a page may match none).
const PAGE: u32 = 100;
/// Pages read before giving up: 5,000 template items of one tenant is far beyond any real library, and a
/// webhook must answer in seconds.
const MAX_PAGES: usize = 50;

/// Our approval status for a `message_template_status_update` `event` (any case), or none when the event
/// says nothing about whether the template may be sent (the caller ignores it).
pub fn approval_of_provider_event(event: &str) -> Option<ApprovalStatus> {
    let event = event.trim().to_ascii_uppercase();
    match event.as_str() {
        "APPROVED" => Some(ApprovalStatus::Approved),
        // No longer flagged, paused or disabled: sendable again, as after approval.
        "REINSTATED" => Some(ApprovalStatus::Approved),
        "REJECTED" => Some(ApprovalStatus::Rejected),
        "PENDING" => Some(ApprovalStatus::Pending),
        // Under review again after a rejection: not sendable until a verdict, like a first review.
        "IN_APPEAL" => Some(ApprovalStatus::Pending),
        // Paused for low quality: Meta lifts it by itself (a later APPROVED or REINSTATED).
        "PAUSED" => Some(ApprovalStatus::Paused),
        "DISABLED" => Some(ApprovalStatus::Disabled),
        // Deleted, about to be, or archived for inactivity (deleted after 28 days unless unarchived): none of
        // them can be sent, and we have no status of their own for them.
        "PENDING_DELETION" | "DELETED" | "ARCHIVED" => Some(ApprovalStatus::Disabled),
        // FLAGGED: negative feedback, at risk of being paused, still sendable, so it stays as it is.
        // UNARCHIVED: back to the status it had, which the event does not say (a later event, or an admin,
        // sets it). LOCKED/UNLOCKED: whether it may be edited, not sent. LIMIT_EXCEEDED: the account's
        // template count, not this template. Anything else is an event we do not know.
        _ => None,
    }
}

/// The reason worth storing: trimmed, cut to what the reader accepts, none when blank or Meta's `NONE`
/// (what it sends with an approval).
fn provider_reason(reason: Option<&str>) -> Option<String> {
    let reason = reason?.trim();
    if reason.is_empty() || reason.eq_ignore_ascii_case("NONE") {
        return None;
    }
    Some(reason.chars().take(APPROVAL_REASON_MAX).collect())
}

/// Whether `item` is the WhatsApp template the provider knows as `name`.
fn is_provider_template(item: &Content, name: &str) -> bool {
    matches!(&item.fields.body, Body::Template(t) if t.channel == Channel::Whatsapp) && item.fields.title == name
}

/// `item` with the provider's `status` and `reason` as its next version, or none when it is not the
/// template `name` or already says so. A repeated status changes nothing unless it brings a reason not
/// stored yet; a new status replaces the reason (the old one explained the old status). The workflow status
/// stays: the provider's verdict is no edit of the content. A version that was live stays live.
fn with_provider_status(
    item: &Content,
    name: &str,
    status: ApprovalStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Content> {
    if !is_provider_template(item, name) {
        return None;
    }
    let mut fields = item.fields.clone();
    let Body::Template(body) = &mut fields.body else { return None };
    if body.approval_status == Some(status) && (reason.is_none() || body.approval_reason.as_deref() == reason) {
        return None;
    }
    body.approval_status = Some(status);
    body.approval_reason = reason.map(str::to_owned);
    let version = item.version + 1;
    // Only the provider's verdict changed, so when the latest version was the live one, this one is.
    let published_version =
        if item.published_version == Some(item.version) { Some(version) } else { item.published_version };
    // By no user: naming the last editor would credit them with the provider's change.
    Some(Content { fields, version, published_version, updated_by_id: None, updated_at: now, ..item.clone() })
}

/// The note of the version a provider's report makes.
fn note(before: Option<ApprovalStatus>, after: ApprovalStatus, reason: Option<&str>) -> String {
    let before = before.map_or("none", ApprovalStatus::as_str);
    match reason {
        Some(reason) => format!("WhatsApp approval: {before} → {} ({reason})", after.as_str()),
        None => format!("WhatsApp approval: {before} → {}", after.as_str()),
    }
}

/// Sets the approval of every WhatsApp template item of `tenant` titled `name` to `status` (with `reason`,
/// Meta's `NONE` or a blank one meaning none), each as a new version written against the version read and
/// retried when another change got there first. Answers how many items changed (those already saying so do
/// not). `language` selects nothing: items have no language (see the module notes). Stops, with a warning,
/// after [`MAX_PAGES`] pages of template items.
pub async fn provider_status(
    store: &Store,
    tenant: &TenantId,
    name: &str,
    language: Option<&str>,
    status: ApprovalStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u32, ContentError> {
    let context = |content: Option<Uuid>| {
        move |source: ContentError| ContentError::ProviderStatus {
            name: name.to_owned(),
            content,
            source: Box::new(source),
        }
    };
    let reason = provider_reason(reason);
    let mut changed = 0;
    let mut start = None;
    for _ in 0..MAX_PAGES {
        let (items, last) = repo::templates_titled(store, tenant, name, PAGE, start).await.map_err(context(None))?;
        // The index is eventually consistent: each item is read again (consistently) before it is written.
        for item in items.iter().filter(|i| is_provider_template(i, name)) {
            if set_one(store, tenant, item.id, name, status, reason.as_deref(), now)
                .await
                .map_err(context(Some(item.id)))?
            {
                changed += 1;
            }
        }
        let Some(last) = last else {
            tracing::info!(
                tenant = %tenant,
                template = name,
                language,
                status = status.as_str(),
                changed,
                "provider status recorded"
            );
            return Ok(changed);
        };
        start = Some(last);
    }
    tracing::warn!(
        tenant = %tenant,
        template = name,
        language,
        status = status.as_str(),
        changed,
        pages = MAX_PAGES,
        "stopped paging the tenant's template items; any later ones keep their provider status"
    );
    Ok(changed)
}

/// Writes the provider's status onto content `id` if it is (still) the template `name` and does not say so
/// yet; `true` when it changed.
async fn set_one(
    store: &Store,
    tenant: &TenantId,
    id: Uuid,
    name: &str,
    status: ApprovalStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ContentError> {
    optimistic::retry(|| async {
        // Gone, renamed or moved to another channel since it was listed: not ours to change.
        let Some(current) = repo::get(store, tenant, id).await? else { return Ok(Attempt::Done(false)) };
        let Some(next) = with_provider_status(&current, name, status, reason, now) else {
            return Ok(Attempt::Done(false));
        };
        let before = match &current.fields.body {
            Body::Template(t) => t.approval_status,
            _ => None,
        };
        // Inline: a template is small, and there is no bucket object to clean up after a refusal.
        let version = snapshots::inline(&next, Some(note(before, status, reason)), None, now);
        match repo::save(store, tenant, Some(&current), &next, &version).await {
            Ok(()) => Ok(Attempt::Done(true)),
            Err(e) if e.is_version_conflict() => Ok(Attempt::Retry),
            Err(e) => Err(repo::refusal(store, tenant, &next, e).await),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContentFields, TemplateBody, TextBody};
    use crate::workflow::ContentStatus;

    fn template(title: &str, channel: Channel, approval: Option<ApprovalStatus>, reason: Option<&str>) -> Content {
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        Content {
            id: Uuid::from_u128(1),
            kind: crate::model::ContentType::Template,
            fields: ContentFields {
                title: title.into(),
                description: None,
                media_url: None,
                license_type: None,
                tag_ids: vec![Uuid::from_u128(7)],
                body: Body::Template(TemplateBody {
                    template_text: "Hi {{1}}".into(),
                    variables: vec![],
                    channel,
                    approval_status: approval,
                    approval_reason: reason.map(str::to_owned),
                    sms_segments: None,
                }),
            },
            status: ContentStatus::Published,
            version: 4,
            published_version: Some(4),
            published_at: Some(at),
            last_published_at: Some(at),
            created_by_id: Some(Uuid::from_u128(2)),
            updated_by_id: Some(Uuid::from_u128(3)),
            created_at: at,
            updated_at: at,
        }
    }

    fn approval(item: &Content) -> (Option<ApprovalStatus>, Option<&str>) {
        match &item.fields.body {
            Body::Template(t) => (t.approval_status, t.approval_reason.as_deref()),
            _ => (None, None),
        }
    }

    #[test]
    fn meta_events_map_onto_our_statuses() {
        use ApprovalStatus::*;
        for (event, want) in [
            ("APPROVED", Some(Approved)),
            ("REINSTATED", Some(Approved)),
            ("REJECTED", Some(Rejected)),
            ("PENDING", Some(Pending)),
            ("IN_APPEAL", Some(Pending)),
            ("PAUSED", Some(Paused)),
            ("DISABLED", Some(Disabled)),
            ("PENDING_DELETION", Some(Disabled)),
            ("DELETED", Some(Disabled)),
            ("ARCHIVED", Some(Disabled)),
            ("FLAGGED", None),
            ("UNARCHIVED", None),
            ("LOCKED", None),
            ("UNLOCKED", None),
            ("LIMIT_EXCEEDED", None),
            ("SOMETHING_NEW", None),
            ("", None),
            (" paused ", Some(Paused)),
            ("Approved", Some(Approved)),
        ] {
            assert_eq!(approval_of_provider_event(event), want, "{event:?}");
        }
    }

    #[test]
    fn reasons_are_trimmed_cut_and_none_means_none() {
        for none in [None, Some(""), Some("  "), Some("NONE"), Some("none")] {
            assert_eq!(provider_reason(none), None, "{none:?}");
        }
        assert_eq!(provider_reason(Some(" INCORRECT_CATEGORY\n")).as_deref(), Some("INCORRECT_CATEGORY"));
        let long = "é".repeat(APPROVAL_REASON_MAX + 10);
        assert_eq!(provider_reason(Some(&long)).map(|r| r.chars().count()), Some(APPROVAL_REASON_MAX));
    }

    #[test]
    fn only_whatsapp_templates_of_the_name_are_changed() {
        let now = Utc::now();
        let sms = template("shift_reminder", Channel::Sms, None, None);
        assert!(with_provider_status(&sms, "shift_reminder", ApprovalStatus::Approved, None, now).is_none());
        let other = template("other", Channel::Whatsapp, None, None);
        assert!(with_provider_status(&other, "shift_reminder", ApprovalStatus::Approved, None, now).is_none());
        let mut text = template("shift_reminder", Channel::Whatsapp, None, None);
        text.fields.body = Body::Text(TextBody { text: "Hi".into(), formatting: None });
        assert!(with_provider_status(&text, "shift_reminder", ApprovalStatus::Approved, None, now).is_none());
    }

    #[test]
    fn a_new_status_is_a_new_version_by_no_user_and_stays_live() {
        let now = Utc::now();
        let item = template("shift_reminder", Channel::Whatsapp, Some(ApprovalStatus::Approved), None);
        let next = with_provider_status(&item, "shift_reminder", ApprovalStatus::Paused, Some("FIRST_PAUSE"), now);
        let next = next.unwrap_or_else(|| panic!("a new status changes the item"));
        assert_eq!(approval(&next), (Some(ApprovalStatus::Paused), Some("FIRST_PAUSE")));
        assert_eq!((next.version, next.published_version, next.status), (5, Some(5), ContentStatus::Published));
        assert_eq!((next.updated_by_id, next.updated_at), (None, now));
        assert_eq!(
            (next.created_by_id, next.created_at, next.published_at),
            (item.created_by_id, item.created_at, item.published_at)
        );
        assert_eq!((&next.fields.title, &next.fields.tag_ids), (&item.fields.title, &item.fields.tag_ids));

        // A draft edited after publishing stays unpublished: the live version is still the old one.
        let mut drafted = item.clone();
        (drafted.status, drafted.version) = (ContentStatus::Draft, 6);
        let next = with_provider_status(&drafted, "shift_reminder", ApprovalStatus::Paused, None, now);
        assert_eq!(next.map(|n| (n.version, n.published_version, n.status)), Some((7, Some(4), ContentStatus::Draft)));
    }

    #[test]
    fn a_repeated_status_changes_only_a_reason() {
        let now = Utc::now();
        let paused = template("t", Channel::Whatsapp, Some(ApprovalStatus::Paused), Some("FIRST_PAUSE"));
        assert!(with_provider_status(&paused, "t", ApprovalStatus::Paused, None, now).is_none());
        assert!(with_provider_status(&paused, "t", ApprovalStatus::Paused, Some("FIRST_PAUSE"), now).is_none());
        let again = with_provider_status(&paused, "t", ApprovalStatus::Paused, Some("SECOND_PAUSE"), now);
        assert_eq!(again.as_ref().map(approval), Some((Some(ApprovalStatus::Paused), Some("SECOND_PAUSE"))));
        // A new status without a reason drops the old status's reason.
        let approved = with_provider_status(&paused, "t", ApprovalStatus::Approved, None, now);
        assert_eq!(approved.as_ref().map(approval), Some((Some(ApprovalStatus::Approved), None)));
        // An item with no approval yet takes the first one.
        let fresh = template("t", Channel::Whatsapp, None, None);
        assert!(with_provider_status(&fresh, "t", ApprovalStatus::Pending, None, now).is_some());
    }

    #[test]
    fn the_version_says_what_the_provider_did() {
        let now = Utc::now();
        let item = template("t", Channel::Whatsapp, Some(ApprovalStatus::Approved), None);
        let next = with_provider_status(&item, "t", ApprovalStatus::Rejected, Some("SCAM"), now)
            .unwrap_or_else(|| panic!("a new status changes the item"));
        let n = note(Some(ApprovalStatus::Approved), ApprovalStatus::Rejected, Some("SCAM"));
        assert_eq!(n, "WhatsApp approval: approved → rejected (SCAM)");
        assert_eq!(note(None, ApprovalStatus::Pending, None), "WhatsApp approval: none → pending");
        let stored = snapshots::inline(&next, Some(n), None, now);
        let v = &stored.version;
        assert_eq!(
            (v.version_number, v.created_by_id, v.created_at, v.status),
            (5, None, now, ContentStatus::Published)
        );
        assert_eq!(v.snapshot.as_deref(), Some(&next));
        assert!(stored.snapshot_object.is_none());
    }

    #[test]
    fn errors_name_the_template_and_item() {
        let err = ContentError::ProviderStatus {
            name: "shift_reminder".into(),
            content: Some(Uuid::from_u128(1)),
            source: Box::new(ContentError::NotFound),
        };
        assert_eq!(
            err.to_string(),
            "recording the provider status of the template `shift_reminder` (content 00000000-0000-0000-0000-000000000001): not found"
        );
        let listing =
            ContentError::ProviderStatus { name: "t".into(), content: None, source: Box::new(ContentError::NotFound) };
        assert_eq!(listing.to_string(), "recording the provider status of the template `t`: not found");
    }
}
