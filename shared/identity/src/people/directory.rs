//! Identity's side of the notifications' [`UserDirectory`] port: the tenant's members among some user ids,
//! with what sending to them needs (their address, names, whether they want email, whether still active).

use super::preferences;
use crate::membership::{self, MembershipStatus};
use crate::user::{self, UserStatus};
use nudge_core::TenantId;
use nudge_core::store::Store;
use nudge_notifications::policy::{EmailCategories, UserChoices};
use nudge_notifications::send::{Digest, UserDirectory, UserRecipient};
use uuid::Uuid;

pub struct Directory {
    pub store: Store,
}

impl Directory {
    async fn members_of(
        &self,
        tenant: &TenantId,
        ids: &[Uuid],
    ) -> Result<Vec<UserRecipient>, crate::error::IdentityError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(member) = membership::load(&self.store, tenant, *id).await? else { continue };
            let Some(account) = user::load(&self.store, *id).await? else { continue };
            let prefs = preferences::load(&self.store, tenant, *id).await?;
            out.push(UserRecipient {
                id: account.id,
                email: account.email.to_string(),
                first_name: account.first_name,
                last_name: account.last_name,
                name: member.name.or(account.name),
                choices: UserChoices {
                    saved: prefs.updated_at.is_some(),
                    email: prefs.email_notifications,
                    categories: EmailCategories {
                        new_content: prefs.email.new_content,
                        reminders: prefs.email.reminders,
                        results: prefs.email.results,
                        comments: prefs.email.comments,
                    },
                    by_type: prefs.by_type.clone(),
                },
                digest: match prefs.email.frequency {
                    preferences::Frequency::Daily => Some(Digest::Daily),
                    preferences::Frequency::Weekly => Some(Digest::Weekly),
                    preferences::Frequency::Immediate | preferences::Frequency::Never => None,
                },
                time_zone: nudge_core::values::Parse::parse(&prefs.timezone).ok(),
                active: member.status == MembershipStatus::Active && account.status == UserStatus::Active,
            });
        }
        Ok(out)
    }
}

impl UserDirectory for Directory {
    fn members<'a>(
        &'a self,
        tenant: &'a TenantId,
        ids: &'a [Uuid],
    ) -> futures_util::future::BoxFuture<'a, Result<Vec<UserRecipient>, String>> {
        Box::pin(async move { self.members_of(tenant, ids).await.map_err(|e| e.to_string()) })
    }
}
