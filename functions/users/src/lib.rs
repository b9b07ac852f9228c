//! The users function's composition root: people, roles, invitations and MFA.

use nudge_core::config::{ConfigError, Env};
use nudge_notifications::Notifier;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let key = env.settings.data_key()?;
    let deps = nudge_identity::people::Deps {
        notifier: Notifier::new(env.queue("NOTIFICATIONS_QUEUE_URL")?, key.clone()),
        key,
        app_url: env.settings.app_url()?,
    };
    Ok(nudge_identity::people::router(env.ctx()?, deps))
}
