//! The notifications function's composition root: the mailer on the notifications queue, sending through
//! SES from `EMAIL_FROM`, with identity's reset mails behind the notifications' port.

use nudge_core::config::{ConfigError, Env};
use nudge_core::queue::{Consumer, job};
use nudge_identity::signin::ResetMailer;
use nudge_notifications::Mailer;
use nudge_notifications::email::EmailChannel;
use std::sync::Arc;

pub fn compose(env: &Env) -> Result<Consumer, ConfigError> {
    let store = env.ctx()?.store;
    let key = env.settings.data_key()?;
    let resets = ResetMailer { store: store.clone(), key: key.clone(), app_url: env.settings.app_url()? };
    let email = EmailChannel::new(aws_sdk_sesv2::Client::new(&env.sdk), env.var("EMAIL_FROM")?);
    let queue = env.queue("NOTIFICATIONS_QUEUE_URL")?;
    Ok(job(Mailer::new(store, queue, email, key, Arc::new(resets))))
}
