//! The auth function's composition root: sign-in, tokens and recovery, with the signing key, the data key
//! and the notifications queue.

use nudge_core::config::{ConfigError, Env};
use nudge_notifications::Notifier;

pub fn compose(env: &Env) -> Result<axum::Router, ConfigError> {
    let deps = nudge_identity::signin::Deps {
        issuer: env.settings.issuer()?,
        key: env.settings.data_key()?,
        notifier: Notifier::new(env.queue("NOTIFICATIONS_QUEUE_URL")?),
        app_url: env.settings.app_url()?,
    };
    Ok(nudge_identity::signin::router(env.ctx()?, deps))
}
