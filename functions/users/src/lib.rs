//! The users function's composition root: people, roles, invitations and MFA.

use nudge_core::config::{ConfigError, Env};
use nudge_notifications::Notifier;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let deps = nudge_identity::people::Deps {
        key: env.settings.data_key()?,
        notifier: Notifier::new(env.queue("NOTIFICATIONS_QUEUE_URL")?),
        app_url: env.settings.app_url()?,
    };
    Ok(nudge_identity::people::router(env.ctx()?, deps))
}
