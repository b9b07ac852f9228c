//! A message template as the notifications pipeline sends it: a content item of type `template` whose
//! workflow has approved it (status `approved` or `published`: a draft edit after publishing has to be
//! approved again before it goes out), for one channel, and on WhatsApp approved by the provider too.
//! Rendering fills every placeholder or refuses, naming what is missing: a message never goes out blank.
//! The provider's approval comes from its webhook through [`provider_status`].

use crate::error::ContentError;
pub use crate::model::ApprovalStatus;
use crate::model::{Body, Channel};
pub use crate::provider_status::{approval_of_provider_event, provider_status};
use crate::template;
pub use crate::template::{RenderError, TemplateError};
use crate::workflow::ContentStatus;
use nudge_core::TenantId;
use nudge_core::store::Store;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Why a template may not be sent on a channel.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("the template is for {0}, not this channel")]
    OtherChannel(&'static str),
    #[error("the template is not approved (its status is {0})")]
    NotApproved(&'static str),
    #[error("the provider has not approved this WhatsApp template (its status is {0})")]
    ProviderNotApproved(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageTemplate {
    pub id: Uuid,
    /// The content item's title: on WhatsApp, the name the provider knows the template by.
    pub name: String,
    pub text: String,
    pub variables: Vec<String>,
    channel: Channel,
    status: ContentStatus,
    approval: Option<ApprovalStatus>,
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Whatsapp => "whatsapp",
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

impl MessageTemplate {
    /// The channel it is written for: `whatsapp`, `sms` or `email`.
    pub fn channel(&self) -> &'static str {
        channel_name(self.channel)
    }

    /// Whether it may go out on `channel` (`whatsapp`, `sms`, `email`) now.
    pub fn usable_on(&self, channel: &str) -> Result<(), Unusable> {
        if self.channel() != channel {
            return Err(Unusable::OtherChannel(self.channel()));
        }
        if !matches!(self.status, ContentStatus::Approved | ContentStatus::Published) {
            return Err(Unusable::NotApproved(self.status.as_str()));
        }
        if self.channel == Channel::Whatsapp && self.approval != Some(ApprovalStatus::Approved) {
            let status = self.approval.map_or("unknown", ApprovalStatus::as_str);
            return Err(Unusable::ProviderNotApproved(status));
        }
        Ok(())
    }

    /// The text with every placeholder filled from `values`, or the variables missing (or blank).
    pub fn render(&self, values: &BTreeMap<String, String>) -> Result<String, RenderError> {
        template::render(&self.text, values)
    }

    /// The values of the placeholders in the order they appear (WhatsApp's positional parameters), or the
    /// variables missing.
    pub fn parameters(&self, values: &BTreeMap<String, String>) -> Result<Vec<String>, RenderError> {
        // Rendering first checks every placeholder has a value.
        self.render(values)?;
        Ok(template::placeholders(&self.text)?
            .into_iter()
            .map(|p| values.get(&p.name).cloned().unwrap_or_default())
            .collect())
    }
}

/// Text of a send's own (not a template) with its placeholders filled: every one given, or the missing
/// ones named. Text without placeholders comes back as it is.
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> Result<String, RenderError> {
    template::render(text, values)
}

/// Template `id` of the tenant, if it is a content item of type template.
pub async fn load(store: &Store, tenant: &TenantId, id: Uuid) -> Result<Option<MessageTemplate>, ContentError> {
    let Some(item) = crate::repo::get(store, tenant, id).await? else { return Ok(None) };
    let Body::Template(body) = item.fields.body else { return Ok(None) };
    Ok(Some(MessageTemplate {
        id: item.id,
        name: item.fields.title,
        text: body.template_text,
        variables: body.variables.into_iter().map(|v| v.name).collect(),
        channel: body.channel,
        status: item.status,
        approval: body.approval_status,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(channel: Channel, status: ContentStatus, approval: Option<ApprovalStatus>) -> MessageTemplate {
        MessageTemplate {
            id: Uuid::now_v7(),
            name: "shift_reminder".into(),
            text: "Hi {{firstName}}, your shift starts at {{time}}. Bye {{firstName}}.".into(),
            variables: vec!["firstName".into(), "time".into()],
            channel,
            status,
            approval,
        }
    }

    #[test]
    fn only_approved_templates_of_the_channel_are_usable() {
        let approved = template(Channel::Sms, ContentStatus::Published, None);
        assert_eq!(approved.usable_on("sms"), Ok(()));
        assert_eq!(approved.usable_on("email"), Err(Unusable::OtherChannel("sms")));
        let draft = template(Channel::Sms, ContentStatus::Draft, None);
        assert!(matches!(draft.usable_on("sms"), Err(Unusable::NotApproved(_))));
        let pending = template(Channel::Whatsapp, ContentStatus::Approved, Some(ApprovalStatus::Pending));
        assert_eq!(pending.usable_on("whatsapp"), Err(Unusable::ProviderNotApproved("pending")));
        let paused = template(Channel::Whatsapp, ContentStatus::Published, Some(ApprovalStatus::Paused));
        assert_eq!(paused.usable_on("whatsapp"), Err(Unusable::ProviderNotApproved("paused")));
        let meta_ok = template(Channel::Whatsapp, ContentStatus::Approved, Some(ApprovalStatus::Approved));
        assert_eq!(meta_ok.usable_on("whatsapp"), Ok(()));
    }

    #[test]
    fn parameters_follow_the_placeholders_and_missing_ones_are_named() {
        let t = template(Channel::Whatsapp, ContentStatus::Published, Some(ApprovalStatus::Approved));
        let values: BTreeMap<String, String> =
            [("firstName", "Ana"), ("time", "06:00")].iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        assert_eq!(t.parameters(&values).unwrap(), ["Ana", "06:00", "Ana"]);
        let only_name: BTreeMap<String, String> = [("firstName".to_owned(), "Ana".to_owned())].into();
        assert_eq!(t.render(&only_name), Err(RenderError::Missing(vec!["time".into()])));
    }
}
