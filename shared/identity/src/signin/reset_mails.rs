//! Identity's side of the notifications' [`ResetMails`] port: the notifications function asks it, in the
//! background, for the reset email of an address someone gave to `POST /auth/password-reset`.

use nudge_core::crypto::DataKey;
use nudge_core::store::Store;
use nudge_core::values::{Email, Parse};
use nudge_notifications::{Notification, ResetMails};

pub struct ResetMailer {
    pub store: Store,
    /// Seals the reset link in the email.
    pub key: DataKey,
    /// The web app the link opens (`APP_URL`).
    pub app_url: String,
}

impl ResetMails for ResetMailer {
    fn reset_mail<'a>(
        &'a self,
        request: uuid::Uuid,
        email: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<Option<Notification>, String>> {
        Box::pin(async move {
            // The request's reader parsed it before; one that no longer parses has no account.
            let Ok(email) = Email::parse(email) else { return Ok(None) };
            super::service::reset_mail(&self.store, &self.key, &self.app_url, request, &email)
                .await
                .map_err(|e| e.to_string())
        })
    }
}
